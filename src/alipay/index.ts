/**
 * Native Alipay adapter on the official `alipay-sdk` 4.x (an optional peer dependency).
 *
 * `createAlipayProvider` builds a `PaymentProvider` with its own SDK instance; `createAlipayNotifyVerifier`
 * verifies notifications without one; `ALIPAY_CHANNELS` and the tables of `alipay-mappers` say what each
 * channel, status and error becomes. Importing this module does not load `alipay-sdk`; building a
 * provider does.
 *
 * @example
 * ```ts
 * import { createAlipayProvider } from '@org/payment-factory/alipay';
 * const alipay = createAlipayProvider(loadPaymentConfig(process.env).alipay!);
 * ```
 * @module
 */
export {
  alipayAcknowledgement,
  createAlipayProvider,
  type AlipayCloseOutcome,
  type AlipayProvider,
} from './alipay-provider.js';
export { ALIPAY_DEFAULT_TIMEOUT_MS, ALIPAY_PRODUCTION_GATEWAY, type AlipayProviderOptions } from './alipay-options.js';
export {
  ALIPAY_CHANNELS,
  ALIPAY_CHANNEL_IDS,
  isAlipayChannel,
  type AlipayCallKind,
  type AlipayChannel,
  type AlipayChannelSpec,
} from './alipay-channels.js';
export {
  ALIPAY_GATEWAY_CODES,
  ALIPAY_HTTP_STATUS_ERRORS,
  ALIPAY_NOTIFY_EVENT_TYPES,
  ALIPAY_SUB_CODE_ERRORS,
  ALIPAY_TRADE_STATUS,
  type AlipayErrorOutcome,
  type AlipayHttpStatusRow,
  type AlipayTradeStatus,
} from './alipay-mappers.js';
export {
  alipaySignContent,
  createAlipayNotifyVerifier,
  type AlipayNotifyVerifier,
  type AlipayNotifyVerifierOptions,
} from './alipay-webhooks.js';
