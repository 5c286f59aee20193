/**
 * `payment-factory worker` builds every provider the environment configures for its reconcile sweep: Stripe
 * and Ping++, and the native Alipay and WeChat Pay adapters from their original key names. Each built adapter
 * is checked by talking to its emulator, so a wrongly wired key (serial, merchant id, gateway) fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providersFromEnv } from '../../../src/cli/worker.js';
import { startAlipayEmulator, type AlipayEmulator } from '../../../src/testing/alipay-testing.js';
import { startWechatPayEmulator, type WechatPayEmulator } from '../../../src/testing/wechatpay-testing.js';

let alipay: AlipayEmulator;
let wechatpay: WechatPayEmulator;

beforeAll(async () => {
  [alipay, wechatpay] = await Promise.all([startAlipayEmulator(), startWechatPayEmulator()]);
});
afterAll(async () => {
  await Promise.all([alipay?.close(), wechatpay?.close()]);
});

const nativeEnv = (): NodeJS.ProcessEnv => ({
  PAYMENT_CHANNELS_ENABLED: 'alipay,wechatpay',
  ALIPAY_APP_ID: alipay.appId,
  ALIPAY_APP_PRIVATE_KEY: alipay.providerOptions.privateKey,
  ALIPAY_PUBLIC_KEY: alipay.providerOptions.alipayPublicKey,
  ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
  ALIPAY_WEBHOOK_URL: 'https://shop.example/webhooks/alipay',
  WECHATPAY_APP_ID: wechatpay.appId,
  WECHATPAY_MCH_ID: wechatpay.mchId,
  WECHATPAY_BASE_URL: wechatpay.url,
  WECHATPAY_WEBHOOK_URL: 'https://shop.example/webhooks/wechatpay',
  WECHATPAY_API_V3_KEY: wechatpay.apiV3Key,
  WECHATPAY_MERCHANT_SERIAL_NO: wechatpay.merchantSerialNo,
  WECHATPAY_PRIVATE_KEY: wechatpay.providerOptions.privateKey,
  WECHATPAY_PUBLIC_KEY: wechatpay.providerOptions.wechatpayPublicKey,
  WECHATPAY_PUBLIC_KEY_ID: wechatpay.publicKeyId,
});

describe('worker providersFromEnv', () => {
  it('builds nothing when no provider is configured', async () => {
    expect(await providersFromEnv({})).toEqual([]);
  });

  it('builds native Alipay and WeChat Pay from their configuration keys, able to query their gateways', async () => {
    const providers = await providersFromEnv(nativeEnv());
    expect(providers.map((p) => [p.name, p.kind])).toEqual([
      ['alipay', 'alipay'],
      ['wechatpay', 'wechatpay'],
    ]);
    const [ali, wx] = providers;
    const base = { orderId: 'order-worker', amount: 1999, currency: 'CNY', subject: 'course' };
    const aliAttempt = `w${Date.now().toString(16)}`.padEnd(32, 'a');
    await ali!.createPayment({ ...base, attemptId: aliAttempt, channel: 'alipay_qr' });
    alipay.controls.pay(aliAttempt);
    expect(
      (await ali!.retrievePayment({ providerReference: aliAttempt, attemptId: aliAttempt, channel: 'alipay_qr' }))
        .status,
    ).toBe('succeeded');

    const wxAttempt = `w${Date.now().toString(16)}`.padEnd(32, 'b');
    await wx!.createPayment({ ...base, attemptId: wxAttempt, channel: 'wx_pub_qr' });
    wechatpay.controls.pay(wxAttempt);
    const snapshot = await wx!.retrievePayment({ providerReference: wxAttempt, attemptId: wxAttempt });
    expect(snapshot).toMatchObject({ status: 'succeeded', amount: 1999, currency: 'CNY' });
    // The requests were signed with the configured merchant key and serial.
    expect(wechatpay.requests.every((r) => r.signature === 'valid')).toBe(true);
  });

  it('builds a configured provider even when PAYMENT_CHANNELS_ENABLED leaves it out (its attempts still reconcile)', async () => {
    const providers = await providersFromEnv({ ...nativeEnv(), PAYMENT_CHANNELS_ENABLED: 'wechatpay' });
    expect(providers.map((p) => p.kind)).toEqual(['alipay', 'wechatpay']);
  });
});
