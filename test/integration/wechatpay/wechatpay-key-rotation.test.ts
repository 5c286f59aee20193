/**
 * A merchant in the middle of a WeChat Pay key rotation: two platform certificates at once (different serials),
 * or the public key beside a platform certificate. Whatever key WeChat Pay signs with, answers and notifications
 * verify through the key `Wechatpay-Serial` names; a serial no configured key carries is refused with a typed
 * error naming it, never verified against another key.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPaymentError, type PaymentError } from '../../../src/core/errors.js';
import type { PaymentRequest } from '../../../src/core/types.js';
import { startWechatPayEmulator, type WechatPayEmulator } from '../../../src/testing/wechatpay-testing.js';
import { createWechatPayNotifyVerifier, createWechatPayProvider } from '../../../src/wechatpay/index.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../unit/wechatpay/fixtures/${name}`, import.meta.url), 'utf8');
const certA = fixture('platform-cert.pem');
const certB = fixture('platform-cert-2.pem');
const serialA = new X509Certificate(certA).serialNumber.toUpperCase();
const serialB = new X509Certificate(certB).serialNumber.toUpperCase();

let emulator: WechatPayEmulator;
let dir: string;
let seq = 0;

beforeAll(async () => {
  emulator = await startWechatPayEmulator({
    signers: [
      { certificate: certA, privateKey: fixture('platform-key.pem') },
      { certificate: certB, privateKey: fixture('platform-key-2.pem') },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'wechatpay-rotation-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emulator.controls.reset());

const request = (): PaymentRequest => {
  seq += 1;
  return {
    orderId: `order-${seq}`,
    attemptId: `${Date.now().toString(16)}rot${String(seq).padStart(6, '0')}`.padEnd(32, '0'),
    amount: 1999,
    currency: 'CNY',
    channel: 'wx_pub_qr',
    subject: '课程',
  };
};

async function rejection(promise: Promise<unknown>): Promise<PaymentError> {
  try {
    await promise;
  } catch (error) {
    if (isPaymentError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** The emulator's options without its public key: a merchant still on platform certificates. */
function certificatesOnly() {
  const {
    wechatpayPublicKey: _key,
    wechatpayPublicKeyId: _id,
    platformCertificate: _certs,
    ...rest
  } = emulator.providerOptions;
  return rest;
}

