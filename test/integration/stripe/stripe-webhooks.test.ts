import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import type { PaymentCreationResult, WebhookInput } from '../../../src/core/types.js';
import type { StripeProvider } from '../../../src/stripe/index.js';
import { signStripeWebhook, type StripeEmulator } from '../../../src/testing/stripe-testing.js';
import { newId, paymentRequest, providerFor, startEmulator, WEBHOOK_SECRET } from './harness.js';

let emulator: StripeEmulator;
let stripe: StripeProvider;
const sdk = new Stripe('sk_test_signing_only', { telemetry: false });

beforeAll(async () => {
  emulator = await startEmulator();
  stripe = providerFor(emulator);
});
afterAll(async () => {
  await emulator.close();
});

const paid = async (channel = 'payment_intent'): Promise<PaymentCreationResult> => {
  const result = await stripe.createPayment(paymentRequest({ channel }));
  emulator.succeedPayment(result.providerReference);
  return result;
};

const rejection = async (input: WebhookInput, provider: StripeProvider = stripe) => {
  const error = await provider.verifyWebhook(input).catch((e: unknown) => e);
  expect(isPaymentError(error)).toBe(true);
  return error as { name: string; code: string; message: string };
};

describe('verification', () => {
  it('accepts a payload signed by the SDK’s generateTestHeaderString', async () => {
    const result = await paid();
    const { event } = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded');
    const payload = JSON.stringify(event);
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const normalised = await stripe.verifyWebhook({ rawBody: payload, headers: { 'Stripe-Signature': header } });
    expect(normalised).toMatchObject({ type: 'payment.succeeded', attemptId: result.attemptId, eventId: event.id });
  });

  it('produces signatures the SDK itself verifies', async () => {
    const { rawBody, headers } = signStripeWebhook({ id: 'evt_x', object: 'event' }, 'whsec_other');
    const event = await sdk.webhooks.constructEventAsync(rawBody, headers['stripe-signature'], 'whsec_other');
    expect(event.id).toBe('evt_x');
  });

  it('reads the header case-insensitively, from Web Headers too, and takes bytes', async () => {
    const result = await paid();
    const { rawBody, headers } = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded');
    const web = new Headers({ 'STRIPE-SIGNATURE': headers['stripe-signature'] });
    expect((await stripe.verifyWebhook({ rawBody: new TextEncoder().encode(rawBody), headers: web })).type).toBe(
      'payment.succeeded',
    );
  });

  it('refuses a tampered body', async () => {
    const result = await paid();
    const { rawBody, headers } = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded');
    const tampered = rawBody.replace('"amount": 1999', '"amount": 1');
    expect(tampered).not.toBe(rawBody);
    expect(await rejection({ rawBody: tampered, headers })).toMatchObject({
      name: 'WebhookVerificationError',
      code: 'WEBHOOK_SIGNATURE_MISMATCH',
    });
  });

  it('refuses a stale signature, and accepts it when received in time (injectable clock)', async () => {
    const result = await paid();
    const signedAt = new Date(Date.now() - 10 * 60 * 1000);
    const webhook = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded', { timestamp: signedAt });
    expect(await rejection(webhook)).toMatchObject({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE' });
    const onTime = await stripe.verifyWebhook({ ...webhook, receivedAt: new Date(signedAt.getTime() + 5_000) });
    expect(onTime.type).toBe('payment.succeeded');
    const lenient = providerFor(emulator, { webhookTolerance: 3600 });
    expect((await lenient.verifyWebhook(webhook)).type).toBe('payment.succeeded');
  });

  it('refuses an unsigned webhook', async () => {
    const result = await paid();
    const { rawBody } = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded');
    expect(await rejection({ rawBody, headers: {} })).toMatchObject({ code: 'WEBHOOK_SIGNATURE_MISSING' });
    expect(await rejection({ rawBody, headers: { 'stripe-signature': 'garbage' } })).toMatchObject({
      name: 'WebhookVerificationError',
    });
  });

  it('refuses a webhook signed with another secret, without echoing any secret', async () => {
    const result = await paid();
    const webhook = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded', {
      secret: 'whsec_attacker',
    });
    const error = await rejection(webhook);
    expect(error).toMatchObject({ code: 'WEBHOOK_SIGNATURE_MISMATCH' });
    expect(error.message).not.toContain(WEBHOOK_SECRET);
    expect(error.message).not.toContain('whsec_attacker');
  });

  it('refuses a parsed object with RawBodyRequiredError', async () => {
    const result = await paid();
    const { event, headers } = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded');
    const error = await rejection({ rawBody: event, headers } as unknown as WebhookInput);
    expect(error.name).toBe('RawBodyRequiredError');
  });

  it('refuses a signed body that is not JSON', async () => {
    const webhook = signStripeWebhook('not json', WEBHOOK_SECRET);
    expect(await rejection(webhook)).toMatchObject({ code: 'WEBHOOK_PAYLOAD_INVALID' });
  });

  it('accepts the old and the new secret during rotation', async () => {
    const rotating = providerFor(emulator, { webhookSecret: ['whsec_new', WEBHOOK_SECRET] });
    const result = await paid();
    for (const secret of ['whsec_new', WEBHOOK_SECRET]) {
      const webhook = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded', { secret });
      expect((await rotating.verifyWebhook(webhook)).type).toBe('payment.succeeded');
    }
    const retired = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded', {
      secret: 'whsec_retired',
    });
    expect(await rejection(retired, rotating)).toMatchObject({ code: 'WEBHOOK_SIGNATURE_MISMATCH' });
  });
});

