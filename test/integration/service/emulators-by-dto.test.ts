/**
 * Driving the emulators from what `createCharge` returns: the DTO (its order), or the attempt id — no
 * repository lookup for the provider id, no non-null assertion (docs/testing.md shows this).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentFactory, createPaymentService, type PaymentService } from '../../../src/index.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import {
  createFakeProvider,
  createInMemoryRepositories,
  startPingxxEmulator,
  startStripeEmulator,
  type PingxxEmulator,
  type StripeEmulator,
} from '../../../src/testing/index.js';

describe('emulators driven by the createCharge result', () => {
  let stripe: StripeEmulator;
  let pingxx: PingxxEmulator;
  let service: PaymentService<unknown>;

  beforeAll(async () => {
    stripe = await startStripeEmulator();
    pingxx = await startPingxxEmulator();
    service = createPaymentService({
      factory: createPaymentFactory({
        providers: [
          createPingxxProvider({ ...pingxx.providerOptions }),
          createStripeProvider({
            secretKey: 'sk_test_by_dto',
            webhookSecret: stripe.webhookSecret,
            successUrl: 'https://shop.example/ok',
            ...stripe.sdkOptions,
          }),
        ],
      }),
      repositories: createInMemoryRepositories(),
    });
  });
  afterAll(async () => {
    await stripe?.close();
    await pingxx?.close();
  });

  const newOrder = (currency: string) =>
    service.initOrder({ userId: 'u', productId: `p-${currency}-${Math.random()}`, payableAmount: 1999, currency });

  it('pays a Stripe Checkout Session named by the DTO and applies its webhook', async () => {
    const order = await newOrder('USD');
    const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe:checkout_session' });
    expect(stripe.succeedPayment(dto)).toMatchObject({ object: 'checkout.session', payment_status: 'paid' });
    const webhook = stripe.webhookFor(dto, 'checkout.session.completed');
    expect((await service.handleWebhook({ provider: 'stripe', ...webhook })).outcome).toBe('applied');
    expect((await service.repositories.orders.findById(order.orderId))?.status).toBe('paid');
    // A dashboard refund names the session's PaymentIntent through the same reference.
    expect(stripe.createDashboardRefund(dto, 500)).toMatchObject({ object: 'refund', amount: 500 });
  });

  it('names a Stripe PaymentIntent by attempt id, and an order by its latest attempt', async () => {
    const order = await newOrder('USD');
    const first = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe:payment_intent' });
    const attemptId = first.paymentPayload?.attemptId ?? 'no attempt';
    const intent = stripe.succeedPayment({ attemptId });
    expect(intent).toMatchObject({ object: 'payment_intent', status: 'succeeded' });
    expect(stripe.webhookFor({ orderId: order.orderId }, 'payment_intent.succeeded').event).toMatchObject({
      data: { object: { id: intent.id } },
    });
  });

  it('pays a Ping++ charge named by the DTO or by attempt id', async () => {
    const order = await newOrder('CNY');
    const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr', clientIp: '203.0.113.7' });
    expect(pingxx.controls.payCharge(dto)).toMatchObject({ paid: true, order_no: dto.paymentPayload?.attemptId });
    const delivery = pingxx.controls.eventFor({ attemptId: dto.paymentPayload?.attemptId ?? '' }, 'charge.succeeded');
    expect((await service.handleWebhook({ provider: 'pingxx', ...delivery })).outcome).toBe('applied');
    expect((await service.repositories.orders.findById(order.orderId))?.status).toBe('paid');
  });

  it('pays through the fake provider named by the DTO, as docs/testing.md shows', async () => {
    const fake = createFakeProvider();
    const local = createPaymentService({
      factory: createPaymentFactory({ providers: [fake] }),
      repositories: createInMemoryRepositories(),
    });
    const order = await local.initOrder({ userId: 'u1', productId: 'course', payableAmount: 1999, currency: 'USD' });
    const dto = await local.createCharge({ orderId: order.orderId });
    fake.pay(dto);
    const webhook = fake.webhook(dto, 'payment.succeeded');
    expect((await local.handleWebhook({ provider: 'fake', ...webhook })).outcome).toBe('applied');
    expect((await local.handleWebhook({ provider: 'fake', ...webhook })).outcome).toBe('duplicate');
    expect(() => fake.pay({ orderId: 'nope' })).toThrow('No fake payment {"orderId":"nope"}.');
  });

  it('says which reference matched nothing', () => {
    expect(() => stripe.succeedPayment({ orderId: 'no-such-order' })).toThrow(
      'The emulator has no Checkout Session or PaymentIntent for orderId no-such-order.',
    );
    expect(() => pingxx.controls.payCharge({ attemptId: 'nope' })).toThrow(
      'The emulator has no charge for attemptId nope.',
    );
  });
});
