/**
 * Conformance cases for `RefundRepository`.
 * @module
 */
import assert from 'node:assert/strict';
import type { NewRefund } from '../persistence/records.js';
import type { ConformanceContext } from './repository-conformance.js';
import { count, createOrder, parallel, rejectsWith } from './repository-conformance-helpers.js';

/** Registers the refund cases. */
export function refundCases(ctx: ConformanceContext): void {
  const { it } = ctx;

  const setup = async (overrides: Partial<NewRefund> = {}) => {
    const subject = await ctx.subject();
    const order = await createOrder(ctx, subject.repositories);
    const input: NewRefund = {
      refundId: ctx.id('refund'),
      orderId: order.orderId,
      attemptId: ctx.id('attempt'),
      provider: 'stripe',
      amount: 500,
      currency: 'usd',
      reason: 'requested_by_customer',
      ...overrides,
    };
    return { ...subject, order, input };
  };

  it('records a refund as pending; a second call with the same refundId is a duplicate', async () => {
    const { repositories, raw, input } = await setup();
    assert.equal(await repositories.refunds.create(input), 'inserted');
    assert.equal(await repositories.refunds.create({ ...input, amount: 900 }), 'duplicate');
    assert.deepEqual(await raw.refund(input.refundId), {
      refundId: input.refundId,
      providerRefundId: null,
      orderId: input.orderId,
      amount: 500,
      currency: 'USD',
      status: 'pending',
    });
    const read = await repositories.refunds.findById(input.refundId);
    assert.deepEqual(
      [read?.reason, read?.attemptId, read?.provider],
      ['requested_by_customer', input.attemptId, 'stripe'],
    );
  });

  it('treats a known provider refund id of the same provider as a duplicate', async () => {
    const { repositories, input } = await setup({ providerRefundId: ctx.id('re') });
    assert.equal(await repositories.refunds.create(input), 'inserted');
    assert.equal(await repositories.refunds.create({ ...input, refundId: ctx.id('refund') }), 'duplicate');
    assert.equal(
      await repositories.refunds.create({ ...input, refundId: ctx.id('refund'), provider: 'stripe-eu' }),
      'inserted',
    );
    assert.equal(
      (await repositories.refunds.findByProviderRefundId('stripe', input.providerRefundId as string))?.refundId,
      input.refundId,
    );
  });

  it('refuses refunds for unknown orders and non-positive amounts', async () => {
    const { repositories, raw, input } = await setup();
    await rejectsWith(repositories.refunds.create({ ...input, orderId: ctx.id('missing') }), 'NotFoundError');
    await rejectsWith(repositories.refunds.create({ ...input, amount: 0 }), 'ValidationError');
    await rejectsWith(repositories.refunds.create({ ...input, amount: -100 }), 'ValidationError');
    await rejectsWith(repositories.refunds.create({ ...input, status: 'lost' as never }), 'ValidationError');
    assert.equal(await raw.refund(input.refundId), null);
  });

  it('returns null for unknown refunds and lists refunds by order, oldest first', async () => {
    const { repositories, order } = await setup();
    assert.equal(await repositories.refunds.findById(ctx.id('missing')), null);
    assert.equal(await repositories.refunds.findByProviderRefundId('stripe', ctx.id('missing')), null);
    const t = ctx.epoch().getTime();
    const base = { orderId: order.orderId, attemptId: 'a', provider: 'stripe', amount: 1, currency: 'USD' };
    const second = { ...base, refundId: ctx.id('refund'), createdAt: new Date(t + 1000) };
    const first = { ...base, refundId: ctx.id('refund'), createdAt: new Date(t) };
    await repositories.refunds.create(second);
    await repositories.refunds.create(first);
    assert.deepEqual(
      (await repositories.refunds.listByOrder(order.orderId)).map((r) => r.refundId),
      [first.refundId, second.refundId],
    );
  });

  it('changes refund status only from an allowed status', async () => {
    const { repositories, raw, input } = await setup();
    await repositories.refunds.create(input);
    const providerRefundId = ctx.id('re');
    assert.equal(
      await repositories.refunds.updateStatus({ refundId: input.refundId, from: ['failed'], to: 'succeeded' }),
      false,
    );
    assert.equal(
      await repositories.refunds.updateStatus({
        refundId: input.refundId,
        from: ['pending'],
        to: 'succeeded',
        patch: { providerRefundId, raw: { id: providerRefundId } },
      }),
      true,
    );
    assert.deepEqual(
      [(await raw.refund(input.refundId))?.status, (await raw.refund(input.refundId))?.providerRefundId],
      ['succeeded', providerRefundId],
    );
    assert.deepEqual((await repositories.refunds.findById(input.refundId))?.raw, { id: providerRefundId });
    assert.equal(
      await repositories.refunds.updateStatus({ refundId: ctx.id('missing'), from: ['pending'], to: 'failed' }),
      false,
    );
  });

  it('refuses to give a refund a provider refund id another refund holds', async () => {
    const { repositories, raw, input, order } = await setup({ providerRefundId: ctx.id('re') });
    await repositories.refunds.create(input);
    const other = { ...input, refundId: ctx.id('refund'), providerRefundId: null, orderId: order.orderId };
    await repositories.refunds.create(other);
    await rejectsWith(
      repositories.refunds.update(other.refundId, { providerRefundId: input.providerRefundId as string }),
      'ValidationError',
      'DUPLICATE_PROVIDER_REFUND',
    );
    assert.equal((await raw.refund(other.refundId))?.providerRefundId, null);
    assert.equal(await repositories.refunds.update(ctx.id('missing'), { reason: 'x' }), false);
  });

  it(`records exactly one of ${ctx.concurrency} concurrent creations of one refund`, async () => {
    const { repositories, input } = await setup();
    const results = await parallel(ctx.concurrency, () => repositories.refunds.create(input));
    assert.equal(count(results, 'inserted'), 1);
  });

  it('lists pending refunds created before the cutoff, oldest first, limited', async () => {
    const { repositories, input } = await setup();
    // Without listPending (an optional method) there is nothing to check.
    if (!repositories.refunds.listPending) return;
    const t = ctx.epoch().getTime();
    const ids = [ctx.id('refund'), ctx.id('refund'), ctx.id('refund'), ctx.id('refund')];
    await repositories.refunds.create({ ...input, refundId: ids[0]!, createdAt: new Date(t) });
    await repositories.refunds.create({ ...input, refundId: ids[1]!, createdAt: new Date(t + 500) });
    await repositories.refunds.create({ ...input, refundId: ids[2]!, createdAt: new Date(t + 1000) });
    await repositories.refunds.create({ ...input, refundId: ids[3]!, createdAt: new Date(t + 9000) });
    await repositories.refunds.updateStatus({ refundId: ids[1]!, from: ['pending'], to: 'succeeded' });
    const listed = await repositories.refunds.listPending({ createdBefore: new Date(t + 5000), limit: 50 });
    assert.deepEqual(
      listed.filter((r) => r.createdAt.getTime() >= t).map((r) => [r.refundId, r.status]),
      [
        [ids[0], 'pending'],
        [ids[2], 'pending'],
      ],
    );
    assert.equal((await repositories.refunds.listPending({ createdBefore: new Date(t + 5000), limit: 1 })).length, 1);
    await rejectsWith(repositories.refunds.listPending({ createdBefore: new Date(t), limit: -1 }), 'ValidationError');
  });
}
