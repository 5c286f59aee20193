import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import type { StripeProvider } from '../../../src/stripe/index.js';
import type { StripeEmulator } from '../../../src/testing/stripe-testing.js';
import { paymentRequest, providerFor, startEmulator } from './harness.js';

let emulator: StripeEmulator;
let stripe: StripeProvider;

beforeAll(async () => {
  emulator = await startEmulator();
  stripe = providerFor(emulator);
});
afterAll(async () => {
  await emulator.close();
});

describe('PaymentIntent mode', () => {
  it('creates a PaymentIntent carrying our ids and returns its client secret', async () => {
    const request = paymentRequest({ userId: 'user-1', productId: 'shifu-1', metadata: { campaign: 'spring' } });
    const result = await stripe.createPayment(request);
    const intent = emulator.get(result.providerReference)!;
    expect(intent).toMatchObject({
      object: 'payment_intent',
      amount: 1999,
      currency: 'usd',
      description: 'Course',
      metadata: {
        order_bid: request.orderId,
        stripe_order_bid: request.attemptId,
        user_bid: 'user-1',
        shifu_bid: 'shifu-1',
        campaign: 'spring',
      },
    });
    expect(result.nextAction).toEqual({
      type: 'client_secret',
      clientSecret: intent.client_secret,
      publishableKey: 'pk_test_harness',
    });
    expect(result.qrUrl).toBe(intent.client_secret);
    expect(result).toMatchObject({ channel: 'payment_intent', status: 'pending', amount: 1999, currency: 'USD' });
    expect(result.public).not.toHaveProperty('raw');
  });

  it('sends the attempt-derived idempotency key', async () => {
    const request = paymentRequest();
    await stripe.createPayment(request);
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'POST', idempotencyKey: `pf-pi-${request.attemptId}` });
  });

  it('charges zero-decimal currencies in whole units and ISK with Stripe’s legacy two decimals', async () => {
    const yen = await stripe.createPayment(paymentRequest({ amount: 500, currency: 'JPY' }));
    expect(emulator.get(yen.providerReference)).toMatchObject({ amount: 500, currency: 'jpy' });
    const krona = await stripe.createPayment(paymentRequest({ amount: 5, currency: 'ISK' }));
    expect(emulator.get(krona.providerReference)).toMatchObject({ amount: 500, currency: 'isk' });
    expect(krona.amount).toBe(5);
  });

  it('restricts payment methods when configured', async () => {
    const restricted = providerFor(emulator, { paymentMethodTypes: ['card', 'alipay', 'wechat_pay'] });
    const result = await restricted.createPayment(paymentRequest());
    expect(emulator.get(result.providerReference)).toMatchObject({
      allowed_payment_method_types: ['card', 'alipay', 'wechat_pay'],
    });
  });

  it('accepts the intent alias and uses the default mode for a bare request', async () => {
    expect((await stripe.createPayment(paymentRequest({ channel: 'intent' }))).channel).toBe('payment_intent');
    const checkoutByDefault = providerFor(emulator, { defaultMode: 'checkout_session' });
    expect(checkoutByDefault.capabilities.defaultChannel).toBe('checkout_session');
    expect((await checkoutByDefault.createPayment(paymentRequest({ channel: '' }))).channel).toBe('checkout_session');
  });

  it('refuses a different request under an attempt id already used, as an idempotency conflict', async () => {
    const request = paymentRequest();
    await stripe.createPayment(request);
    const error = await stripe.createPayment({ ...request, amount: 2999 }).catch((e: unknown) => e);
    expect(isPaymentError(error, 'ValidationError')).toBe(true);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', retryable: false });
    expect(
      emulator.list('payment_intent').filter((pi) => pi.metadata && pi.metadata.stripe_order_bid === request.attemptId),
    ).toHaveLength(1);
  });

  it('refuses bad input before any request', async () => {
    const before = emulator.requestCount;
    for (const request of [
      paymentRequest({ currency: 'BHD', amount: 1235 }),
      paymentRequest({ metadata: { stripe_order_bid: 'someone-else' } }),
      paymentRequest({ amount: 0 }),
      paymentRequest({ channel: 'wx_pub_qr' }),
      // The attempt id is part of the Idempotency-Key header, which Node cannot send outside ASCII.
      paymentRequest({ attemptId: '订单-1' }),
    ]) {
      await expect(stripe.createPayment(request)).rejects.toSatisfy((e) => isPaymentError(e, 'ValidationError'));
    }
    expect(emulator.requestCount).toBe(before);
  });
});

describe('Checkout Session mode', () => {
  it('creates a session with metadata on the session and its PaymentIntent, and redirects to it', async () => {
    const request = paymentRequest({ channel: 'checkout_session', userId: 'user-2', productId: 'shifu-2' });
    const result = await stripe.createPayment(request);
    const session = emulator.get(result.providerReference)!;
    const metadata = {
      order_bid: request.orderId,
      stripe_order_bid: request.attemptId,
      user_bid: 'user-2',
      shifu_bid: 'shifu-2',
    };
    expect(session).toMatchObject({
      object: 'checkout.session',
      amount_total: 1999,
      currency: 'usd',
      client_reference_id: request.attemptId,
      metadata,
      success_url: `https://shop.example/paid?session={CHECKOUT_SESSION_ID}&order_id=${request.orderId}`,
      cancel_url: `https://shop.example/cart?order_id=${request.orderId}`,
    });
    expect(result.nextAction).toEqual({ type: 'redirect', url: session.url });
    expect(result.qrUrl).toBe(session.url);
    expect(result.expiresAt).toEqual(new Date((session.expires_at as number) * 1000));
    expect(emulator.requests.at(-1)?.idempotencyKey).toBe(`pf-cs-${request.attemptId}`);

    emulator.succeedPayment(session.id);
    const paid = emulator.get(session.id)!;
    expect(emulator.get(paid.payment_intent as string)).toMatchObject({ metadata });
  });

  it('passes expiresAt and asks Checkout to run WeChat Pay on the web', async () => {
    const wechat = providerFor(emulator, { paymentMethodTypes: ['card', 'wechat_pay'] });
    const expiresAt = new Date(Math.floor(Date.now() / 1000 + 3600) * 1000);
    const result = await wechat.createPayment(paymentRequest({ channel: 'checkout', expiresAt }));
    expect(result.expiresAt).toEqual(expiresAt);
    expect(emulator.get(result.providerReference)).toMatchObject({
      allowed_payment_method_types: ['card', 'wechat_pay'],
    });
  });

  it('refuses a Checkout payment when no success URL is configured or given', async () => {
    const noUrl = providerFor(emulator, { successUrl: undefined as never });
    await expect(noUrl.createPayment(paymentRequest({ channel: 'checkout_session' }))).rejects.toMatchObject({
      code: 'SUCCESS_URL_REQUIRED',
    });
  });
});
