/**
 * Setup hints shared by the configuration loader and the adapters, so the first error a host migrating
 * from the original system meets tells it what to do, in the same words wherever it is raised.
 * @module
 */

/**
 * Where the Ping++ webhook public key comes from, and how to run without Ping++ meanwhile. The original
 * system accepted unsigned Ping++ webhooks, so a migrating host often has never fetched this key.
 *
 * @example
 * ```ts
 * throw new ConfigurationError(`PINGXX_WEBHOOK_PUBLIC_KEY is required. ${PINGXX_WEBHOOK_KEY_HINT}`);
 * ```
 */
export const PINGXX_WEBHOOK_KEY_HINT =
  'Get the key in the Ping++ dashboard: 企业设置 → 开发参数 → Ping++ 公钥 (Enterprise settings → Developer ' +
  'parameters → Ping++ public key); the original system accepted unsigned webhooks and never needed it. ' +
  'To run Stripe alone meanwhile, set PAYMENT_CHANNELS_ENABLED=stripe.';
