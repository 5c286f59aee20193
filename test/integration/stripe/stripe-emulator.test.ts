import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type StripeEmulator } from '../../../src/testing/stripe-testing.js';

let emulator: StripeEmulator;
let sdk: Stripe;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  sdk = new Stripe('sk_test_emulator', { ...emulator.sdkOptions, maxNetworkRetries: 0 });
});
afterAll(async () => {
  await emulator.close();
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_raw', 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

describe('startStripeEmulator', () => {
  it('requires a bearer key, answering like Stripe', async () => {
    const response = await fetch(`${emulator.url}/v1/payment_intents`, {
      method: 'POST',
      body: 'amount=1&currency=usd',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('replays the stored response for the same key and parameters, in any order', async () => {
    const first = await post('/v1/payment_intents', 'amount=100&currency=usd&metadata[a]=1', {
      'idempotency-key': 'raw-1',
    });
    const again = await post('/v1/payment_intents', 'metadata[a]=1&currency=usd&amount=100', {
      'idempotency-key': 'raw-1',
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(await first.text());
    expect(emulator.list('payment_intent').filter((pi) => pi.metadata.a === '1')).toHaveLength(1);
  });

  it('answers the same key with other parameters with an idempotency_error the SDK recognises', async () => {
    await sdk.paymentIntents.create({ amount: 100, currency: 'usd' }, { idempotencyKey: 'sdk-1' });
    const error = await sdk.paymentIntents
      .create({ amount: 200, currency: 'usd' }, { idempotencyKey: 'sdk-1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('expands nested paths and lists refunds newest first', async () => {
    const intent = await sdk.paymentIntents.create({ amount: 1000, currency: 'eur' });
    emulator.succeedPayment(intent.id);
    const a = await sdk.refunds.create({ payment_intent: intent.id, amount: 100 });
    const b = await sdk.refunds.create({ payment_intent: intent.id, amount: 200 });
    const expanded = await sdk.paymentIntents.retrieve(intent.id, { expand: ['latest_charge.refunds'] });
    const charge = expanded.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ object: 'charge', amount_refunded: 300, refunded: false });
    expect(charge.refunds?.data.map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await sdk.refunds.list({ payment_intent: intent.id })).data.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(await sdk.refunds.retrieve(a.id)).toMatchObject({ amount: 100, status: 'succeeded' });
  });

  it('keeps Stripe’s {CHECKOUT_SESSION_ID} template and refuses to expire a completed session', async () => {
    const session = await sdk.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://x.test/ok?sid={CHECKOUT_SESSION_ID}',
      line_items: [{ quantity: 2, price_data: { currency: 'gbp', unit_amount: 250, product_data: { name: 'Book' } } }],
    });
    expect(session).toMatchObject({ amount_total: 500, success_url: 'https://x.test/ok?sid={CHECKOUT_SESSION_ID}' });
    emulator.succeedPayment(session.id);
    await expect(sdk.checkout.sessions.expire(session.id)).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );
  });

  it('answers unknown URLs and ids with Stripe-shaped 404s', async () => {
    await expect(sdk.paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({
      code: 'resource_missing',
      statusCode: 404,
    });
    const response = await fetch(`${emulator.url}/v1/customers`, { headers: { authorization: 'Bearer sk_test_raw' } });
    expect(response.status).toBe(404);
  });

  it('counts and logs every request, including injected failures', async () => {
    const before = emulator.requestCount;
    emulator.failNext({ status: 500, path: '/v1/payment_intents' });
    await expect(sdk.paymentIntents.create({ amount: 1, currency: 'usd' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeAPIError,
    );
    expect(emulator.requestCount).toBe(before + 1);
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/payment_intents', status: 500 });
  });

  it('marks objects made with a live key as livemode', async () => {
    const live = new Stripe('sk_live_emulated', { ...emulator.sdkOptions, maxNetworkRetries: 0 });
    const intent = await live.paymentIntents.create({ amount: 100, currency: 'usd' });
    expect(intent.livemode).toBe(true);
  });
});
