import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import { startStripeEmulator, type StripeEmulator } from '../../../src/testing/stripe-testing.js';
import { paymentRequest, providerFor, SECRET_KEY, startEmulator } from './harness.js';

let emulator: StripeEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.clearFaults());
afterAll(async () => {
  await emulator.close();
});

const intentsOf = (attemptId: string) =>
  emulator.list('payment_intent').filter((pi) => pi.metadata.stripe_order_bid === attemptId);

describe('a dropped connection after Stripe acted', () => {
  it('is indeterminate, and the application retry returns the one PaymentIntent created', async () => {
    const stripe = providerFor(emulator);
    const request = paymentRequest();
    // Twice: the SDK itself retries a reset connection once, with our idempotency key.
    emulator.dropConnectionAfterActing({ path: '/v1/payment_intents', count: 2 });
    const error = await stripe.createPayment(request).catch((e: unknown) => e);
    expect(isPaymentError(error, 'IndeterminateOutcomeError')).toBe(true);
    expect(error).toMatchObject({ code: 'CONNECTION_LOST', retryable: true });
    expect(intentsOf(request.attemptId)).toHaveLength(1);

    const retried = await stripe.createPayment(request);
    expect(intentsOf(request.attemptId)).toHaveLength(1);
    expect(retried.providerReference).toBe(intentsOf(request.attemptId)[0]!.id);
    expect(emulator.requests.at(-1)).toMatchObject({ replayed: true, status: 200 });
  });

  it('is absorbed by the SDK’s own retry with our key when it happens once', async () => {
    const stripe = providerFor(emulator);
    const request = paymentRequest({ channel: 'checkout_session' });
    emulator.dropConnectionAfterActing({ path: '/v1/checkout/sessions' });
    const result = await stripe.createPayment(request);
    expect(emulator.list('checkout.session').filter((s) => s.client_reference_id === request.attemptId)).toHaveLength(
      1,
    );
    expect(result.providerReference).toMatch(/^cs_test_/);
  });
});

describe('a timeout after sending', () => {
  it('is indeterminate, and the retry replays the same PaymentIntent', async () => {
    const stripe = providerFor(emulator, { timeoutMs: 150 });
    const request = paymentRequest();
    emulator.delayNext(1000, { path: '/v1/payment_intents' });
    const error = await stripe.createPayment(request).catch((e: unknown) => e);
    expect(isPaymentError(error, 'IndeterminateOutcomeError')).toBe(true);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    const retried = await stripe.createPayment(request);
    expect(intentsOf(request.attemptId).map((pi) => pi.id)).toEqual([retried.providerReference]);
  });
});

describe('failures before acting', () => {
  it('maps a 500 to a retryable unavailable error and creates nothing', async () => {
    const stripe = providerFor(emulator);
    const request = paymentRequest();
    emulator.failNext({ status: 500 });
    const error = await stripe.createPayment(request).catch((e: unknown) => e);
    expect(isPaymentError(error, 'ProviderUnavailableError')).toBe(true);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    expect(intentsOf(request.attemptId)).toHaveLength(0);
  });

  it('lets SDK retries ride out a 503 with one PaymentIntent', async () => {
    const stripe = providerFor(emulator, { maxNetworkRetries: 2 });
    const request = paymentRequest();
    emulator.failNext({ status: 503 });
    await stripe.createPayment(request);
    expect(intentsOf(request.attemptId)).toHaveLength(1);
  });

  it('maps 429 to a retryable rate-limit error', async () => {
    emulator.failNext({ status: 429 });
    await expect(providerFor(emulator).createPayment(paymentRequest())).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'RATE_LIMITED',
    });
  });

  it('maps a card error to a decline with its decline code', async () => {
    emulator.failNext({ status: 402, declineCode: 'insufficient_funds' });
    await expect(providerFor(emulator).createPayment(paymentRequest())).rejects.toMatchObject({
      name: 'ProviderDeclinedError',
      declineCode: 'insufficient_funds',
      retryable: false,
    });
  });

  it('maps a permission error to a configuration error', async () => {
    emulator.failNext({ status: 403 });
    await expect(providerFor(emulator).createPayment(paymentRequest())).rejects.toMatchObject({
      name: 'ConfigurationError',
      code: 'PERMISSION_DENIED',
    });
  });

  it('maps a 500 on a read to unavailable, never indeterminate', async () => {
    const stripe = providerFor(emulator);
    const created = await stripe.createPayment(paymentRequest());
    emulator.failNext({ status: 500, method: 'GET' });
    await expect(stripe.retrievePayment({ providerReference: created.providerReference })).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
    });
  });
});

describe('authentication', () => {
  it('maps a rejected key to a configuration error that does not contain the key', async () => {
    const strict = await startStripeEmulator({ apiKey: 'sk_test_the_only_good_key' });
    try {
      const error = await providerFor(strict)
        .createPayment(paymentRequest())
        .catch((e: unknown) => e);
      expect(isPaymentError(error, 'ConfigurationError')).toBe(true);
      expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
      expect(
        JSON.stringify({ m: (error as Error).message, d: (error as { details?: unknown }).details }),
      ).not.toContain(SECRET_KEY);
    } finally {
      await strict.close();
    }
  });
});

describe('an unreachable API', () => {
  it('is unavailable (nothing was sent), not indeterminate', async () => {
    const port = await freePort();
    const stripe = providerFor(emulator, { port });
    await expect(stripe.createPayment(paymentRequest())).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'CONNECTION_FAILED',
    });
  });
});

describe('abort signals', () => {
  it('refuses an already-aborted call without sending it', async () => {
    const before = emulator.requestCount;
    const error = await providerFor(emulator)
      .createPayment(paymentRequest(), { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProviderUnavailableError', code: 'ABORTED' });
    expect(emulator.requestCount).toBe(before);
  });

  it('reports a create aborted in flight as indeterminate', async () => {
    const controller = new AbortController();
    emulator.delayNext(500, { path: '/v1/payment_intents' });
    const pending = providerFor(emulator).createPayment(paymentRequest(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'IndeterminateOutcomeError', code: 'ABORTED' });
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
