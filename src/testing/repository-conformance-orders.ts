/**
 * Conformance cases for `OrderRepository`.
 * @module
 */
import assert from 'node:assert/strict';
import type { ConformanceContext } from './repository-conformance.js';
import { count, createOrder, parallel, rejectsWith } from './repository-conformance-helpers.js';

/** Registers the order cases. */
export function orderCases(ctx: ConformanceContext): void {
  const { it } = ctx;

  it('creates an order in init with its amounts in minor units', async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories, { payableAmount: 1999, currency: 'usd' });
    assert.equal(order.status, 'init');
    assert.equal(order.paidAmount, 0);
    assert.equal(order.currency, 'USD');
    assert.deepEqual(await raw.order(order.orderId), {
      orderId: order.orderId,
      userId: order.userId,
      productId: order.productId,
      listAmount: 1999,
      payableAmount: 1999,
      paidAmount: 0,
      currency: 'USD',
      status: 'init',
    });
    assert.deepEqual(await repositories.orders.findById(order.orderId), order);
  });

  it('keeps the list price, the amount due and the amount captured apart', async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories, { listAmount: 9900, payableAmount: 5900, currency: 'CNY' });
    assert.deepEqual([order.listAmount, order.payableAmount, order.paidAmount], [9900, 5900, 0]);
    const stored = await raw.order(order.orderId);
    assert.deepEqual([stored?.listAmount, stored?.payableAmount, stored?.paidAmount], [9900, 5900, 0]);
    assert.equal(
      await repositories.orders.updateStatus({
        orderId: order.orderId,
        from: ['init'],
        to: 'paid',
        patch: { paidAmount: 5900 },
      }),
      true,
    );
    const paid = await raw.order(order.orderId);
    assert.deepEqual([paid?.listAmount, paid?.payableAmount, paid?.paidAmount], [9900, 5900, 5900]);
    assert.equal(await repositories.orders.update(order.orderId, { listAmount: 9800 }), true);
    const read = await repositories.orders.findById(order.orderId);
    assert.deepEqual([read?.listAmount, read?.payableAmount, read?.paidAmount], [9800, 5900, 5900]);
    const free = await createOrder(ctx, repositories, { payableAmount: 0, listAmount: 100 });
    await repositories.orders.updateStatus({
      orderId: free.orderId,
      from: ['init'],
      to: 'paid',
      patch: { paidAmount: 0 },
    });
    assert.deepEqual((await raw.order(free.orderId))?.paidAmount, 0);
  });

  it('stores amounts exactly for zero-, two- and three-decimal currencies', async () => {
    const { repositories, raw } = await ctx.subject();
    for (const [amount, currency] of [
      [500, 'JPY'],
      [1999, 'USD'],
      [1234, 'BHD'],
      [1, 'CNY'],
      [0, 'EUR'],
    ] as const) {
      const order = await createOrder(ctx, repositories, { payableAmount: amount, paidAmount: amount, currency });
      assert.equal((await raw.order(order.orderId))?.payableAmount, amount, `${currency} payable`);
      assert.equal((await raw.order(order.orderId))?.paidAmount, amount, `${currency} paid`);
      assert.equal((await repositories.orders.findById(order.orderId))?.payableAmount, amount);
    }
  });

  it('refuses a second order with the same orderId and keeps the first', async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories, { payableAmount: 100 });
    await rejectsWith(
      createOrder(ctx, repositories, { orderId: order.orderId, payableAmount: 999 }),
      'ValidationError',
      'DUPLICATE_ORDER',
    );
    assert.equal((await raw.order(order.orderId))?.payableAmount, 100);
  });

  it('refuses negative or fractional amounts, unknown currencies and statuses, writing nothing', async () => {
    const { repositories, raw } = await ctx.subject();
    const bad = [
      { payableAmount: -1 },
      { payableAmount: 10.5 },
      { listAmount: -1 },
      { paidAmount: -5 },
      { currency: 'XYZ' },
      { status: 'shipped' as never },
    ];
    for (const overrides of bad) {
      const orderId = ctx.id('bad-order');
      await rejectsWith(createOrder(ctx, repositories, { orderId, ...overrides }), 'ValidationError');
      assert.equal(await raw.order(orderId), null, JSON.stringify(overrides));
    }
  });

  it('returns null for an unknown order', async () => {
    const { repositories } = await ctx.subject();
    assert.equal(await repositories.orders.findById(ctx.id('missing')), null);
  });

  it("finds the user's latest open order for a product, ignoring paid ones", async () => {
    const { repositories } = await ctx.subject();
    const userId = ctx.id('user');
    const productId = ctx.id('product');
    const t = ctx.epoch().getTime();
    assert.equal(await repositories.orders.findOpenForUserProduct(userId, productId), null);
    await createOrder(ctx, repositories, { userId, productId, createdAt: new Date(t) });
    const newer = await createOrder(ctx, repositories, {
      userId,
      productId,
      status: 'pending',
      createdAt: new Date(t + 1000),
    });
    await createOrder(ctx, repositories, { userId, productId, status: 'paid', createdAt: new Date(t + 2000) });
    await createOrder(ctx, repositories, { userId, productId: ctx.id('other'), createdAt: new Date(t + 3000) });
    assert.equal((await repositories.orders.findOpenForUserProduct(userId, productId))?.orderId, newer.orderId);
  });

  it('changes status only from an allowed status, and says whether it did', async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories, { payableAmount: 1999 });
    assert.equal(
      await repositories.orders.updateStatus({ orderId: order.orderId, from: ['pending'], to: 'paid' }),
      false,
    );
    assert.equal((await raw.order(order.orderId))?.status, 'init');
    assert.equal(
      await repositories.orders.updateStatus({
        orderId: order.orderId,
        from: ['init', 'pending'],
        to: 'paid',
        patch: { paidAmount: 1999, paymentChannel: 'stripe' },
      }),
      true,
    );
    const stored = await raw.order(order.orderId);
    assert.deepEqual([stored?.status, stored?.paidAmount, stored?.payableAmount], ['paid', 1999, 1999]);
    const read = await repositories.orders.findById(order.orderId);
    assert.equal(read?.paymentChannel, 'stripe');
    assert.equal(read?.status, 'paid');
    assert.equal(
      await repositories.orders.updateStatus({ orderId: ctx.id('missing'), from: ['init'], to: 'paid' }),
      false,
    );
  });

  it('refuses guarded updates with unknown statuses or an empty guard', async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories);
    await rejectsWith(
      repositories.orders.updateStatus({ orderId: order.orderId, from: ['init'], to: 'shipped' as never }),
      'ValidationError',
    );
    await rejectsWith(
      repositories.orders.updateStatus({ orderId: order.orderId, from: ['bogus' as never], to: 'paid' }),
      'ValidationError',
    );
    await rejectsWith(
      repositories.orders.updateStatus({ orderId: order.orderId, from: [], to: 'paid' }),
      'ValidationError',
    );
    await rejectsWith(
      repositories.orders.updateStatus({
        orderId: order.orderId,
        from: ['init'],
        to: 'paid',
        patch: { paidAmount: -1 },
      }),
      'ValidationError',
    );
    assert.equal((await raw.order(order.orderId))?.status, 'init');
  });

  it('updates amounts and currency regardless of status, re-encoding prices exactly', async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories, { payableAmount: 1999, currency: 'USD' });
    assert.equal(await repositories.orders.update(order.orderId, { currency: 'JPY', payableAmount: 2000 }), true);
    const yen = await raw.order(order.orderId);
    assert.deepEqual([yen?.payableAmount, yen?.paidAmount, yen?.currency], [2000, 0, 'JPY']);
    assert.equal(await repositories.orders.update(order.orderId, { currency: 'BHD' }), true);
    assert.equal((await raw.order(order.orderId))?.payableAmount, 2000);
    assert.equal(await repositories.orders.update(ctx.id('missing'), { paidAmount: 1 }), false);
  });

  it('lists expirable orders: init or pending, created before the cutoff, oldest first, limited', async () => {
    const { repositories } = await ctx.subject();
    const t = ctx.epoch().getTime();
    const a = await createOrder(ctx, repositories, { createdAt: new Date(t) });
    const b = await createOrder(ctx, repositories, { status: 'pending', createdAt: new Date(t + 1000) });
    await createOrder(ctx, repositories, { status: 'paid', createdAt: new Date(t + 2000) });
    const c = await createOrder(ctx, repositories, { createdAt: new Date(t + 3000) });
    await createOrder(ctx, repositories, { createdAt: new Date(t + 9000) });
    const cutoff = new Date(t + 5000);
    const listed = await repositories.orders.listExpirable({ createdBefore: cutoff, limit: 10 });
    const ours = listed.filter((o) => o.createdAt.getTime() >= t);
    assert.deepEqual(
      ours.map((o) => o.orderId),
      [a.orderId, b.orderId, c.orderId],
    );
    const limited = await repositories.orders.listExpirable({ createdBefore: cutoff, limit: 1 });
    assert.equal(limited.length, 1);
  });

  it(`lets exactly one of ${ctx.concurrency} concurrent guarded updates win`, async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories, { status: 'pending' });
    const results = await parallel(ctx.concurrency, (i) =>
      repositories.orders.updateStatus({
        orderId: order.orderId,
        from: ['pending'],
        to: 'paid',
        patch: { paidAmount: 1000 + i },
      }),
    );
    assert.equal(count(results, true), 1);
    const winner = results.indexOf(true);
    const stored = await raw.order(order.orderId);
    assert.deepEqual([stored?.status, stored?.paidAmount], ['paid', 1000 + winner]);
  });

  it(`lets exactly one of ${ctx.concurrency} concurrent transactions win a guarded update`, async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories, { status: 'pending' });
    const results = await parallel(ctx.concurrency, () =>
      repositories.transaction(async (tx) => {
        const current = await tx.orders.findById(order.orderId, { forUpdate: true });
        if (current?.status !== 'pending') return false;
        return tx.orders.updateStatus({
          orderId: order.orderId,
          from: ['pending'],
          to: 'paid',
          patch: { paidAmount: 1999 },
        });
      }),
    );
    assert.equal(count(results, true), 1);
    assert.equal((await raw.order(order.orderId))?.status, 'paid');
  });
}
