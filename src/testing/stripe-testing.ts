/**
 * Stripe-side test kit and the provider conformance suite: re-exported by `@org/payment-factory/testing`.
 * Nothing here loads the `stripe` SDK at runtime.
 * @module
 */
export * from './provider-conformance.js';
