/**
 * The hash the event journal keeps of each verified webhook payload, so a redelivery of a known event id
 * with a different body is told apart from a plain duplicate.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import { nodeBuiltin } from './node-builtin.js';
import { requireWebCrypto, toHex, utf8Encode } from './web-crypto.js';

/**
 * Top-level fields a provider changes between deliveries of one event: Stripe and Ping++ both send
 * `pending_webhooks`, the number of endpoints still owed this event, which drops as other endpoints
 * acknowledge it; an Alipay notification is re-sent with a new `notify_time`, hence a new `sign`. Everything
 * else (id, type, created, livemode, data; Alipay's trade fields) is the event.
 */
const DELIVERY_FIELDS: ReadonlySet<string> = new Set(['pending_webhooks', 'notify_time', 'sign', 'sign_type']);

/**
 * `sha256:` + the hex SHA-256 of the payload's canonical JSON (object keys sorted, no whitespace), leaving
 * out the per-delivery top-level fields (`pending_webhooks`; Alipay's `notify_time`, `sign`, `sign_type`). Two deliveries of one event hash alike whatever their key order or
 * spacing; any change to the event itself (an amount, a status, a metadata value) changes the hash.
 *
 * @example
 * ```ts
 * await eventPayloadHash({ id: 'evt_1', pending_webhooks: 2, data: { object: { amount: 100 } } })
 * // === await eventPayloadHash({ data: { object: { amount: 100 } }, id: 'evt_1', pending_webhooks: 1 })
 * ```
 */
export async function eventPayloadHash(payload: unknown): Promise<string> {
  const text = canonicalJson(payload, true);
  // node:crypto hashes synchronously where the runtime has it: no thread-pool round trip per webhook, which
  // on a busy machine cost more than the rest of the hash. Web Crypto elsewhere (workerd without flags, Edge).
  const crypto = nodeCrypto();
  if (crypto) return `sha256:${crypto.createHash('sha256').update(text, 'utf8').digest('hex')}`;
  const digest = await requireWebCrypto('subtle', 'eventPayloadHash').subtle.digest('SHA-256', utf8Encode(text));
  return `sha256:${toHex(new Uint8Array(digest))}`;
}

let nodeCryptoModule: typeof NodeCrypto | null | undefined;
const nodeCrypto = (): typeof NodeCrypto | null =>
  nodeCryptoModule === undefined
    ? (nodeCryptoModule = nodeBuiltin<typeof NodeCrypto>('node:crypto') ?? null)
    : nodeCryptoModule;

/** Printable ASCII but the quote and the backslash: what `JSON.stringify` writes unchanged between the quotes. */
const VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A string as a JSON literal, exactly as `JSON.stringify` writes it (ids and keys need no escaping). */
const quote = (text: string): string => (VERBATIM.test(text) ? `"${text}"` : JSON.stringify(text));

/**
 * JSON with sorted object keys; `undefined` members dropped as `JSON.stringify` does. Written as one pass
 * appending to a string (no intermediate arrays): the ~2 KB event of every webhook goes through it.
 */
function canonicalJson(value: unknown, top = false): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      break;
    default:
      return 'null'; // undefined, function, symbol
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ',';
      // A hole reads as nothing, as `Array.prototype.map` + `join` rendered it (JSON.parse makes none).
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  if (typeof (record as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((record as { toJSON: () => unknown }).toJSON());
  }
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    if (top && DELIVERY_FIELDS.has(key)) continue;
    if (out.length > 1) out += ',';
    out += `${quote(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}
