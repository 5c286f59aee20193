/**
 * What the service does when a provider refuses: a request the adapter refuses locally leaves no attempt
 * row; a rate limit (HTTP 429) from Stripe or Ping++ is a retryable `ProviderUnavailableError`, the attempt
 * stays pending and the retry uses it. Real SDKs over HTTP to the emulators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentFactory, createPaymentService, isPaymentError } from '../../../src/index.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import {
  createInMemoryRepositories,
  startPingxxEmulator,
  startStripeEmulator,
  type PingxxEmulator,
  type StripeEmulator,
} from '../../../src/testing/index.js';

describe('provider refusals through the service', () => {
  let stripeEmulator: StripeEmulator;
  let pingxxEmulator: PingxxEmulator;
  let repositories: ReturnType<typeof createInMemoryRepositories>;
  let service: ReturnType<typeof createPaymentService<null>>;

  beforeAll(async () => {
    stripeEmulator = await startStripeEmulator();
    pingxxEmulator = await startPingxxEmulator();
    repositories = createInMemoryRepositories();
    service = createPaymentService({
      factory: createPaymentFactory({
        providers: [
          createPingxxProvider({ ...pingxxEmulator.providerOptions }),
          createStripeProvider({
            secretKey: 'sk_test_refusals',
            webhookSecret: stripeEmulator.webhookSecret,
            successUrl: 'https://shop.example/ok',
            cancelUrl: 'https://shop.example/cancel',
            ...stripeEmulator.sdkOptions,
          }),
        ],
      }),
      repositories,
    });
  });

  afterAll(async () => {
    await stripeEmulator?.close();
    await pingxxEmulator?.close();
  });

  const newOrder = (currency: string, user: string) =>
    service.initOrder({ userId: user, productId: 'course', payableAmount: 990, currency });

  it('writes no attempt for wx_pub without openId (the adapter refuses before anything is written)', async () => {
    const order = await newOrder('CNY', 'u-openid');
    const error = await service
      .createCharge({ orderId: order.orderId, channel: 'wx_pub', clientIp: '203.0.113.9' })
      .catch((e: unknown) => e);
    expect(isPaymentError(error, 'ValidationError')).toBe(true);
    expect(error).toMatchObject({ field: 'extra.openId', code: 'MISSING_CHANNEL_EXTRA' });
    expect(await repositories.attempts.listByOrder(order.orderId)).toHaveLength(0);
    expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'init' });
  });

  it('keeps the attempt pending on a Ping++ 429 and charges it on retry', async () => {
    const order = await newOrder('CNY', 'u-ping-429');
    pingxxEmulator.controls.failNext({
      status: 429,
      body: { error: { type: 'invalid_request_error', message: 'Too many requests' } },
    });
    const error = await service
      .createCharge({ orderId: order.orderId, channel: 'alipay_qr', clientIp: '203.0.113.9' })
      .catch((e: unknown) => e);
    expect(isPaymentError(error, 'ProviderUnavailableError')).toBe(true);
    expect(error).toMatchObject({ code: 'PINGXX_RATE_LIMITED', retryable: true });
    const [attempt] = await repositories.attempts.listByOrder(order.orderId);
    expect(attempt).toMatchObject({ status: 'pending' });
    const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr', clientIp: '203.0.113.9' });
    expect(dto.paymentPayload?.attemptId).toBe(attempt!.attemptId);
    expect(await repositories.attempts.listByOrder(order.orderId)).toHaveLength(1);
  });

  it('keeps the attempt pending on a Stripe 429 and charges it on retry', async () => {
    const order = await newOrder('USD', 'u-stripe-429');
    stripeEmulator.failNext({ status: 429 });
    const error = await service
      .createCharge({ orderId: order.orderId, paymentChannel: 'stripe' })
      .catch((e: unknown) => e);
    expect(isPaymentError(error, 'ProviderUnavailableError')).toBe(true);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    const [attempt] = await repositories.attempts.listByOrder(order.orderId);
    expect(attempt).toMatchObject({ status: 'pending' });
    const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe' });
    expect(dto.paymentPayload?.attemptId).toBe(attempt!.attemptId);
  });
});
