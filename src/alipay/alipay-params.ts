/**
 * Request building for Alipay: every check that can be made locally runs here, before any call, and
 * throws `ValidationError`; what comes out is the `biz_content` Alipay expects.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import { assertRedirectUrlAllowed } from '../core/redirect-origins.js';
import type { PaymentRequest, RefundRequest } from '../core/types.js';
import { ALIPAY_CHANNELS, isAlipayChannel, type AlipayChannel, type AlipayChannelSpec } from './alipay-channels.js';
import { beijingTime, cleanText, yuan } from './alipay-values.js';

/** Longest `subject` sent (DESIGN §11: ≤ 64 characters after cleaning). */
export const ALIPAY_SUBJECT_MAX = 64;
/** Longest `body` sent. */
export const ALIPAY_BODY_MAX = 128;
/** Alipay's largest single payment: 100 000 000.00 yuan. */
export const ALIPAY_MAX_AMOUNT_FEN = 10_000_000_000;

/** Alipay's shortest `time_expire` window: one minute after the request. */
export const ALIPAY_EXPIRY_MIN_MS = 60_000;
/** Alipay's longest `time_expire` window: 15 days after the request. */
export const ALIPAY_EXPIRY_MAX_MS = 15 * 24 * 3600 * 1000;
/**
 * Kept off both ends of the window: our clock and Alipay's differ, and the request takes time to arrive. A deadline
 * inside the margin is moved into the window (earlier at the far end: the payer has a minute less, never more).
 */
const CLOCK_MARGIN_MS = 60_000;

/** A payment, ready to send. */
export interface AlipayTradeParams {
  channel: AlipayChannel;
  spec: AlipayChannelSpec;
  bizContent: Record<string, string>;
  /** The deadline sent as `time_expire` (whole seconds), or null when none was sent. */
  expiresAt: Date | null;
  /** `return_url` (the payer's browser after paying), for page channels. */
  returnUrl?: string;
}

/** Context of {@link buildAlipayTradeParams}. */
export interface AlipayParamsContext {
  channels: ReadonlySet<string>;
  now: Date;
  provider: string;
  /** Origins `extra.successUrl` / `extra.cancelUrl` may point to (page channels). */
  allowedRedirectOrigins: readonly string[];
}

/**
 * Validates a payment request and builds its `biz_content`: `out_trade_no` = our attempt id,
 * `total_amount` as an exact yuan string, cleaned `subject`/`body`, `product_code`, `time_expire` (Beijing time)
 * from `expiresAt`, else from the order's deadline `orderExpiresAt`, and `quit_url` for WAP when a `cancelUrl` is given.
 *
 * Alipay takes a `time_expire` between one minute and 15 days after the request. An explicit `expiresAt` outside that
 * window is refused (`EXPIRED`, `EXPIRY_TOO_SOON`, `EXPIRY_TOO_FAR`): the caller asked for something Alipay cannot
 * do. The order's deadline is moved into it instead (an order about to time out still gets two minutes; one that runs
 * longer than 15 days gets a trade that stops taking money at 15 days, and the result's `expiresAt` says so, so the
 * attempt is not reused past it).
 * @throws ValidationError for anything Alipay would refuse that can be seen here.
 */
export function buildAlipayTradeParams(request: PaymentRequest, ctx: AlipayParamsContext): AlipayTradeParams {
  const fail = (message: string, field: string, code = 'INVALID_REQUEST'): never => {
    throw new ValidationError(`Alipay: ${message}`, { field, code, provider: ctx.provider });
  };
  const channel = request.channel;
  if (!isAlipayChannel(channel) || !ctx.channels.has(channel)) {
    fail(
      `channel "${String(channel)}" is not enabled (${[...ctx.channels].join(', ')}).`,
      'channel',
      'UNKNOWN_CHANNEL',
    );
  }
  const spec: AlipayChannelSpec = ALIPAY_CHANNELS[channel as AlipayChannel];
  if (normalizeCurrency(request.currency) !== 'CNY')
    fail('only CNY can be charged.', 'currency', 'UNSUPPORTED_CURRENCY');
  assertMinorUnits(request.amount);
  if (request.amount <= 0 || request.amount > ALIPAY_MAX_AMOUNT_FEN) {
    fail('amount must be between 1 fen and 100 000 000 yuan.', 'amount', 'INVALID_AMOUNT');
  }
  outTradeNo(request.attemptId, ctx.provider);
  if (typeof request.orderId !== 'string' || request.orderId.trim() === '')
    fail('orderId is required.', 'orderId', 'MISSING_FIELD');
  const subject = cleanText(typeof request.subject === 'string' ? request.subject : '', ALIPAY_SUBJECT_MAX);
  if (subject === '') fail('subject is empty after cleaning.', 'subject', 'MISSING_FIELD');
  const body = request.body === undefined ? '' : cleanText(request.body, ALIPAY_BODY_MAX);
  const extra = request.extra ?? {};
  for (const field of spec.requiredExtra) {
    if (!isHttpUrl(extra[field]))
      fail(`${channel} needs extra.${field} (an absolute URL).`, `extra.${field}`, 'MISSING_EXTRA');
  }
  // The redirect URLs this channel sends (return_url, quit_url) must point to an allowed origin.
  const redirects =
    spec.call === 'page' ? (['successUrl', ...(channel === 'alipay_wap' ? ['cancelUrl'] : [])] as const) : [];
  for (const field of redirects) {
    const value = extra[field];
    if (value === undefined || value === null || value === '') continue;
    assertRedirectUrlAllowed(value, ctx.allowedRedirectOrigins, `extra.${field}`, ctx.provider);
  }
  const expiry = tradeExpiry(request, ctx.now, fail);
  const bizContent: Record<string, string> = {
    out_trade_no: request.attemptId,
    total_amount: yuan(request.amount),
    subject,
    ...(body === '' ? {} : { body }),
    ...(spec.productCode === null ? {} : { product_code: spec.productCode }),
    ...(expiry ? { time_expire: beijingTime(expiry) } : {}),
    ...(channel === 'alipay_wap' && isHttpUrl(extra.cancelUrl) ? { quit_url: extra.cancelUrl } : {}),
  };
  return {
    channel: channel as AlipayChannel,
    spec,
    bizContent,
    expiresAt: expiry,
    ...(spec.call === 'page' ? { returnUrl: extra.successUrl as string } : {}),
  };
}

