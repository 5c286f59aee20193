import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PaymentRequest } from '../../../src/core/types.js';
import { runProviderConformance, type ProviderConformanceOptions } from '../../../src/testing/provider-conformance.js';
import { startWechatPayEmulator, type WechatPayEmulator } from '../../../src/testing/wechatpay-testing.js';
import { createWechatPayProvider } from '../../../src/wechatpay/index.js';

/** Runs the published provider conformance suite against the adapter and the WeChat Pay emulator. */
function conformance(
  name: string,
  request: Omit<PaymentRequest, 'orderId' | 'attemptId'>,
  invalidRequests?: ProviderConformanceOptions['invalidRequests'],
): void {
  let emulator: WechatPayEmulator;
  runProviderConformance({
    name,
    runner: { describe, it, beforeAll, afterAll },
    setup: async () => {
      emulator = await startWechatPayEmulator();
      const provider = createWechatPayProvider({ ...emulator.providerOptions, timeoutMs: 5_000 });
      return { provider, teardown: () => emulator.close() };
    },
    paymentRequest: ({ orderId, attemptId }) => ({ ...request, orderId, attemptId }),
    pay: async (result) => {
      emulator.controls.pay(result.providerReference);
    },
    signedWebhook: async (result) => {
      const { rawBody, headers } = emulator.controls.notificationFor(result.providerReference);
      return { rawBody, headers };
    },
    requestCount: () => emulator.requestCount,
    // WeChat Pay's order query says REFUND, not how much: refunds settle through answers and notifications.
    snapshotReportsRefunds: false,
    ...(invalidRequests ? { invalidRequests } : {}),
  });
}

conformance(
  'wechatpay (wx_pub_qr, against the WeChat Pay emulator)',
  { amount: 1999, currency: 'CNY', channel: 'wx_pub_qr', subject: 'Conformance 微信支付' },
  (base) => [
    { why: 'a currency other than CNY', request: { ...base, currency: 'USD' } },
    { why: 'a zero amount', request: { ...base, amount: 0 } },
    { why: 'wx_pub without extra.openId', request: { ...base, channel: 'wx_pub' } },
    { why: 'wx_lite with a malformed openId', request: { ...base, channel: 'wx_lite', extra: { openId: 'a b' } } },
    { why: 'wx_wap without clientIp', request: { ...base, channel: 'wx_wap' } },
    { why: 'a clientIp that is not an IP', request: { ...base, clientIp: 'localhost' } },
    { why: 'an attempt id with punctuation', request: { ...base, attemptId: 'not-alnum!' } },
    { why: 'an attempt id longer than 32', request: { ...base, attemptId: 'a'.repeat(33) } },
    { why: 'a subject that is only emoji', request: { ...base, subject: '🎉🎉' } },
    { why: 'an expiry in the past', request: { ...base, expiresAt: new Date(Date.now() - 60_000) } },
    {
      why: 'an H5 result URL on an origin not allowed',
      request: { ...base, channel: 'wx_wap', clientIp: '203.0.113.7', extra: { resultUrl: 'https://evil.example/x' } },
    },
  ],
);

conformance('wechatpay (wx_pub, JSAPI)', {
  amount: 2,
  currency: 'cny',
  channel: 'wx_pub',
  subject: 'Conformance JSAPI',
  extra: { openId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
});

conformance('wechatpay (wx_wap, H5)', {
  amount: 501,
  currency: 'CNY',
  channel: 'wx_wap',
  subject: 'Conformance H5',
  clientIp: '203.0.113.7',
});

conformance('wechatpay (wx, App)', { amount: 300, currency: 'CNY', channel: 'wx', subject: 'Conformance App' });
