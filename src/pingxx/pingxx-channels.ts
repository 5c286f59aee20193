/**
 * Every Ping++ channel the adapter can charge on, as data: what it is, which `extra` fields it needs
 * (validated before any network call), how they map onto Ping++'s `extra`, what the payer's client does
 * next, and the channel's limits on `order_no` and `time_expire`.
 *
 * Sources: Ping++ charge API reference and the `extra` rules shipped in `pingpp/example/charge_extra.js`.
 * @module
 */
/** Ping++ channel ids supported by the adapter. */
export type PingxxChannel =
  | 'alipay'
  | 'alipay_wap'
  | 'alipay_pc_direct'
  | 'alipay_qr'
  | 'wx'
  | 'wx_pub'
  | 'wx_pub_qr'
  | 'wx_lite'
  | 'wx_wap'
  | 'upacp'
  | 'upacp_wap'
  | 'upacp_pc';

/**
 * What the payer's client gets:
 * - `qr_code`: the credential is a link to render as a QR code (also returned as `qrUrl`);
 * - `wechat_jsapi`: the credential is the `WeixinJSBridge` / `wx.requestPayment` parameter set;
 * - `redirect`: the credential is a URL to open;
 * - `sdk_credential`: the charge goes to pingpp-js / the Ping++ app SDK (`createPayment(charge)`),
 *   which builds the form, redirect or native call the channel needs.
 */
export type PingxxNextActionKind = 'qr_code' | 'wechat_jsapi' | 'redirect' | 'sdk_credential';

/** One `extra` field: where it comes from in our `PaymentExtra` and where it goes in Ping++'s. */
export interface PingxxExtraField {
  /** Key in `PaymentRequest.extra` (`PaymentExtra`). */
  readonly from: 'openId' | 'productId' | 'successUrl' | 'cancelUrl' | 'resultUrl' | 'limitPay' | 'goodsTag';
  /** Key in Ping++'s `extra`. */
  readonly to: string;
  /** Whether the field is required. */
  readonly required: boolean;
  /** `url`: absolute http(s) URL; `text`: non-empty string of at most `maxLength` characters. */
  readonly format: 'url' | 'text';
  /** Maximum length. */
  readonly maxLength: number;
  /** `request.productId` is used when `extra[from]` is absent (`wx_pub_qr`). */
  readonly fallbackToRequestProductId?: true;
}

/** The rules of one channel. */
export interface PingxxChannelSpec {
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  readonly channel: PingxxChannel;
  /** What the channel is, in a few words. */
  readonly description: string;
  /** Channel family. */
  readonly family: 'alipay' | 'wx' | 'upacp';
  /** Channel-specific parameters. */
  readonly extra: readonly PingxxExtraField[];
  /** What the payer does next. */
  readonly nextAction: PingxxNextActionKind;
  /** Allowed length of `order_no` (our attempt id), alphanumeric only. */
  readonly orderNoLength: {
    /** Fewest characters. */
    readonly min: number;
    /** Most characters. */
    readonly max: number;
  };
  /** Longest `time_expire` the channel accepts, in seconds after creation; later expiries are clamped. */
  readonly maxExpireSeconds: number;
  /** Byte limit of `subject` (UTF-8) on top of the 32-character limit, where the channel has one. */
  readonly subjectMaxBytes: number | null;
}

const DAY = 86_400;
const url = (from: PingxxExtraField['from'], to: string, required: boolean): PingxxExtraField => ({
  from,
  to,
  required,
  format: 'url',
  maxLength: 512,
});
const text = (from: PingxxExtraField['from'], to: string, required: boolean, maxLength: number): PingxxExtraField => ({
  from,
  to,
  required,
  format: 'text',
  maxLength,
});
/** WeChat's optional discount fields, accepted on every WeChat channel. */
const WX_OPTIONAL = [text('limitPay', 'limit_pay', false, 32), text('goodsTag', 'goods_tag', false, 32)] as const;

const ALIPAY = {
  family: 'alipay',
  orderNoLength: { min: 1, max: 64 },
  maxExpireSeconds: 15 * DAY,
  subjectMaxBytes: null,
} as const;
// WeChat: order_no 2–32 characters; WeChat accepts expiries up to 2 hours.
const WX = {
  family: 'wx',
  orderNoLength: { min: 2, max: 32 },
  maxExpireSeconds: 2 * 3600,
  subjectMaxBytes: null,
} as const;
// UnionPay: order_no 8–40 characters; expiries up to 1 hour; subject limited to 32 bytes.
const UPACP = {
  family: 'upacp',
  orderNoLength: { min: 8, max: 40 },
  maxExpireSeconds: 3600,
  subjectMaxBytes: 32,
} as const;

