import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RawBodyRequiredError, WebhookVerificationError, type PaymentError } from '../../../src/core/errors.js';
import type { PaymentEvent, WebhookInput } from '../../../src/core/types.js';
import { createPingxxWebhookVerifier } from '../../../src/pingxx/pingxx-webhooks.js';
import { generatePingxxTestKeyPair, signPingxxWebhook } from '../../../src/testing/pingxx-signer.js';
import { thrown } from './fixtures.js';

const pingxxKeys = generatePingxxTestKeyPair('unit-pingxx');
const otherKeys = generatePingxxTestKeyPair('unit-other');
const verify = createPingxxWebhookVerifier({ provider: 'pingxx', publicKey: createPublicKey(pingxxKeys.publicKey) });

/** The signed sample event and public key that ship with the official SDK (`pingpp/example`). */
function officialSample(): { rawBody: string; signature: string; publicKeyPem: string } {
  const example = join(dirname(createRequire(import.meta.url).resolve('pingpp/package.json')), 'example');
  const source = readFileSync(join(example, 'webhooks_verify.js'), 'utf8');
  const rawBody = /var raw_data = '(.+)';/.exec(source)?.[1];
  const signature = /var signature = '(.+)';/.exec(source)?.[1];
  if (!rawBody || !signature) throw new Error('sample not found in pingpp/example/webhooks_verify.js');
  return { rawBody, signature, publicKeyPem: readFileSync(join(example, 'pingpp_rsa_public_key.pem'), 'utf8') };
}

const CHARGE = {
  id: 'ch_Hm5uTSifDOuTy9iLeLPSurrD',
  object: 'charge',
  created: 1740830000,
  livemode: false,
  paid: true,
  refunded: false,
  app: 'app_1Gqj58ynP0mHeX1q',
  channel: 'wx_pub_qr',
  order_no: '0123456789abcdef0123456789abcdef',
  amount: 9900,
  currency: 'cny',
  subject: '课程',
  body: '课程',
  time_paid: 1740830100,
  metadata: { order_bid: 'order42' },
  credential: {},
};
const REFUND = {
  id: 're_y1u944PmfnrTHyvnL0nD0iD1',
  object: 'refund',
  amount: 500,
  created: 1740830200,
  succeed: true,
  status: 'succeeded',
  time_succeed: 1740830201,
  description: 'Course cancelled',
  metadata: { refund_bid: 'refund7' },
  charge: CHARGE.id,
  charge_order_no: CHARGE.order_no,
};
const event = (type: string, object: unknown, livemode = false) => ({
  id: 'evt_400150306160219251432201',
  object: 'event',
  created: 1740830300,
  livemode,
  type,
  data: { object },
  pending_webhooks: 0,
  request: 'iar_qH4y1KbTy5eLGm1uHSTS00s',
});

/** Verifies `input` with `v`, expecting a `type` error. */
function rejection<E extends PaymentError>(
  input: WebhookInput,
  type: abstract new (...args: never[]) => E,
  v = verify,
): E {
  return thrown(() => v(input), type);
}

