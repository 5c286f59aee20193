import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import { signWechatPayNotification } from '../../../src/testing/wechatpay-signer.js';
import { generateWechatPayTestKeyPair } from '../../../src/testing/wechatpay-testing.js';
import { decryptWechatPayResource, encryptWechatPayResource } from '../../../src/wechatpay/wechatpay-crypto.js';
import { createWechatPayNotifyVerifier } from '../../../src/wechatpay/wechatpay-webhooks.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const wechatpayKeys = generateWechatPayTestKeyPair('unit-wechatpay');
const apiV3Key = '0123456789abcdefABCDEF0123456789';
const mchId = '1900000109';
const appId = 'wx8888888888888888';
const publicKeyId = 'PUB_KEY_ID_0114232134912410000000000000';
const now = new Date('2026-12-01T10:00:00Z');

const transaction = (overrides: Record<string, unknown> = {}) => ({
  appid: appId,
  mchid: mchId,
  out_trade_no: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  transaction_id: '4200000000202612011234567890',
  trade_type: 'NATIVE',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  success_time: '2026-12-01T17:59:30+08:00',
  attach: 'order-42',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 1999, payer_total: 1999, currency: 'CNY', payer_currency: 'CNY' },
  ...overrides,
});

const verifier = (extra: Partial<Parameters<typeof createWechatPayNotifyVerifier>[0]> = {}) =>
  createWechatPayNotifyVerifier({
    mchId,
    appId,
    apiV3Key,
    wechatpayPublicKey: wechatpayKeys.publicKey,
    wechatpayPublicKeyId: publicKeyId,
    livemode: false,
    ...extra,
  });

