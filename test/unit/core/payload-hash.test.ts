/** The journal's payload hash: stable across deliveries of one event, different for any change to it. */
import { describe, expect, it } from 'vitest';
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
});
