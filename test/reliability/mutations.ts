/**
 * Forged webhooks: fast-check mutations of one valid, signed, not-yet-delivered Stripe success, one Ping++
 * success and one WeChat Pay notification (for attempts still pending, so an accepted forgery would pay an order). Each mutation
 * changes the bytes or the signature header — bit flips, byte edits, insertions, deletions, truncation,
 * a UTF-8 BOM or whitespace before or after the JSON, re-serialised or edited JSON, a stale but correctly
 * signed timestamp, another key's signature, a signature moved from another event, a missing header — and
 * is posted through the real web handler. Every one must be refused with 400, and the database must be
 * byte-for-byte what it was.
 * @module
 */
import { createHmac, sign } from 'node:crypto';
import fc from 'fast-check';
import type { WebhookHandler } from '../../src/index.js';
import { generatePingxxTestKeyPair, generateWechatPayTestKeyPair } from '../../src/testing/index.js';

/** The providers whose deliveries are mutated. */
export type MutatedProvider = 'stripe' | 'pingxx' | 'wechatpay';

/** A valid delivery to mutate. */
export interface SignedOriginal {
  provider: MutatedProvider;
  rawBody: string;
  headers: Record<string, string>;
  /** Signs `body` correctly (for stale-timestamp forgeries: the key is right, the time is not). */
  signAt?: (body: string, unixSeconds: number) => Record<string, string>;
  /** A valid signature header set of another event (moved onto this body). */
  otherHeaders: Record<string, string>;
  /** The order the delivery pays (the control checks it is paid when the provider's answer cannot say). */
  orderId?: string;
}

/** One forged delivery. */
export interface Mutation {
  label: string;
  body: Buffer;
  headers: Record<string, string>;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A body edit: takes the original bytes, returns the mutated ones and a label. */
type BodyEdit = (body: Buffer) => { label: string; body: Buffer };

function bodyEdits(length: number): fc.Arbitrary<BodyEdit> {
  const pos = fc.nat({ max: Math.max(0, length - 1) });
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 6 });
  return fc.oneof(
    fc.record({ pos, bit: fc.integer({ min: 0, max: 7 }) }).map(({ pos, bit }): BodyEdit => (b) => {
      const out = Buffer.from(b);
      out[pos] = out[pos]! ^ (1 << bit);
      return { label: 'bit flip', body: out };
    }),
    fc.record({ pos, value: fc.integer({ min: 0, max: 255 }) }).map(({ pos, value }): BodyEdit => (b) => {
      const out = Buffer.from(b);
      out[pos] = value === out[pos] ? (value + 1) % 256 : value;
      return { label: 'byte replaced', body: out };
    }),
    fc.record({ pos, bytes }).map(({ pos, bytes }): BodyEdit => (b) => ({
      label: 'bytes inserted',
      body: Buffer.concat([b.subarray(0, pos), Buffer.from(bytes), b.subarray(pos)]),
    })),
    fc.record({ pos, n: fc.integer({ min: 1, max: 16 }) }).map(({ pos, n }): BodyEdit => (b) => ({
      label: 'bytes deleted',
      body: Buffer.concat([b.subarray(0, pos), b.subarray(pos + n)]),
    })),
    pos.map((pos): BodyEdit => (b) => ({ label: 'truncated', body: b.subarray(0, pos) })),
    fc.constantFrom('bom', 'bom-twice', 'space', 'newline', 'tab', 'nul').map((kind): BodyEdit => (b) => {
      const prefix = {
        bom: BOM,
        'bom-twice': Buffer.concat([BOM, BOM]),
        space: Buffer.from(' '),
        newline: Buffer.from('\n'),
        tab: Buffer.from('\t'),
        nul: Buffer.from([0]),
      }[kind];
      return { label: `${kind} before the JSON`, body: Buffer.concat([prefix, b]) };
    }),
    fc.constantFrom(' ', '\n', '\r\n', '\u0000', '}').map((suffix): BodyEdit => (b) => ({
      label: 'bytes after the JSON',
      body: Buffer.concat([b, Buffer.from(suffix)]),
    })),
    fc.constantFrom(0, 1, 2).map((indent): BodyEdit => (b) => ({
      label: 'JSON re-serialised',
      body: Buffer.from(
        JSON.stringify(JSON.parse(b.toString('utf8')), null, indent === 0 ? undefined : indent) +
          (indent === 0 ? ' ' : ''),
      ),
    })),
    fc
      .record({
        path: fc.constantFrom('amount', 'currency', 'livemode', 'type', 'id'),
        n: fc.integer({ min: 1, max: 1_000_000 }),
      })
      .map(({ path, n }): BodyEdit => (b) => ({
        label: `JSON ${path} edited`,
        body: Buffer.from(editJson(b.toString('utf8'), path, n)),
      })),
  );
}