/**
 * The channel table. Keys are Ping++ channel ids.
 *
 * | channel | required `extra` | next action |
 * |---|---|---|
 * | `alipay` | – | `sdk_credential` |
 * | `alipay_wap` | `successUrl` | `sdk_credential` |
 * | `alipay_pc_direct` | `successUrl` | `sdk_credential` |
 * | `alipay_qr` | – | `qr_code` |
 * | `wx` | – | `sdk_credential` |
 * | `wx_pub` | `openId` | `wechat_jsapi` |
 * | `wx_pub_qr` | `productId` (or `request.productId`) | `qr_code` |
 * | `wx_lite` | `openId` | `wechat_jsapi` |
 * | `wx_wap` | – (`resultUrl` optional) | `redirect` |
 * | `upacp` | – | `sdk_credential` |
 * | `upacp_wap` | `resultUrl` | `sdk_credential` |
 * | `upacp_pc` | `resultUrl` | `sdk_credential` |
 *
 * @example
 * ```ts
 * PINGXX_CHANNELS.wx_pub.extra // [{ from: 'openId', to: 'open_id', required: true, … }, …]
 * ```
 */
export const PINGXX_CHANNELS: Readonly<Record<PingxxChannel, PingxxChannelSpec>> = {
  alipay: {
    ...ALIPAY,
    channel: 'alipay',
    description: 'Alipay in a native app (App 支付)',
    extra: [],
    nextAction: 'sdk_credential',
  },
  alipay_wap: {
    ...ALIPAY,
    channel: 'alipay_wap',
    description: 'Alipay in a mobile browser (手机网站支付)',
    extra: [url('successUrl', 'success_url', true), url('cancelUrl', 'cancel_url', false)],
    nextAction: 'sdk_credential',
  },
  alipay_pc_direct: {
    ...ALIPAY,
    channel: 'alipay_pc_direct',
    description: 'Alipay on a desktop website (电脑网站支付)',
    extra: [url('successUrl', 'success_url', true)],
    nextAction: 'sdk_credential',
  },
  alipay_qr: {
    ...ALIPAY,
    channel: 'alipay_qr',
    description: 'Alipay QR code the payer scans (当面付扫码)',
    extra: [],
    nextAction: 'qr_code',
  },
  wx: {
    ...WX,
    channel: 'wx',
    description: 'WeChat Pay in a native app (App 支付)',
    extra: [...WX_OPTIONAL],
    nextAction: 'sdk_credential',
  },
  wx_pub: {
    ...WX,
    channel: 'wx_pub',
    description: "WeChat Pay inside WeChat's browser, official account (公众号支付, JSAPI)",
    extra: [text('openId', 'open_id', true, 128), ...WX_OPTIONAL],
    nextAction: 'wechat_jsapi',
  },
  wx_pub_qr: {
    ...WX,
    channel: 'wx_pub_qr',
    description: 'WeChat Pay QR code the payer scans (Native 扫码支付)',
    extra: [{ ...text('productId', 'product_id', true, 32), fallbackToRequestProductId: true }, ...WX_OPTIONAL],
    nextAction: 'qr_code',
  },
  wx_lite: {
    ...WX,
    channel: 'wx_lite',
    description: 'WeChat Pay in a mini program (小程序支付)',
    extra: [text('openId', 'open_id', true, 128), ...WX_OPTIONAL],
    nextAction: 'wechat_jsapi',
  },
  wx_wap: {
    ...WX,
    channel: 'wx_wap',
    description: 'WeChat Pay from a mobile browser outside WeChat (H5 支付)',
    extra: [url('resultUrl', 'result_url', false), text('goodsTag', 'goods_tag', false, 32)],
    nextAction: 'redirect',
  },
  upacp: {
    ...UPACP,
    channel: 'upacp',
    description: 'UnionPay in a native app (银联手机支付)',
    extra: [],
    nextAction: 'sdk_credential',
  },
  upacp_wap: {
    ...UPACP,
    channel: 'upacp_wap',
    description: 'UnionPay in a mobile browser (银联手机网页支付)',
    extra: [url('resultUrl', 'result_url', true)],
    nextAction: 'sdk_credential',
  },
  upacp_pc: {
    ...UPACP,
    channel: 'upacp_pc',
    description: 'UnionPay on a desktop website (银联网关支付)',
    extra: [url('resultUrl', 'result_url', true)],
    nextAction: 'sdk_credential',
  },
};

/** Every supported channel id, in table order. */
export const PINGXX_CHANNEL_IDS = Object.keys(PINGXX_CHANNELS) as readonly PingxxChannel[];

/** Whether `channel` is a channel of {@link PINGXX_CHANNELS}. */
export function isPingxxChannel(channel: unknown): channel is PingxxChannel {
  return typeof channel === 'string' && Object.prototype.hasOwnProperty.call(PINGXX_CHANNELS, channel);
}
