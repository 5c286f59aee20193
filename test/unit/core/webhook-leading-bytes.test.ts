/**
 * The bytes verified are the bytes parsed: a body signed with a UTF-8 BOM (or anything else) before the JSON is
 * refused, although its signature is valid — Stripe's SDK would strip the BOM when it decodes and apply it.
 */
import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/index.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import { generatePingxxTestKeyPair, signPingxxWebhook, signStripeWebhook } from '../../../src/testing/index.js';

const BOM = '\uFEFF';
const stripeEvent = {
  id: 'evt_bom_1',
  object: 'event',
  type: 'payment_intent.succeeded',
  api_version: '2026-09-30.endive',
  created: Math.floor(Date.now() / 1000),
  livemode: false,
  data: {
    object: { id: 'pi_1', object: 'payment_intent', amount: 100, currency: 'usd', status: 'succeeded', metadata: {} },
  },
};

describe('leading bytes before the signed JSON', () => {
  it.each([
    ['a UTF-8 BOM', BOM],
    ['a space', ' '],
    ['a newline', '\n'],
  ])('refuses a Stripe body signed with %s before it', async (_, prefix) => {
    const secret = 'whsec_leadingbytes123456';
    const stripe = createStripeProvider({ secretKey: 'sk_test_leading', webhookSecret: secret });
    const clean = signStripeWebhook(JSON.stringify(stripeEvent), secret);
    await expect(stripe.verifyWebhook(clean)).resolves.toMatchObject({ eventId: 'evt_bom_1' });
    const prefixed = signStripeWebhook(prefix + JSON.stringify(stripeEvent), secret);
    const error = await stripe.verifyWebhook(prefixed).catch((e: unknown) => e);
    expect(isPaymentError(error, 'WebhookVerificationError')).toBe(true);
    expect(error).toMatchObject({ code: 'WEBHOOK_BODY_MALFORMED' });
  });

  it('refuses a Ping++ body signed with a BOM before it', async () => {
    const keys = generatePingxxTestKeyPair();
    const pingxx = createPingxxProvider({
      secretKey: 'sk_test_leadingbytes',
      appId: 'app_leadingbytes',
      webhookPublicKey: keys.publicKey,
    });
    const event = {
      id: 'evt_p_1',
      object: 'event',
      type: 'charge.succeeded',
      created: 1,
      livemode: false,
      data: { object: {} },
    };
    const signed = signPingxxWebhook(BOM + JSON.stringify(event), keys.privateKey);
    await expect(pingxx.verifyWebhook(signed)).rejects.toMatchObject({ code: 'WEBHOOK_BODY_MALFORMED' });
  });
});
