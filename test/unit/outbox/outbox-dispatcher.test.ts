/**
 * The dispatcher on the in-memory outbox with a fake clock: backoff with jitter, the dead state, progress per
 * consumer, lease expiry, and only the types its consumers take.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay, createOutboxDispatcher, type OutboxConsumer } from '../../../src/index.js';
import { createInMemoryRepositories } from '../../../src/testing/in-memory-repositories.js';

function setup() {
  const clock = { now: new Date('2026-12-01T10:00:00Z') };
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  const repositories = createInMemoryRepositories({ now: () => clock.now });
  return { clock, advance, outbox: repositories.outbox, repositories };
}

const failing = (name: string, calls: string[], failTimes = Infinity): OutboxConsumer => {
  let failures = 0;
  return {
    name,
    deliver: (m) => {
      calls.push(`${name}:${m.key}:${m.attempt}`);
      if (failures < failTimes) {
        failures += 1;
        throw new Error('down');
      }
    },
  };
};

describe('backoffDelay', () => {
  it.each([
    [1, 0, 2500],
    [1, 0.999999, 5000],
    [2, 0, 5000],
    [4, 0.5, 30000],
    [30, 0, 1_800_000],
    [30, 0.999999, 3_599_998],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, { random: () => random })).toBe(expected);
  });
});

describe('createOutboxDispatcher', () => {
  it('retries a failing consumer with exponential, jittered delays on the clock, then marks the row dead', async () => {
    const { outbox, clock, advance } = setup();
    const calls: string[] = [];
    const randoms = [0, 0.5, 1 - 1e-9];
    let r = 0;
    const dispatcher = createOutboxDispatcher({
      outbox,
      consumers: [failing('crm', calls)],
      clock: () => clock.now,
      maxAttempts: 4,
      backoff: { baseMs: 1000, maxMs: 60_000, random: () => randoms[r++ % randoms.length]! },
    });
    await outbox.insert({ key: 'order.paid:o1', type: 'order.paid', payload: { n: 1 } });
    const due: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, retried: 1 });
      const row = await outbox.find('order.paid:o1');
      due.push(row!.availableAt.getTime() - clock.now.getTime());
      expect(row).toMatchObject({ status: 'pending', attempts: attempt, lastError: 'crm: Error' });
      // Not due a millisecond early.
      advance(due.at(-1)! - 1);
      expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 0 });
      advance(1);
    }
    // 1000·2^(n−1), half of it jittered: random 0 → 500, 0.5 → 1500, ~1 → 4000.
    expect(due).toEqual([500, 1500, 4000]);
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, dead: 1 });
    expect(await outbox.find('order.paid:o1')).toMatchObject({ status: 'dead', attempts: 4 });
    expect(calls).toEqual(['crm:order.paid:o1:1', 'crm:order.paid:o1:2', 'crm:order.paid:o1:3', 'crm:order.paid:o1:4']);
    expect(await outbox.stats()).toMatchObject({ dead: 1, pending: 0 });
    // An operator fixes the consumer and retries the row.
    expect(await outbox.retry('order.paid:o1')).toBe(true);
    const fixed = createOutboxDispatcher({
      outbox,
      consumers: [{ name: 'crm', deliver: () => {} }],
      clock: () => clock.now,
    });
    expect(await fixed.dispatchOnce()).toMatchObject({ delivered: 1 });
  });

  it('skips the consumers that already took a row when it is retried', async () => {
    const { outbox, clock, advance } = setup();
    const calls: string[] = [];
    const ok: OutboxConsumer = { name: 'feishu', deliver: (m) => void calls.push(`feishu:${m.key}`) };
    const dispatcher = createOutboxDispatcher({
      outbox,
      consumers: [ok, failing('crm', calls, 1)],
      clock: () => clock.now,
      backoff: { random: () => 0 },
    });
    await outbox.insert({ key: 'k', type: 'order.refunded', payload: {} });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ retried: 1 });
    expect((await outbox.find('k'))?.deliveredTo).toEqual(['feishu']);
    advance(2500);
    expect(await dispatcher.dispatchOnce()).toMatchObject({ delivered: 1 });
    expect(calls).toEqual(['feishu:k', 'crm:k:1', 'crm:k:2']);
    expect(await outbox.find('k')).toMatchObject({ status: 'delivered', deliveredTo: ['crm', 'feishu'] });
  });

  it('gets a crashed dispatcher’s row back after its lease, and a row that kept killing its claimers dies', async () => {
    const { outbox, clock, advance } = setup();
    await outbox.insert({ key: 'k', type: 'order.paid', payload: {} });
    // A dispatcher claims and "dies" (never completes).
    const [held] = await outbox.claim({ owner: 'dead-worker', limit: 1, leaseMs: 30_000, types: ['order.paid'] });
    expect(held?.attempts).toBe(1);
    const got: number[] = [];
    const dispatcher = createOutboxDispatcher({
      outbox,
      consumers: [{ name: 'c', deliver: (m) => void got.push(m.attempt) }],
      clock: () => clock.now,
      leaseMs: 30_000,
      maxAttempts: 2,
    });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 0 });
    advance(30_000);
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(got).toEqual([2]);

    await outbox.insert({ key: 'poison', type: 'order.paid', payload: {} });
    for (let i = 0; i < 2; i += 1) {
      await outbox.claim({ owner: `crash-${i}`, limit: 1, leaseMs: 1000, types: ['order.paid'] });
      advance(1000);
    }
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, dead: 1 });
    expect(got).toEqual([2]);
    expect(await outbox.find('poison')).toMatchObject({ status: 'dead', lastError: 'lease expired 2 times' });
  });

  it('claims only the types its consumers take (not sweep claims, not a host type nobody here takes)', async () => {
    const { outbox, clock } = setup();
    await outbox.insert({ key: 'sweep:reconcile:a1', type: 'payment.sweep', payload: {} });
    await outbox.insert({ key: 'host', type: 'crm.sync', payload: {} });
    await outbox.insert({ key: 'anomaly', type: 'payment.anomaly', payload: {} });
    const seen: string[] = [];
    const dispatcher = createOutboxDispatcher({
      outbox,
      consumers: [{ name: 'all-payment-types', deliver: (m) => void seen.push(m.key) }],
      clock: () => clock.now,
    });
    expect(dispatcher.types).toEqual(['order.paid', 'order.refunded', 'payment.failed', 'payment.anomaly']);
    await dispatcher.dispatchOnce();
    expect(seen).toEqual(['anomaly']);
    expect((await outbox.find('host'))?.status).toBe('pending');
    expect((await outbox.find('sweep:reconcile:a1'))?.status).toBe('pending');
  });

  it('refuses two consumers with one name', () => {
    const { outbox } = setup();
    const c = { name: 'x', deliver: () => {} };
    expect(() => createOutboxDispatcher({ outbox, consumers: [c, c] })).toThrow(/unique/);
  });
});
