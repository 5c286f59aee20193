/**
 * The Alipay channels the adapter creates payments on, as data: the OpenAPI method each one calls, how
 * the SDK is used (a signed server call, a signed page URL, or a signed app order string), the
 * `product_code`, the next action the payer gets, and the `extra` fields it needs.
 * @module
 */

/** How a channel reaches Alipay. */
export type AlipayCallKind =
  /** `sdk.exec`: a signed server-to-server call (the trade exists at Alipay after it). */
  | 'exec'
  /** `sdk.pageExec(method, 'GET', …)`: a signed cashier URL; the trade is created when the payer opens it. */
  | 'page'
  /** `sdk.sdkExec`: a signed order string for the Alipay app SDK; the trade is created by the app. */
  | 'app';

/** One channel. */
export interface AlipayChannelSpec {
  /** The OpenAPI method. */
  method: string;
  /** How the SDK is used for it. */
  call: AlipayCallKind;
  /** `product_code` sent in `biz_content`; `null` when the method has none to send. */
  productCode: string | null;
  /** The `NextAction` type the payer gets. */
  nextAction: 'qr_code' | 'redirect' | 'sdk_credential';
  /** `PaymentExtra` fields that must be present. */
  requiredExtra: readonly ('successUrl' | 'cancelUrl')[];
}

/**
 * Every supported channel. Names are Ping++'s, so a host moves a channel from Ping++ to native Alipay by
 * enabling the provider, not by renaming anything.
 *
 * | channel | method | the payer gets |
 * |---|---|---|
 * | `alipay_qr` | `alipay.trade.precreate` | QR content to show (`qr_code`) |
 * | `alipay_pc_direct` | `alipay.trade.page.pay` | cashier URL for a desktop browser (`redirect`) |
 * | `alipay_wap` | `alipay.trade.wap.pay` | cashier URL for a mobile browser (`redirect`) |
 * | `alipay` | `alipay.trade.app.pay` | order string for the Alipay app SDK (`sdk_credential`) |
 */
export const ALIPAY_CHANNELS: Readonly<Record<AlipayChannel, AlipayChannelSpec>> = {
  alipay_qr: {
    method: 'alipay.trade.precreate',
    call: 'exec',
    productCode: null,
    nextAction: 'qr_code',
    requiredExtra: [],
  },
  alipay_pc_direct: {
    method: 'alipay.trade.page.pay',
    call: 'page',
    productCode: 'FAST_INSTANT_TRADE_PAY',
    nextAction: 'redirect',
    requiredExtra: ['successUrl'],
  },
  alipay_wap: {
    method: 'alipay.trade.wap.pay',
    call: 'page',
    productCode: 'QUICK_WAP_WAY',
    nextAction: 'redirect',
    requiredExtra: ['successUrl'],
  },
  alipay: {
    method: 'alipay.trade.app.pay',
    call: 'app',
    productCode: 'QUICK_MSECURITY_PAY',
    nextAction: 'sdk_credential',
    requiredExtra: [],
  },
};

/** A supported Alipay channel. */
export type AlipayChannel = 'alipay_qr' | 'alipay_pc_direct' | 'alipay_wap' | 'alipay';

/** Every channel id, in table order. */
export const ALIPAY_CHANNEL_IDS = Object.keys(ALIPAY_CHANNELS) as AlipayChannel[];

/** Whether `value` names a supported channel. */
export function isAlipayChannel(value: unknown): value is AlipayChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ALIPAY_CHANNELS, value);
}
