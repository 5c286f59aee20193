import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PaymentRequest } from '../../../src/core/types.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { runProviderConformance, type ProviderConformanceOptions } from '../../../src/testing/provider-conformance.js';
import { startPingxxEmulator, type PingxxEmulator } from '../../../src/testing/pingxx-testing.js';

/** Runs the published provider conformance suite against the adapter and its own emulator. */
function conformance(
  name: string,
  request: Omit<PaymentRequest, 'orderId' | 'attemptId'>,
  invalidRequests?: ProviderConformanceOptions['invalidRequests'],
): void {
  let emulator: PingxxEmulator;
  runProviderConformance({
    name,
    runner: { describe, it, beforeAll, afterAll },
    setup: async () => {
      emulator = await startPingxxEmulator();
      const provider = createPingxxProvider({ ...emulator.providerOptions, timeoutMs: 5_000 });
      return { provider, teardown: () => emulator.close() };
    },
    paymentRequest: ({ orderId, attemptId }) => ({ ...request, orderId, attemptId }),
    pay: async (result) => {
      emulator.controls.payCharge(result.providerReference);
    },
    signedWebhook: async (result) => {
      const { rawBody, headers } = emulator.controls.eventFor(result.providerReference, 'charge.succeeded');
      return { rawBody, headers };
    },
    requestCount: () => emulator.requestCount,
    ...(invalidRequests ? { invalidRequests } : {}),
  });
}

conformance(
  'pingxx (alipay_qr, against the Ping++ emulator)',
  { amount: 1999, currency: 'CNY', channel: 'alipay_qr', subject: 'Conformance', clientIp: '203.0.113.7' },
  (base) => [
    { why: 'a currency other than CNY', request: { ...base, currency: 'USD' } },
    { why: 'a zero amount', request: { ...base, amount: 0 } },
    { why: 'no client IP', request: { ...base, clientIp: '' } },
    { why: 'wx_pub without extra.openId', request: { ...base, channel: 'wx_pub' } },
    { why: 'wx_pub_qr without a product id', request: { ...base, channel: 'wx_pub_qr' } },
    { why: 'alipay_wap without extra.successUrl', request: { ...base, channel: 'alipay_wap' } },
    { why: 'upacp_pc without extra.resultUrl', request: { ...base, channel: 'upacp_pc' } },
    { why: 'an attempt id with punctuation', request: { ...base, attemptId: 'not-alnum!' } },
  ],
);

conformance('pingxx (wx_pub, JSAPI)', {
  amount: 2,
  currency: 'cny',
  channel: 'wx_pub',
  subject: 'Conformance 微信',
  clientIp: '203.0.113.7',
  extra: { openId: 'o7xEMsySBFG3MVHI-9VsAJX-j50W' },
});
