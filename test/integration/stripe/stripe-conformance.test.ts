import { afterAll, beforeAll, describe, it } from 'vitest';
import { createStripeProvider } from '../../../src/stripe/index.js';
import {
  runProviderConformance,
  startStripeEmulator,
  type StripeEmulator,
} from '../../../src/testing/stripe-testing.js';

const WEBHOOK_SECRET = 'whsec_conformance';

for (const mode of ['payment_intent', 'checkout_session'] as const) {
  let emulator: StripeEmulator;
  runProviderConformance({
    name: `stripe (${mode}) against the emulator`,
    runner: { describe, it, beforeAll, afterAll },
    setup: async () => {
      emulator = await startStripeEmulator({ webhookSecret: WEBHOOK_SECRET });
      const provider = createStripeProvider({
        secretKey: 'sk_test_conformance',
        webhookSecret: WEBHOOK_SECRET,
        successUrl: 'https://shop.example/paid',
        defaultMode: mode,
        maxNetworkRetries: 0,
        ...emulator.sdkOptions,
      });
      return { provider, teardown: () => emulator.close() };
    },
    paymentRequest: ({ orderId, attemptId }) => ({
      orderId,
      attemptId,
      amount: 1999,
      currency: 'usd',
      channel: mode,
      subject: 'Course',
      userId: 'user_1',
      productId: 'shifu_1',
    }),
    pay: async (result) => {
      emulator.succeedPayment(result.providerReference);
    },
    signedWebhook: async (result) =>
      emulator.webhookFor(
        result.providerReference,
        mode === 'payment_intent' ? 'payment_intent.succeeded' : 'checkout.session.completed',
      ),
    requestCount: () => emulator.requestCount,
  });
}