/** Changes the first `"<key>":` value found in the JSON text (amount up, currency, mode, type or id altered). */
function editJson(text: string, key: string, n: number): string {
  const pattern = new RegExp(`"${key}":\\s*("[^"]*"|-?\\d+|true|false)`);
  const match = pattern.exec(text);
  if (!match) return `${text} `;
  const old = match[1]!;
  const value = old.startsWith('"')
    ? JSON.stringify(`${old.slice(1, -1)}x${n}`)
    : old === 'true' || old === 'false'
      ? String(old !== 'true')
      : String(Number(old) + n);
  return text.replace(match[0], `"${key}":${value}`);
}

type HeaderEdit = (original: SignedOriginal, body: Buffer) => { label: string; headers: Record<string, string> } | null;

function headerEdits(provider: MutatedProvider): fc.Arbitrary<HeaderEdit> {
  const keep: HeaderEdit = (o) => ({ label: '', headers: o.headers });
  const edits: fc.Arbitrary<HeaderEdit>[] = [
    fc.constant(keep),
    fc.constant((): ReturnType<HeaderEdit> => ({ label: 'signature header removed', headers: {} })),
    fc.constant((o: SignedOriginal): ReturnType<HeaderEdit> => ({
      label: "another event's signature",
      headers: o.otherHeaders,
    })),
  ];
  if (provider === 'stripe') {
    edits.push(
      fc
        .record({ pos: fc.nat({ max: 63 }), digit: fc.integer({ min: 1, max: 15 }) })
        .map(({ pos, digit }): HeaderEdit => (o) => {
          const header = o.headers['stripe-signature']!;
          const hex = /v1=([0-9a-f]+)/.exec(header)![1]!;
          const changed = ((parseInt(hex[pos]!, 16) + digit) % 16).toString(16);
          const v1 = hex.slice(0, pos) + changed + hex.slice(pos + 1);
          return { label: 'signature digit changed', headers: { 'stripe-signature': header.replace(hex, v1) } };
        }),
      fc.integer({ min: 1, max: 10_000_000 }).map((shift): HeaderEdit => (o) => {
        const header = o.headers['stripe-signature']!;
        const t = Number(/t=(\d+)/.exec(header)![1]);
        return {
          label: 'timestamp changed',
          headers: { 'stripe-signature': header.replace(`t=${t}`, `t=${t - shift}`) },
        };
      }),
      fc.integer({ min: 301, max: 86_400 * 30 }).map(
        (age): HeaderEdit =>
          (o, body) =>
            o.signAt
              ? {
                  label: 'correctly signed but stale',
                  headers: o.signAt(body.toString('utf8'), Math.floor(Date.now() / 1000) - age),
                }
              : null,
      ),
      fc.constant((o: SignedOriginal, body: Buffer): ReturnType<HeaderEdit> => {
        const t = Math.floor(Date.now() / 1000);
        const v1 = createHmac('sha256', 'whsec_not_the_endpoint_secret').update(`${t}.`).update(body).digest('hex');
        return { label: 'signed with another secret', headers: { 'stripe-signature': `t=${t},v1=${v1}` } };
      }),
    );
  } else if (provider === 'wechatpay') {
    const withHeader = (o: SignedOriginal, name: string, value: string) => ({ ...o.headers, [name]: value });
    edits.push(
      fc
        .record({ pos: fc.nat({ max: 255 }), bit: fc.integer({ min: 0, max: 7 }) })
        .map(({ pos, bit }): HeaderEdit => (o) => {
          const raw = Buffer.from(o.headers['Wechatpay-Signature']!, 'base64');
          raw[pos] = raw[pos]! ^ (1 << bit);
          return {
            label: 'signature bit flipped',
            headers: withHeader(o, 'Wechatpay-Signature', raw.toString('base64')),
          };
        }),
      fc.integer({ min: 1, max: 10_000_000 }).map((shift): HeaderEdit => (o) => ({
        label: 'timestamp changed',
        headers: withHeader(o, 'Wechatpay-Timestamp', String(Number(o.headers['Wechatpay-Timestamp']) - shift)),
      })),
      fc
        .constantFrom('Wechatpay-Nonce', 'Wechatpay-Timestamp', 'Wechatpay-Serial', 'Wechatpay-Signature')
        .map((name): HeaderEdit => (o) => {
          const { [name]: _dropped, ...rest } = o.headers;
          return { label: `${name} removed`, headers: rest };
        }),
      fc.constant((o: SignedOriginal): ReturnType<HeaderEdit> => ({
        label: 'unknown serial',
        headers: withHeader(o, 'Wechatpay-Serial', 'PUB_KEY_ID_0000000000000000000000000000'),
      })),
      fc.constant((o: SignedOriginal): ReturnType<HeaderEdit> => ({
        label: 'WECHATPAY/SIGNTEST probe',
        headers: withHeader(o, 'Wechatpay-Signature', `WECHATPAY/SIGNTEST/${o.headers['Wechatpay-Signature']}`),
      })),
      fc.integer({ min: 301, max: 86_400 * 30 }).map(
        (age): HeaderEdit =>
          (o, body) =>
            o.signAt
              ? {
                  label: 'correctly signed but stale',
                  headers: o.signAt(body.toString('utf8'), Math.floor(Date.now() / 1000) - age),
                }
              : null,
      ),
      fc.constant((o: SignedOriginal, body: Buffer): ReturnType<HeaderEdit> => {
        const t = o.headers['Wechatpay-Timestamp']!;
        const nonce = o.headers['Wechatpay-Nonce']!;
        const message = Buffer.concat([Buffer.from(`${t}\n${nonce}\n`), body, Buffer.from('\n')]);
        const forged = sign('RSA-SHA256', message, generateWechatPayTestKeyPair('reliability-forger').privateKey);
        return {
          label: 'signed with another key',
          headers: withHeader(o, 'Wechatpay-Signature', forged.toString('base64')),
        };
      }),
    );
  } else {
    edits.push(
      fc
        .record({ pos: fc.nat({ max: 255 }), bit: fc.integer({ min: 0, max: 7 }) })
        .map(({ pos, bit }): HeaderEdit => (o) => {
          const raw = Buffer.from(o.headers['x-pingplusplus-signature']!, 'base64');
          raw[pos] = raw[pos]! ^ (1 << bit);
          return { label: 'signature bit flipped', headers: { 'x-pingplusplus-signature': raw.toString('base64') } };
        }),
      fc.constant((_o: SignedOriginal, body: Buffer): ReturnType<HeaderEdit> => ({
        label: 'signed with another key',
        headers: {
          'x-pingplusplus-signature': sign(
            'RSA-SHA256',
            body,
            generatePingxxTestKeyPair('reliability-forger').privateKey,
          ).toString('base64'),
        },
      })),
      fc.constant((): ReturnType<HeaderEdit> => ({
        label: 'empty signature',
        headers: { 'x-pingplusplus-signature': '' },
      })),
    );
  }
  return fc.oneof(...edits);
}

