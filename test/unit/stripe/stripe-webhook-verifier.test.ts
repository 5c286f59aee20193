import { describe, expect, it, vi } from 'vitest';
import { createStripeWebhookVerifier } from '../../../src/stripe/index.js';
import { signStripeWebhook } from '../../../src/testing/stripe-signer.js';

const SECRET = 'whsec_standalone_test_secret';
const intent = {
  id: 'pi_3StandAlone',
  object: 'payment_intent',
  amount: 1999,
  amount_received: 1999,
  currency: 'usd',
  status: 'succeeded',
  livemode: false,
  latest_charge: 'ch_3StandAlone',
  metadata: { stripe_order_bid: '0123456789abcdef0123456789abcdef', order_bid: 'order42' },
};
const event = {
  id: 'evt_3StandAlone',
  object: 'event',
  type: 'payment_intent.succeeded',
  created: 1_740_830_000,
  livemode: false,
  api_version: '2025-01-27.acacia',
  data: { object: intent },
};

const codeOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'resolved',
    (e: unknown) => (e as { code?: unknown }).code,
  );

describe('createStripeWebhookVerifier, standalone', () => {
  it('verifies and normalises a webhook with nothing but the endpoint secret', async () => {
    const verify = createStripeWebhookVerifier({ webhookSecret: SECRET });
    const signed = signStripeWebhook(event, SECRET);
    expect(await verify(signed)).toMatchObject({
      provider: 'stripe',
      eventId: 'evt_3StandAlone',
      type: 'payment.succeeded',
      attemptId: '0123456789abcdef0123456789abcdef',
      providerReference: 'pi_3StandAlone',
      amount: 1999,
      currency: 'USD',
    });
  });

  it('refuses a tampered body, a missing header and a stale signature with typed codes', async () => {
    const verify = createStripeWebhookVerifier({ webhookSecret: SECRET, toleranceSeconds: 60 });
    const signed = signStripeWebhook(event, SECRET);
    const tampered = { ...signed, rawBody: signed.rawBody.replace('1999', '1') };
    expect(await codeOf(verify(tampered))).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    expect(await codeOf(verify({ rawBody: signed.rawBody, headers: {} }))).toBe('WEBHOOK_SIGNATURE_MISSING');
    const stale = signStripeWebhook(event, SECRET, { timestamp: Math.floor(Date.now() / 1000) - 120 });
    expect(await codeOf(verify(stale))).toBe('WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE');
  });

  it('takes several secrets during a rotation and a name for the events', async () => {
    const verify = createStripeWebhookVerifier({ webhookSecret: ['whsec_new', SECRET], name: 'stripe-eu' });
    expect(await verify(signStripeWebhook(event, SECRET))).toMatchObject({ provider: 'stripe-eu' });
  });

  it('refuses a missing or blank secret at construction without echoing it', () => {
    for (const webhookSecret of ['', ' whsec_x', [] as string[]]) {
      expect(() => createStripeWebhookVerifier({ webhookSecret })).toThrowError(
        expect.objectContaining({ name: 'ConfigurationError', code: 'STRIPE_INVALID_OPTIONS' }),
      );
    }
    expect(() => createStripeWebhookVerifier({ webhookSecret: SECRET, toleranceSeconds: -1 })).toThrowError(
      /toleranceSeconds/,
    );
  });
});

describe('createStripeWebhookVerifier, crypto paths', () => {
  it('verifies on Web Crypto on a runtime without node:crypto, with the same refusals', async () => {
    const signed = signStripeWebhook(event, SECRET);
    const stale = signStripeWebhook(event, SECRET, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const builtin = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    try {
      const verify = createStripeWebhookVerifier({ webhookSecret: SECRET });
      expect((await verify(signed)).eventId).toBe('evt_3StandAlone');
      expect(importKey).toHaveBeenCalled();
      expect(await codeOf(verify({ ...signed, rawBody: signed.rawBody.replace('1999', '1') }))).toBe(
        'WEBHOOK_SIGNATURE_MISMATCH',
      );
      expect(await codeOf(verify(stale))).toBe('WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE');
    } finally {
      builtin.mockRestore();
      importKey.mockRestore();
    }
  });

  it('verifies on node:crypto where the runtime has it (no Web Crypto key import)', async () => {
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    try {
      const verify = createStripeWebhookVerifier({ webhookSecret: SECRET });
      const signed = signStripeWebhook(event, SECRET);
      expect((await verify(signed)).eventId).toBe('evt_3StandAlone');
      expect(await codeOf(verify({ ...signed, rawBody: signed.rawBody.replace('1999', '1') }))).toBe(
        'WEBHOOK_SIGNATURE_MISMATCH',
      );
      expect(importKey).not.toHaveBeenCalled();
    } finally {
      importKey.mockRestore();
    }
  });
});
