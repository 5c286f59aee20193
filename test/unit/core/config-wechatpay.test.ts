import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/index.js';
import { loadPaymentConfig, paymentConfigSchema } from '../../../src/config/index.js';
import { startWechatPayEmulator } from '../../../src/testing/index.js';
import { createWechatPayProvider } from '../../../src/wechatpay/index.js';

const apiV3Key = 'k3Y0123456789abcdefABCDEF012345x';
const env = {
  PAYMENT_CHANNELS_ENABLED: 'wechatpay,pingxx',
  WECHATPAY_APP_ID: 'wx8888888888888888',
  WECHATPAY_MCH_ID: '1900000109',
  WECHATPAY_API_V3_KEY: apiV3Key,
  WECHATPAY_MERCHANT_SERIAL_NO: '444F4864EA9B34415C5D2E1C1F0E0F6E3F1B2C3D',
  WECHATPAY_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANsecretpartofthekey\\n-----END PRIVATE KEY-----',
  WECHATPAY_PUBLIC_KEY_PATH: './keys/wechatpay_pub_key.pem',
  WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0114232134912410000000000000',
  WECHATPAY_WEBHOOK_URL: 'https://shop.example/webhooks/wechatpay',
};

function configError(values: Record<string, string>): ConfigurationError {
  try {
    loadPaymentConfig(values);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadPaymentConfig: WeChat Pay', () => {
  it('registers the WECHATPAY_* keys of DESIGN §8, the APIv3 key and private key as secrets', () => {
    for (const key of [
      'WECHATPAY_APP_ID',
      'WECHATPAY_MCH_ID',
      'WECHATPAY_BASE_URL',
      'WECHATPAY_WEBHOOK_URL',
      'WECHATPAY_API_V3_KEY',
      'WECHATPAY_MERCHANT_SERIAL_NO',
      'WECHATPAY_PRIVATE_KEY',
      'WECHATPAY_PRIVATE_KEY_PATH',
      'WECHATPAY_PUBLIC_KEY',
      'WECHATPAY_PUBLIC_KEY_PATH',
      'WECHATPAY_PUBLIC_KEY_ID',
      'WECHATPAY_PLATFORM_CERT',
      'WECHATPAY_PLATFORM_CERT_PATH',
    ] as const) {
      expect(paymentConfigSchema[key].group).toBe('wechatpay');
    }
    expect(paymentConfigSchema.WECHATPAY_API_V3_KEY.secret).toBe(true);
    expect(paymentConfigSchema.WECHATPAY_PRIVATE_KEY.secret).toBe(true);
    expect(paymentConfigSchema.WECHATPAY_PUBLIC_KEY.secret).toBe(false);
  });

  it('builds the options createWechatPayProvider takes, with the production host by default', () => {
    const config = loadPaymentConfig(env);
    expect({ ...config.wechatpay }).toEqual({
      appId: 'wx8888888888888888',
      mchId: '1900000109',
      apiV3Key,
      merchantSerialNo: '444F4864EA9B34415C5D2E1C1F0E0F6E3F1B2C3D',
      privateKey: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANsecretpartofthekey\n-----END PRIVATE KEY-----',
      wechatpayPublicKeyPath: './keys/wechatpay_pub_key.pem',
      wechatpayPublicKeyId: 'PUB_KEY_ID_0114232134912410000000000000',
      baseUrl: 'https://api.mch.weixin.qq.com',
      notifyUrl: 'https://shop.example/webhooks/wechatpay',
      allowedRedirectOrigins: [],
    });
    expect(config.enabledProviders).toEqual(['wechatpay']);
  });

  it('never shows the APIv3 key or the private key when the config is inspected or serialised', () => {
    const config = loadPaymentConfig(env);
    for (const shown of [inspect(config, { depth: 6 }), JSON.stringify(config), inspect(config.wechatpay)]) {
      expect(shown).not.toContain(apiV3Key);
      expect(shown).not.toContain('secretpartofthekey');
      expect(shown).toContain('1900000109');
    }
  });

  it('reports every missing WeChat Pay key at once, never echoing a secret', () => {
    const error = configError({ WECHATPAY_API_V3_KEY: 'too-short-secret-value', WECHATPAY_BASE_URL: 'nope' });
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.stringContaining('WECHATPAY_BASE_URL'),
        expect.stringContaining('WECHATPAY_API_V3_KEY must be the 32-character APIv3 key'),
        expect.stringContaining('WECHATPAY_APP_ID is required'),
        expect.stringContaining('WECHATPAY_MCH_ID is required'),
        expect.stringContaining('WECHATPAY_MERCHANT_SERIAL_NO is required'),
        expect.stringContaining('WECHATPAY_WEBHOOK_URL is required'),
        expect.stringContaining('WECHATPAY_PRIVATE_KEY or WECHATPAY_PRIVATE_KEY_PATH is required'),
        expect.stringContaining('unverified WeChat Pay notifications are never accepted'),
      ]),
    );
    expect(error.message).not.toContain('too-short-secret-value');
  });

  it('needs the public key id with the public key, and takes a platform certificate instead', () => {
    const { WECHATPAY_PUBLIC_KEY_ID: _id, ...withoutId } = env;
    expect(configError(withoutId).issues).toEqual([expect.stringContaining('WECHATPAY_PUBLIC_KEY_ID is required')]);
    const { WECHATPAY_PUBLIC_KEY_PATH: _p, WECHATPAY_PUBLIC_KEY_ID: _i, ...bare } = env;
    const config = loadPaymentConfig({ ...bare, WECHATPAY_PLATFORM_CERT_PATH: './keys/wechatpay_platform_cert.pem' });
    expect(config.wechatpay?.platformCertificatePath).toBe('./keys/wechatpay_platform_cert.pem');
    expect(configError({ ...env, WECHATPAY_PRIVATE_KEY_PATH: './k.pem' }).issues).toEqual([
      'Set WECHATPAY_PRIVATE_KEY or WECHATPAY_PRIVATE_KEY_PATH, not both.',
    ]);
  });

  it('takes several platform certificate files, comma-separated, beside the public key (a rotation)', () => {
    const config = loadPaymentConfig({
      ...env,
      WECHATPAY_PLATFORM_CERT_PATH: './keys/wechatpay_5157F0.pem, ./keys/wechatpay_5B49E5.pem,',
    });
    expect(config.wechatpay?.platformCertificatePath).toEqual([
      './keys/wechatpay_5157F0.pem',
      './keys/wechatpay_5B49E5.pem',
    ]);
    expect(config.wechatpay?.wechatpayPublicKeyId).toBe(env.WECHATPAY_PUBLIC_KEY_ID);
    expect(configError({ ...env, WECHATPAY_PLATFORM_CERT_PATH: ' , ' }).issues).toEqual([
      'WECHATPAY_PLATFORM_CERT_PATH lists no file.',
    ]);
  });

  it('feeds a provider that talks to the emulator', async () => {
    const emulator = await startWechatPayEmulator();
    try {
      const o = emulator.providerOptions;
      const config = loadPaymentConfig({
        PAYMENT_CHANNELS_ENABLED: 'wechatpay',
        WECHATPAY_APP_ID: o.appId,
        WECHATPAY_MCH_ID: o.mchId,
        WECHATPAY_API_V3_KEY: o.apiV3Key,
        WECHATPAY_MERCHANT_SERIAL_NO: o.merchantSerialNo,
        WECHATPAY_PRIVATE_KEY: o.privateKey.replace(/\n/g, '\\n'),
        WECHATPAY_PUBLIC_KEY: o.wechatpayPublicKey,
        WECHATPAY_PUBLIC_KEY_ID: o.wechatpayPublicKeyId,
        WECHATPAY_BASE_URL: o.baseUrl,
        WECHATPAY_WEBHOOK_URL: 'https://shop.example/webhooks/wechatpay',
      });
      const provider = createWechatPayProvider(config.wechatpay!);
      const result = await provider.createPayment({
        orderId: 'o1',
        attemptId: 'cfg0000000000000000000000000001',
        amount: 100,
        currency: 'CNY',
        channel: 'wx_pub_qr',
        subject: 'config',
      });
      expect(result.nextAction.type).toBe('qr_code');
      expect(provider.livemode).toBe(false);
    } finally {
      await emulator.close();
    }
  });
});
