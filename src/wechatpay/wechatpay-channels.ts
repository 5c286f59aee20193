/**
 * The WeChat Pay channels the adapter creates payments on, as data: the API v3 endpoint each one calls, the
 * `trade_type` WeChat Pay reports back, the next action the payer gets and what the request must carry.
 * @module
 */

/** A supported WeChat Pay channel (Ping++'s names). */
export type WechatPayChannel = 'wx_pub_qr' | 'wx_pub' | 'wx_lite' | 'wx_wap' | 'wx';

/** One channel. */
export interface WechatPayChannelSpec {
  /** `POST /v3/pay/transactions/{endpoint}`. */
  endpoint: 'native' | 'jsapi' | 'h5' | 'app';
  /** `trade_type` in queries and notifications. */
  tradeType: 'NATIVE' | 'JSAPI' | 'MWEB' | 'APP';
  /** The `NextAction` type the payer gets. */
  nextAction: 'qr_code' | 'wechat_jsapi' | 'redirect' | 'sdk_credential';
  /** `extra.openId` is required (sent as `payer.openid`). */
  needsOpenId: boolean;
  /** `clientIp` is required (sent as `scene_info.payer_client_ip`). */
  needsClientIp: boolean;
}

/**
 * Every supported channel. Names are Ping++'s, so a host moves a channel from Ping++ to native WeChat Pay by
 * enabling the provider, not by renaming anything.
 *
 * | channel | endpoint | the payer gets |
 * |---|---|---|
 * | `wx_pub_qr` | `/v3/pay/transactions/native` | `code_url` to show as a QR code (`qr_code`) |
 * | `wx_pub` | `/v3/pay/transactions/jsapi` | signed JSAPI parameters for the official-account page (`wechat_jsapi`) |
 * | `wx_lite` | `/v3/pay/transactions/jsapi` | the same, for `wx.requestPayment` in a mini program (`wechat_jsapi`) |
 * | `wx_wap` | `/v3/pay/transactions/h5` | `h5_url` for a mobile browser outside WeChat (`redirect`) |
 * | `wx` | `/v3/pay/transactions/app` | signed App parameters for the WeChat Open SDK (`sdk_credential`) |
 */
export const WECHATPAY_CHANNELS: Readonly<Record<WechatPayChannel, WechatPayChannelSpec>> = {
  wx_pub_qr: {
    endpoint: 'native',
    tradeType: 'NATIVE',
    nextAction: 'qr_code',
    needsOpenId: false,
    needsClientIp: false,
  },
  wx_pub: {
    endpoint: 'jsapi',
    tradeType: 'JSAPI',
    nextAction: 'wechat_jsapi',
    needsOpenId: true,
    needsClientIp: false,
  },
  wx_lite: {
    endpoint: 'jsapi',
    tradeType: 'JSAPI',
    nextAction: 'wechat_jsapi',
    needsOpenId: true,
    needsClientIp: false,
  },
  wx_wap: { endpoint: 'h5', tradeType: 'MWEB', nextAction: 'redirect', needsOpenId: false, needsClientIp: true },
  wx: { endpoint: 'app', tradeType: 'APP', nextAction: 'sdk_credential', needsOpenId: false, needsClientIp: false },
};

/** Every channel id, in table order. */
export const WECHATPAY_CHANNEL_IDS = Object.keys(WECHATPAY_CHANNELS) as WechatPayChannel[];

/** Whether `value` names a supported channel. */
export function isWechatPayChannel(value: unknown): value is WechatPayChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(WECHATPAY_CHANNELS, value);
}
