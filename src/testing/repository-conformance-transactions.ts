/**
 * Conformance cases for `transaction(fn)`: all or nothing, nested calls join, reads see own writes.
 * @module
 */
import assert from 'node:assert/strict';
import type { ConformanceContext } from './repository-conformance.js';
import { createOrder } from './repository-conformance-helpers.js';

/** Registers the transaction cases. */
export function transactionCases(ctx: ConformanceContext): void {
  const { it } = ctx;

  it('persists nothing when the function throws, and rethrows the same error', async () => {
    const { repositories, raw } = await ctx.subject();
    const existing = await createOrder(ctx, repositories, { status: 'pending' });
    const orderId = ctx.id('order');
    const attemptId = ctx.id('attempt');
    const eventId = ctx.id('evt');
    const refundId = ctx.id('refund');
    const boom = new Error('hook failed');
    await assert.rejects(
      repositories.transaction(async (tx) => {
        await createOrder(ctx, tx, { orderId });
        await tx.attempts.create({
          attemptId,
          orderId,
          providerKind: 'stripe',
          channel: 'payment_intent',
          amount: 1,
          currency: 'USD',
        });
        await tx.events.insert({
          provider: 'stripe',
          eventId,
          type: 'payment.succeeded',
          providerEventType: 'x',
          orderId,
        });
        await tx.refunds.create({ refundId, orderId, attemptId, provider: 'stripe', amount: 1, currency: 'USD' });
        await tx.orders.updateStatus({ orderId: existing.orderId, from: ['pending'], to: 'paid' });
        throw boom;
      }),
      (error) => error === boom,
    );
    assert.equal(await raw.order(orderId), null);
    assert.equal(await raw.attempt(attemptId), null);
    assert.equal(await raw.eventCount('stripe', eventId), 0);
    assert.equal(await raw.refund(refundId), null);
    assert.equal((await raw.order(existing.orderId))?.status, 'pending');
  });

  it('commits everything when the function resolves, and returns its value', async () => {
    const { repositories, raw } = await ctx.subject();
    const orderId = ctx.id('order');
    const value = await repositories.transaction(async (tx) => {
      await createOrder(ctx, tx, { orderId });
      return 42;
    });
    assert.equal(value, 42);
    assert.notEqual(await raw.order(orderId), null);
  });

  it('lets reads inside a transaction see its own writes before commit', async () => {
    const { repositories } = await ctx.subject();
    const orderId = ctx.id('order');
    // Returned rather than asserted inside, so a transaction that never runs `fn` fails here too.
    const seen = await repositories.transaction(async (tx) => {
      await createOrder(ctx, tx, { orderId });
      const created = (await tx.orders.findById(orderId, { forUpdate: true }))?.status;
      const moved = await tx.orders.updateStatus({ orderId, from: ['init'], to: 'pending' });
      return [created, moved, (await tx.orders.findById(orderId))?.status];
    });
    assert.deepEqual(seen, ['init', true, 'pending']);
  });

  it('joins a nested transaction to the outer one: both roll back together', async () => {
    const { repositories, raw } = await ctx.subject();
    const outer = ctx.id('order');
    const inner = ctx.id('order');
    await assert.rejects(
      repositories.transaction(async (tx) => {
        await createOrder(ctx, tx, { orderId: outer });
        await tx.transaction(async (nested) => {
          await createOrder(ctx, nested, { orderId: inner });
        });
        throw new Error('outer fails after inner finished');
      }),
    );
    assert.equal(await raw.order(outer), null);
    assert.equal(await raw.order(inner), null);
  });

  it('joins a nested transaction to the outer one: both commit together', async () => {
    const { repositories, raw } = await ctx.subject();
    const inner = ctx.id('order');
    await repositories.transaction(async (tx) => {
      await tx.transaction(async (nested) => {
        await createOrder(ctx, nested, { orderId: inner });
      });
      assert.notEqual(await tx.orders.findById(inner), null);
    });
    assert.notEqual(await raw.order(inner), null);
  });
}
