/** The journal's payload hash: stable across deliveries of one event, different for any change to it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventPayloadHash } from '../../../src/core/payload-hash.js';

const event = {
  id: 'evt_1',
  object: 'event',
  type: 'payment_intent.succeeded',
  created: 1764000000,
  livemode: false,
  pending_webhooks: 2,
  data: { object: { id: 'pi_1', amount: 1999, currency: 'usd', metadata: { order_bid: 'o1' } } },
};

describe('eventPayloadHash', () => {
  it('is sha256 of the canonical JSON, whatever the key order, spacing or pending_webhooks', async () => {
    const hash = await eventPayloadHash(event);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reordered = JSON.parse(JSON.stringify({ ...event, pending_webhooks: 0 }, null, 2)) as typeof event;
    const { id, ...rest } = reordered;
    expect(await eventPayloadHash({ ...rest, id })).toBe(hash);
    expect(await eventPayloadHash({ ...event, pending_webhooks: undefined })).toBe(hash);
  });

  it("leaves out an Alipay notification's notify_time and signature, not its trade fields", async () => {
    const notify = { notify_id: 'n1', out_trade_no: 'a1', trade_status: 'TRADE_SUCCESS', total_amount: '9.90' };
    const first = { ...notify, notify_time: '2026-12-01 10:00:00', sign: 'AAA', sign_type: 'RSA2' };
    const retry = { ...notify, notify_time: '2026-12-01 10:04:00', sign: 'BBB', sign_type: 'RSA2' };
    expect(await eventPayloadHash(retry)).toBe(await eventPayloadHash(first));
    expect(await eventPayloadHash({ ...first, total_amount: '0.01' })).not.toBe(await eventPayloadHash(first));
  });

  it.each([
    ['an amount', { data: { object: { ...event.data.object, amount: 1 } } }],
    ['a metadata value', { data: { object: { ...event.data.object, metadata: { order_bid: 'o2' } } } }],
    ['the type', { type: 'payment_intent.payment_failed' }],
    ['livemode', { livemode: true }],
    ['a nested pending_webhooks', { data: { object: { ...event.data.object, pending_webhooks: 1 } } }],
    ['a string for a number', { created: '1764000000' }],
  ])('changes with %s', async (_what, change) => {
    expect(await eventPayloadHash({ ...event, ...change })).not.toBe(await eventPayloadHash(event));
  });

  it('keeps array order significant and tells null from a missing member', async () => {
    expect(await eventPayloadHash({ a: [1, 2] })).not.toBe(await eventPayloadHash({ a: [2, 1] }));
    expect(await eventPayloadHash({ a: null })).not.toBe(await eventPayloadHash({}));
    expect(await eventPayloadHash(null)).toMatch(/^sha256:/);
  });

  // Hashes already journalled must keep matching their redeliveries: these were computed by the first
  // implementation (sorted keys through map/join, Web Crypto's digest) and pin the canonical form.
  const tricky = {
    pending_webhooks: 3,
    notify_time: 'x',
    sign: 's',
    data: {
      object: {
        '10': 'ten',
        '2': 'two',
        b: [1, undefined, null, -0, 1e21, 0.1, 'é\u2028"\\\n', { z: 1, a: [] }],
        a: { fn: () => 1, u: undefined, d: new Date(0), big: 12n, nested: { pending_webhooks: 1 } },
      },
    },
    ключ: 'значение',
    '': 'empty',
    '😀': true,
    false: false,
  };
  const golden: Array<[string, unknown, string]> = [
    [
      'escapes, integer-like keys, dates, bigints',
      tricky,
      '9c2f67bb02fac5134d4e947be4918278cebcbc71c6de36519e9336f2e88134f7',
    ],
    ['an array at the top', [{ b: 1, a: 2 }, 'x'], '7567bd486e64baf5c2d8bc3207c4de212fb840d6f202dc6d8eeeaceba1e1da18'],
    [
      'a toJSON at the top',
      { toJSON: () => ({ pending_webhooks: 1, k: 'v' }) },
      '9363e55b8ef7e9049299629a763b6c371e669a42c770d121ec290b550449c076',
    ],
  ];

  it.each(golden)('hashes %s as it always did', async (_what, payload, hex) => {
    expect(await eventPayloadHash(payload)).toBe(`sha256:${hex}`);
  });

  describe('without node:crypto (Web Crypto only)', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
      vi.resetModules();
    });

    it.each(golden)('hashes %s alike', async (_what, payload, hex) => {
      vi.resetModules();
      vi.stubGlobal('process', { ...process, getBuiltinModule: undefined });
      const fresh = await import('../../../src/core/payload-hash.js');
      expect(await fresh.eventPayloadHash(payload)).toBe(`sha256:${hex}`);
    });
  });
});
