import { describe, expect, it } from 'vitest';
import {
  createPaymentService,
  IndeterminateOutcomeError,
  isPaymentError,
  ProviderDeclinedError,
  toLegacyBuyRecord,
  ValidationError,
} from '../../../src/index.js';
import { createHarness, deliver, orderWithCharge } from './harness.js';

describe('initOrder', () => {
  it('creates an init order, and reuses the open one for the same user and product', async () => {
    const h = createHarness();
    const first = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'usd' });
    expect(first).toMatchObject({ status: 'init', payableAmount: 1999, currency: 'USD', paidAmount: 0 });
    const again = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    expect(again.orderId).toBe(first.orderId);
    const other = await h.service.initOrder({ userId: 'u1', productId: 'p2', payableAmount: 1999, currency: 'USD' });
    expect(other.orderId).not.toBe(first.orderId);
  });

  it('lazily times out an open order older than the payment window', async () => {
    const h = createHarness({ options: { orderExpireSeconds: 600 } });
    const first = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    h.clock.advance(601_000);
    const second = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    expect(second.orderId).not.toBe(first.orderId);
    expect((await h.service.getOrder(first.orderId))?.status).toBe('timeout');
  });

  it('applies the discount hook', async () => {
    const h = createHarness({
      hooks: {
        computeDiscount: ({ payableAmount, discounts }) => ({
          payableAmount: discounts.includes('HALF') ? payableAmount / 2 : payableAmount,
        }),
      },
    });
    const order = await h.service.initOrder({
      userId: 'u1',
      productId: 'p1',
      payableAmount: 2000,
      currency: 'USD',
      discounts: ['HALF'],
    });
    expect(order.payableAmount).toBe(1000);
  });

  it('refuses bad input with typed errors', async () => {
    const h = createHarness();
    await expect(
      h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: -1, currency: 'USD' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 19.99, currency: 'USD' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 100, currency: 'XXX' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      h.service.initOrder({ userId: '', productId: 'p1', payableAmount: 100, currency: 'USD' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('createCharge', () => {
  it('commits the attempt and the pending order before calling the provider', async () => {
    const h = createHarness();
    const order = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    const original = h.fake.createPayment.bind(h.fake);
    let seenByProvider: { attempt: string | undefined; order: string | undefined } | null = null;
    h.fake.createPayment = async (request) => {
      const committed = h.repositories.snapshot();
      seenByProvider = {
        attempt: committed.attempts.find((a) => a.attemptId === request.attemptId)?.status,
        order: committed.orders.find((o) => o.orderId === request.orderId)?.status,
      };
      return original(request);
    };
    const dto = await h.service.createCharge({ orderId: order.orderId });
    expect(seenByProvider).toEqual({ attempt: 'pending', order: 'pending' });
    expect(dto).toMatchObject({
      orderId: order.orderId,
      price: '19.99',
      paymentChannel: 'fake',
      channel: 'fake_qr',
      status: 'pending',
    });
    expect(dto.qrUrl).toMatch(/^fake:\/\/pay\//);
    const attempt = h.repositories.snapshot().attempts[0]!;
    expect(attempt).toMatchObject({
      providerReference: expect.stringMatching(/^fake_/),
      amount: 1999,
      currency: 'USD',
      status: 'pending',
    });
  });

  it('reuses an open attempt instead of creating a second remote payment', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    const again = await h.service.createCharge({ orderId: order.orderId });
    expect(again.paymentPayload?.attemptId).toBe(attemptId);
    expect(h.fake.calls.filter((c) => c.method === 'create')).toHaveLength(1);
    expect(h.repositories.snapshot().attempts).toHaveLength(1);
  });

  it('shares one attempt between concurrent charges of one order (a double click pays once)', async () => {
    const h = createHarness();
    const order = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.service.createCharge({ orderId: order.orderId })),
    );
    expect(new Set(results.map((r) => r.paymentPayload?.attemptId)).size).toBe(1);
    expect(h.repositories.snapshot().attempts).toHaveLength(1);
    expect(h.fake.payments.size).toBe(1);
  });

  it('creates a new attempt when the amount changed', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    await h.repositories.orders.update(order.orderId, { payableAmount: 2500 });
    const again = await h.service.createCharge({ orderId: order.orderId });
    expect(again.paymentPayload?.attemptId).not.toBe(attemptId);
    expect(again.paymentPayload?.amount).toBe(2500);
  });

  it('marks the attempt failed when the provider declines', async () => {
    const h = createHarness();
    const order = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    h.fake.scriptCreate('decline');
    await expect(h.service.createCharge({ orderId: order.orderId })).rejects.toBeInstanceOf(ProviderDeclinedError);
    expect(h.repositories.snapshot().attempts[0]).toMatchObject({ status: 'failed', failureCode: 'PROVIDER_DECLINED' });
  });

  it('keeps an indeterminate attempt pending and retries it with the same idempotency key', async () => {
    const h = createHarness();
    const order = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    h.fake.scriptCreate('indeterminate');
    await expect(h.service.createCharge({ orderId: order.orderId })).rejects.toBeInstanceOf(IndeterminateOutcomeError);
    const [attempt] = h.repositories.snapshot().attempts;
    expect(attempt).toMatchObject({ status: 'pending', providerReference: null });
    const retried = await h.service.createCharge({ orderId: order.orderId });
    expect(retried.paymentPayload?.attemptId).toBe(attempt!.attemptId);
    expect(h.fake.payments.size).toBe(1);
    expect(h.repositories.snapshot().attempts).toHaveLength(1);
  });

  it('pays a zero-amount order without a provider', async () => {
    const h = createHarness();
    const order = await h.service.initOrder({ userId: 'u1', productId: 'free', payableAmount: 0, currency: 'USD' });
    const dto = await h.service.createCharge({ orderId: order.orderId });
    expect(dto).toMatchObject({ status: 'paid', qrUrl: '', paymentPayload: null, price: '0.00' });
    expect(h.fake.calls).toHaveLength(0);
    expect(h.paid).toHaveBeenCalledTimes(1);
    expect(h.paid.mock.calls[0]![0]).toMatchObject({ source: 'free', attempt: null });
  });

  it('refuses an unknown or expired order, and answers a paid one as the original did, without a provider call', async () => {
    const h = createHarness();
    await expect(h.service.createCharge({ orderId: 'nope' })).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    const order = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    h.clock.advance(3_600_000);
    await expect(h.service.createCharge({ orderId: order.orderId })).rejects.toMatchObject({ code: 'ORDER_EXPIRED' });
    const paid = await h.service.initOrder({ userId: 'u2', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    await h.service.markPaid({ orderId: paid.orderId });
    const again = await h.service.createCharge({ orderId: paid.orderId, channel: 'Card' });
    expect(again).toMatchObject({ status: 'paid', qrUrl: '', paymentPayload: null });
    expect(toLegacyBuyRecord(again)).toEqual({
      order_id: paid.orderId,
      user_id: 'u2',
      price: '19.99',
      channel: 'Card',
      qr_url: '',
      payment_channel: 'pingxx',
      payment_payload: {},
    });
    expect(h.fake.calls).toHaveLength(0);
  });

  it('returns the original snake_case shape too', async () => {
    const h = createHarness();
    const { dto } = await orderWithCharge(h);
    const legacy = toLegacyBuyRecord(dto);
    expect(Object.keys(legacy).sort()).toEqual([
      'channel',
      'order_id',
      'payment_channel',
      'payment_payload',
      'price',
      'qr_url',
      'user_id',
    ]);
    expect(legacy).toMatchObject({
      order_id: dto.orderId,
      user_id: 'u1',
      price: '19.99',
      qr_url: dto.qrUrl,
      payment_channel: 'fake',
    });
    expect(JSON.stringify(legacy)).not.toContain('raw');
  });
});

describe('handleWebhook', () => {
  it('applies a success once: order paid, hook in the transaction, notification after commit', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    h.fake.pay(attemptId);
    const webhook = h.fake.webhook(attemptId);
    await expect(deliver(h, webhook)).resolves.toMatchObject({ outcome: 'applied', orderId: order.orderId, attemptId });
    const state = h.repositories.snapshot();
    expect(state.orders[0]).toMatchObject({ status: 'paid', paidAmount: 1999, paymentChannel: 'fake' });
    expect(state.attempts[0]).toMatchObject({ status: 'paid', paidAt: expect.any(Date) });
    expect(state.events[0]).toMatchObject({ outcome: 'applied', eventId: webhook.eventId });
    expect(h.paid).toHaveBeenCalledTimes(1);
    expect(h.paid.mock.calls[0]![0]).toMatchObject({
      source: 'webhook',
      order: { status: 'paid' },
      attempt: { attemptId },
    });
    expect(h.notifications.map((n) => n.type)).toEqual(['order.paid']);
  });

  it('ignores a replayed charge.succeeded', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const webhook = h.fake.webhook(attemptId);
    await deliver(h, webhook);
    await expect(deliver(h, webhook)).resolves.toMatchObject({ outcome: 'duplicate' });
    await expect(deliver(h, webhook)).resolves.toMatchObject({ outcome: 'duplicate' });
    expect(h.paid).toHaveBeenCalledTimes(1);
    expect(h.notifications).toHaveLength(1);
  });

  it('treats a second success event for an already-paid attempt as ignored, not a second grant', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    await deliver(h, h.fake.webhook(attemptId));
    await expect(deliver(h, h.fake.webhook(attemptId))).resolves.toMatchObject({ outcome: 'ignored' });
    expect(h.paid).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['amount', { amount: 1 }, 'amount_mismatch'],
    ['currency', { currency: 'EUR' }, 'currency_mismatch'],
    ['livemode', { livemode: true }, 'livemode_mismatch'],
  ] as const)('rejects a success whose %s disagrees, and reports the anomaly', async (_what, overrides, kind) => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    await deliver(h, h.fake.webhook(attemptId, 'payment.succeeded', overrides));
    const result = await deliver(h, h.fake.webhook(attemptId, 'payment.succeeded', overrides));
    expect(result.outcome).toBe('rejected');
    expect((await h.service.getOrder(order.orderId))?.status).toBe('pending');
    expect(h.paid).not.toHaveBeenCalled();
    expect(h.anomalies.map((a) => a.kind)).toEqual([kind, kind]);
  });

  it('rejects an event for an unknown attempt of a known order, ignores one for nothing we know', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const other = createHarness();
    const foreign = await orderWithCharge(other);
    // Same provider name and secret: a webhook about someone else's payment.
    const unknown = other.fake.webhook(foreign.attemptId);
    await expect(deliver(h, unknown)).resolves.toMatchObject({ outcome: 'ignored' });
    // A webhook that names our order but an attempt and payment we never created.
    const [key, payment] = [...h.fake.payments.entries()][0]!;
    Object.assign(payment, { attemptId: 'not-ours', id: 'fake_other' });
    await expect(deliver(h, h.fake.webhook(key))).resolves.toMatchObject({ outcome: 'rejected' });
    // And one that names another attempt than the payment it is about.
    Object.assign(payment, { attemptId: 'not-ours', id: key });
    await expect(deliver(h, h.fake.webhook(key))).resolves.toMatchObject({ outcome: 'rejected' });
    expect(h.anomalies.map((a) => a.kind)).toEqual(['unknown_attempt', 'attempt_mismatch']);
    expect(h.repositories.snapshot().attempts[0]).toMatchObject({ attemptId, status: 'pending' });
  });

  it('ignores unsupported events but journals them', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const result = await deliver(h, h.fake.webhook(attemptId, 'unsupported'));
    expect(result.outcome).toBe('ignored');
    expect(h.repositories.snapshot().events[0]).toMatchObject({ outcome: 'ignored' });
  });

  it('rolls everything back when a transactional hook throws, and the redelivery succeeds', async () => {
    let fail = true;
    const h = createHarness({
      hooks: {
        onOrderPaid: () => {
          if (fail) throw new Error('grant failed');
        },
      },
    });
    const { order, attemptId } = await orderWithCharge(h);
    const webhook = h.fake.webhook(attemptId);
    await expect(deliver(h, webhook)).rejects.toThrow('grant failed');
    const state = h.repositories.snapshot();
    expect(state.orders[0]!.status).toBe('pending');
    expect(state.attempts[0]!.status).toBe('pending');
    expect(state.events).toHaveLength(0);
    expect(h.notifications).toHaveLength(0);
    fail = false;
    await expect(deliver(h, webhook)).resolves.toMatchObject({ outcome: 'applied' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('paid');
    expect(h.notifications).toHaveLength(1);
  });

  it('keeps the payment when an after-commit hook throws, and keeps the notification for a retry', async () => {
    const h = createHarness({ hooks: { afterCommit: () => Promise.reject(new Error('feishu down')) } });
    const { order, attemptId } = await orderWithCharge(h);
    await expect(deliver(h, h.fake.webhook(attemptId))).resolves.toMatchObject({ outcome: 'applied' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('paid');
    expect(
      h.logs.some(
        (l) =>
          l.level === 'warn' && l.message === 'outbox delivery failed' && l.fields?.['consumer'] === 'afterCommit#0',
      ),
    ).toBe(true);
    expect(h.repositories.snapshot().outbox).toMatchObject([
      { key: `order.paid:${order.orderId}`, status: 'pending', attempts: 1, lastError: 'afterCommit#0: Error' },
    ]);
  });

  it('delivers after commit without an outbox too (0.1.0 repositories), logging a failing hook', async () => {
    const h = createHarness({ hooks: { afterCommit: () => Promise.reject(new Error('feishu down')) } });
    const { outbox: _outbox, ...withoutOutbox } = h.repositories;
    const service = createPaymentService<null>({
      factory: h.service.factory,
      repositories: withoutOutbox,
      clock: () => h.clock.now,
      logger: h.service.logger,
      hooks: { afterCommit: () => Promise.reject(new Error('feishu down')) },
    });
    const order = await service.initOrder({ userId: 'u9', productId: 'p9', payableAmount: 100, currency: 'USD' });
    const dto = await service.createCharge({ orderId: order.orderId, clientIp: '127.0.0.1' });
    const attemptId = dto.paymentPayload!.attemptId;
    h.fake.pay(attemptId);
    await expect(service.handleWebhook({ provider: 'fake', ...h.fake.webhook(attemptId) })).resolves.toMatchObject({
      outcome: 'applied',
    });
    expect(h.logs.some((l) => l.level === 'error' && l.message.includes('afterCommit'))).toBe(true);
    expect(h.repositories.snapshot().outbox).toEqual([]);
  });

  it('records a failure, and never lets a late failure undo paid', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    h.fake.fail(attemptId);
    const failure = h.fake.webhook(attemptId, 'payment.failed');
    await expect(deliver(h, failure)).resolves.toMatchObject({ outcome: 'applied' });
    expect(h.failed).toHaveBeenCalledTimes(1);
    expect(h.repositories.snapshot().attempts[0]).toMatchObject({ status: 'failed', failureCode: 'fake_failed' });
    // The payer retries on the same payment page and succeeds: recorded, and no false alarm.
    await expect(deliver(h, h.fake.webhook(attemptId))).resolves.toMatchObject({ outcome: 'applied' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('paid');
    expect(h.anomalies).toEqual([]);
    await expect(deliver(h, h.fake.webhook(attemptId, 'payment.failed'))).resolves.toMatchObject({
      outcome: 'ignored',
    });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('paid');
  });

  it('records a success after the order timed out, and flags it', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    h.clock.advance(3_600_000);
    await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('timeout');
    await expect(deliver(h, h.fake.webhook(attemptId))).resolves.toMatchObject({ outcome: 'applied' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('paid');
    expect(h.anomalies.map((a) => a.kind)).toEqual(['late_success']);
  });

  it('flags a double payment of one order through two attempts', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    await h.repositories.orders.update(order.orderId, { payableAmount: 2000 });
    const second = await h.service.createCharge({ orderId: order.orderId });
    await deliver(h, h.fake.webhook(attemptId));
    await expect(deliver(h, h.fake.webhook(second.paymentPayload!.attemptId))).resolves.toMatchObject({
      outcome: 'applied',
    });
    expect(h.paid).toHaveBeenCalledTimes(1);
    expect(h.anomalies.map((a) => a.kind)).toEqual(['double_payment']);
  });

  it('asks for redelivery of a refund that arrives before its payment, then applies it', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    h.fake.pay(attemptId);
    await h.fake.refundPayment({
      refundId: 'dash1',
      attemptId,
      providerReference: [...h.fake.payments.keys()][0]!,
      amount: 1999,
      currency: 'USD',
    });
    const refundEvent = h.fake.webhook(attemptId, 'refund.succeeded');
    const early = await deliver(h, refundEvent).catch((e: unknown) => e);
    expect(isPaymentError(early) && early.retryable && early.code).toBe('EVENT_OUT_OF_ORDER');
    expect(h.repositories.snapshot().events).toHaveLength(0);
    await deliver(h, h.fake.webhook(attemptId));
    await expect(deliver(h, refundEvent)).resolves.toMatchObject({ outcome: 'applied' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('refunded');
    // And a success delivered after the refund changes nothing.
    await expect(deliver(h, h.fake.webhook(attemptId))).resolves.toMatchObject({ outcome: 'ignored' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('refunded');
  });
});

describe('refund', () => {
  async function paidOrder() {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    h.fake.pay(attemptId);
    await deliver(h, h.fake.webhook(attemptId));
    return { h, order, attemptId };
  }

  it('refunds partially, then fully; the order becomes refunded when refunds sum to the paid amount', async () => {
    const { h, order } = await paidOrder();
    const first = await h.service.refund({ orderId: order.orderId, amount: 999, reason: 'requested_by_customer' });
    expect(first).toMatchObject({
      remaining: 1000,
      refund: { status: 'succeeded', amount: 999 },
      order: { status: 'paid' },
    });
    const second = await h.service.refund({ orderId: order.orderId });
    expect(second).toMatchObject({ remaining: 0, refund: { amount: 1000 }, order: { status: 'refunded' } });
    expect(h.refunded.mock.calls.map((c) => (c[0] as { fullyRefunded: boolean }).fullyRefunded)).toEqual([false, true]);
    expect(h.repositories.snapshot().attempts[0]!.status).toBe('refunded');
  });

  it('refuses an over-refund before any network call', async () => {
    const { h, order } = await paidOrder();
    await h.service.refund({ orderId: order.orderId, amount: 1500 });
    const calls = h.fake.calls.length;
    await expect(h.service.refund({ orderId: order.orderId, amount: 500 })).rejects.toMatchObject({
      code: 'REFUND_EXCEEDS_REMAINDER',
    });
    await expect(h.service.refund({ orderId: order.orderId, amount: -5 })).rejects.toBeInstanceOf(ValidationError);
    expect(h.fake.calls.length).toBe(calls);
  });

  it('is idempotent by refund id', async () => {
    const { h, order } = await paidOrder();
    const a = await h.service.refund({ orderId: order.orderId, amount: 500, refundId: 'r-1' });
    const b = await h.service.refund({ orderId: order.orderId, amount: 500, refundId: 'r-1' });
    expect(b.refund).toEqual(a.refund);
    expect(h.repositories.snapshot().refunds).toHaveLength(1);
    expect(h.fake.calls.filter((c) => c.method === 'refund')).toHaveLength(1);
  });

  it('retries a refund whose outcome was lost with the same refund id', async () => {
    const { h, order } = await paidOrder();
    h.fake.scriptRefund('indeterminate');
    await expect(h.service.refund({ orderId: order.orderId, amount: 500, refundId: 'r-2' })).rejects.toBeInstanceOf(
      IndeterminateOutcomeError,
    );
    expect(h.repositories.snapshot().refunds[0]).toMatchObject({ status: 'pending' });
    // Within the lease of the first call nobody else calls the provider for this refund.
    const early = await h.service.refund({ orderId: order.orderId, refundId: 'r-2' });
    expect(early.refund.status).toBe('pending');
    expect(h.fake.calls.filter((c) => c.method === 'refund')).toHaveLength(1);
    h.clock.advance(61_000);
    const retried = await h.service.refund({ orderId: order.orderId, refundId: 'r-2' });
    expect(retried.refund).toMatchObject({ status: 'succeeded', amount: 500 });
    const payment = [...h.fake.payments.values()][0]!;
    expect(payment.refunds).toHaveLength(1);
  });

  it('holds the refund-call lease for its whole length, across a minute boundary of the clock', async () => {
    const { h, order } = await paidOrder();
    // Stand one millisecond before a whole minute, so a lease cut from clock windows would end at once.
    h.clock.advance(60_000 - (h.clock.now.getTime() % 60_000) - 1);
    h.fake.scriptRefund('indeterminate');
    await expect(h.service.refund({ orderId: order.orderId, amount: 500, refundId: 'r-edge' })).rejects.toBeInstanceOf(
      IndeterminateOutcomeError,
    );
    h.clock.advance(2_000);
    expect((await h.service.refund({ orderId: order.orderId, refundId: 'r-edge' })).refund.status).toBe('pending');
    h.clock.advance(57_000);
    expect((await h.service.refund({ orderId: order.orderId, refundId: 'r-edge' })).refund.status).toBe('pending');
    expect(h.fake.calls.filter((c) => c.method === 'refund')).toHaveLength(1);
    h.clock.advance(1_001);
    expect((await h.service.refund({ orderId: order.orderId, refundId: 'r-edge' })).refund.status).toBe('succeeded');
    expect(h.fake.calls.filter((c) => c.method === 'refund')).toHaveLength(2);
    expect([...h.fake.payments.values()][0]!.refunds).toHaveLength(1);
  });

  it('lets only one of several concurrent retries of a refund call the provider', async () => {
    const { h, order } = await paidOrder();
    h.fake.scriptRefund('unavailable');
    await expect(h.service.refund({ orderId: order.orderId, amount: 300, refundId: 'r-race' })).rejects.toMatchObject({
      retryable: true,
    });
    h.clock.advance(61_000);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.service.refund({ orderId: order.orderId, refundId: 'r-race' })),
    );
    expect(h.fake.calls.filter((c) => c.method === 'refund')).toHaveLength(1);
    expect(results.filter((r) => r.refund.status === 'succeeded').length).toBeGreaterThanOrEqual(1);
    expect([...h.fake.payments.values()][0]!.refunds).toHaveLength(1);
  });

  it('resumes a stranded refund instead of starting a second one when retried without its id', async () => {
    const { h, order } = await paidOrder();
    h.fake.scriptRefund('unavailable');
    await expect(h.service.refund({ orderId: order.orderId })).rejects.toMatchObject({ retryable: true });
    h.clock.advance(61_000);
    const resumed = await h.service.refund({ orderId: order.orderId });
    expect(resumed).toMatchObject({
      refund: { status: 'succeeded', amount: 1999 },
      order: { status: 'refunded' },
      remaining: 0,
    });
    expect(h.repositories.snapshot().refunds).toHaveLength(1);
  });

  it('refunds an order paid twice per payment, and only then calls it refunded', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h, 1000);
    await h.repositories.orders.update(order.orderId, { payableAmount: 1001 });
    const second = (await h.service.createCharge({ orderId: order.orderId })).paymentPayload!.attemptId;
    for (const id of [attemptId, second]) {
      h.fake.pay(id);
      await deliver(h, h.fake.webhook(id));
    }
    expect(h.anomalies.map((a) => a.kind)).toEqual(['double_payment']);
    const first = await h.service.refund({ orderId: order.orderId, attemptId: second });
    expect(first).toMatchObject({ refund: { amount: 1001 }, order: { status: 'paid' }, remaining: 1000 });
    expect(h.refunded.mock.calls[0]![0]).toMatchObject({ fullyRefunded: false });
    const rest = await h.service.refund({ orderId: order.orderId });
    expect(rest).toMatchObject({ refund: { amount: 1000, attemptId }, order: { status: 'refunded' }, remaining: 0 });
    expect(h.repositories.snapshot().attempts.map((a) => a.status)).toEqual(['refunded', 'refunded']);
  });

  it('reports a refund the provider later reverses', async () => {
    const { h, order, attemptId } = await paidOrder();
    await h.service.refund({ orderId: order.orderId, amount: 500 });
    const payment = [...h.fake.payments.values()][0]!;
    payment.refunds[0]!.status = 'failed';
    await expect(deliver(h, h.fake.webhook(attemptId, 'refund.failed'))).resolves.toMatchObject({ outcome: 'applied' });
    expect(h.repositories.snapshot().refunds[0]).toMatchObject({ status: 'failed' });
    expect(h.anomalies.map((a) => a.kind)).toEqual(['refund_reversed']);
    await expect(h.service.refund({ orderId: order.orderId })).resolves.toMatchObject({ refund: { amount: 1999 } });
  });

  it('records a refund made in the provider dashboard from its webhook', async () => {
    const { h, order, attemptId } = await paidOrder();
    await h.fake.refundPayment({
      refundId: 'dashboard',
      attemptId,
      providerReference: [...h.fake.payments.keys()][0]!,
      amount: 700,
      currency: 'USD',
    });
    await expect(deliver(h, h.fake.webhook(attemptId, 'refund.succeeded'))).resolves.toMatchObject({
      outcome: 'applied',
    });
    const ledger = h.repositories.snapshot().refunds;
    expect(ledger).toMatchObject([
      { amount: 700, status: 'succeeded', providerRefundId: expect.stringMatching(/^fakere_/) },
    ]);
    await expect(h.service.refund({ orderId: order.orderId, amount: 1299 })).resolves.toMatchObject({
      order: { status: 'refunded' },
    });
  });

  it('refuses refunding an order that is not paid', async () => {
    const h = createHarness();
    const { order } = await orderWithCharge(h);
    await expect(h.service.refund({ orderId: order.orderId })).rejects.toMatchObject({ code: 'NOT_REFUNDABLE' });
  });
});

describe('syncPayment and reconcile', () => {
  it('applies a payment whose webhook was lost', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    h.fake.pay(attemptId);
    const result = await h.service.syncPayment({ orderId: order.orderId });
    expect(result).toMatchObject({ changed: true, order: { status: 'paid' } });
    const again = await h.service.syncPayment({ orderId: order.orderId });
    expect(again.changed).toBe(false);
    expect(h.paid).toHaveBeenCalledTimes(1);
    // The webhook that finally arrives is a no-op.
    await expect(deliver(h, h.fake.webhook(attemptId))).resolves.toMatchObject({ outcome: 'ignored' });
  });

  it('reports drift over stale pending attempts', async () => {
    const h = createHarness();
    const a = await orderWithCharge(h);
    const order2 = await h.service.initOrder({ userId: 'u2', productId: 'p1', payableAmount: 500, currency: 'USD' });
    await h.service.createCharge({ orderId: order2.orderId });
    const order3 = await h.service.initOrder({ userId: 'u3', productId: 'p1', payableAmount: 500, currency: 'USD' });
    h.fake.scriptCreate('unavailable');
    await h.service.createCharge({ orderId: order3.orderId }).catch(() => undefined);
    h.fake.pay(a.attemptId);
    h.clock.advance(6 * 60_000);
    const report = await h.service.reconcile({ olderThan: 5 * 60_000, limit: 10 });
    expect(report).toMatchObject({ checked: 3, changed: 1, stillPending: 1, unreferenced: 1, closed: 0, errors: [] });
    expect((await h.service.getOrder(a.order.orderId))?.status).toBe('paid');
  });

  it('closes attempts past their payment window so newer ones are reached, and still records a late payment', async () => {
    const h = createHarness();
    const stale = await orderWithCharge(h);
    const lost = await h.service.initOrder({ userId: 'u9', productId: 'p1', payableAmount: 500, currency: 'USD' });
    h.fake.scriptCreate('unavailable');
    await h.service.createCharge({ orderId: lost.orderId }).catch(() => undefined);
    h.clock.advance(11 * 60_000);
    const freshOrder = await h.service.initOrder({
      userId: 'u8',
      productId: 'p1',
      payableAmount: 700,
      currency: 'USD',
    });
    const fresh = {
      attemptId: (await h.service.createCharge({ orderId: freshOrder.orderId })).paymentPayload!.attemptId,
    };
    h.clock.advance(1000);
    const first = await h.service.reconcile({ olderThan: 0, limit: 2 });
    expect(first).toMatchObject({ checked: 2, closed: 2, stillPending: 0 });
    expect((await h.service.getOrder(stale.order.orderId))?.status).toBe('timeout');
    h.fake.pay(fresh.attemptId);
    const second = await h.service.reconcile({ olderThan: 0, limit: 2 });
    expect(second).toMatchObject({ checked: 1, changed: 1 });
    // The abandoned QR code gets paid after all: the money is recorded and reported.
    await expect(deliver(h, h.fake.webhook(stale.attemptId))).resolves.toMatchObject({ outcome: 'applied' });
    expect((await h.service.getOrder(stale.order.orderId))?.status).toBe('paid');
    expect(h.anomalies.map((x) => x.kind)).toEqual(['late_success', 'late_success']);
  });

  it('retires a pending order whose price changed instead of leaving two payable orders', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    const repriced = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 999, currency: 'USD' });
    expect(repriced.orderId).not.toBe(order.orderId);
    expect((await h.service.getOrder(order.orderId))?.status).toBe('timeout');
    await deliver(h, h.fake.webhook(attemptId));
    expect(h.anomalies.map((x) => x.kind)).toEqual(['late_success']);
  });
});

describe('markPaid', () => {
  it('marks paid through the same state machine, once', async () => {
    const h = createHarness();
    const order = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    await expect(h.service.markPaid({ orderId: order.orderId, source: 'manual' })).resolves.toMatchObject({
      status: 'paid',
      paidAmount: 1999,
    });
    await expect(h.service.markPaid({ orderId: order.orderId })).resolves.toMatchObject({ status: 'paid' });
    expect(h.paid).toHaveBeenCalledTimes(1);
    await expect(h.service.markPaid({ orderId: 'missing' })).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('refuses a non-integer or negative amount before touching the order', async () => {
    const h = createHarness();
    const order = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
    await expect(h.service.markPaid({ orderId: order.orderId, amount: 19.99 })).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
    });
    await expect(h.service.markPaid({ orderId: order.orderId, amount: -1 })).rejects.toMatchObject({
      code: 'NEGATIVE_AMOUNT',
    });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('init');
    expect(h.paid).not.toHaveBeenCalled();
  });
});
