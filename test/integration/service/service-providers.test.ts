/**
 * The whole flow through the real SDKs against their emulators, on every database of the matrix:
 * Stripe (PaymentIntent and Checkout Session) and Ping++ (alipay_qr), webhooks through the web handler,
 * refunds through the adapters, a dashboard refund reconciled into the ledger, and reconcile after a lost
 * webhook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import {
  startPingxxEmulator,
  startStripeEmulator,
  type PingxxEmulator,
  type StripeEmulator,
} from '../../../src/testing/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

for (const dialect of testDialects()) {
  describe(`Stripe and Ping++ through the service on ${dialect.name}`, () => {
    let t: TestDatabase;
    let stripeEmulator: StripeEmulator;
    let pingxxEmulator: PingxxEmulator;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;

    beforeAll(async () => {
      t = await dialect.open();
      await migrateToLatest(t.db);
      stripeEmulator = await startStripeEmulator();
      pingxxEmulator = await startPingxxEmulator();
      service = createPaymentService({
        factory: createPaymentFactory({
          providers: [
            createPingxxProvider({ ...pingxxEmulator.providerOptions }),
            createStripeProvider({
              secretKey: 'sk_test_service',
              webhookSecret: stripeEmulator.webhookSecret,
              successUrl: 'https://shop.example/ok',
              cancelUrl: 'https://shop.example/cancel',
              ...stripeEmulator.sdkOptions,
            }),
          ],
        }),
        repositories: createKyselyRepositories(t.db),
      });
      handle = createWebhookHandler(service);
    });

    afterAll(async () => {
      await stripeEmulator?.close();
      await pingxxEmulator?.close();
      await t?.destroy();
    });

    const post = (provider: string, w: { rawBody: string; headers: Record<string, string> }) =>
      handle(new Request(`http://host/webhooks/${provider}`, { method: 'POST', body: w.rawBody, headers: w.headers }));

    async function attemptOf(attemptId: string) {
      return (await service.repositories.attempts.findById(attemptId))!;
    }

    it("refuses a caller's redirect URL to a foreign origin before writing an attempt or calling a provider", async () => {
      for (const [paymentChannel, channel, extra] of [
        ['stripe', 'checkout_session', { successUrl: 'https://evil.example/phish' }],
        ['stripe', 'checkout_session', { cancelUrl: 'https://shop.example.evil.example/x' }],
        ['pingxx', 'alipay_wap', { successUrl: 'https://evil.example/phish' }],
      ] as const) {
        const order = await service.initOrder({
          userId: `u-redirect-${paymentChannel}`,
          productId: 'c1',
          payableAmount: 1999,
          currency: paymentChannel === 'pingxx' ? 'CNY' : 'USD',
        });
        const stripeCalls = stripeEmulator.requestCount;
        const pingxxCalls = pingxxEmulator.requestCount;
        await expect(
          service.createCharge({ orderId: order.orderId, paymentChannel, channel, clientIp: '203.0.113.7', extra }),
        ).rejects.toMatchObject({ name: 'ValidationError', code: 'REDIRECT_URL_NOT_ALLOWED' });
        expect(await service.repositories.attempts.listByOrder(order.orderId)).toEqual([]);
        expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'init' });
        expect([stripeEmulator.requestCount, pingxxEmulator.requestCount]).toEqual([stripeCalls, pingxxCalls]);
      }
      // The host's own origin (the origin of the configured success URL) is accepted.
      const order = await service.initOrder({
        userId: 'u-redirect-ok',
        productId: 'c1',
        payableAmount: 1999,
        currency: 'USD',
      });
      const dto = await service.createCharge({
        orderId: order.orderId,
        paymentChannel: 'stripe',
        channel: 'checkout_session',
        extra: { successUrl: 'https://shop.example/thanks' },
      });
      expect(dto.qrUrl).toMatch(/^https?:/);
      const session = stripeEmulator.list('checkout.session').at(-1) as { success_url?: string } | undefined;
      expect(session?.success_url).toBe(`https://shop.example/thanks?order_id=${order.orderId}`);
    });

    it('pays through a Stripe PaymentIntent and refunds it in two parts', async () => {
      const order = await service.initOrder({ userId: 'u1', productId: 'c1', payableAmount: 1999, currency: 'USD' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe' });
      expect(dto.paymentPayload?.nextAction.type).toBe('client_secret');
      expect(dto.qrUrl).toMatch(/_secret_/);
      const attempt = await attemptOf(dto.paymentPayload!.attemptId);
      expect(attempt).toMatchObject({
        providerKind: 'stripe',
        channel: 'payment_intent',
        paymentIntentId: attempt.providerReference,
      });
      stripeEmulator.succeedPayment(attempt.providerReference!);
      const res = await post(
        'stripe',
        stripeEmulator.webhookFor(attempt.providerReference!, 'payment_intent.succeeded'),
      );
      expect(await res.json()).toEqual({ received: true, outcome: 'applied' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid', paidAmount: 1999 });

      await expect(service.refund({ orderId: order.orderId, amount: 999 })).resolves.toMatchObject({ remaining: 1000 });
      await expect(service.refund({ orderId: order.orderId })).resolves.toMatchObject({
        order: { status: 'refunded' },
        remaining: 0,
      });
      const refunds = stripeEmulator
        .list('refund')
        .filter((r) => (r as { payment_intent?: string }).payment_intent === attempt.providerReference);
      expect(refunds.map((r) => (r as { amount: number }).amount).sort()).toEqual([1000, 999].sort());
    });

    it('pays through a Stripe Checkout Session and records a dashboard refund from charge.refunded', async () => {
      const order = await service.initOrder({ userId: 'u2', productId: 'c1', payableAmount: 5000, currency: 'JPY' });
      const dto = await service.createCharge({ orderId: order.orderId, channel: 'stripe:checkout_session' });
      expect(dto.paymentPayload?.nextAction).toMatchObject({ type: 'redirect' });
      expect(dto.price).toBe('5000');
      const attempt = await attemptOf(dto.paymentPayload!.attemptId);
      stripeEmulator.succeedPayment(attempt.providerReference!);
      const completed = stripeEmulator.webhookFor(attempt.providerReference!, 'checkout.session.completed');
      expect(await (await post('stripe', completed)).json()).toEqual({ received: true, outcome: 'applied' });
      const paid = await attemptOf(attempt.attemptId);
      expect(paid.paymentIntentId).toMatch(/^pi_/);
      // Stripe also sends payment_intent.succeeded for the same payment: recognised, no second grant.
      const piEvent = stripeEmulator.webhookFor(paid.paymentIntentId!, 'payment_intent.succeeded');
      expect(await (await post('stripe', piEvent)).json()).toEqual({ received: true, outcome: 'ignored' });

      stripeEmulator.createDashboardRefund(paid.paymentIntentId!, 2000);
      const charge = stripeEmulator
        .list('charge')
        .find((c) => (c as { payment_intent?: string }).payment_intent === paid.paymentIntentId)!;
      const refunded = stripeEmulator.webhookFor((charge as { id: string }).id, 'charge.refunded');
      expect(await (await post('stripe', refunded)).json()).toEqual({ received: true, outcome: 'applied' });
      const ledger = await service.repositories.refunds.listByOrder(order.orderId);
      expect(ledger).toMatchObject([
        { amount: 2000, currency: 'JPY', status: 'succeeded', providerRefundId: expect.stringMatching(/^re_/) },
      ]);
      await expect(service.refund({ orderId: order.orderId, amount: 3001 })).rejects.toMatchObject({
        code: 'REFUND_EXCEEDS_REMAINDER',
      });
      await expect(service.refund({ orderId: order.orderId })).resolves.toMatchObject({
        order: { status: 'refunded' },
      });
    });

    it('pays through Ping++ alipay_qr with an RSA-signed webhook and refunds it', async () => {
      const order = await service.initOrder({ userId: 'u3', productId: 'c2', payableAmount: 9900, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'alipay_qr',
        clientIp: '203.0.113.9',
        subject: '课程\n🎉 Python',
      });
      expect(dto.paymentPayload?.nextAction).toMatchObject({ type: 'qr_code' });
      const attempt = await attemptOf(dto.paymentPayload!.attemptId);
      expect(attempt).toMatchObject({
        providerKind: 'pingxx',
        chargeId: attempt.providerReference,
        amount: 9900,
        currency: 'CNY',
      });
      pingxxEmulator.controls.payCharge(attempt.providerReference!);
      const event = pingxxEmulator.controls.eventFor(attempt.providerReference!, 'charge.succeeded');
      const tampered = { ...event, rawBody: event.rawBody.replace('9900', '1') };
      expect((await post('pingxx', tampered)).status).toBe(400);
      expect(await (await post('pingxx', event)).json()).toEqual({ received: true, outcome: 'applied' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid', paidAmount: 9900 });
      const refunded = await service.refund({ orderId: order.orderId, amount: 900 });
      expect(refunded.refund).toMatchObject({ amount: 900, providerRefundId: expect.any(String) });
    });

    it('refuses a Ping++ channel without its required extra before any network call', async () => {
      const order = await service.initOrder({ userId: 'u4', productId: 'c2', payableAmount: 100, currency: 'CNY' });
      const before = pingxxEmulator.requestCount;
      await expect(
        service.createCharge({ orderId: order.orderId, channel: 'wx_pub', clientIp: '203.0.113.9' }),
      ).rejects.toMatchObject({
        name: 'ValidationError',
      });
      expect(pingxxEmulator.requestCount).toBe(before);
    });

    it('reconciles a payment whose webhook was lost', async () => {
      const order = await service.initOrder({ userId: 'u5', productId: 'c3', payableAmount: 4200, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'wx_pub_qr',
        clientIp: '203.0.113.9',
        extra: { productId: 'c3' },
      });
      const attempt = await attemptOf(dto.paymentPayload!.attemptId);
      pingxxEmulator.controls.payCharge(attempt.providerReference!);
      const report = await service.reconcile({ olderThan: new Date(Date.now() + 1000), limit: 50 });
      expect(report.errors).toEqual([]);
      expect(report.details).toContainEqual({
        attemptId: attempt.attemptId,
        orderId: order.orderId,
        outcome: 'changed',
      });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid' });
      const late = pingxxEmulator.controls.eventFor(attempt.providerReference!, 'charge.succeeded');
      expect(await (await post('pingxx', late)).json()).toEqual({ received: true, outcome: 'ignored' });
    });
  });
}