/**
 * The deadline to send as `time_expire`, in whole seconds (what Alipay's format can say), inside Alipay's window of
 * one minute to 15 days from `now`; null when the request has none. See {@link buildAlipayTradeParams}.
 */
function tradeExpiry(
  request: PaymentRequest,
  now: Date,
  fail: (message: string, field: string, code?: string) => never,
): Date | null {
  const earliest = now.getTime() + ALIPAY_EXPIRY_MIN_MS;
  const latest = now.getTime() + ALIPAY_EXPIRY_MAX_MS - CLOCK_MARGIN_MS;
  const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  if (request.expiresAt !== undefined) {
    const at = request.expiresAt instanceof Date ? request.expiresAt.getTime() : Number.NaN;
    if (Number.isNaN(at)) return fail('expiresAt must be a valid Date.', 'expiresAt');
    if (at <= now.getTime()) return fail('expiresAt is in the past.', 'expiresAt', 'EXPIRED');
    if (at < earliest) return fail('expiresAt must be at least a minute from now.', 'expiresAt', 'EXPIRY_TOO_SOON');
    if (at > now.getTime() + ALIPAY_EXPIRY_MAX_MS) {
      return fail('expiresAt must be at most 15 days from now (Alipay time_expire).', 'expiresAt', 'EXPIRY_TOO_FAR');
    }
    // Within the window, but maybe inside the clock margin at its far end: a little earlier, never later.
    return seconds(Math.min(at, latest));
  }
  const deadline = request.orderExpiresAt;
  if (!(deadline instanceof Date) || Number.isNaN(deadline.getTime())) return null;
  // The order's deadline (what the service sends): the trade must stop taking money when the order times out, since
  // reconcile then closes the attempt. One already (nearly) reached gets Alipay's shortest window plus the margin.
  return seconds(Math.min(Math.max(deadline.getTime(), earliest + CLOCK_MARGIN_MS), latest));
}

/**
 * Validates a refund and builds its `biz_content`: `out_request_no` = our refund id, which makes the
 * refund idempotent at Alipay.
 * @throws ValidationError for a non-CNY, non-positive or badly identified refund.
 */
export function buildAlipayRefundParams(request: RefundRequest, provider: string): Record<string, string> {
  if (normalizeCurrency(request.currency) !== 'CNY') {
    throw new ValidationError('Alipay: only CNY can be refunded.', {
      field: 'currency',
      code: 'UNSUPPORTED_CURRENCY',
      provider,
    });
  }
  assertMinorUnits(request.amount);
  if (request.amount <= 0) {
    throw new ValidationError('Alipay: refund amount must be positive.', {
      field: 'amount',
      code: 'INVALID_AMOUNT',
      provider,
    });
  }
  if (typeof request.refundId !== 'string' || !/^[0-9A-Za-z_]{1,64}$/.test(request.refundId)) {
    throw new ValidationError('Alipay: refundId must be 1–64 letters, digits or underscores (out_request_no).', {
      field: 'refundId',
      code: 'INVALID_ID',
      provider,
    });
  }
  return {
    out_trade_no: outTradeNo(request.providerReference, provider),
    refund_amount: yuan(request.amount),
    out_request_no: request.refundId,
    ...(request.reason ? { refund_reason: cleanText(request.reason, 256) } : {}),
  };
}

/**
 * Checks an `out_trade_no` (our attempt id): 1–64 letters, digits or underscores.
 * @throws ValidationError otherwise.
 */
export function outTradeNo(value: unknown, provider: string): string {
  if (typeof value !== 'string' || !/^[0-9A-Za-z_]{1,64}$/.test(value)) {
    throw new ValidationError('Alipay: the attempt id (out_trade_no) must be 1–64 letters, digits or underscores.', {
      field: 'attemptId',
      code: 'INVALID_ID',
      provider,
    });
  }
  return value;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
