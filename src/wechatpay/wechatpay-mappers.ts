/**
 * The WeChat Pay tables, as data: `trade_state` → our payment status and event type, refund `status` → our
 * refund status, notification `event_type` → our event type, and WeChat Pay's error answers (`code`, HTTP
 * status) → what the caller does next. The place to look first when a WeChat Pay payment misbehaves; each
 * table is tested row by row.
 * @module
 */
import type { PaymentEventType, PaymentStatus, RefundStatus } from '../core/types.js';

/** `trade_state` of queries and payment notifications. */
export type WechatPayTradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

/**
 * Trade state → payment status. `REFUND` is a paid trade with a refund requested against it: the payment
 * succeeded. `USERPAYING` is the payer entering a password; `NOTPAY` is nobody paying yet.
 */
export const WECHATPAY_TRADE_STATE: Readonly<Record<WechatPayTradeState, PaymentStatus>> = {
  SUCCESS: 'succeeded',
  REFUND: 'succeeded',
  NOTPAY: 'requires_action',
  USERPAYING: 'processing',
  CLOSED: 'canceled',
  REVOKED: 'canceled',
  PAYERROR: 'failed',
};

/** Trade state → event type, for a payment notification (`TRANSACTION.*`) or a pull. */
export const WECHATPAY_TRADE_STATE_EVENTS: Readonly<Record<WechatPayTradeState, PaymentEventType>> = {
  SUCCESS: 'payment.succeeded',
  REFUND: 'payment.succeeded',
  NOTPAY: 'payment.pending',
  USERPAYING: 'payment.pending',
  CLOSED: 'payment.canceled',
  REVOKED: 'payment.canceled',
  PAYERROR: 'payment.failed',
};

/** Refund `status` (refund answers) / `refund_status` (refund notifications). */
export type WechatPayRefundState = 'SUCCESS' | 'PROCESSING' | 'ABNORMAL' | 'CLOSED';

/**
 * Refund status → our refund status. `ABNORMAL` is a refund the payer's bank refused (a cancelled card): no
 * money went back, the merchant must act in the merchant platform.
 */
export const WECHATPAY_REFUND_STATUS: Readonly<Record<WechatPayRefundState, RefundStatus>> = {
  SUCCESS: 'succeeded',
  PROCESSING: 'pending',
  ABNORMAL: 'failed',
  CLOSED: 'failed',
};

/**
 * Notification `event_type` → event type. A `TRANSACTION.SUCCESS` resource is read through its
 * `trade_state` ({@link WECHATPAY_TRADE_STATE_EVENTS}); anything else is `unsupported`.
 */
export const WECHATPAY_NOTIFY_EVENT_TYPES: Readonly<Record<string, PaymentEventType>> = {
  'TRANSACTION.SUCCESS': 'payment.succeeded',
  'REFUND.SUCCESS': 'refund.succeeded',
  'REFUND.ABNORMAL': 'refund.failed',
  'REFUND.CLOSED': 'refund.failed',
};

/** What the caller does next after a WeChat Pay refusal or failure. */
export type WechatPayErrorOutcome =
  /** Bad input we could not check locally; final. */
  | 'validation'
  /** Credentials, permissions, signature or product not enabled; final until an operator fixes it. */
  | 'configuration'
  /** A final business refusal (closed order, balance too low, …). */
  | 'declined'
  /** The same `out_trade_no` / `out_refund_no` was used with other parameters. */
  | 'integrity'
  /** WeChat Pay failed internally: a write may or may not have happened (query, then retry). */
  | 'uncertain'
  /** Nothing was done; retry later. */
  | 'unavailable'
  /** The order or refund does not exist. */
  | 'not_found';

/**
 * Error `code` of a 4xx/5xx answer → outcome, for the codes the adapter's calls can meet (create, query,
 * close, refund, refund query). Unknown codes fall back to {@link WECHATPAY_HTTP_STATUS_ERRORS}.
 */
export const WECHATPAY_ERROR_CODES: Readonly<Record<string, WechatPayErrorOutcome>> = {
  PARAM_ERROR: 'validation',
  INVALID_REQUEST: 'validation',
  APPID_MCHID_NOT_MATCH: 'configuration',
  MCH_NOT_EXISTS: 'configuration',
  SIGN_ERROR: 'configuration',
  NO_AUTH: 'configuration',
  ACCOUNT_ERROR: 'configuration',
  OUT_TRADE_NO_USED: 'integrity',
  ORDERPAID: 'declined',
  ORDER_CLOSED: 'declined',
  TRADE_ERROR: 'declined',
  RULE_LIMIT: 'declined',
  NOT_ENOUGH: 'declined',
  USER_ACCOUNT_ABNORMAL: 'declined',
  INVALID_TRANSACTIONID: 'validation',
  ORDER_NOT_EXIST: 'not_found',
  RESOURCE_NOT_EXISTS: 'not_found',
  FREQUENCY_LIMITED: 'unavailable',
  SYSTEM_ERROR: 'uncertain',
  BANK_ERROR: 'uncertain',
};

/** One row of {@link WECHATPAY_HTTP_STATUS_ERRORS}. */
export interface WechatPayHttpStatusRow {
  /** The HTTP status, or `'other'` for every status without a row. */
  status: number | 'other';
  /** What the caller does next. */
  outcome: WechatPayErrorOutcome;
}

/**
 * HTTP status → outcome, for an answer whose `code` is not in {@link WECHATPAY_ERROR_CODES} (or that has
 * none, like a gateway's HTML page). 429 says nothing was done; a 5xx may come after WeChat Pay acted, so a
 * failed write is indeterminate. Reads treat `uncertain` as `unavailable`.
 */
export const WECHATPAY_HTTP_STATUS_ERRORS: readonly WechatPayHttpStatusRow[] = [
  { status: 400, outcome: 'validation' },
  { status: 401, outcome: 'configuration' },
  { status: 403, outcome: 'declined' },
  { status: 404, outcome: 'not_found' },
  { status: 429, outcome: 'unavailable' },
  { status: 500, outcome: 'uncertain' },
  { status: 502, outcome: 'uncertain' },
  { status: 503, outcome: 'uncertain' },
  { status: 504, outcome: 'uncertain' },
  { status: 'other', outcome: 'uncertain' },
];

/** The outcome of an error answer. */
export function wechatpayErrorOutcome(status: number, code: string | undefined): WechatPayErrorOutcome {
  const byCode = code === undefined ? undefined : WECHATPAY_ERROR_CODES[code];
  if (byCode !== undefined) return byCode;
  return (WECHATPAY_HTTP_STATUS_ERRORS.find((row) => row.status === status) ?? { outcome: 'uncertain' as const })
    .outcome;
}

/** Whether `value` is a trade state of {@link WECHATPAY_TRADE_STATE}. */
export function isWechatPayTradeState(value: unknown): value is WechatPayTradeState {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(WECHATPAY_TRADE_STATE, value);
}

/** Whether `value` is a refund status of {@link WECHATPAY_REFUND_STATUS}. */
export function isWechatPayRefundState(value: unknown): value is WechatPayRefundState {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(WECHATPAY_REFUND_STATUS, value);
}
