import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/core/errors.js';
import { createPingxxProvider, type PingxxProviderOptions } from '../../../src/pingxx/index.js';
import { loadPingxxPrivateKey, loadPingxxPublicKey } from '../../../src/pingxx/pingxx-keys.js';
import { generatePingxxTestKeyPair } from '../../../src/testing/pingxx-signer.js';
import { thrown } from './fixtures.js';

const merchant = generatePingxxTestKeyPair('unit-merchant');
const pingxx = generatePingxxTestKeyPair('unit-pingxx');
const pkcs1 = createPrivateKey(merchant.privateKey).export({ type: 'pkcs1', format: 'pem' }) as string;
const dir = mkdtempSync(join(tmpdir(), 'pingxx-keys-'));
const privatePath = join(dir, 'private.pem');
const publicPath = join(dir, 'public.pem');
writeFileSync(privatePath, merchant.privateKey);
writeFileSync(publicPath, pingxx.publicKey);

const BASE: PingxxProviderOptions = {
  secretKey: 'sk_test_ibbTe5jLGCi5rzfH4OqPW9KC',
  appId: 'app_1Gqj58ynP0mHeX1q',
  privateKey: merchant.privateKey,
  webhookPublicKey: pingxx.publicKey,
};

const configurationError = (fn: () => unknown): ConfigurationError => thrown(fn, ConfigurationError);