describe('WeChat Pay with several verification keys at once', () => {
  it('lists every serial it signs under and hands out both certificates', () => {
    expect(serialA).not.toBe(serialB);
    expect(emulator.serials).toEqual([emulator.publicKeyId, serialA, serialB]);
    expect(emulator.providerOptions.platformCertificate).toEqual([certA, certB]);
  });

  it('verifies answers and notifications signed by the public key or either certificate', async () => {
    const wechatpay = createWechatPayProvider({ ...emulator.providerOptions, timeoutMs: 5_000 });
    for (const serial of [emulator.publicKeyId, serialA, serialB]) {
      emulator.controls.signWith(serial);
      const req = request();
      const created = await wechatpay.createPayment(req);
      expect(created.status).toBe('requires_action');
      emulator.controls.pay(req.attemptId);
      const snapshot = await wechatpay.retrievePayment({ providerReference: req.attemptId });
      expect(snapshot.status).toBe('succeeded');
      const notification = emulator.controls.notificationFor(req.attemptId);
      expect(notification.headers['Wechatpay-Serial']).toBe(serial);
      const event = await wechatpay.verifyWebhook({ rawBody: notification.rawBody, headers: notification.headers });
      expect(event).toMatchObject({ type: 'payment.succeeded', attemptId: req.attemptId, amount: 1999 });
    }
  });

  it('takes the two certificates as two files (WECHATPAY_PLATFORM_CERT_PATH=a.pem,b.pem)', async () => {
    writeFileSync(join(dir, `wechatpay_${serialA}.pem`), certA);
    writeFileSync(join(dir, `wechatpay_${serialB}.pem`), certB);
    const wechatpay = createWechatPayProvider({
      ...certificatesOnly(),
      platformCertificatePath: [join(dir, `wechatpay_${serialA}.pem`), join(dir, `wechatpay_${serialB}.pem`)],
    });
    for (const serial of [serialA, serialB]) {
      emulator.controls.signWith(serial);
      const req = request();
      await wechatpay.createPayment(req);
      emulator.controls.pay(req.attemptId);
      const { rawBody, headers } = emulator.controls.notificationFor(req.attemptId);
      expect((await wechatpay.verifyWebhook({ rawBody, headers })).type).toBe('payment.succeeded');
    }
  });

  it('takes the two certificates as one PEM text holding both, in the standalone verifier too', async () => {
    const req = request();
    await createWechatPayProvider(emulator.providerOptions).createPayment(req);
    emulator.controls.pay(req.attemptId);
    const verify = createWechatPayNotifyVerifier({
      mchId: emulator.mchId,
      appId: emulator.appId,
      apiV3Key: emulator.apiV3Key,
      platformCertificate: `${certA}\n${certB}`,
      livemode: false,
    });
    for (const serial of [serialA, serialB]) {
      const { rawBody, headers } = emulator.controls.notificationFor(req.attemptId, { serial });
      expect((await verify({ rawBody, headers })).attemptId).toBe(req.attemptId);
    }
    expect(
      await rejection(verify(emulator.controls.notificationFor(req.attemptId, { serial: emulator.publicKeyId }))),
    ).toMatchObject({ name: 'WebhookVerificationError', code: 'WECHATPAY_SERIAL_UNKNOWN' });
  });

  it('refuses what the new certificate signs until it is configured, naming the serial, then accepts it', async () => {
    const before = createWechatPayProvider({ ...certificatesOnly(), platformCertificate: certA });
    emulator.controls.signWith(serialA);
    const req = request();
    await before.createPayment(req);
    emulator.controls.pay(req.attemptId);
    emulator.controls.signWith(serialB); // WeChat Pay switched to its new certificate.

    const read = await rejection(before.retrievePayment({ providerReference: req.attemptId }));
    expect(read).toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'WECHATPAY_RESPONSE_SERIAL_UNKNOWN',
      details: { serial: serialB, knownSerials: [serialA] },
    });
    expect(read.message).toContain(serialB);
    expect(read.message).toContain('WECHATPAY_PLATFORM_CERT');
    const write = await rejection(before.createPayment(request()));
    expect(write).toMatchObject({ name: 'IndeterminateOutcomeError', code: 'WECHATPAY_RESPONSE_SERIAL_UNKNOWN' });

    const { rawBody, headers } = emulator.controls.notificationFor(req.attemptId);
    const refused = await rejection(before.verifyWebhook({ rawBody, headers }));
    expect(refused).toMatchObject({
      name: 'WebhookVerificationError',
      code: 'WECHATPAY_SERIAL_UNKNOWN',
      details: { serial: serialB, knownSerials: [serialA] },
    });
    expect(refused.message).toContain(serialB);
    expect(refused.message).not.toMatch(/BEGIN|PRIVATE/);

    // The merchant adds the new certificate beside the old one; the redelivered notification now verifies.
    const after = createWechatPayProvider({ ...certificatesOnly(), platformCertificate: [certA, certB] });
    expect((await after.verifyWebhook({ rawBody, headers })).type).toBe('payment.succeeded');
    expect((await after.retrievePayment({ providerReference: req.attemptId })).status).toBe('succeeded');
  });

  it('never verifies a serial against another key, even with a signature that key made', async () => {
    const wechatpay = createWechatPayProvider(emulator.providerOptions);
    const req = request();
    await wechatpay.createPayment(req);
    emulator.controls.pay(req.attemptId);
    // Signed by certificate A, labelled as certificate B.
    const signed = emulator.controls.notificationFor(req.attemptId, { serial: serialA });
    const relabelled = { ...signed.headers, 'Wechatpay-Serial': serialB };
    expect(await rejection(wechatpay.verifyWebhook({ rawBody: signed.rawBody, headers: relabelled }))).toMatchObject({
      code: 'WECHATPAY_SIGNATURE_INVALID',
    });
  });

  it('refuses a certificate list that gives one serial two keys, and takes a file listed twice', () => {
    const reused = fixture('platform-cert-reused-serial.pem');
    expect(new X509Certificate(reused).serialNumber.toUpperCase()).toBe(serialA);
    let error: unknown;
    try {
      createWechatPayProvider({ ...certificatesOnly(), platformCertificate: [certA, reused] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'WECHATPAY_INVALID_KEY' });
    expect((error as Error).message).toContain(serialA);
    expect(() => createWechatPayProvider({ ...certificatesOnly(), platformCertificate: [certA, certA] })).not.toThrow();
  });

  it('refuses to sign under a serial the emulator holds no key for', () => {
    expect(() => emulator.controls.signWith('5157F09E00000000')).toThrow(/no key for serial/);
  });
});
