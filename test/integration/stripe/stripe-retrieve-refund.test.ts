import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import type { PaymentCreationResult, RefundRequest } from '../../../src/core/types.js';
import type { StripeProvider } from '../../../src/stripe/index.js';
import type { StripeEmulator } from '../../../src/testing/stripe-testing.js';
import { newId, paymentRequest, providerFor, startEmulator } from './harness.js';

let emulator: StripeEmulator;
let stripe: StripeProvider;

beforeAll(async () => {
  emulator = await startEmulator();
  stripe = providerFor(emulator);
});
afterAll(async () => {
  await emulator.close();
});

const create = (channel = 'payment_intent', overrides = {}) =>
  stripe.createPayment(paymentRequest({ channel, ...overrides }));
const retrieve = (result: PaymentCreationResult) =>
  stripe.retrievePayment({ providerReference: result.providerReference });
const refund = (result: PaymentCreationResult, amount: number, extra: Partial<RefundRequest> = {}) =>
  stripe.refundPayment({
    refundId: newId(),
    attemptId: result.attemptId,
    providerReference: result.providerReference,
    amount,
    currency: result.currency,
    ...extra,
  });

describe('retrievePayment for a PaymentIntent', () => {
  it('follows the PaymentIntent through pending, failed and succeeded', async () => {
    const result = await create();
    expect(await retrieve(result)).toMatchObject({ status: 'pending', paidAt: null, attemptId: result.attemptId });
    emulator.failPayment(result.providerReference, { declineCode: 'insufficient_funds' });
    expect((await retrieve(result)).status).toBe('failed');
    emulator.succeedPayment(result.providerReference);
    const paid = await retrieve(result);
    expect(paid).toMatchObject({
      status: 'succeeded',
      channel: 'payment_intent',
      paymentIntentId: result.providerReference,
      amount: 1999,
      currency: 'USD',
      amountRefunded: 0,
      livemode: false,
    });
    expect(paid.paidAt).toBeInstanceOf(Date);
  });

  it('reads processing and canceled PaymentIntents', async () => {
    const processing = await create();
    emulator.processPayment(processing.providerReference);
    expect((await retrieve(processing)).status).toBe('processing');
    const canceled = await create();
    await (await stripe.getClient()).paymentIntents.cancel(canceled.providerReference);
    expect((await retrieve(canceled)).status).toBe('canceled');
  });

  it('reports an unknown PaymentIntent as not found', async () => {
    await expect(stripe.retrievePayment({ providerReference: 'pi_doesnotexist' })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('refuses a reference that is neither a PaymentIntent nor a session, without a request', async () => {
    const before = emulator.requestCount;
    await expect(stripe.retrievePayment({ providerReference: 'ch_123' })).rejects.toSatisfy((e) =>
      isPaymentError(e, 'ValidationError'),
    );
    expect(emulator.requestCount).toBe(before);
  });
});

describe('retrievePayment for a Checkout Session', () => {
  it('reads an open session as pending with no PaymentIntent yet', async () => {
    const result = await create('checkout_session');
    expect(await retrieve(result)).toMatchObject({
      status: 'pending',
      channel: 'checkout_session',
      providerReference: result.providerReference,
      paymentIntentId: null,
      attemptId: result.attemptId,
    });
  });

  it('reads a paid session as succeeded with its PaymentIntent', async () => {
    const result = await create('checkout_session');
    const session = emulator.succeedPayment(result.providerReference);
    expect(await retrieve(result)).toMatchObject({
      status: 'succeeded',
      providerReference: result.providerReference,
      paymentIntentId: session.payment_intent,
      amount: 1999,
      attemptId: result.attemptId,
    });
  });

  it('reads expired, async-processing and async-failed sessions', async () => {
    const expired = await create('checkout_session');
    await (await stripe.getClient()).checkout.sessions.expire(expired.providerReference);
    expect((await retrieve(expired)).status).toBe('canceled');
    const processing = await create('checkout_session');
    emulator.processPayment(processing.providerReference);
    expect((await retrieve(processing)).status).toBe('processing');
    const failed = await create('checkout_session');
    emulator.failPayment(failed.providerReference);
    expect((await retrieve(failed)).status).toBe('failed');
  });
});

describe('refundPayment', () => {
  it('refunds in parts, records our ids on each refund, and shows them in the snapshot', async () => {
    const result = await create();
    emulator.succeedPayment(result.providerReference);
    const first = await refund(result, 500, { reason: 'requested_by_customer', refundId: 'refund-a' });
    const second = await refund(result, 1499, { reason: 'course not started', refundId: 'refund-b' });
    expect(first).toMatchObject({ status: 'succeeded', amount: 500, currency: 'USD', refundId: 'refund-a' });
    expect(emulator.get(first.providerRefundId)).toMatchObject({
      reason: 'requested_by_customer',
      metadata: { refund_bid: 'refund-a', stripe_order_bid: result.attemptId },
    });
    expect(emulator.get(second.providerRefundId)).toMatchObject({
      reason: null,
      metadata: { refund_bid: 'refund-b', refund_reason: 'course not started' },
    });
    expect(emulator.requests.at(-1)?.idempotencyKey).toBe('pf-re-refund-b');
    const snapshot = await retrieve(result);
    expect(snapshot.amountRefunded).toBe(1999);
    expect(snapshot.refunds.map((r) => r.refundId).sort()).toEqual(['refund-a', 'refund-b']);
  });

  it('returns the same refund when retried with the same refund id', async () => {
    const result = await create();
    emulator.succeedPayment(result.providerReference);
    const once = await refund(result, 300, { refundId: 'refund-same' });
    const twice = await refund(result, 300, { refundId: 'refund-same' });
    expect(twice.providerRefundId).toBe(once.providerRefundId);
    expect(emulator.list('refund').filter((r) => r.payment_intent === result.providerReference)).toHaveLength(1);
  });

  it('refunds a Checkout Session through its PaymentIntent', async () => {
    const result = await create('checkout_session');
    const session = emulator.succeedPayment(result.providerReference);
    const done = await refund(result, 1999);
    expect(emulator.get(done.providerRefundId)).toMatchObject({ payment_intent: session.payment_intent });
  });

  it('refuses to refund an unpaid session', async () => {
    const result = await create('checkout_session');
    await expect(refund(result, 100)).rejects.toMatchObject({ name: 'ValidationError', code: 'NOT_PAID' });
  });

  it('treats a dashboard refund as a fact, and a further refund of a fully refunded charge as ALREADY_REFUNDED', async () => {
    const result = await create();
    emulator.succeedPayment(result.providerReference);
    const dashboard = emulator.createDashboardRefund(result.providerReference, 1999);
    const snapshot = await retrieve(result);
    expect(snapshot.amountRefunded).toBe(1999);
    expect(snapshot.refunds).toEqual([
      expect.objectContaining({ providerRefundId: dashboard.id, refundId: null, amount: 1999, status: 'succeeded' }),
    ]);
    const error = await refund(result, 100).catch((e: unknown) => e);
    expect(isPaymentError(error, 'ValidationError')).toBe(true);
    expect(error).toMatchObject({ code: 'ALREADY_REFUNDED', retryable: false });
  });

  it('refuses a refund larger than what is left', async () => {
    const result = await create();
    emulator.succeedPayment(result.providerReference);
    await refund(result, 1500);
    await expect(refund(result, 1000)).rejects.toMatchObject({ name: 'ValidationError', field: 'amount' });
  });

  it('converts ISK refunds to and from Stripe’s legacy units', async () => {
    const result = await create('payment_intent', { currency: 'ISK', amount: 50 });
    emulator.succeedPayment(result.providerReference);
    const done = await refund(result, 20);
    expect(done.amount).toBe(20);
    expect(emulator.get(done.providerRefundId)).toMatchObject({ amount: 2000 });
    expect((await retrieve(result)).amountRefunded).toBe(20);
  });

  it('refuses an invalid refund before any request', async () => {
    const result = await create();
    const before = emulator.requestCount;
    for (const bad of [
      { amount: 0 },
      { amount: 1.5 },
      { refundId: '' },
      { refundId: 'refund\u0001' },
      { refundId: '退款-1' },
      { currency: 'QQQ' },
      { providerReference: 'x' },
    ]) {
      await expect(refund(result, 100, bad)).rejects.toSatisfy((e) => isPaymentError(e, 'ValidationError'));
    }
    expect(emulator.requestCount).toBe(before);
  });
});
