/**
 * The Ping++ API objects the adapter reads and writes, typed from the API reference (the `pingpp` SDK
 * ships no types), and the guards that check an untrusted value (an API answer, a webhook's object)
 * carries the fields the adapter relies on. Everything else stays available in the `raw` object of a
 * result.
 * @module
 */

/** A page of objects (`GET /v1/charges/{id}/refunds`). */
export interface PingxxList<T> {
  /** Object kind, as the provider names it. */
  object: 'list';
  /** URL. */
  url?: string;
  /** Whether more items exist. */
  has_more: boolean;
  /** The payload. */
  data: T[];
}

/** `charge.credential`: what the payer's client needs, keyed by channel (`{ object: 'credential', wx_pub: {…} }`). */
export type PingxxCredential = {
  /** Always `'credential'`. */
  object?: 'credential';
} & Record<string, unknown>;

/** A Ping++ charge (`ch_…`). Timestamps are unix seconds; amounts are fen. */
export interface PingxxCharge {
  /** Identifier. */
  id: string;
  /** Object kind, as the provider names it. */
  object: 'charge';
  /** Creation time, Unix seconds. */
  created: number;
  /** Whether this is live (not test) mode. */
  livemode: boolean;
  /** Whether the charge is paid. */
  paid: boolean;
  /** Whether it is fully refunded. */
  refunded: boolean;
  /** Set when the charge was revoked (撤销) before payment. */
  reversed?: boolean;
  /** App id the charge belongs to. */
  app: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel: string;
  /** Our attempt id. */
  order_no: string;
  /** The payer's IP address. */
  client_ip?: string;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** Minor units settled to the merchant. */
  amount_settle?: number;
  /** Lower-case, `cny`. */
  currency: string;
  /** Payment title shown to the payer. */
  subject: string;
  /** Payment description shown to the payer. */
  body: string;
  /** Channel-specific parameters. */
  extra?: Record<string, unknown>;
  /** When it was paid, Unix seconds. */
  time_paid: number | null;
  /** Expiry, Unix seconds. */
  time_expire: number | null;
  /** When it was settled, Unix seconds. */
  time_settle?: number | null;
  /** The channel's own transaction number, once paid. */
  transaction_no: string | null;
  /** Refund ledger. */
  refunds?: PingxxList<PingxxRefund>;
  /** Minor units refunded so far. */
  amount_refunded: number;
  /** The provider's failure code, when failed. */
  failure_code: string | null;
  /** The provider's failure message, when failed. */
  failure_msg: string | null;
  /** String key/value metadata. */
  metadata: Record<string, string>;
  /** What the client SDK needs to pay, by channel. */
  credential: PingxxCredential;
  /** Human-readable description. */
  description?: string | null;
}

/** Ping++ refund statuses. */
export type PingxxRefundStatus = 'pending' | 'succeeded' | 'failed';

/** A Ping++ refund (`re_…`). */
export interface PingxxRefund {
  /** Identifier. */
  id: string;
  /** Object kind, as the provider names it. */
  object: 'refund';
  /** The charge's `order_no` (our attempt id). */
  order_no?: string;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** Creation time, Unix seconds. */
  created: number;
  /** Legacy boolean twin of `status === 'succeeded'`. */
  succeed: boolean;
  /** Current status. */
  status: PingxxRefundStatus | (string & {});
  /** When the refund succeeded, Unix seconds. */
  time_succeed: number | null;
  /** Human-readable description. */
  description: string;
  /** The provider's failure code, when failed. */
  failure_code: string | null;
  /** The provider's failure message, when failed. */
  failure_msg: string | null;
  /** String key/value metadata. */
  metadata: Record<string, string>;
  /** The charge id. */
  charge: string;
  /** The charge's `order_no`, i.e. our attempt id. */
  charge_order_no?: string;
  /** The channel's transaction number. */
  transaction_no?: string | null;
  /** ISO 4217 currency code. */
  currency?: string;
  /** Where the refund is funded from. */
  funding_source?: string | null;
}

/** A webhook event as Ping++ posts it. */
export interface PingxxEvent {
  /** Identifier. */
  id: string;
  /** Object kind, as the provider names it. */
  object: 'event';
  /** Creation time, Unix seconds. */
  created: number;
  /** Whether this is live (not test) mode. */
  livemode: boolean;
  /** Event type. */
  type: string;
  /** What the event is about. */
  data: {
    /** The charge (`charge.succeeded`) or refund (`refund.succeeded`) as it is now. */
    object: unknown;
  };
  /** Deliveries still pending. */
  pending_webhooks?: number;
  /** The request that caused it. */
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
