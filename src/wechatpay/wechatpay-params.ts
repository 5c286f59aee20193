/**
 * Request building for WeChat Pay: every check that can be made locally runs here, before any call, and
 * throws `ValidationError`; what comes out is the JSON body API v3 expects.
 * @module
 */
import { isIP } from 'node:net';
import { ValidationError } from '../core/errors.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import { assertRedirectUrlAllowed } from '../core/redirect-origins.js';
import type { PaymentRequest, RefundRequest } from '../core/types.js';
import {
  isWechatPayChannel,
  WECHATPAY_CHANNELS,
  type WechatPayChannel,
  type WechatPayChannelSpec,
} from './wechatpay-channels.js';
import {
  cleanWechatpayText,
  WECHATPAY_DESCRIPTION_MAX,
  WECHATPAY_OUT_REFUND_NO,
  WECHATPAY_OUT_TRADE_NO,
  wechatpayTime,
} from './wechatpay-values.js';

/** Longest `attach` WeChat Pay keeps (our order id goes there, so notifications carry it). */
export const WECHATPAY_ATTACH_MAX = 128;

/** Shortest time WeChat Pay accepts between now and `time_expire`. */
export const WECHATPAY_MIN_EXPIRY_MS = 60_000;

/** A payment, ready to send. */
export interface WechatPayTransactionParams {
  channel: WechatPayChannel;
  spec: WechatPayChannelSpec;
  /** The app id the payment is for. */
  appId: string;
  /** `POST /v3/pay/transactions/{endpoint}` body. */
  body: Record<string, unknown>;
  /** H5 only: where the payer's browser returns (`redirect_url` appended to `h5_url`). */
  redirectUrl?: string;
  /** The expiry sent, if any. */
  expiresAt: Date | null;
}

/** Context of {@link buildWechatPayTransaction}. */
export interface WechatPayParamsContext {
  channels: ReadonlySet<string>;
  appIdFor: (channel: WechatPayChannel) => string;
  mchId: string;
  notifyUrl: string;
  allowedRedirectOrigins: readonly string[];
  now: Date;
  provider: string;
}

/**
 * Validates a payment request and builds its body: `out_trade_no` = our attempt id, `amount.total` in fen
 * (CNY only), cleaned `description`, `attach` = our order id, `notify_url` from configuration, `time_expire`
 * from `expiresAt` (refused when past or under a minute away) or else the order's deadline (moved to at least
 * a minute away), `payer.openid` for JSAPI, `scene_info` with the payer's IP (required for H5).
 * @throws ValidationError for anything WeChat Pay would refuse that can be seen here.
 */
export function buildWechatPayTransaction(
  request: PaymentRequest,
  ctx: WechatPayParamsContext,
): WechatPayTransactionParams {
  const fail = (message: string, field: string, code = 'INVALID_REQUEST'): never => {
    throw new ValidationError(`WeChat Pay: ${message}`, { field, code, provider: ctx.provider });
  };
  const channel = request.channel;
  if (!isWechatPayChannel(channel) || !ctx.channels.has(channel)) {
    fail(
      `channel "${String(channel)}" is not enabled (${[...ctx.channels].join(', ')}).`,
      'channel',
      'UNKNOWN_CHANNEL',
    );
  }
  const ch = channel as WechatPayChannel;
  const spec: WechatPayChannelSpec = WECHATPAY_CHANNELS[ch];
  if (normalizeCurrency(request.currency) !== 'CNY')
    fail('only CNY can be charged.', 'currency', 'UNSUPPORTED_CURRENCY');
  assertMinorUnits(request.amount);
  if (request.amount <= 0) fail('amount must be at least 1 fen.', 'amount', 'INVALID_AMOUNT');
  outTradeNo(request.attemptId, ctx.provider);
  if (typeof request.orderId !== 'string' || request.orderId.trim() === '')
    fail('orderId is required.', 'orderId', 'MISSING_FIELD');
  const description = cleanWechatpayText(
    typeof request.subject === 'string' ? request.subject : '',
    WECHATPAY_DESCRIPTION_MAX,
  );
  if (description === '') fail('subject is empty after cleaning.', 'subject', 'MISSING_FIELD');
  const extra = request.extra ?? {};
  const openId = extra.openId;
  if (spec.needsOpenId && (typeof openId !== 'string' || !/^[0-9A-Za-z_-]{1,128}$/.test(openId))) {
    fail(`${ch} needs extra.openId (the payer's OpenID for this app).`, 'extra.openId', 'MISSING_EXTRA');
  }
  const clientIp = typeof request.clientIp === 'string' && isIP(request.clientIp) !== 0 ? request.clientIp : null;
  if (request.clientIp !== undefined && clientIp === null) fail('clientIp must be an IP address.', 'clientIp');
  if (spec.needsClientIp && clientIp === null)
    fail(`${ch} needs clientIp (the payer's IP).`, 'clientIp', 'MISSING_FIELD');
  const expiresAt = expiryOf(request, ctx.now, fail);
  let redirectUrl: string | undefined;
  if (ch === 'wx_wap') {
    const wanted = extra.resultUrl ?? extra.returnUrl;
    if (wanted !== undefined && wanted !== '') {
      assertRedirectUrlAllowed(
        wanted,
        ctx.allowedRedirectOrigins,
        extra.resultUrl !== undefined ? 'extra.resultUrl' : 'extra.returnUrl',
        ctx.provider,
      );
      redirectUrl = wanted;
    }
  }
  const appId = ctx.appIdFor(ch);
  const body: Record<string, unknown> = {
    appid: appId,
    mchid: ctx.mchId,
    description,
    out_trade_no: request.attemptId,
    ...(expiresAt ? { time_expire: wechatpayTime(expiresAt) } : {}),
    attach: request.orderId.slice(0, WECHATPAY_ATTACH_MAX),
    notify_url: ctx.notifyUrl,
    amount: { total: request.amount, currency: 'CNY' },
    ...(spec.needsOpenId ? { payer: { openid: openId } } : {}),
    ...(clientIp === null
      ? {}
      : { scene_info: { payer_client_ip: clientIp, ...(ch === 'wx_wap' ? { h5_info: { type: 'Wap' } } : {}) } }),
  };
  return { channel: ch, spec, appId, body, ...(redirectUrl ? { redirectUrl } : {}), expiresAt };
}

