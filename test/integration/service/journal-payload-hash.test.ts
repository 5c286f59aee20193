/**
 * Issue 11: the journal keeps a hash of each verified webhook payload. A redelivery of a known event id
 * with the same event (whatever its spacing, key order or `pending_webhooks`) is a plain `duplicate`; one
 * with a different body is answered 200 `rejected`, raises an `event_conflict` anomaly and changes nothing.
 * Through the real SDKs' verification and the web handler, on every database of the matrix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  eventPayloadHash,
  type PaymentAnomaly,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import {
  signStripeWebhook,
  startPingxxEmulator,
  startStripeEmulator,
  type PingxxEmulator,
  type StripeEmulator,
} from '../../../src/testing/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

for (const dialect of testDialects()) {
  describe(`journal payload hash on ${dialect.name}`, () => {
    let t: TestDatabase;
    let stripe: StripeEmulator;
    let pingxx: PingxxEmulator;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;
    const anomalies: PaymentAnomaly[] = [];
    let paidGrants = 0;

    beforeAll(async () => {
      t = await dialect.open();
      await migrateToLatest(t.db);
      stripe = await startStripeEmulator();
      pingxx = await startPingxxEmulator();
      service = createPaymentService({
        factory: createPaymentFactory({
          providers: [
            createPingxxProvider({ ...pingxx.providerOptions }),
            createStripeProvider({
              secretKey: 'sk_test_journal_hash',
              webhookSecret: stripe.webhookSecret,
              successUrl: 'https://shop.example/ok',
              cancelUrl: 'https://shop.example/cancel',
              ...stripe.sdkOptions,
            }),
          ],
        }),
        repositories: createKyselyRepositories(t.db),
        // Anomalies are asserted right after each answer: deliver the outbox rows before answering.
        notificationDelivery: 'inline',
        hooks: {
          onOrderPaid: () => {
            paidGrants += 1;
          },
          onAnomaly: (a) => {
            anomalies.push(a);
          },
        },
      });
      handle = createWebhookHandler(service);
    });

    afterAll(async () => {
      await stripe?.close();
      await pingxx?.close();
      await t?.destroy();
    });

    const post = async (provider: string, w: { rawBody: string; headers: Record<string, string> }) => {
      const res = await handle(
        new Request(`http://host/webhooks/${provider}`, { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      return { status: res.status, body: (await res.json()) as { outcome?: string } };
    };

    it('Stripe: a redelivery of the same event is a duplicate, one with another body an event_conflict', async () => {
      const order = await service.initOrder({ userId: 'u-h1', productId: 'c1', payableAmount: 1999, currency: 'USD' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe' });
      const attempt = (await service.repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
      stripe.succeedPayment(attempt.providerReference!);
      const first = stripe.webhookFor(attempt.providerReference!, 'payment_intent.succeeded');
      const eventId = (JSON.parse(first.rawBody) as { id: string }).id;
      const grantsBefore = paidGrants;
      expect(await post('stripe', first)).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });
      const journalled = await service.repositories.events.find('stripe', eventId);
      expect(journalled?.payloadHash).toBe(await eventPayloadHash(JSON.parse(first.rawBody)));

      // Same event, delivered again: other spacing, other key order, fewer pending webhooks.
      const event = JSON.parse(first.rawBody) as Record<string, unknown>;
      const { id, ...rest } = event;
      const again = signStripeWebhook(JSON.stringify({ ...rest, pending_webhooks: 0, id }), stripe.webhookSecret);
      expect(await post('stripe', again)).toEqual({ status: 200, body: { received: true, outcome: 'duplicate' } });
      expect(anomalies.filter((a) => a.eventId === eventId)).toEqual([]);

      // Same event id, another body (the amount), correctly signed.
      const data = event['data'] as { object: Record<string, unknown> };
      const altered = {
        ...event,
        data: { ...data, object: { ...data.object, amount: 1, amount_received: 1 } },
      };
      const conflicting = signStripeWebhook(altered, stripe.webhookSecret);
      expect(await post('stripe', conflicting)).toEqual({
        status: 200,
        body: { received: true, outcome: 'rejected' },
      });
      expect(anomalies.filter((a) => a.eventId === eventId)).toEqual([
        expect.objectContaining({
          kind: 'event_conflict',
          provider: 'stripe',
          orderId: order.orderId,
          attemptId: attempt.attemptId,
          actual: await eventPayloadHash(altered),
        }),
      ]);
      // Nothing changed: the journal row, the order, the grant.
      expect(await service.repositories.events.find('stripe', eventId)).toEqual(journalled);
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid', paidAmount: 1999 });
      expect(paidGrants - grantsBefore).toBe(1);
    });

    it('Ping++: a conflicting redelivery is reported, even of an event that was rejected the first time', async () => {
      const order = await service.initOrder({ userId: 'u-h2', productId: 'c2', payableAmount: 9900, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr', clientIp: '203.0.113.9' });
      const attempt = (await service.repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
      pingxx.controls.payCharge(attempt.providerReference!);
      const genuine = pingxx.controls.eventFor(attempt.providerReference!, 'charge.succeeded');
      // The first body to arrive names the wrong amount (rejected, amount_mismatch), the genuine one later.
      const object = genuine.event.data.object as Record<string, unknown>;
      const wrong = { ...genuine.event, data: { object: { ...object, amount: 1 } } };
      expect((await post('pingxx', pingxx.controls.signWebhook(wrong))).body.outcome).toBe('rejected');
      expect(anomalies.filter((a) => a.eventId === genuine.event.id).map((a) => a.kind)).toEqual(['amount_mismatch']);
      expect((await post('pingxx', genuine)).body.outcome).toBe('rejected');
      expect(anomalies.filter((a) => a.eventId === genuine.event.id).map((a) => a.kind)).toEqual([
        'amount_mismatch',
        'event_conflict',
      ]);
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'pending' });
      // The provider's truth still arrives by pull (synthetic events are never hash-compared).
      await service.syncPayment({ orderId: order.orderId });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid', paidAmount: 9900 });
    });
  });
}
