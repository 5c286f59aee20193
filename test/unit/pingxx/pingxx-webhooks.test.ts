import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawBodyRequiredError, WebhookVerificationError, type PaymentError } from '../../../src/core/errors.js';
import type { PaymentEvent, WebhookInput } from '../../../src/core/types.js';
import { createPingxxWebhookVerifier } from '../../../src/pingxx/pingxx-webhooks.js';
import { generatePingxxTestKeyPair, signPingxxWebhook } from '../../../src/testing/pingxx-signer.js';

const pingxxKeys = generatePingxxTestKeyPair('unit-pingxx');
const otherKeys = generatePingxxTestKeyPair('unit-other');
const verify = createPingxxWebhookVerifier({ webhookPublicKey: pingxxKeys.publicKey });

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
async function rejection<E extends PaymentError>(
  input: WebhookInput,
  type: abstract new (...args: never[]) => E,
  v = verify,
): Promise<E> {
  const error: unknown = await v(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Ping++ webhook signatures', () => {
  it('verifies the sample event Ping++ signed with its real key, shipped with the SDK', async () => {
    const sample = officialSample();
    const official = createPingxxWebhookVerifier({ webhookPublicKey: sample.publicKeyPem });
    const normalized = await official({
      rawBody: sample.rawBody,
      headers: { 'X-Pingplusplus-Signature': sample.signature },
    });
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
  ])('reads the signature header in %s', async (_why, name) => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    const value = signed.headers['x-pingplusplus-signature'];
    expect((await verify({ rawBody: signed.rawBody, headers: { [name]: value } })).type).toBe('payment.succeeded');
  });

  it('accepts Web Headers and the body as a Buffer or Uint8Array', async () => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    const headers = new Headers(signed.headers);
    expect((await verify({ rawBody: Buffer.from(signed.rawBody), headers })).type).toBe('payment.succeeded');
    expect((await verify({ rawBody: new TextEncoder().encode(signed.rawBody), headers })).type).toBe(
      'payment.succeeded',
    );
  });

  it.each([
    ['a changed amount', (body: string) => body.replace('"amount":9900', '"amount":1')],
    ['re-serialised JSON', (body: string) => JSON.stringify(JSON.parse(body) as unknown, null, 2)],
    ['a trailing newline', (body: string) => `${body}\n`],
  ])('refuses a body with %s', async (_why, tamper) => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    const error = await rejection(
      { rawBody: tamper(signed.rawBody), headers: signed.headers },
      WebhookVerificationError,
    );
    expect(error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
  });

  it('refuses an event signed with another key', async () => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), otherKeys.privateKey);
    expect((await rejection(signed, WebhookVerificationError)).code).toBe('WEBHOOK_SIGNATURE_INVALID');
  });

  it.each([
    ['no signature header', {}, 'WEBHOOK_SIGNATURE_MISSING'],
    ['an empty signature', { 'x-pingplusplus-signature': '' }, 'WEBHOOK_SIGNATURE_MISSING'],
    ['a signature that is not base64', { 'x-pingplusplus-signature': 'not base64!' }, 'WEBHOOK_SIGNATURE_MALFORMED'],
    ['a truncated signature', { 'x-pingplusplus-signature': 'AAAA' }, 'WEBHOOK_SIGNATURE_INVALID'],
    // Base64 `atob` refuses and Node's Buffer would decode leniently: malformed on every runtime.
    ['a dangling base64 character', { 'x-pingplusplus-signature': 'AAAAA' }, 'WEBHOOK_SIGNATURE_MALFORMED'],
    ['padding that does not end a quad', { 'x-pingplusplus-signature': 'AAAAAA=' }, 'WEBHOOK_SIGNATURE_MALFORMED'],
  ])('refuses %s', async (_why, headers, code) => {
    const rawBody = JSON.stringify(event('charge.succeeded', CHARGE));
    expect((await rejection({ rawBody, headers }, WebhookVerificationError)).code).toBe(code);
  });

  it.each([
    ['a parsed object', event('charge.succeeded', CHARGE)],
    ['undefined (a body parser consumed the stream)', undefined],
    ['an empty string', ''],
  ])('refuses %s with RawBodyRequiredError', async (_why, rawBody) => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    await rejection({ rawBody, headers: signed.headers } as unknown as WebhookInput, RawBodyRequiredError);
  });

  it('refuses a correctly signed body that is not a Ping++ event', async () => {
    const signed = signPingxxWebhook({ hello: 'world' }, pingxxKeys.privateKey);
    expect((await rejection(signed, WebhookVerificationError)).code).toBe('WEBHOOK_PAYLOAD_INVALID');
  });

  it('requires a public key unless verification is explicitly and unsafely skipped', async () => {
    expect(() => createPingxxWebhookVerifier({})).toThrowError(
      expect.objectContaining({ name: 'ConfigurationError', code: 'PINGXX_WEBHOOK_KEY_MISSING' }) as Error,
    );
    const unsafe = createPingxxWebhookVerifier({ unsafeSkipVerification: true });
    expect((await unsafe({ rawBody: JSON.stringify(event('charge.succeeded', CHARGE)), headers: {} })).type).toBe(
      'payment.succeeded',
    );
    await rejection({ rawBody: { id: 'x' }, headers: {} } as unknown as WebhookInput, RawBodyRequiredError, unsafe);
  });
});

