/**
 * The provider expires with the order: the order's deadline is sent as Ping++ `time_expire` and as Checkout
 * `expires_at` (inside Stripe's 30 min – 24 h window); at the timeout `reconcile` first cancels the
 * PaymentIntent, expires the Checkout Session or reverses the Ping++ charge, and a payment that raced the
 * timeout is recorded as paid. Real SDKs over HTTP to the emulators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentFactory, createPaymentService, type PaymentProvider } from '../../../src/index.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import {
  createInMemoryRepositories,
  startPingxxEmulator,
  startStripeEmulator,
  type PingxxEmulator,
  type StripeEmulator,
} from '../../../src/testing/index.js';

describe('order expiry at the providers', () => {
  let stripeEmulator: StripeEmulator;
  let pingxxEmulator: PingxxEmulator;
  let offsetMs = 0;
  /** The payer pays right after reconcile's pull of this reference, before its cancel (the race with the timeout). */
  const payAfterRetrieve = new Map<string, () => void>();

  beforeAll(async () => {
    stripeEmulator = await startStripeEmulator();
    pingxxEmulator = await startPingxxEmulator();
  });

  afterAll(async () => {
    await stripeEmulator?.close();
    await pingxxEmulator?.close();
  });

  /** The provider, with the payer paying right after a pull that `payAfterRetrieve` names. */
  const racing = (provider: PaymentProvider): PaymentProvider => ({
    ...provider,
    async retrievePayment(request, options) {
      const snapshot = await provider.retrievePayment(request, options);
      const pay = payAfterRetrieve.get(request.providerReference);
      payAfterRetrieve.delete(request.providerReference);
      pay?.();
      return snapshot;
    },
  });

  function build(orderExpireSeconds: number) {
    const repositories = createInMemoryRepositories();
    const service = createPaymentService({
      factory: createPaymentFactory({
        providers: [
          racing(createPingxxProvider({ ...pingxxEmulator.providerOptions })),
          racing(
            createStripeProvider({
              secretKey: 'sk_test_expiry',
              webhookSecret: stripeEmulator.webhookSecret,
              successUrl: 'https://shop.example/ok',
              cancelUrl: 'https://shop.example/cancel',
              ...stripeEmulator.sdkOptions,
            }),
          ),
        ],
      }),
      repositories,
      orderExpireSeconds,
      clock: () => new Date(Date.now() + offsetMs),
    });
    return { service, repositories };
  }

  const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

  it('sends the order deadline as Ping++ time_expire', async () => {
    offsetMs = 0;
    const { service } = build(1800);
    const order = await service.initOrder({ userId: 'u1', productId: 'p', payableAmount: 990, currency: 'CNY' });
    const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr', clientIp: '203.0.113.1' });
    const charge = pingxxEmulator.controls.findCharge(dto.paymentPayload!.attemptId)!;
    expect(charge.time_expire).toBe(seconds(order.createdAt) + 1800);
  });

  it('sends the order deadline as Checkout expires_at inside 30 min – 24 h, and nothing outside it', async () => {
    offsetMs = 0;
    const inside = build(3600).service;
    const o1 = await inside.initOrder({ userId: 'u2', productId: 'p', payableAmount: 500, currency: 'USD' });
    const d1 = await inside.createCharge({ orderId: o1.orderId, channel: 'stripe:checkout_session' });
    const s1 = findSession(d1.paymentPayload!.attemptId);
    expect(s1?.expires_at).toBe(seconds(o1.createdAt) + 3600);

    const short = build(600).service; // 10 min: Stripe refuses under 30 min, so Stripe's 24 h default applies
    const o2 = await short.initOrder({ userId: 'u3', productId: 'p', payableAmount: 500, currency: 'USD' });
    const d2 = await short.createCharge({ orderId: o2.orderId, channel: 'stripe:checkout_session' });
    const s2 = findSession(d2.paymentPayload!.attemptId);
    expect(Number(s2?.expires_at) - seconds(new Date())).toBeGreaterThan(23 * 3600);
  });

  function findSession(attemptId: string) {
    return stripeEmulator.list('checkout.session').find((s) => s.client_reference_id === attemptId);
  }

  it('on timeout, cancels the PaymentIntent, expires the Checkout Session and reverses the Ping++ charge first', async () => {
    offsetMs = 0;
    const { service, repositories } = build(600);
    const charge = async (user: string, currency: string, hint: Record<string, string>) => {
      const order = await service.initOrder({ userId: user, productId: 'p', payableAmount: 700, currency });
      const dto = await service.createCharge({ orderId: order.orderId, clientIp: '203.0.113.1', ...hint });
      return { order, attempt: (await repositories.attempts.findById(dto.paymentPayload!.attemptId))! };
    };
    const intent = await charge('u-pi', 'USD', { paymentChannel: 'stripe' });
    const session = await charge('u-cs', 'USD', { channel: 'stripe:checkout_session' });
    const ping = await charge('u-ping', 'CNY', { channel: 'alipay_qr' });

    offsetMs = 25 * 3600 * 1000; // past every window, as the service sees it
    const report = await service.reconcile({ olderThan: 0 });
    expect(report).toMatchObject({ closed: 3, changed: 0, errors: [] });

    expect(stripeEmulator.get(intent.attempt.providerReference!)).toMatchObject({ status: 'canceled' });
    expect(stripeEmulator.get(session.attempt.providerReference!)).toMatchObject({ status: 'expired' });
    expect(pingxxEmulator.controls.getCharge(ping.attempt.providerReference!)).toMatchObject({ reversed: true });
    for (const { order, attempt } of [intent, session, ping]) {
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'timeout' });
      expect(await repositories.attempts.findById(attempt.attemptId)).toMatchObject({ status: 'closed' });
    }
    // A reversed charge can no longer be paid.
    expect(() => pingxxEmulator.controls.payCharge(ping.attempt.providerReference!)).toThrow(/reversed/);
  });

  it('records a Ping++ payment that raced the timeout as paid, not timed out (the reverse is refused)', async () => {
    offsetMs = 0;
    const { service, repositories } = build(600);
    const order = await service.initOrder({ userId: 'u-race', productId: 'p', payableAmount: 800, currency: 'CNY' });
    const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr', clientIp: '203.0.113.1' });
    const attempt = (await repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
    const reference = attempt.providerReference!;
    payAfterRetrieve.set(reference, () => pingxxEmulator.controls.payCharge(reference));
    offsetMs = 25 * 3600 * 1000;
    const report = await service.reconcile({ olderThan: 0 });
    expect(report).toMatchObject({ changed: 1, closed: 0 });
    expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid', paidAmount: 800 });
    expect(await repositories.attempts.findById(attempt.attemptId)).toMatchObject({ status: 'paid' });
    expect(pingxxEmulator.controls.getCharge(attempt.providerReference!)).toMatchObject({
      paid: true,
      reversed: false,
    });
  });

  it('records a PaymentIntent that succeeded during the timeout as paid (Stripe refuses the cancel)', async () => {
    offsetMs = 0;
    const { service, repositories } = build(600);
    const order = await service.initOrder({ userId: 'u-pi-race', productId: 'p', payableAmount: 900, currency: 'USD' });
    const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe' });
    const attempt = (await repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
    const reference = attempt.providerReference!;
    payAfterRetrieve.set(reference, () => stripeEmulator.succeedPayment(reference));
    offsetMs = 25 * 3600 * 1000;
    const report = await service.reconcile({ olderThan: 0 });
    expect(report).toMatchObject({ changed: 1, closed: 0, errors: [] });
    expect(stripeEmulator.get(reference)).toMatchObject({ status: 'succeeded' });
    expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid', paidAmount: 900 });
    expect(await repositories.attempts.findById(attempt.attemptId)).toMatchObject({ status: 'paid' });
  });
});
