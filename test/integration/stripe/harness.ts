import { randomUUID } from 'node:crypto';
import type { PaymentRequest } from '../../../src/core/types.js';
import { createStripeProvider, type StripeProvider, type StripeProviderOptions } from '../../../src/stripe/index.js';
import { startStripeEmulator, type StripeEmulator } from '../../../src/testing/stripe-testing.js';

export const SECRET_KEY = 'sk_test_harness_51Hxyz';
export const WEBHOOK_SECRET = 'whsec_harness_secret';

/** A fresh 32-hex id, like the original system's. */
export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

/** A valid payment request with fresh ids. */
export function paymentRequest(overrides: Partial<PaymentRequest> = {}): PaymentRequest {
  return {
    orderId: newId(),
    attemptId: newId(),
    amount: 1999,
    currency: 'USD',
    channel: 'payment_intent',
    subject: 'Course',
    ...overrides,
  };
}

/** The adapter built on the emulator, with retries off so every request is visible. */
export function providerFor(emulator: StripeEmulator, options: Partial<StripeProviderOptions> = {}): StripeProvider {
  return createStripeProvider({
    secretKey: SECRET_KEY,
    publishableKey: 'pk_test_harness',
    webhookSecret: WEBHOOK_SECRET,
    successUrl: 'https://shop.example/paid?session={CHECKOUT_SESSION_ID}',
    cancelUrl: 'https://shop.example/cart',
    maxNetworkRetries: 0,
    ...emulator.sdkOptions,
    ...options,
  });
}

export async function startEmulator(): Promise<StripeEmulator> {
  return startStripeEmulator({ webhookSecret: WEBHOOK_SECRET });
}
