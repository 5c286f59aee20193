/**
 * Ping++ adapter on the official `pingpp` SDK (Alipay, WeChat Pay and UnionPay in China).
 *
 * `createPingxxProvider` builds a `PaymentProvider` with its own SDK instance; `createPingxxWebhookVerifier`
 * verifies webhooks with nothing but the Ping++ public key; `PINGXX_CHANNELS` is the table of supported
 * channels, their required `extra` and the next action each yields. Importing this module, building a
 * provider and verifying webhooks never load `pingpp` (the first API call does), and nothing here imports a
 * Node built-in, so webhooks verify on every runtime.
 *
 * @example
 * ```ts
 * import { createPingxxProvider, PINGXX_CHANNELS } from '@org/payment-factory/pingxx';
 * const pingxx = createPingxxProvider({ secretKey, appId, privateKeyPath, webhookPublicKeyPath });
 * ```
 * @module
 */
export { createPingxxProvider, type PingxxProvider } from './pingxx-provider.js';
export { PINGXX_DEFAULT_TIMEOUT_MS, type PingxxProviderOptions } from './pingxx-options.js';
export {
  PINGXX_CHANNELS,
  PINGXX_CHANNEL_IDS,
  isPingxxChannel,
  type PingxxChannel,
  type PingxxChannelSpec,
  type PingxxExtraField,
  type PingxxNextActionKind,
} from './pingxx-channels.js';
export {
  PINGXX_CHARGE_STATUS,
  PINGXX_EVENT_TYPES,
  PINGXX_HTTP_STATUS_ERRORS,
  PINGXX_REFUND_STATUS,
  PINGXX_SDK_ERRORS,
  type PingxxChargeState,
  type PingxxErrorOutcome,
} from './pingxx-mappers.js';
export {
  createPingxxWebhookVerifier,
  PINGXX_SIGNATURE_HEADER,
  type PingxxWebhookVerifier,
  type PingxxWebhookVerifierOptions,
} from './pingxx-webhooks.js';
export type {
  PingxxCharge,
  PingxxCredential,
  PingxxEvent,
  PingxxList,
  PingxxRefund,
  PingxxRefundStatus,
} from './pingxx-types.js';
export type { PingxxErrorRow, PingxxSdkErrorType } from './pingxx-mappers.js';
