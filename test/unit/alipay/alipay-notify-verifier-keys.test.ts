/**
 * The standalone notify verifier reads the Alipay public key through the same parser as the provider: PEM or the
 * console's bare base64 (SPKI or PKCS#1), and a typed `ConfigurationError` — never a bare `TypeError`, never the
 * key — for what is not an RSA public key.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAlipayNotifyVerifier } from '../../../src/alipay/index.js';
import { generateAlipayTestKeyPair, signAlipayNotify } from '../../../src/testing/alipay-testing.js';

const keys = generateAlipayTestKeyPair('notify-verifier-keys');
const APP_ID = '2021000000000043';
const paid = signAlipayNotify(
  {
    notify_time: '2026-12-01 22:10:00',
    notify_type: 'trade_status_sync',
    notify_id: 'n-keys-1',
    app_id: APP_ID,
    trade_no: '2026120122001100000000009',
    out_trade_no: 'attempt_keys',
    trade_status: 'TRADE_SUCCESS',
    total_amount: '1.00',
    gmt_payment: '2026-12-01 22:00:00',
  },
  keys.privateKey,
);
const bare = (der: Buffer) => der.toString('base64').replace(/(.{64})/g, '$1\n');

function constructionError(alipayPublicKey: string): unknown {
  try {
    createAlipayNotifyVerifier({ appId: APP_ID, alipayPublicKey });
  } catch (error) {
    return error;
  }
  throw new Error('expected the verifier to refuse the key');
}

describe('createAlipayNotifyVerifier key text', () => {
  it('verifies with the key as PEM, bare base64 SPKI and bare base64 PKCS#1', async () => {
    const key = createPublicKey(keys.publicKey);
    for (const text of [
      keys.publicKey,
      bare(key.export({ format: 'der', type: 'spki' })),
      bare(key.export({ format: 'der', type: 'pkcs1' })),
    ]) {
      const verify = createAlipayNotifyVerifier({ appId: APP_ID, alipayPublicKey: text, livemode: false });
      expect((await verify({ rawBody: paid.rawBody, headers: paid.headers })).type).toBe('payment.succeeded');
    }
  });

  it('refuses a malformed, a private and a non-RSA key with ALIPAY_INVALID_KEY, without the key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' });
    for (const text of ['not a key', keys.privateKey, ec.toString()]) {
      const error = constructionError(text);
      expect(error).toMatchObject({ name: 'ConfigurationError', code: 'ALIPAY_INVALID_KEY' });
      expect((error as Error).message).not.toContain('MII');
    }
  });
});
