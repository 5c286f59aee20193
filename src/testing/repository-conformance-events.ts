/**
 * Conformance cases for `PaymentEventRepository`, the exactly-once gate.
 * @module
 */
import assert from 'node:assert/strict';
import type { NewPaymentEvent } from '../persistence/records.js';
import type { ConformanceContext } from './repository-conformance.js';
import { assertJsonText, count, createOrder, parallel, rejectsWith } from './repository-conformance-helpers.js';

/** Registers the journal cases. */
export function eventCases(ctx: ConformanceContext): void {
  const { it } = ctx;
  const event = (overrides: Partial<NewPaymentEvent> = {}): NewPaymentEvent => ({
    provider: 'stripe',
    eventId: ctx.id('evt'),
    type: 'payment.succeeded',
    providerEventType: 'payment_intent.succeeded',
    payload: { id: 'evt', data: { object: { amount: 1999 } } },
    ...overrides,
  });

  it('journals an event once; a replay is a duplicate that changes nothing', async () => {
    const { repositories, raw } = await ctx.subject();
    const first = event({ orderId: 'o-1', attemptId: 'a-1' });
    assert.equal(await repositories.events.insert(first), 'inserted');
    assert.equal(
      await repositories.events.insert({ ...first, type: 'payment.failed', payload: { replay: true } }),
      'duplicate',
    );
    const stored = await raw.event(first.provider, first.eventId);
    assert.equal(stored?.type, 'payment.succeeded');
    assert.equal(stored?.outcome, 'received');
    assertJsonText(stored?.payloadJson ?? null, first.payload);
    assert.equal(await raw.eventCount(first.provider, first.eventId), 1);
    const read = await repositories.events.find(first.provider, first.eventId);
    assert.deepEqual(
      [read?.type, read?.providerEventType, read?.orderId, read?.attemptId, read?.outcome, read?.processedAt],
      ['payment.succeeded', 'payment_intent.succeeded', 'o-1', 'a-1', 'received', null],
    );
    assert.deepEqual(read?.payload, first.payload);
  });

  it('tells a redelivery with another payload hash (conflict) from a duplicate, and keeps the stored row', async () => {
    const { repositories, raw } = await ctx.subject();
    const first = event({ orderId: 'o-1', payloadHash: 'sha256:aaaa' });
    assert.equal(await repositories.events.insert(first), 'inserted');
    assert.equal(await repositories.events.insert(first), 'duplicate', 'same hash: duplicate');
    const other = { ...first, type: 'payment.failed', payload: { other: true }, payloadHash: 'sha256:bbbb' };
    assert.equal(await repositories.events.insert(other), 'conflict', 'another hash: conflict');
    assert.equal(await repositories.events.insert(other), 'conflict', 'a conflict is reported every time');
    assert.equal(await repositories.events.insert({ ...first, payloadHash: null }), 'duplicate', 'no hash given');
    const read = await repositories.events.find(first.provider, first.eventId);
    assert.deepEqual(
      [read?.payloadHash, read?.type, read?.outcome, read?.payload],
      ['sha256:aaaa', 'payment.succeeded', 'received', first.payload],
    );
    const stored = await raw.event(first.provider, first.eventId);
    if (stored?.payloadHash !== undefined) assert.equal(stored.payloadHash, 'sha256:aaaa');
    assert.equal(stored?.type, 'payment.succeeded');
    assert.equal(await raw.eventCount(first.provider, first.eventId), 1);

    // A row journalled without a hash (a synthetic event, or before the hash existed) is never compared.
    const unhashed = event();
    assert.equal(await repositories.events.insert(unhashed), 'inserted');
    assert.equal((await repositories.events.find(unhashed.provider, unhashed.eventId))?.payloadHash, null);
    assert.equal(await repositories.events.insert({ ...unhashed, payloadHash: 'sha256:cccc' }), 'duplicate');
    assert.equal((await repositories.events.find(unhashed.provider, unhashed.eventId))?.payloadHash, null);
  });

  it(`gives one of ${ctx.concurrency} concurrent transactions with two payload hashes 'inserted', the others duplicate or conflict, aborting none`, async () => {
    const { repositories, raw } = await ctx.subject();
    const e = event();
    const hashes = ['sha256:1111', 'sha256:2222'];
    const orderIds = Array.from({ length: ctx.concurrency }, () => ctx.id('order'));
    const results = await parallel(ctx.concurrency, (i) =>
      repositories.transaction(async (tx) => {
        const payloadHash = hashes[i % 2] as string;
        const outcome = await tx.events.insert({ ...e, payloadHash });
        await createOrder(ctx, tx, { orderId: orderIds[i] as string });
        return { outcome, payloadHash };
      }),
    );
    const winners = results.filter((r) => r.outcome === 'inserted');
    assert.equal(winners.length, 1);
    const kept = winners[0]?.payloadHash;
    assert.equal((await repositories.events.find(e.provider, e.eventId))?.payloadHash, kept);
    for (const r of results) {
      if (r.outcome === 'inserted') continue;
      assert.equal(r.outcome, r.payloadHash === kept ? 'duplicate' : 'conflict', `hash ${r.payloadHash}`);
    }
    assert.equal(await raw.eventCount(e.provider, e.eventId), 1);
    for (const orderId of orderIds) assert.notEqual(await raw.order(orderId), null, `order ${orderId} committed`);
  });

  it('keys the journal by provider and event id together', async () => {
    const { repositories } = await ctx.subject();
    const e = event();
    assert.equal(await repositories.events.insert(e), 'inserted');
    assert.equal(await repositories.events.insert({ ...e, provider: 'stripe-eu' }), 'inserted');
  });

  it(`gives exactly one of ${ctx.concurrency} concurrent inserts of one event 'inserted'`, async () => {
    const { repositories, raw } = await ctx.subject();
    const e = event();
    const results = await parallel(ctx.concurrency, () => repositories.events.insert(e));
    assert.equal(count(results, 'inserted'), 1);
    assert.equal(count(results, 'duplicate'), ctx.concurrency - 1);
    assert.equal(await raw.eventCount(e.provider, e.eventId), 1);
  });

  it(`gives exactly one of ${ctx.concurrency} concurrent transactions 'inserted', and a duplicate aborts none`, async () => {
    const { repositories, raw } = await ctx.subject();
    const e = event();
    const orderIds = Array.from({ length: ctx.concurrency }, () => ctx.id('order'));
    const results = await parallel(ctx.concurrency, (i) =>
      repositories.transaction(async (tx) => {
        const outcome = await tx.events.insert(e);
        // Work after a duplicate must still commit: the duplicate is not an error at the database level.
        await createOrder(ctx, tx, { orderId: orderIds[i] as string });
        return outcome;
      }),
    );
    assert.equal(count(results, 'inserted'), 1);
    assert.equal(await raw.eventCount(e.provider, e.eventId), 1);
    for (const orderId of orderIds) assert.notEqual(await raw.order(orderId), null, `order ${orderId} committed`);
  });

  it('records the outcome of processing', async () => {
    const { repositories, raw } = await ctx.subject();
    const e = event();
    await repositories.events.insert(e);
    assert.equal(await repositories.events.markProcessed(e.provider, e.eventId, 'applied', 'order paid'), true);
    assert.equal((await raw.event(e.provider, e.eventId))?.outcome, 'applied');
    const read = await repositories.events.find(e.provider, e.eventId);
    assert.equal(read?.detail, 'order paid');
    assert.ok(read?.processedAt instanceof Date);
    assert.equal(await repositories.events.markProcessed(e.provider, ctx.id('missing'), 'ignored'), false);
    await rejectsWith(repositories.events.markProcessed(e.provider, e.eventId, 'exploded' as never), 'ValidationError');
  });

  it('returns null for an unknown event and lists events by order', async () => {
    const { repositories } = await ctx.subject();
    assert.equal(await repositories.events.find('stripe', ctx.id('missing')), null);
    const orderId = ctx.id('order');
    const t = ctx.epoch().getTime();
    const a = event({ orderId, receivedAt: new Date(t) });
    const b = event({ orderId, receivedAt: new Date(t + 1000) });
    await repositories.events.insert(b);
    await repositories.events.insert(a);
    await repositories.events.insert(event());
    assert.deepEqual(
      (await repositories.events.listByOrder(orderId)).map((x) => x.eventId),
      [a.eventId, b.eventId],
    );
  });

  it('refuses an event without a provider or id', async () => {
    const { repositories } = await ctx.subject();
    await rejectsWith(repositories.events.insert(event({ eventId: '' })), 'ValidationError');
    await rejectsWith(repositories.events.insert(event({ provider: '' })), 'ValidationError');
  });
}