describe('Ping++ keys', () => {
  it.each([
    ['a PKCS#8 PEM', { pem: merchant.privateKey }],
    ['a PKCS#1 PEM', { pem: pkcs1 }],
    ['a PEM with literal \\n sequences (as pasted into .env)', { pem: pkcs1.replace(/\n/g, '\\n') }],
    ['a path', { path: privatePath }],
  ])('loads the merchant private key from %s', (_why, source) => {
    expect((loadPingxxPrivateKey(source, 'pingxx') as KeyObject | null)?.asymmetricKeyType).toBe('rsa');
  });

  it('loads the Ping++ public key from a PEM or a path, as SPKI DER for Web Crypto', () => {
    const spki = createPublicKey(pingxx.publicKey).export({ type: 'spki', format: 'der' });
    const pkcs1Public = createPublicKey(pingxx.publicKey).export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(Buffer.from(loadPingxxPublicKey({ pem: pingxx.publicKey }, 'pingxx')!.spki).equals(spki)).toBe(true);
    expect(Buffer.from(loadPingxxPublicKey({ path: publicPath }, 'pingxx')!.spki).equals(spki)).toBe(true);
    // PKCS#1 wrapped by hand into the very SPKI node:crypto produces.
    const wrapped = loadPingxxPublicKey({ pem: pkcs1Public }, 'pingxx');
    expect(wrapped?.format).toBe('pkcs1');
    expect(Buffer.from(wrapped!.spki).equals(spki)).toBe(true);
  });

  it('returns null when no key is configured', () => {
    expect(loadPingxxPrivateKey({}, 'pingxx')).toBeNull();
    expect(loadPingxxPublicKey({}, 'pingxx')).toBeNull();
  });

  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const encrypted = createPrivateKey(merchant.privateKey).export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: 'pw',
  });
  it.each([
    ['both a PEM and a path', { pem: merchant.privateKey, path: privatePath }],
    ['an unreadable path', { path: join(dir, 'missing.pem') }],
    ['a malformed PEM', { pem: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' }],
    ['an encrypted key', { pem: encrypted as string }],
    ['an EC key', { pem: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }],
    ['an empty string', { pem: '' }],
  ])('refuses %s as the private key with a ConfigurationError', (_why, source) => {
    const error = configurationError(() => loadPingxxPrivateKey(source, 'pingxx'));
    expect(error.code).toBe('PINGXX_INVALID_KEY');
    expect(error.message).not.toContain('BEGIN');
  });

  it.each([
    ['a private key', { pem: pingxx.privateKey }],
    ['a malformed PEM', { pem: '-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----' }],
    ['an unreadable path', { path: join(dir, 'nope.pem') }],
    ['an EC public key', { pem: ec.publicKey.export({ type: 'spki', format: 'pem' }) as string }],
    ['a truncated key', { pem: pingxx.publicKey.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n') }],
    ['a certificate', { pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }],
  ])('refuses %s as the webhook public key', (_why, source) => {
    const error = configurationError(() => loadPingxxPublicKey(source, 'pingxx'));
    expect(error.code).toBe('PINGXX_INVALID_KEY');
    expect(error.message).not.toMatch(/MII[A-Za-z0-9+/]{8}/);
  });
});

describe('createPingxxProvider configuration', () => {
  it('builds a provider with its capabilities', () => {
    const provider = createPingxxProvider(BASE);
    expect(provider.name).toBe('pingxx');
    expect(provider.kind).toBe('pingxx');
    expect(provider.livemode).toBe(false);
    expect(provider.capabilities).toEqual({
      kind: 'pingxx',
      channels: [
        'alipay',
        'alipay_wap',
        'alipay_pc_direct',
        'alipay_qr',
        'wx',
        'wx_pub',
        'wx_pub_qr',
        'wx_lite',
        'wx_wap',
        'upacp',
        'upacp_wap',
        'upacp_pc',
      ],
      defaultChannel: null,
      currencies: ['CNY'],
      refunds: { supported: true, partial: true, multiple: true },
      retrieve: true,
      webhookEvents: ['payment.succeeded', 'refund.succeeded', 'unsupported'],
    });
  });

  it('takes a name, a channel subset, and live mode from the key prefix', () => {
    const provider = createPingxxProvider({
      ...BASE,
      name: 'pingxx-cn',
      secretKey: 'sk_live_abcdefghijklmnopqrstuvwx',
      channels: ['wx_pub_qr', 'alipay_qr'],
    });
    expect(provider.name).toBe('pingxx-cn');
    expect(provider.livemode).toBe(true);
    expect(provider.capabilities.channels).toEqual(['wx_pub_qr', 'alipay_qr']);
  });

  it('accepts the key paths of PINGXX_PRIVATE_KEY_PATH and PINGXX_WEBHOOK_PUBLIC_KEY_PATH', () => {
    const { privateKey: _p, webhookPublicKey: _w, ...rest } = BASE;
    expect(createPingxxProvider({ ...rest, privateKeyPath: privatePath, webhookPublicKeyPath: publicPath }).name).toBe(
      'pingxx',
    );
  });

  it('fails at construction, not at the first payment, without a webhook key', () => {
    const { webhookPublicKey: _w, ...rest } = BASE;
    const error = configurationError(() => createPingxxProvider(rest));
    expect(error.code).toBe('PINGXX_WEBHOOK_KEY_MISSING');
    expect(error.message).toContain('企业设置 → 开发参数 → Ping++ 公钥');
    expect(error.message).toContain('PAYMENT_CHANNELS_ENABLED=stripe');
    expect(createPingxxProvider({ ...rest, unsafeSkipWebhookVerification: true }).name).toBe('pingxx');
  });

  it('fails at construction with a malformed private key', () => {
    expect(configurationError(() => createPingxxProvider({ ...BASE, privateKey: 'garbage' })).code).toBe(
      'PINGXX_INVALID_KEY',
    );
  });

  it('reports every invalid option at once, without echoing the secret key', () => {
    const error = configurationError(() =>
      createPingxxProvider({
        ...BASE,
        secretKey: 'oops secret value',
        appId: 'myapp',
        timeoutMs: 0,
        channels: ['wx_pub', 'paypal' as 'wx_pub'],
        clientIpFallback: '::1',
        port: 70_000,
      }),
    );
    expect(error.issues).toHaveLength(6);
    expect(error.message).not.toContain('oops secret value');
  });
});