function expiryOf(
  request: PaymentRequest,
  now: Date,
  fail: (message: string, field: string, code?: string) => never,
): Date | null {
  if (request.expiresAt !== undefined) {
    if (!(request.expiresAt instanceof Date) || Number.isNaN(request.expiresAt.getTime())) {
      return fail('expiresAt must be a valid Date.', 'expiresAt');
    }
    if (request.expiresAt.getTime() < now.getTime() + WECHATPAY_MIN_EXPIRY_MS) {
      return fail('expiresAt must be at least a minute away.', 'expiresAt', 'EXPIRED');
    }
    return request.expiresAt;
  }
  const deadline = request.orderExpiresAt;
  if (!(deadline instanceof Date) || Number.isNaN(deadline.getTime())) return null;
  // The order's own deadline is adapted, not refused: the service's reconcile closes the payment anyway.
  // Whole seconds, so a retried create sends the same time_expire.
  const floor = Math.ceil((now.getTime() + WECHATPAY_MIN_EXPIRY_MS) / 1000) * 1000;
  return new Date(Math.max(Math.floor(deadline.getTime() / 1000) * 1000, floor));
}

/**
 * Validates a refund and builds its body (without `amount.total`, which the adapter fills from the payment):
 * `out_refund_no` = our refund id, which makes the refund idempotent at WeChat Pay.
 * @throws ValidationError for a non-CNY, non-positive or badly identified refund.
 */
export function buildWechatPayRefund(
  request: RefundRequest,
  ctx: { notifyUrl: string; provider: string },
): { outTradeNo: string; body: Record<string, unknown> } {
  const fail = (message: string, field: string, code: string): never => {
    throw new ValidationError(`WeChat Pay: ${message}`, { field, code, provider: ctx.provider });
  };
  if (normalizeCurrency(request.currency) !== 'CNY')
    fail('only CNY can be refunded.', 'currency', 'UNSUPPORTED_CURRENCY');
  assertMinorUnits(request.amount);
  if (request.amount <= 0) fail('refund amount must be positive.', 'amount', 'INVALID_AMOUNT');
  outRefundNo(request.refundId, ctx.provider);
  const tradeNo = outTradeNo(request.providerReference, ctx.provider);
  const reason = request.reason ? cleanWechatpayText(request.reason, 80) : '';
  return {
    outTradeNo: tradeNo,
    body: {
      out_trade_no: tradeNo,
      out_refund_no: request.refundId,
      ...(reason === '' ? {} : { reason }),
      notify_url: ctx.notifyUrl,
    },
  };
}

/**
 * Checks an `out_trade_no` (our attempt id, the attempt's `providerReference`): 6–32 letters, digits or `_-|*`.
 * @throws ValidationError otherwise.
 */
export function outTradeNo(value: unknown, provider: string): string {
  if (typeof value !== 'string' || !WECHATPAY_OUT_TRADE_NO.test(value)) {
    throw new ValidationError('WeChat Pay: the attempt id (out_trade_no) must be 6–32 letters, digits or _-|*.', {
      field: 'attemptId',
      code: 'INVALID_ID',
      provider,
    });
  }
  return value;
}

/**
 * Checks an `out_refund_no` (our refund id): 1–64 letters, digits or `_-|*@`.
 * @throws ValidationError otherwise.
 */
export function outRefundNo(value: unknown, provider: string): string {
  if (typeof value !== 'string' || !WECHATPAY_OUT_REFUND_NO.test(value)) {
    throw new ValidationError('WeChat Pay: refundId must be 1–64 letters, digits or _-|*@ (out_refund_no).', {
      field: 'refundId',
      code: 'INVALID_ID',
      provider,
    });
  }
  return value;
}