const signed = (
  input: Partial<Parameters<typeof signWechatPayNotification>[0]> = {},
  keys: Partial<Parameters<typeof signWechatPayNotification>[1]> = {},
) =>
  signWechatPayNotification(
    { eventType: 'TRANSACTION.SUCCESS', resource: transaction(), id: 'EV-1', createTime: now, ...input },
    { apiV3Key, privateKey: wechatpayKeys.privateKey, serial: publicKeyId, timestamp: now, ...keys },
  );

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isPaymentError(error, 'WebhookVerificationError') || isPaymentError(error, 'RawBodyRequiredError'))
      return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('AEAD_AES_256_GCM resources', () => {
  it('decrypts what it encrypted, with the nonce and associated data', () => {
    const ciphertext = encryptWechatPayResource('{"a":1}', apiV3Key, 'fdasflkja484', 'transaction');
    const resource = {
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext,
      nonce: 'fdasflkja484',
      associated_data: 'transaction',
    };
    expect(decryptWechatPayResource(resource, apiV3Key)).toBe('{"a":1}');
  });

  it('refuses another key, another associated data, a changed byte or another algorithm', () => {
    const ciphertext = encryptWechatPayResource('{"a":1}', apiV3Key, 'fdasflkja484', 'transaction');
    const resource = {
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext,
      nonce: 'fdasflkja484',
      associated_data: 'transaction',
    };
    expect(decryptWechatPayResource(resource, 'X'.repeat(32))).toBeNull();
    expect(decryptWechatPayResource({ ...resource, associated_data: 'refund' }, apiV3Key)).toBeNull();
    const bytes = Buffer.from(ciphertext, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    expect(decryptWechatPayResource({ ...resource, ciphertext: bytes.toString('base64') }, apiV3Key)).toBeNull();
    expect(decryptWechatPayResource({ ...resource, algorithm: 'AES_256_CBC' }, apiV3Key)).toBeNull();
  });
});

describe('createWechatPayNotifyVerifier', () => {
  it('verifies, decrypts and normalises a payment notification', async () => {
    const { rawBody, headers } = signed();
    const event = await verifier()({ rawBody, headers, receivedAt: now });
    expect(event).toMatchObject({
      provider: 'wechatpay',
      eventId: 'EV-1',
      type: 'payment.succeeded',
      providerEventType: 'TRANSACTION.SUCCESS',
      attemptId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      orderId: 'order-42',
      providerReference: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      amount: 1999,
      currency: 'CNY',
      livemode: false,
      refunds: [],
    });
    expect(event.occurredAt.toISOString()).toBe('2026-12-01T09:59:30.000Z');
    expect((event.raw as { transaction_id: string }).transaction_id).toBe('4200000000202612011234567890');
  });

  it('normalises a refund notification with its one refund', async () => {
    const { rawBody, headers } = signed({
      eventType: 'REFUND.SUCCESS',
      resource: {
        mchid: mchId,
        out_trade_no: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
        transaction_id: '4200000000202612011234567890',
        out_refund_no: 'rf0001',
        refund_id: '50300000000000000000000000001',
        refund_status: 'SUCCESS',
        success_time: '2026-12-01T18:00:00+08:00',
        amount: { total: 1999, refund: 500, payer_total: 1999, payer_refund: 500 },
      },
    });
    const event = await verifier()({ rawBody, headers, receivedAt: now });
    expect(event).toMatchObject({
      type: 'refund.succeeded',
      amount: 500,
      attemptId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    });
    expect(event.refunds).toEqual([
      {
        providerRefundId: '50300000000000000000000000001',
        refundId: 'rf0001',
        amount: 500,
        currency: 'CNY',
        status: 'succeeded',
        reason: null,
      },
    ]);
  });

  it.each([
    ['REFUND.ABNORMAL', 'ABNORMAL', 'refund.failed', 'failed'],
    ['REFUND.CLOSED', 'CLOSED', 'refund.failed', 'failed'],
  ])('reads %s as %s', async (eventType, refundStatus, type, status) => {
    const { rawBody, headers } = signed({
      eventType,
      resource: {
        mchid: mchId,
        out_trade_no: 'a1b2c3d4e5f6',
        out_refund_no: 'rf0002',
        refund_id: '5030002',
        refund_status: refundStatus,
        amount: { total: 100, refund: 100 },
      },
    });
    const event = await verifier()({ rawBody, headers, receivedAt: now });
    expect(event.type).toBe(type);
    expect(event.refunds[0]?.status).toBe(status);
  });

  it('calls an unknown event type unsupported, not an error', async () => {
    const { rawBody, headers } = signed({ eventType: 'TRANSACTION.SOMETHING_NEW' });
    expect((await verifier()({ rawBody, headers, receivedAt: now })).type).toBe('unsupported');
  });

  it('accepts a notification signed under a platform certificate serial', async () => {
    const cert = fixture('platform-cert.pem');
    const { rawBody, headers } = signed(
      {},
      { privateKey: fixture('platform-key.pem'), serial: '5157F09EFDC096DE15EBE78A47057A0A2AA7A3B4' },
    );
    const verify = verifier({
      wechatpayPublicKey: undefined,
      wechatpayPublicKeyId: undefined,
      platformCertificate: cert,
    });
    expect((await verify({ rawBody, headers, receivedAt: now })).type).toBe('payment.succeeded');
    // Both configured during the migration: each serial finds its own key.
    const both = verifier({ platformCertificate: cert });
    expect((await both({ rawBody, headers, receivedAt: now })).type).toBe('payment.succeeded');
    const byKey = signed();
    expect((await both({ rawBody: byKey.rawBody, headers: byKey.headers, receivedAt: now })).type).toBe(
      'payment.succeeded',
    );
  });

  it('refuses an unknown serial, even when the signature is right for another key', async () => {
    const { rawBody, headers } = signed({}, { serial: 'PUB_KEY_ID_0000000000000000000000000000' });
    expect(await refusal(verifier()({ rawBody, headers, receivedAt: now }))).toBe('WECHATPAY_SERIAL_UNKNOWN');
  });

  it('refuses a timestamp more than five minutes away either side', async () => {
    const { rawBody, headers } = signed();
    const verify = verifier();
    await expect(verify({ rawBody, headers, receivedAt: new Date(now.getTime() + 299_000) })).resolves.toBeTruthy();
    for (const skew of [301_000, -301_000]) {
      expect(await refusal(verify({ rawBody, headers, receivedAt: new Date(now.getTime() + skew) }))).toBe(
        'WECHATPAY_TIMESTAMP_OUT_OF_TOLERANCE',
      );
    }
  });

  it('refuses a replay whose timestamp was changed to pass the window (the signature covers it)', async () => {
    const { rawBody, headers } = signed();
    const later = { ...headers, 'Wechatpay-Timestamp': String(Number(headers['Wechatpay-Timestamp']) + 600) };
    expect(await refusal(verifier()({ rawBody, headers: later, receivedAt: new Date(now.getTime() + 600_000) }))).toBe(
      'WECHATPAY_SIGNATURE_INVALID',
    );
  });

  it("refuses WeChat Pay's signature probe and a signature by another key", async () => {
    const { rawBody, headers } = signed();
    const probe = { ...headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${headers['Wechatpay-Signature']}` };
    expect(await refusal(verifier()({ rawBody, headers: probe, receivedAt: now }))).toBe('WECHATPAY_SIGNATURE_INVALID');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = signed({}, { privateKey: other });
    expect(await refusal(verifier()({ rawBody: forged.rawBody, headers: forged.headers, receivedAt: now }))).toBe(
      'WECHATPAY_SIGNATURE_INVALID',
    );
  });

  it('refuses a missing header, another signature type and a parsed body', async () => {
    const { rawBody, headers } = signed();
    const { ['Wechatpay-Nonce']: _nonce, ...noNonce } = headers;
    expect(await refusal(verifier()({ rawBody, headers: noNonce, receivedAt: now }))).toBe(
      'WECHATPAY_SIGNATURE_MISSING',
    );
    const hmac = { ...headers, 'Wechatpay-Signature-Type': 'WECHATPAY2-HMAC-SHA256' };
    expect(await refusal(verifier()({ rawBody, headers: hmac, receivedAt: now }))).toBe(
      'WECHATPAY_SIGNATURE_TYPE_UNSUPPORTED',
    );
    expect(await refusal(verifier()({ rawBody: JSON.parse(rawBody), headers, receivedAt: now }))).toBe(
      'RAW_BODY_REQUIRED',
    );
  });

  it('refuses a resource that does not decrypt with our APIv3 key', async () => {
    const { rawBody, headers } = signed({}, { apiV3Key: 'Z'.repeat(32) });
    expect(await refusal(verifier()({ rawBody, headers, receivedAt: now }))).toBe('WECHATPAY_DECRYPTION_FAILED');
  });

  it('refuses a signed notification for another merchant or another app', async () => {
    const other = signed({ resource: transaction({ mchid: '1900000999' }) });
    expect(await refusal(verifier()({ rawBody: other.rawBody, headers: other.headers, receivedAt: now }))).toBe(
      'WECHATPAY_MCHID_MISMATCH',
    );
    const app = signed({ resource: transaction({ appid: 'wx9999999999999999' }) });
    expect(await refusal(verifier()({ rawBody: app.rawBody, headers: app.headers, receivedAt: now }))).toBe(
      'WECHATPAY_APPID_MISMATCH',
    );
    // Another configured app (a mini program for wx_lite) is ours.
    const verify = verifier({ appId: [appId, 'wx9999999999999999'] });
    expect((await verify({ rawBody: app.rawBody, headers: app.headers, receivedAt: now })).type).toBe(
      'payment.succeeded',
    );
  });

  it('refuses a signed body that is not a notification', async () => {
    const key = createPrivateKey(wechatpayKeys.privateKey);
    const rawBody = '{"hello":"world"}';
    const ts = String(now.getTime() / 1000);
    const signature = sign('RSA-SHA256', Buffer.from(`${ts}\nN\n${rawBody}\n`), key).toString('base64');
    const headers = {
      'Wechatpay-Signature': signature,
      'Wechatpay-Timestamp': ts,
      'Wechatpay-Nonce': 'N',
      'Wechatpay-Serial': publicKeyId,
    };
    expect(await refusal(verifier()({ rawBody, headers, receivedAt: now }))).toBe('WECHATPAY_NOTIFICATION_MALFORMED');
  });

  it('refuses to be built without a verification key, or with a public key but no id', () => {
    expect(() => createWechatPayNotifyVerifier({ mchId, appId, apiV3Key })).toThrow(/verification key is required/);
    expect(() =>
      createWechatPayNotifyVerifier({ mchId, appId, apiV3Key, wechatpayPublicKey: wechatpayKeys.publicKey }),
    ).toThrow(/wechatpayPublicKeyId is required/);
  });
});
