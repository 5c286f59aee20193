/**
 * `@org/payment-factory/config`: the configuration registry and loaders, built on zod.
 *
 * A separate entry so that importing the package root does not load zod (most of what the root used to cost
 * at start-up): an app that builds its providers from its own settings never pays for it, and one that reads
 * the environment imports this entry where it does so. ESM cannot load a module lazily and synchronously on
 * every runtime the root supports (workerd, Edge), so a separate entry is how the cost stays opt-in.
 *
 * @example
 * ```ts
 * import { createPaymentFactory } from '@org/payment-factory';
 * import { loadPaymentConfig } from '@org/payment-factory/config';
 *
 * const config = loadPaymentConfig(process.env); // every problem at once, never a secret value
 * ```
 * @module
 */
export * from '../core/config.js';
export { loadOutboxConfig } from '../core/config-outbox.js';
export * from '../core/env-example.js';
export * from '../core/config-reference.js';
