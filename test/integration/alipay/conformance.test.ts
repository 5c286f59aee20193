import { afterAll, beforeAll, describe, it } from 'vitest';
import { createAlipayProvider } from '../../../src/alipay/index.js';
import type { PaymentRequest } from '../../../src/core/types.js';
import { runProviderConformance, type ProviderConformanceOptions } from '../../../src/testing/provider-conformance.js';
import { startAlipayEmulator, type AlipayEmulator } from '../../../src/testing/alipay-testing.js';

/** Runs the published provider conformance suite against the adapter and the Alipay emulator. */
function conformance(
  name: string,
  request: Omit<PaymentRequest, 'orderId' | 'attemptId'>,
  invalidRequests?: ProviderConformanceOptions['invalidRequests'],
): void {
  let emulator: AlipayEmulator;
  runProviderConformance({
    name,
    runner: { describe, it, beforeAll, afterAll },
    setup: async () => {
      emulator = await startAlipayEmulator();
      const provider = createAlipayProvider({
        ...emulator.providerOptions,
        timeoutMs: 5_000,
        allowedRedirectOrigins: ['https://shop.example'],
      });
      return { provider, teardown: () => emulator.close() };
    },
    paymentRequest: ({ orderId, attemptId }) => ({ ...request, orderId, attemptId }),
    pay: async (result) => {
      // A cashier URL is a trade only once the payer opens it; a QR trade once scanned (pay scans).
      if (result.nextAction.type === 'redirect') await emulator.controls.openPage(result.nextAction.url);
      emulator.controls.pay(result.providerReference);
    },
    signedWebhook: async (result) => {
      const { rawBody, headers } = emulator.controls.notificationFor(result.providerReference);
      return { rawBody, headers };
    },
    // Alipay signs inside the form body: unsigned means without its sign field.
    unsignWebhook: ({ rawBody, headers }) => {
      const form = new URLSearchParams(rawBody);
      form.delete('sign');
      return { rawBody: form.toString(), headers };
    },
    parseWebhookBody: (rawBody) => Object.fromEntries(new URLSearchParams(rawBody)),
    requestCount: () => emulator.requestCount,
    ...(invalidRequests ? { invalidRequests } : {}),
  });
}

conformance(
  'alipay (alipay_qr, against the Alipay emulator)',
  { amount: 1999, currency: 'CNY', channel: 'alipay_qr', subject: 'Conformance 支付宝' },
  (base) => [
    { why: 'a currency other than CNY', request: { ...base, currency: 'USD' } },
    { why: 'a zero amount', request: { ...base, amount: 0 } },
    { why: 'alipay_wap without extra.successUrl', request: { ...base, channel: 'alipay_wap' } },
    {
      why: 'alipay_pc_direct with a relative successUrl',
      request: { ...base, channel: 'alipay_pc_direct', extra: { successUrl: '/done' } },
    },
    { why: 'an attempt id with punctuation', request: { ...base, attemptId: 'not-alnum!' } },
    { why: 'a subject that is only emoji', request: { ...base, subject: '🎉🎉' } },
    { why: 'an expiry in the past', request: { ...base, expiresAt: new Date(Date.now() - 60_000) } },
  ],
);

conformance('alipay (alipay_pc_direct, cashier URL)', {
  amount: 2,
  currency: 'cny',
  channel: 'alipay_pc_direct',
  subject: 'Conformance page',
  extra: { successUrl: 'https://shop.example/paid' },
});