describe('Ping++ webhook signatures', () => {
  it('verifies the sample event Ping++ signed with its real key, shipped with the SDK', () => {
    const sample = officialSample();
    const official = createPingxxWebhookVerifier({
      provider: 'pingxx',
      publicKey: createPublicKey(sample.publicKeyPem),
    });
    const normalized = official({ rawBody: sample.rawBody, headers: { 'X-Pingplusplus-Signature': sample.signature } });
    expect(normalized).toMatchObject({
      type: 'payment.succeeded',
      eventId: 'evt_eYa58Wd44Glerl8AgfYfd1sL',
      attemptId: '2015d019f7cf6c0d',
      providerReference: 'ch_bq9IHKnn6GnLzsS0swOujr4x',
      amount: 100,
      currency: 'CNY',
      livemode: true,
    });
  });

  it.each([
    ['lower case', 'x-pingplusplus-signature'],
    ['canonical case', 'X-Pingplusplus-Signature'],
    ['upper case', 'X-PINGPLUSPLUS-SIGNATURE'],
  ])('reads the signature header in %s', (_why, name) => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    const value = signed.headers['x-pingplusplus-signature'];
    expect(verify({ rawBody: signed.rawBody, headers: { [name]: value } }).type).toBe('payment.succeeded');
  });

  it('accepts Web Headers and the body as a Buffer or Uint8Array', () => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    const headers = new Headers(signed.headers);
    expect(verify({ rawBody: Buffer.from(signed.rawBody), headers }).type).toBe('payment.succeeded');
    expect(verify({ rawBody: new TextEncoder().encode(signed.rawBody), headers }).type).toBe('payment.succeeded');
  });

  it.each([
    ['a changed amount', (body: string) => body.replace('"amount":9900', '"amount":1')],
    ['re-serialised JSON', (body: string) => JSON.stringify(JSON.parse(body) as unknown, null, 2)],
    ['a trailing newline', (body: string) => `${body}\n`],
  ])('refuses a body with %s', (_why, tamper) => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    const error = rejection({ rawBody: tamper(signed.rawBody), headers: signed.headers }, WebhookVerificationError);
    expect(error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
  });

  it('refuses an event signed with another key', () => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), otherKeys.privateKey);
    rejection(signed, WebhookVerificationError);
  });

  it.each([
    ['no signature header', {}, 'WEBHOOK_SIGNATURE_MISSING'],
    ['an empty signature', { 'x-pingplusplus-signature': '' }, 'WEBHOOK_SIGNATURE_MISSING'],
    ['a signature that is not base64', { 'x-pingplusplus-signature': 'not base64!' }, 'WEBHOOK_SIGNATURE_MALFORMED'],
    ['a truncated signature', { 'x-pingplusplus-signature': 'AAAA' }, 'WEBHOOK_SIGNATURE_INVALID'],
  ])('refuses %s', (_why, headers, code) => {
    const rawBody = JSON.stringify(event('charge.succeeded', CHARGE));
    expect(rejection({ rawBody, headers }, WebhookVerificationError).code).toBe(code);
  });

  it.each([
    ['a parsed object', event('charge.succeeded', CHARGE)],
    ['undefined (a body parser consumed the stream)', undefined],
    ['an empty string', ''],
  ])('refuses %s with RawBodyRequiredError', (_why, rawBody) => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    rejection({ rawBody, headers: signed.headers } as unknown as WebhookInput, RawBodyRequiredError);
  });

  it('refuses a correctly signed body that is not a Ping++ event', () => {
    const signed = signPingxxWebhook({ hello: 'world' }, pingxxKeys.privateKey);
    expect(rejection(signed, WebhookVerificationError).code).toBe('WEBHOOK_PAYLOAD_INVALID');
  });

  it('requires a public key unless verification is explicitly and unsafely skipped', () => {
    expect(() => createPingxxWebhookVerifier({ provider: 'pingxx', publicKey: null })).toThrowError(
      expect.objectContaining({ name: 'ConfigurationError', code: 'PINGXX_WEBHOOK_KEY_MISSING' }) as Error,
    );
    const unsafe = createPingxxWebhookVerifier({ provider: 'pingxx', publicKey: null, unsafeSkipVerification: true });
    expect(unsafe({ rawBody: JSON.stringify(event('charge.succeeded', CHARGE)), headers: {} }).type).toBe(
      'payment.succeeded',
    );
    rejection({ rawBody: { id: 'x' }, headers: {} } as unknown as WebhookInput, RawBodyRequiredError, unsafe);
  });
});

describe('Ping++ event normalisation', () => {
  const normalize = (payload: object): PaymentEvent => verify(signPingxxWebhook(payload, pingxxKeys.privateKey));

  it('normalises charge.succeeded into payment.succeeded', () => {
    expect(normalize(event('charge.succeeded', CHARGE))).toEqual({
      provider: 'pingxx',
      eventId: 'evt_400150306160219251432201',
      type: 'payment.succeeded',
      providerEventType: 'charge.succeeded',
      attemptId: CHARGE.order_no,
      orderId: 'order42',
      providerReference: CHARGE.id,
      amount: 9900,
      currency: 'CNY',
      livemode: false,
      occurredAt: new Date(1740830300 * 1000),
      refunds: [],
      failure: null,
      raw: event('charge.succeeded', CHARGE),
    });
  });

  it('normalises refund.succeeded with our refund id from metadata', () => {
    expect(normalize(event('refund.succeeded', REFUND))).toMatchObject({
      type: 'refund.succeeded',
      attemptId: CHARGE.order_no,
      providerReference: CHARGE.id,
      amount: 500,
      currency: 'CNY',
      refunds: [
        {
          providerRefundId: REFUND.id,
          refundId: 'refund7',
          amount: 500,
          currency: 'CNY',
          status: 'succeeded',
          reason: 'Course cancelled',
        },
      ],
    });
  });

  it('carries livemode through from the event', () => {
    expect(normalize(event('charge.succeeded', CHARGE, true)).livemode).toBe(true);
  });

  it.each(['transfer.succeeded', 'summary.daily.available', 'charge.failed'])(
    'normalises %s into unsupported',
    (type) => {
      expect(normalize(event(type, { object: 'whatever' }))).toMatchObject({
        type: 'unsupported',
        providerEventType: type,
        attemptId: null,
        providerReference: null,
        amount: null,
      });
    },
  );

  it('refuses a charge.succeeded whose object is not a charge', () => {
    const signed = signPingxxWebhook(event('charge.succeeded', { object: 'refund' }), pingxxKeys.privateKey);
    expect(rejection(signed, WebhookVerificationError).code).toBe('WEBHOOK_PAYLOAD_INVALID');
  });
});
