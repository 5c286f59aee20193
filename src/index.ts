/**
 * `@org/payment-factory`: Ping++ and Stripe behind one interface.
 *
 * The root entry holds the core (types, money, errors, routing, the provider registry, config) and the
 * payment service. It never loads a provider SDK or a database driver: adapters live in
 * `@org/payment-factory/stripe`, `/pingxx`, persistence in `/kysely`, test helpers in `/testing`.
 * @module
 */
export * from './core/errors.js';
export * from './core/money.js';
export type * from './core/types.js';
export type * from './core/provider.js';
export * from './core/channel-resolution.js';
export * from './core/factory.js';
export * from './core/config.js';
export * from './core/env-example.js';
export { getHeader, requireRawBody } from './core/webhook-input.js';
