/**
 * The Ping++ API objects the adapter reads and writes, typed from the API reference (the `pingpp` SDK
 * ships no types), and the guards that check an untrusted value (an API answer, a webhook's object)
 * carries the fields the adapter relies on. Everything else stays available in the `raw` object of a
 * result.
 * @module
 */

/** A page of objects (`GET /v1/charges/{id}/refunds`). */
export interface PingxxList<T> {
  object: 'list';
  url?: string;
  has_more: boolean;
  data: T[];
}

/** `charge.credential`: what the payer's client needs, keyed by channel (`{ object: 'credential', wx_pub: {…} }`). */
export type PingxxCredential = { object?: 'credential' } & Record<string, unknown>;

/** A Ping++ charge (`ch_…`). Timestamps are unix seconds; amounts are fen. */
export interface PingxxCharge {
  id: string;
  object: 'charge';
  created: number;
  livemode: boolean;
  paid: boolean;
  refunded: boolean;
  /** Set when the charge was revoked (撤销) before payment. */
  reversed?: boolean;
  /** App id the charge belongs to. */
  app: string;
  channel: string;
  /** Our attempt id. */
  order_no: string;
  client_ip?: string;
  amount: number;
  amount_settle?: number;
  /** Lower-case, `cny`. */
  currency: string;
  subject: string;
  body: string;
  extra?: Record<string, unknown>;
  time_paid: number | null;
  time_expire: number | null;
  time_settle?: number | null;
  /** The channel's own transaction number, once paid. */
  transaction_no: string | null;
  refunds?: PingxxList<PingxxRefund>;
  amount_refunded: number;
  failure_code: string | null;
  failure_msg: string | null;
  metadata: Record<string, string>;
  credential: PingxxCredential;
  description?: string | null;
}

/** Ping++ refund statuses. */
export type PingxxRefundStatus = 'pending' | 'succeeded' | 'failed';

/** A Ping++ refund (`re_…`). */
export interface PingxxRefund {
  id: string;
  object: 'refund';
  order_no?: string;
  amount: number;
  created: number;
  /** Legacy boolean twin of `status === 'succeeded'`. */
  succeed: boolean;
  status: PingxxRefundStatus | (string & {});
  time_succeed: number | null;
  description: string;
  failure_code: string | null;
  failure_msg: string | null;
  metadata: Record<string, string>;
  /** The charge id. */
  charge: string;
  /** The charge's `order_no`, i.e. our attempt id. */
  charge_order_no?: string;
  transaction_no?: string | null;
  currency?: string;
  funding_source?: string | null;
}

/** A webhook event as Ping++ posts it. */
export interface PingxxEvent {
  id: string;
  object: 'event';
  created: number;
  livemode: boolean;
  type: string;
  data: { object: unknown };
  pending_webhooks?: number;
  request?: string | null;
}

/** Body of `POST /v1/charges`. */
export interface PingxxChargeParams {
  order_no: string;
  app: { id: string };
  channel: string;
  amount: number;
  client_ip: string;
  currency: 'cny';
  subject: string;
  body: string;
  extra: Record<string, string>;
  time_expire?: number;
  metadata?: Record<string, string>;
  description?: string;
}

/** Body of `POST /v1/charges/{id}/refunds`. */
export interface PingxxRefundParams {
  /** Fen; Ping++ refunds the whole remaining amount when omitted, so the adapter always sends it. */
  amount: number;
  /** Required by Ping++ (≤ 255 characters). */
  description: string;
  metadata?: Record<string, string>;
}

/** Whether `value` is a charge with the fields the adapter reads: id, `order_no`, integer amount, currency. */
export function isPingxxCharge(value: unknown): value is PingxxCharge {
  return (
    isObject(value) &&
    value.object === 'charge' &&
    typeof value.id === 'string' &&
    typeof value.order_no === 'string' &&
    Number.isSafeInteger(value.amount) &&
    typeof value.currency === 'string'
  );
}

/** Whether `value` is a refund with the fields the adapter reads: id, charge id, integer amount. */
export function isPingxxRefund(value: unknown): value is PingxxRefund {
  return (
    isObject(value) &&
    value.object === 'refund' &&
    typeof value.id === 'string' &&
    typeof value.charge === 'string' &&
    Number.isSafeInteger(value.amount)
  );
}

/** Whether `value` is a page of refunds, each passing {@link isPingxxRefund}. */
export function isPingxxRefundList(value: unknown): value is PingxxList<PingxxRefund> {
  return isObject(value) && value.object === 'list' && Array.isArray(value.data) && value.data.every(isPingxxRefund);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