/**
 * `runs` distinct forged deliveries of `original`: a body edit, a header edit, or both. Deterministic for
 * a seed. A "mutation" that leaves bytes and signature header as they were is not one and is filtered out.
 */
export function sampleMutations(original: SignedOriginal, runs: number, seed: number): Mutation[] {
  const body = Buffer.from(original.rawBody, 'utf8');
  const arbitrary = fc
    .record({ edit: fc.option(bodyEdits(body.length), { freq: 3 }), header: headerEdits(original.provider) })
    .map(({ edit, header }) => {
      const edited = edit ? edit(body) : { label: '', body };
      const headers = header(original, edited.body);
      if (!headers) return null;
      return {
        label: [edited.label, headers.label].filter(Boolean).join(' + '),
        body: edited.body,
        headers: headers.headers,
      } satisfies Mutation;
    })
    .filter(
      (m): m is Mutation =>
        m !== null && (!m.body.equals(body) || JSON.stringify(m.headers) !== JSON.stringify(original.headers)),
    );
  return fc.sample(arbitrary, { numRuns: runs, seed });
}

/** What the mutations did. */
export interface MutationVerdict {
  total: number;
  refused: number;
  /** Labels and statuses of the ones that were not refused with 400. */
  accepted: string[];
}

/** Posts each mutation through the web handler; refused means HTTP 400. */
export async function postMutations(
  handler: WebhookHandler,
  provider: MutatedProvider,
  mutations: readonly Mutation[],
): Promise<MutationVerdict> {
  const accepted: string[] = [];
  let refused = 0;
  for (const m of mutations) {
    const response = await handler(
      new Request(`http://host.local/webhooks/${provider}`, {
        method: 'POST',
        body: new Uint8Array(m.body),
        headers: { 'content-type': 'application/json', ...m.headers },
      }),
    );
    await response.arrayBuffer();
    if (response.status === 400) refused += 1;
    else accepted.push(`${provider} ${m.label} → ${response.status}`);
  }
  return { total: mutations.length, refused, accepted };
}
