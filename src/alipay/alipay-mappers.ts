/**
 * The Alipay tables, as data: trade status → our payment status, notification → our event type, and
 * Alipay's answers (`code` / `sub_code`) and transport failures → what the caller does next. The place to
 * look first when an Alipay payment misbehaves; each table is tested row by row.
 * @module
 */
import type { PaymentEventType, PaymentStatus } from '../core/types.js';

/** `trade_status` values of `alipay.trade.query` and notifications. */
export type AlipayTradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';

/**
 * Trade status → payment status. `TRADE_FINISHED` is a paid trade past its refund window. A paid trade
 * later refunded in full also reads `TRADE_CLOSED`; the adapter tells it apart by its payment time.
 */
export const ALIPAY_TRADE_STATUS: Readonly<Record<AlipayTradeStatus, PaymentStatus>> = {
  WAIT_BUYER_PAY: 'requires_action',
  TRADE_SUCCESS: 'succeeded',
  TRADE_FINISHED: 'succeeded',
  TRADE_CLOSED: 'canceled',
};

/**
 * Notification `trade_status` → event type, for payment notifications. A notification that carries a
 * refund (`out_biz_no` with `refund_fee`) is a `refund.succeeded` whatever its trade status.
 */
export const ALIPAY_NOTIFY_EVENT_TYPES: Readonly<Record<AlipayTradeStatus, PaymentEventType>> = {
  WAIT_BUYER_PAY: 'payment.pending',
  TRADE_SUCCESS: 'payment.succeeded',
  TRADE_FINISHED: 'payment.succeeded',
  TRADE_CLOSED: 'payment.canceled',
};

/** What the caller does next after an Alipay refusal or failure. */
export type AlipayErrorOutcome =
  /** Bad input we could not check locally; final. */
  | 'validation'
  /** Credentials, permissions or product not signed; final until an operator fixes it. */
  | 'configuration'
  /** A final business refusal (closed trade, balance too low, …). */
  | 'declined'
  /** The same `out_trade_no` was sent with other parameters. */
  | 'integrity'
  /** Alipay says it failed internally: a write may or may not have happened (query, then retry). */
  | 'uncertain'
  /** Nothing was done; retry later. */
  | 'unavailable'
  /** The trade does not exist (yet: a QR trade exists only once scanned). */
  | 'not_found';

/**
 * Business `sub_code` → outcome, for the codes the adapter's methods can meet (precreate, query, close,
 * refund, refund query). Unknown `sub_code`s fall back to {@link ALIPAY_GATEWAY_CODES}.
 */
export const ALIPAY_SUB_CODE_ERRORS: Readonly<Record<string, AlipayErrorOutcome>> = {
  'ACQ.SYSTEM_ERROR': 'uncertain',
  'aop.ACQ.SYSTEM_ERROR': 'uncertain',
  'ACQ.INVALID_PARAMETER': 'validation',
  'ACQ.EXIST_FORBIDDEN_WORD': 'validation',
  'ACQ.TOTAL_FEE_EXCEED': 'validation',
  'ACQ.ACCESS_FORBIDDEN': 'configuration',
  'ACQ.PARTNER_ERROR': 'configuration',
  'ACQ.CONTEXT_INCONSISTENT': 'integrity',
  'ACQ.TRADE_HAS_SUCCESS': 'declined',
  'ACQ.TRADE_HAS_CLOSE': 'declined',
  'ACQ.TRADE_HAS_FINISHED': 'declined',
  'ACQ.TRADE_STATUS_ERROR': 'declined',
  'ACQ.REASON_TRADE_BEEN_FREEZEN': 'declined',
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': 'declined',
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': 'declined',
  'ACQ.REFUND_FEE_ERROR': 'declined',
  'ACQ.TRADE_NOT_ALLOW_REFUND': 'declined',
  'ACQ.TRADE_NOT_EXIST': 'not_found',
  'isv.invalid-signature': 'configuration',
  'isv.missing-signature': 'configuration',
  'isv.invalid-app-id': 'configuration',
  'isv.insufficient-isv-permissions': 'configuration',
};

/** Gateway `code` → outcome, when the `sub_code` is unknown. `10000` is success. */
export const ALIPAY_GATEWAY_CODES: Readonly<Record<string, AlipayErrorOutcome>> = {
  '20000': 'uncertain',
  '20001': 'configuration',
  '40001': 'validation',
  '40002': 'validation',
  '40004': 'declined',
  '40006': 'configuration',
};

/** One row of {@link ALIPAY_HTTP_STATUS_ERRORS}. */
export interface AlipayHttpStatusRow {
  /** The HTTP status, or `other` for any status without a row. */
  status: number | 'other';
  /** What the caller does next. */
  outcome: AlipayErrorOutcome;
}

/**
 * HTTP status of a failed gateway answer → outcome, for writes (`precreate`, `close`, `refund`). 429 says
 * nothing was done; a 5xx may come after Alipay acted. Reads treat every row as `unavailable`.
 */
export const ALIPAY_HTTP_STATUS_ERRORS: ReadonlyArray<AlipayHttpStatusRow> = [
  { status: 429, outcome: 'unavailable' },
  { status: 500, outcome: 'uncertain' },
  { status: 502, outcome: 'uncertain' },
  { status: 503, outcome: 'uncertain' },
  { status: 504, outcome: 'uncertain' },
  { status: 'other', outcome: 'uncertain' },
];

/** The outcome of a business answer. */
export function alipayErrorOutcome(code: string, subCode: string | undefined): AlipayErrorOutcome {
  return (
    (subCode === undefined ? undefined : ALIPAY_SUB_CODE_ERRORS[subCode]) ?? ALIPAY_GATEWAY_CODES[code] ?? 'declined'
  );
}

/** The outcome of an HTTP failure status, for a write. */
export function alipayHttpOutcome(status: number): AlipayErrorOutcome {
  return (ALIPAY_HTTP_STATUS_ERRORS.find((row) => row.status === status) ?? { outcome: 'uncertain' as const }).outcome;
}

/** Whether `value` is a trade status of {@link ALIPAY_TRADE_STATUS}. */
export function isAlipayTradeStatus(value: unknown): value is AlipayTradeStatus {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ALIPAY_TRADE_STATUS, value);
}
