/**
 * Native WeChat Pay API v3 adapter, on `fetch` and `node:crypto` (WeChat Pay publishes no Node SDK; see
 * docs/providers/wechatpay.md for why no community library is used).
 *
 * `createWechatPayProvider` builds a `PaymentProvider`; `createWechatPayNotifyVerifier` verifies notifications
 * without one; `WECHATPAY_CHANNELS` and the tables of `wechatpay-mappers` say what each channel, state, event
 * and error becomes.
 *
 * @example
 * ```ts
 * import { createWechatPayProvider } from '@org/payment-factory/wechatpay';
 * const wechatpay = createWechatPayProvider(loadPaymentConfig(process.env).wechatpay!);
 * ```
 * @module
 */
export {
  createWechatPayProvider,
  wechatpayAcknowledgement,
  type WechatPayCloseOutcome,
  type WechatPayProvider,
} from './wechatpay-provider.js';
export {
  WECHATPAY_DEFAULT_TIMEOUT_MS,
  WECHATPAY_DEFAULT_TOLERANCE_SECONDS,
  WECHATPAY_PRODUCTION_BASE_URL,
  type WechatPayProviderOptions,
} from './wechatpay-options.js';
export {
  isWechatPayChannel,
  WECHATPAY_CHANNEL_IDS,
  WECHATPAY_CHANNELS,
  type WechatPayChannel,
  type WechatPayChannelSpec,
} from './wechatpay-channels.js';
export {
  WECHATPAY_ERROR_CODES,
  WECHATPAY_HTTP_STATUS_ERRORS,
  WECHATPAY_NOTIFY_EVENT_TYPES,
  WECHATPAY_REFUND_STATUS,
  WECHATPAY_TRADE_STATE,
  WECHATPAY_TRADE_STATE_EVENTS,
  type WechatPayErrorOutcome,
  type WechatPayHttpStatusRow,
  type WechatPayRefundState,
  type WechatPayTradeState,
} from './wechatpay-mappers.js';
export { WECHATPAY_TRANSPORT_CODES } from './wechatpay-errors.js';
export {
  createWechatPayNotifyVerifier,
  WECHATPAY_SIGNATURE_HEADERS,
  type WechatPayNotifyVerifier,
  type WechatPayNotifyVerifierOptions,
} from './wechatpay-webhooks.js';
export { decryptWechatPayResource, type WechatPayEncryptedResource } from './wechatpay-crypto.js';
export { WECHATPAY_AUTH_SCHEME, type WechatPayAppParams, type WechatPayJsapiParams } from './wechatpay-signature.js';