describe('normalisation of emulated events', () => {
  it('normalises payment_intent.succeeded with our ids, amount, currency and mode', async () => {
    const request = paymentRequest({ orderId: `order-${newId()}` });
    const result = await stripe.createPayment(request);
    emulator.succeedPayment(result.providerReference);
    const webhook = emulator.webhookFor(result.providerReference, 'payment_intent.succeeded');
    expect(await stripe.verifyWebhook(webhook)).toMatchObject({
      provider: 'stripe',
      type: 'payment.succeeded',
      providerEventType: 'payment_intent.succeeded',
      attemptId: result.attemptId,
      orderId: request.orderId,
      providerReference: result.providerReference,
      amount: 1999,
      currency: 'USD',
      livemode: false,
      failure: null,
    });
  });

  it('normalises a failed, a processing and a canceled PaymentIntent', async () => {
    const failed = await stripe.createPayment(paymentRequest());
    emulator.failPayment(failed.providerReference, { declineCode: 'expired_card' });
    expect(
      await stripe.verifyWebhook(emulator.webhookFor(failed.providerReference, 'payment_intent.payment_failed')),
    ).toMatchObject({
      type: 'payment.failed',
      failure: { code: 'expired_card', message: 'Your card was declined.' },
    });
    const processing = await stripe.createPayment(paymentRequest());
    emulator.processPayment(processing.providerReference);
    expect(
      (await stripe.verifyWebhook(emulator.webhookFor(processing.providerReference, 'payment_intent.processing'))).type,
    ).toBe('payment.pending');
    const canceled = await stripe.createPayment(paymentRequest());
    await (await stripe.getClient()).paymentIntents.cancel(canceled.providerReference);
    expect(
      (await stripe.verifyWebhook(emulator.webhookFor(canceled.providerReference, 'payment_intent.canceled'))).type,
    ).toBe('payment.canceled');
  });

  it('matches checkout.session.completed by the session’s own metadata, and pays only when paid', async () => {
    const result = await paid('checkout_session');
    const completed = await stripe.verifyWebhook(
      emulator.webhookFor(result.providerReference, 'checkout.session.completed'),
    );
    expect(completed).toMatchObject({
      type: 'payment.succeeded',
      attemptId: result.attemptId,
      providerReference: result.providerReference,
      amount: 1999,
      currency: 'USD',
    });
    const asyncResult = await stripe.createPayment(paymentRequest({ channel: 'checkout_session' }));
    emulator.processPayment(asyncResult.providerReference);
    expect(
      (await stripe.verifyWebhook(emulator.webhookFor(asyncResult.providerReference, 'checkout.session.completed')))
        .type,
    ).toBe('payment.pending');
    emulator.succeedPayment(asyncResult.providerReference);
    expect(
      (
        await stripe.verifyWebhook(
          emulator.webhookFor(asyncResult.providerReference, 'checkout.session.async_payment_succeeded'),
        )
      ).type,
    ).toBe('payment.succeeded');
  });

  it('normalises async_payment_failed and expired sessions', async () => {
    const failing = await stripe.createPayment(paymentRequest({ channel: 'checkout_session' }));
    emulator.failPayment(failing.providerReference);
    expect(
      (
        await stripe.verifyWebhook(
          emulator.webhookFor(failing.providerReference, 'checkout.session.async_payment_failed'),
        )
      ).type,
    ).toBe('payment.failed');
    const expiring = await stripe.createPayment(paymentRequest({ channel: 'checkout_session' }));
    await (await stripe.getClient()).checkout.sessions.expire(expiring.providerReference);
    expect(
      (await stripe.verifyWebhook(emulator.webhookFor(expiring.providerReference, 'checkout.session.expired'))).type,
    ).toBe('payment.canceled');
  });

  it('normalises charge.refunded and refund.updated into refund events with our refund id', async () => {
    const result = await paid();
    const done = await stripe.refundPayment({
      refundId: 'refund-webhook',
      attemptId: result.attemptId,
      providerReference: result.providerReference,
      amount: 700,
      currency: 'USD',
    });
    expect(await stripe.verifyWebhook(emulator.webhookFor(result.providerReference, 'charge.refunded'))).toMatchObject({
      type: 'refund.succeeded',
      providerReference: result.providerReference,
      attemptId: result.attemptId,
      amount: 700,
    });
    emulator.updateRefund(done.providerRefundId, 'failed', 'lost_or_stolen_card');
    expect(await stripe.verifyWebhook(emulator.webhookFor(done.providerRefundId, 'refund.updated'))).toMatchObject({
      type: 'refund.failed',
      attemptId: result.attemptId,
      refunds: [expect.objectContaining({ refundId: 'refund-webhook', status: 'failed', amount: 700 })],
      failure: { code: 'lost_or_stolen_card', message: null },
    });
  });

  it('normalises an event it does not handle to unsupported', async () => {
    const result = await paid();
    const event = await stripe.verifyWebhook(emulator.webhookFor(result.providerReference, 'payment_intent.created'));
    expect(event).toMatchObject({
      type: 'unsupported',
      providerEventType: 'payment_intent.created',
      attemptId: result.attemptId,
    });
  });

  it('delivers a signed webhook to a receiving server, byte for byte', async () => {
    const result = await paid();
    const received: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        stripe
          .verifyWebhook({ rawBody: Buffer.concat(chunks), headers: req.headers })
          .then((event) => {
            received.push(event.type);
            res.writeHead(200).end('ok');
          })
          .catch(() => res.writeHead(400).end('bad'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const answer = await emulator.deliverWebhook(
        `http://127.0.0.1:${port}/webhooks/stripe`,
        emulator.webhookFor(result.providerReference, 'payment_intent.succeeded'),
      );
      expect(answer.status).toBe(200);
      expect(received).toEqual(['payment.succeeded']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('gives each emulated event its own id, so a redelivery is told apart from a new event', async () => {
    const result = await paid();
    const a = await stripe.verifyWebhook(emulator.webhookFor(result.providerReference, 'payment_intent.succeeded'));
    const b = await stripe.verifyWebhook(emulator.webhookFor(result.providerReference, 'payment_intent.succeeded'));
    expect(a.eventId).not.toBe(b.eventId);
  });
});
