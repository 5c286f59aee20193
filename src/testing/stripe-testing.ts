/**
 * Stripe-side test kit and the provider conformance suite, re-exported by `@org/payment-factory/testing`:
 * the local Stripe API emulator, the webhook signer, and `runProviderConformance`.
 * Nothing here loads the `stripe` SDK at runtime.
 * @module
 */
export * from './provider-conformance.js';
export * from './stripe-emulator.js';
export * from './stripe-signer.js';