describe('Ping++ public keys on Web Crypto', () => {
  const pkcs1 = createPublicKey(pingxxKeys.publicKey).export({ type: 'pkcs1', format: 'pem' }) as string;

  it('accepts the key as PKCS#1 (BEGIN RSA PUBLIC KEY), wrapped into SPKI, and with literal \\n', async () => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    for (const webhookPublicKey of [pkcs1, pkcs1.replace(/\n/g, '\\n'), pingxxKeys.publicKey.replace(/\n/g, '\\n')]) {
      const v = createPingxxWebhookVerifier({ webhookPublicKey, name: 'pingxx-cn' });
      expect(await v(signed)).toMatchObject({ type: 'payment.succeeded', provider: 'pingxx-cn' });
    }
  });

  it('imports the key into Web Crypto once, not per webhook, on a runtime without node:crypto', async () => {
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    const tampered = { ...signed, rawBody: signed.rawBody.replace('"amount":', '"amount": ') };
    const builtin = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    try {
      const v = createPingxxWebhookVerifier({ webhookPublicKey: pingxxKeys.publicKey });
      await Promise.all([v(signed), v(signed), v(signed)]);
      await v(signed);
      expect(importKey).toHaveBeenCalledTimes(1);
      await expect(v(tampered)).rejects.toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
    } finally {
      builtin.mockRestore();
      importKey.mockRestore();
    }
  });

  it('verifies on node:crypto where the runtime has it (Web Crypto untouched)', async () => {
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      const v = createPingxxWebhookVerifier({ webhookPublicKey: pingxxKeys.publicKey });
      const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
      expect((await v(signed)).type).toBe('payment.succeeded');
      const tampered = { ...signed, rawBody: signed.rawBody.replace('"amount":', '"amount": ') };
      await expect(v(tampered)).rejects.toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
      expect(importKey).not.toHaveBeenCalled();
      expect(verify).not.toHaveBeenCalled();
    } finally {
      importKey.mockRestore();
      verify.mockRestore();
    }
  });

  it('never loads the pingpp SDK to verify', async () => {
    const cache = createRequire(import.meta.url).cache;
    const before = Object.keys(cache).filter((path) => /[\\/]node_modules[\\/]pingpp[\\/]/.test(path)).length;
    const signed = signPingxxWebhook(event('charge.succeeded', CHARGE), pingxxKeys.privateKey);
    await verify(signed);
    expect(Object.keys(cache).filter((path) => /[\\/]node_modules[\\/]pingpp[\\/]/.test(path))).toHaveLength(before);
  });
});

describe('Ping++ event normalisation', () => {
  const normalize = (payload: object): Promise<PaymentEvent> =>
    verify(signPingxxWebhook(payload, pingxxKeys.privateKey));

  it('normalises charge.succeeded into payment.succeeded', async () => {
    expect(await normalize(event('charge.succeeded', CHARGE))).toEqual({
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

  it('normalises refund.succeeded with our refund id from metadata', async () => {
    expect(await normalize(event('refund.succeeded', REFUND))).toMatchObject({
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

  it('carries livemode through from the event', async () => {
    expect((await normalize(event('charge.succeeded', CHARGE, true))).livemode).toBe(true);
  });

  it.each(['transfer.succeeded', 'summary.daily.available', 'charge.failed'])(
    'normalises %s into unsupported',
    async (type) => {
      expect(await normalize(event(type, { object: 'whatever' }))).toMatchObject({
        type: 'unsupported',
        providerEventType: type,
        attemptId: null,
        providerReference: null,
        amount: null,
      });
    },
  );

  it('refuses a charge.succeeded whose object is not a charge', async () => {
    const signed = signPingxxWebhook(event('charge.succeeded', { object: 'refund' }), pingxxKeys.privateKey);
    expect((await rejection(signed, WebhookVerificationError)).code).toBe('WEBHOOK_PAYLOAD_INVALID');
  });
});
