/**
 * Test kit for hosts and adapter authors: in-memory repositories, a scriptable fake provider, local
 * Stripe, Ping++, Alipay and WeChat Pay emulators that the real SDKs and adapters talk to over HTTP, webhook
 * signers, and published
 * conformance suites for repositories and providers.
 * @module
 */
export * from './fake-provider.js';
export * from './persistence-testing.js';
export * from './stripe-testing.js';
export * from './pingxx-testing.js';
export type { DeliveryAnswer, EmulatedPaymentRef } from './emulated-payment-ref.js';
export * from './alipay-testing.js';
export * from './wechatpay-testing.js';
// Both conformance suites accept the same runner shape; name it once.
export type { ConformanceRunner } from './repository-conformance.js';
