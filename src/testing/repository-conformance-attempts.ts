/**
 * Conformance cases for `AttemptRepository`.
 * @module
 */
import assert from 'node:assert/strict';
import type { NewAttempt } from '../persistence/records.js';
import type { ConformanceContext } from './repository-conformance.js';
import { assertJsonText, count, createOrder, parallel, rejectsWith } from './repository-conformance-helpers.js';

/** Registers the attempt cases. */
export function attemptCases(ctx: ConformanceContext): void {
  const { it } = ctx;

  const setup = async (overrides: Partial<NewAttempt> = {}) => {
    const subject = await ctx.subject();
    const order = await createOrder(ctx, subject.repositories);
    const input: NewAttempt = {
      attemptId: ctx.id('attempt'),
      orderId: order.orderId,
      providerKind: 'stripe',
      channel: 'payment_intent',
      amount: 1999,
      currency: 'USD',
      ...overrides,
    };
    return { ...subject, order, input };
  };

  for (const [kind, channel, specific] of [
    [
      'stripe',
      'checkout_session',
      { checkoutSessionId: 'cs_test_1', paymentIntentId: 'pi_test_1', receiptUrl: 'https://pay.example/r' },
    ],
    ['pingxx', 'wx_pub_qr', { chargeId: 'ch_test_1', appId: 'app_1' }],
    [
      'alipay',
      'alipay_qr',
      {
        transactionId: '2026120122001400001',
        rawStatus: 'WAIT_BUYER_PAY',
        rawRequest: { method: 'alipay.trade.precreate', biz_content: { out_trade_no: 'a1', total_amount: '19.99' } },
        rawNotification: { trade_status: 'TRADE_SUCCESS', total_amount: '19.99' },
      },
    ],
    [
      'wechatpay',
      'wx_pub_qr',
      {
        transactionId: '4200002026120100001',
        rawStatus: 'NOTPAY',
        rawRequest: { out_trade_no: 'a1', amount: { total: 1999, currency: 'CNY' } },
        rawNotification: { trade_state: 'SUCCESS', amount: { total: 1999, payer_total: 1999 } },
      },
    ],
    ['fake', 'card', {}],
  ] as const) {
    it(`records a ${kind} attempt as pending, with its JSON columns stored as JSON`, async () => {
      const expiresAt = new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678));
      const { repositories, raw, input } = await setup({
        providerKind: kind,
        provider: `${kind}-main`,
        channel,
        currency: 'cny',
        providerReference: `ref_${kind}`,
        userId: 'user_1',
        productId: 'product_1',
        raw: { id: `ref_${kind}`, nested: { list: [1, 'two', null] }, at: expiresAt },
        result: { nextAction: { type: 'qr_code', content: 'weixin://x' } },
        metadata: { order_bid: 'o' },
        extra: { productId: 'p1' },
        clientIp: '203.0.113.9',
        livemode: false,
        expiresAt,
        ...specific,
      });
      const created = await repositories.attempts.create(input);
      const stored = await raw.attempt(input.attemptId);
      assert.deepEqual(
        { ...stored, rawJson: null },
        {
          attemptId: input.attemptId,
          orderId: input.orderId,
          userId: 'user_1',
          productId: 'product_1',
          amount: 1999,
          currency: 'CNY',
          status: 'pending',
          providerReference: `ref_${kind}`,
          rawJson: null,
          paidAt: null,
        },
      );
      assertJsonText(stored?.rawJson ?? null, {
        id: `ref_${kind}`,
        nested: { list: [1, 'two', null] },
        at: expiresAt.toISOString(),
      });
      const read = await repositories.attempts.findById(input.attemptId);
      assert.deepEqual(read, created);
      assert.equal(read?.provider, `${kind}-main`);
      assert.equal(read?.providerKind, kind);
      assert.equal(read?.channel, channel);
      assert.deepEqual(read?.result, { nextAction: { type: 'qr_code', content: 'weixin://x' } });
      assert.deepEqual(read?.metadata, { order_bid: 'o' });
      assert.deepEqual(read?.extra, { productId: 'p1' });
      assert.equal(read?.clientIp, '203.0.113.9');
      assert.deepEqual([read?.userId, read?.productId], ['user_1', 'product_1']);
      assert.equal(read?.livemode, false);
      assert.equal(read?.expiresAt?.getTime(), expiresAt.getTime());
      for (const [field, value] of Object.entries(specific))
        assert.deepEqual(read?.[field as keyof typeof read], value, field);
    });
  }

  it('refuses an attempt for an unknown order with NotFoundError', async () => {
    const { repositories, raw, input } = await setup();
    await rejectsWith(repositories.attempts.create({ ...input, orderId: ctx.id('missing') }), 'NotFoundError');
    assert.equal(await raw.attempt(input.attemptId), null);
  });

  it('refuses a second attempt with the same attemptId, in the same or another kind', async () => {
    const { repositories, raw, input } = await setup({ amount: 100 });
    await repositories.attempts.create(input);
    await rejectsWith(repositories.attempts.create({ ...input, amount: 200 }), 'ValidationError', 'DUPLICATE_ATTEMPT');
    await rejectsWith(
      repositories.attempts.create({ ...input, providerKind: 'pingxx', channel: 'alipay_qr' }),
      'ValidationError',
      'DUPLICATE_ATTEMPT',
    );
    assert.equal((await raw.attempt(input.attemptId))?.amount, 100);
  });

  it("refuses bad amounts, statuses, currencies and another kind's fields, writing nothing", async () => {
    const { repositories, raw, input } = await setup();
    for (const overrides of [
      { amount: -1 },
      { amount: 1.5 },
      { currency: 'ZZZ' },
      { status: 'done' as never },
      { chargeId: 'ch_1' },
      { providerKind: 'pingxx', channel: 'alipay_qr', paymentIntentId: 'pi_1' },
      { providerKind: 'fake', channel: 'card', latestChargeId: 'ch_1' },
      { providerKind: 'alipay', channel: 'alipay_qr', chargeId: 'ch_1' },
      { providerKind: 'pingxx', channel: 'alipay_qr', transactionId: '2026' },
      { providerKind: 'stripe', channel: 'payment_intent', rawRequest: { amount: 1 } },
      { providerKind: 'fake', channel: 'card', rawStatus: 'SUCCESS' },
    ]) {
      await rejectsWith(repositories.attempts.create({ ...input, ...overrides }), 'ValidationError');
      assert.equal(await raw.attempt(input.attemptId), null, JSON.stringify(overrides));
    }
  });

  it('returns null for unknown attempts and references', async () => {
    const { repositories } = await ctx.subject();
    assert.equal(await repositories.attempts.findById(ctx.id('missing')), null);
    assert.equal(await repositories.attempts.findByProviderReference('stripe', ctx.id('pi_missing')), null);
    assert.equal(await repositories.attempts.findLatestByOrder(ctx.id('missing')), null);
    assert.deepEqual(await repositories.attempts.listByOrder(ctx.id('missing')), []);
  });

  it('finds an attempt by reference, charge id, PaymentIntent id, Checkout Session id latest charge id or transaction id, within its kind', async () => {
    const { repositories, order } = await setup();
    const latest = ctx.id('ch_latest');
    const pi = ctx.id('pi');
    const cs = ctx.id('cs');
    const ch = ctx.id('ch');
    const ref = ctx.id('ref');
    const stripe = await repositories.attempts.create({
      attemptId: ctx.id('a'),
      orderId: order.orderId,
      providerKind: 'stripe',
      channel: 'checkout_session',
      amount: 1,
      currency: 'USD',
      checkoutSessionId: cs,
      paymentIntentId: pi,
      latestChargeId: latest,
    });
    const pingxx = await repositories.attempts.create({
      attemptId: ctx.id('a'),
      orderId: order.orderId,
      providerKind: 'pingxx',
      channel: 'alipay_qr',
      amount: 1,
      currency: 'CNY',
      chargeId: ch,
    });
    const fake = await repositories.attempts.create({
      attemptId: ctx.id('a'),
      orderId: order.orderId,
      providerKind: 'fake',
      channel: 'card',
      amount: 1,
      currency: 'USD',
      providerReference: ref,
    });
    assert.equal((await repositories.attempts.findByProviderReference('stripe', pi))?.attemptId, stripe.attemptId);
    assert.equal((await repositories.attempts.findByProviderReference('stripe', cs))?.attemptId, stripe.attemptId);
    assert.equal((await repositories.attempts.findByProviderReference('stripe', latest))?.attemptId, stripe.attemptId);
    assert.equal((await repositories.attempts.findByProviderReference('pingxx', ch))?.attemptId, pingxx.attemptId);
    assert.equal((await repositories.attempts.findByProviderReference('fake', ref))?.attemptId, fake.attemptId);
    const tradeNo = ctx.id('trade');
    const alipay = await repositories.attempts.create({
      attemptId: ctx.id('a'),
      orderId: order.orderId,
      providerKind: 'alipay',
      channel: 'alipay_qr',
      amount: 1,
      currency: 'CNY',
      providerReference: ref,
      transactionId: tradeNo,
    });
    assert.equal((await repositories.attempts.findByProviderReference('alipay', ref))?.attemptId, alipay.attemptId);
    assert.equal((await repositories.attempts.findByProviderReference('alipay', tradeNo))?.attemptId, alipay.attemptId);
    assert.equal(await repositories.attempts.findByProviderReference('wechatpay', tradeNo), null);
    assert.equal(await repositories.attempts.findByProviderReference('pingxx', pi), null);
    assert.equal(await repositories.attempts.findByProviderReference('other-kind', ref), null);
  });

  it("lists an order's attempts across kinds oldest first and finds the latest", async () => {
    const { repositories, order } = await setup();
    const t = ctx.epoch().getTime();
    const base = { orderId: order.orderId, amount: 1, currency: 'USD' };
    const first = await repositories.attempts.create({
      ...base,
      attemptId: ctx.id('a'),
      providerKind: 'pingxx',
      channel: 'alipay_qr',
      createdAt: new Date(t),
    });
    const second = await repositories.attempts.create({
      ...base,
      attemptId: ctx.id('a'),
      providerKind: 'fake',
      channel: 'card',
      createdAt: new Date(t + 1000),
    });
    const third = await repositories.attempts.create({
      ...base,
      attemptId: ctx.id('a'),
      providerKind: 'stripe',
      channel: 'payment_intent',
      createdAt: new Date(t + 2000),
    });
    assert.deepEqual(
      (await repositories.attempts.listByOrder(order.orderId)).map((a) => a.attemptId),
      [first.attemptId, second.attemptId, third.attemptId],
    );
    assert.equal((await repositories.attempts.findLatestByOrder(order.orderId))?.attemptId, third.attemptId);
  });

  it('changes status only from an allowed status and stamps the matching time', async () => {
    const { repositories, raw, input } = await setup();
    await repositories.attempts.create(input);
    assert.equal(
      await repositories.attempts.updateStatus({ attemptId: input.attemptId, from: ['paid'], to: 'refunded' }),
      false,
    );
    assert.equal(
      await repositories.attempts.updateStatus({
        attemptId: input.attemptId,
        from: ['pending'],
        to: 'paid',
        patch: { latestChargeId: 'ch_9', raw: { status: 'succeeded' } },
      }),
      true,
    );
    const stored = await raw.attempt(input.attemptId);
    assert.equal(stored?.status, 'paid');
    assert.ok(stored?.paidAt instanceof Date, 'paidAt stamped');
    assertJsonText(stored?.rawJson ?? null, { status: 'succeeded' });
    const read = await repositories.attempts.findById(input.attemptId);
    assert.equal(read?.latestChargeId, 'ch_9');
    assert.equal(read?.failedAt, null);
    const paidAt = new Date(Date.UTC(2030, 5, 1));
    assert.equal(
      await repositories.attempts.updateStatus({
        attemptId: input.attemptId,
        from: ['paid'],
        to: 'refunded',
        patch: { refundedAt: paidAt },
      }),
      true,
    );
    assert.equal((await repositories.attempts.findById(input.attemptId))?.refundedAt?.getTime(), paidAt.getTime());
    assert.equal(
      await repositories.attempts.updateStatus({ attemptId: ctx.id('missing'), from: ['pending'], to: 'paid' }),
      false,
    );
    await rejectsWith(
      repositories.attempts.updateStatus({ attemptId: input.attemptId, from: ['refunded'], to: 'gone' as never }),
      'ValidationError',
    );
  });

  it('updates provider facts regardless of status', async () => {
    const { repositories, raw, input } = await setup({ providerKind: 'pingxx', channel: 'wx_pub_qr', currency: 'CNY' });
    await repositories.attempts.create(input);
    const chargeId = ctx.id('ch');
    assert.equal(
      await repositories.attempts.update(input.attemptId, {
        providerReference: chargeId,
        chargeId,
        raw: { id: chargeId },
        livemode: true,
        failureCode: 'x',
        failureMessage: 'declined',
      }),
      true,
    );
    const stored = await raw.attempt(input.attemptId);
    assert.equal(stored?.providerReference, chargeId);
    assertJsonText(stored?.rawJson ?? null, { id: chargeId });
    const read = await repositories.attempts.findById(input.attemptId);
    assert.deepEqual(
      [read?.chargeId, read?.livemode, read?.failureCode, read?.failureMessage, read?.status],
      [chargeId, true, 'x', 'declined', 'pending'],
    );
    assert.equal(await repositories.attempts.update(input.attemptId, { failureCode: null }), true);
    assert.equal((await repositories.attempts.findById(input.attemptId))?.failureCode, null);
    assert.equal(await repositories.attempts.update(ctx.id('missing'), { livemode: true }), false);
    await rejectsWith(
      repositories.attempts.update(input.attemptId, { paymentIntentId: 'pi_1' }),
      'ValidationError',
      'FIELD_NOT_STORED',
    );
  });

  it('updates with kind and channel hints, and still finds an attempt the hints do not describe', async () => {
    const { repositories, raw, input } = await setup();
    await repositories.attempts.create(input);
    const pi = ctx.id('pi');
    const hints = { providerKind: 'stripe', channel: 'payment_intent' };
    assert.equal(
      await repositories.attempts.update(
        input.attemptId,
        { providerReference: pi, paymentIntentId: pi, raw: { id: pi, object: 'payment_intent' } },
        hints,
      ),
      true,
    );
    assert.equal((await raw.attempt(input.attemptId))?.providerReference, pi);
    const read = await repositories.attempts.findById(input.attemptId);
    assert.deepEqual(
      [read?.paymentIntentId, read?.raw, read?.status],
      [pi, { id: pi, object: 'payment_intent' }, 'pending'],
    );
    // Hints, never filters: an attempt of another kind is still found and written.
    assert.equal(
      await repositories.attempts.update(
        input.attemptId,
        { livemode: true },
        { providerKind: 'pingxx', channel: 'wx_pub_qr' },
      ),
      true,
    );
    assert.equal((await repositories.attempts.findById(input.attemptId))?.livemode, true);
    assert.equal(await repositories.attempts.update(ctx.id('missing'), { livemode: true }, hints), false);
  });

  it('lists pending attempts created before the cutoff, oldest first, limited', async () => {
    const { repositories, order } = await setup();
    const t = ctx.epoch().getTime();
    const base = { orderId: order.orderId, amount: 1, currency: 'USD' };
    const a = await repositories.attempts.create({
      ...base,
      attemptId: ctx.id('a'),
      providerKind: 'stripe',
      channel: 'payment_intent',
      createdAt: new Date(t),
    });
    await repositories.attempts.create({
      ...base,
      attemptId: ctx.id('a'),
      providerKind: 'stripe',
      channel: 'payment_intent',
      status: 'paid',
      createdAt: new Date(t + 500),
    });
    const b = await repositories.attempts.create({
      ...base,
      attemptId: ctx.id('a'),
      providerKind: 'pingxx',
      channel: 'alipay_qr',
      createdAt: new Date(t + 1000),
    });
    await repositories.attempts.create({
      ...base,
      attemptId: ctx.id('a'),
      providerKind: 'fake',
      channel: 'card',
      createdAt: new Date(t + 9000),
    });
    const listed = await repositories.attempts.listPending({ createdBefore: new Date(t + 5000), limit: 50 });
    assert.deepEqual(
      listed.filter((x) => x.createdAt.getTime() >= t).map((x) => x.attemptId),
      [a.attemptId, b.attemptId],
    );
    assert.equal((await repositories.attempts.listPending({ createdBefore: new Date(t + 5000), limit: 1 })).length, 1);
  });

  it(`lets exactly one of ${ctx.concurrency} concurrent guarded attempt updates win`, async () => {
    const { repositories, raw, input } = await setup();
    await repositories.attempts.create(input);
    const results = await parallel(ctx.concurrency, () =>
      repositories.attempts.updateStatus({ attemptId: input.attemptId, from: ['pending'], to: 'paid' }),
    );
    assert.equal(count(results, true), 1);
    assert.equal((await raw.attempt(input.attemptId))?.status, 'paid');
  });
}
