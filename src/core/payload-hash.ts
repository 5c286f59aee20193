/**
 * The hash the event journal keeps of each verified webhook payload, so a redelivery of a known event id
 * with a different body is told apart from a plain duplicate.
 * @module
 */
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
  const digest = await requireWebCrypto('subtle', 'eventPayloadHash').subtle.digest('SHA-256', utf8Encode(text));
  return `sha256:${toHex(new Uint8Array(digest))}`;
}

/** JSON with sorted object keys; `undefined` members dropped as `JSON.stringify` does. */
function canonicalJson(value: unknown, top = false): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'null';
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const record = value as Record<string, unknown>;
  if (typeof (record as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((record as { toJSON: () => unknown }).toJSON());
  }
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    if (top && DELIVERY_FIELDS.has(key)) continue;
    members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}
