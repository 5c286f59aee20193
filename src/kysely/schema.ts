/**
 * The tables the Kysely reference implementation reads and writes, typed for Kysely (`PaymentDatabase`),
 * with their default names (those of the original system) and the way to rename them.
 *
 * Column conventions: ids are `*_bid` strings; statuses are SMALLINT codes (see `status-codes.ts`);
 * order prices are DECIMAL major units, attempt and refund amounts integer minor units; JSON columns hold
 * JSON text; timestamps are `timestamptz` (PostgreSQL), `DATETIME(3)` (MySQL) or ISO-8601 text (SQLite).
 * Columns marked *legacy* exist in tables adopted from the original system and are left untouched.
 * @module
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamp as drivers return it: `Date` (pg, mysql2) or a string (SQLite, `dateStrings`). */
export type DbTimestamp = ColumnType<Date | string, Date | string, Date | string>;
/** An integer as drivers return it: a number, or a string for PostgreSQL `bigint`. */
export type DbInteger = ColumnType<number | string | bigint, number, number>;
/** A DECIMAL as drivers return it: a string (pg, mysql2) or a number (SQLite). */
export type DbDecimal = ColumnType<string | number, string, string>;

/**
 * A database Kysely knows no tables of. The repositories query through it because table names are
 * configurable at run time; rows are mapped and checked by hand (see the `*FromRow` functions).
 */
export type UntypedDatabase = Record<string, Record<string, unknown>>;

/** `order_orders`. */
export interface OrdersTable {
  /** Auto-increment row id (the original tables' primary key); the library's own ids are the `*_bid` columns. */
  id: Generated<DbInteger>;
  /** Our order id. */
  order_bid: string;
  /** The paying user. */
  user_bid: string;
  /** The product bought (original column name). */
  shifu_bid: string;
  /** List price before discounts (the original's meaning), DECIMAL major units. */
  payable_price: DbDecimal;
  /** Amount due after discounts, written when the order is created; what a charge collects. */
  paid_price: DbDecimal;
  /**
   * Amount captured (added by migration 0002). `NULL` in rows the original system wrote: they read as
   * `paid_price` once paid or refunded, else 0.
   */
  captured_price: DbDecimal | null;
  /**
   * Added by migration 0001. `NULL` in rows the original system wrote: they read as the currency of their
   * attempts, else the configured legacy currency.
   */
  currency: string | null;
  /** Provider the order is paid through. */
  payment_channel: string;
  /** The seller (added by migration 0007 unless the original table has it; `''`/`NULL` = none). */
  creator_bid: string | null;
  /** The merchant account version the order's charge collects into (migration 0007; `''`/`NULL` = the platform's). */
  payment_integration_bid: string | null;
  /** Current status. */
  status: DbInteger;
  /** Soft-delete flag of the original tables (0 = live). */
  deleted: ColumnType<number, number | undefined, number>;
  /** When the row was created. */
  created_at: DbTimestamp;
  /** When the row was last changed. */
  updated_at: DbTimestamp;
}

/** Columns every attempt table has. */
export interface AttemptColumns {
  /** Auto-increment row id (the original tables' primary key); the library's own ids are the `*_bid` columns. */
  id: Generated<DbInteger>;
  /** Our order id. */
  order_bid: string;
  /** The order's buyer, as the original system stored it on attempt rows. */
  user_bid: string | null;
  /** The order's product, as the original system stored it on attempt rows. */
  shifu_bid: string | null;
  /** Provider instance name. */
  provider_name: string | null;
  /** The seller snapshot (migration 0007; `''` = none). */
  creator_bid: string | null;
  /** The merchant account version snapshot (migration 0007; `''` = the platform's accounts, `NULL` = not recorded). */
  payment_integration_bid: string | null;
  /** The provider's payment id. */
  provider_reference: string | null;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel: string | null;
  /** Amount in minor units of `currency`. */
  amount: DbInteger;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: DbInteger;
  /** The payer's IP address. */
  client_ip: string | null;
  /** When the payment expires. */
  expires_at: DbTimestamp | null;
  /** 1 live, 0 test, NULL unknown. */
  livemode: DbInteger | null;
  /** The normalised creation result (JSON). */
  result_json: string | null;
  /** Metadata (JSON). */
  metadata_json: string | null;
  /** The provider's failure code, when failed. */
  failure_code: string | null;
  /** When it was paid. */
  paid_at: DbTimestamp | null;
  /** When it was fully refunded. */
  refunded_at: DbTimestamp | null;
  /** When it was closed. */
  closed_at: DbTimestamp | null;
  /** When it failed. */
  failed_at: DbTimestamp | null;
  /** When the row was created. */
  created_at: DbTimestamp;
  /** When the row was last changed. */
  updated_at: DbTimestamp;
}

/** `order_pingxx_orders`: Ping++ attempts. */
export interface PingxxAttemptsTable extends AttemptColumns {
  /** Our attempt id, unique (= Ping++ `order_no`). */
  pingxx_order_bid: string;
  /** `order` for order payments; the original system keeps other domains' rows (`billing`) here too. */
  biz_domain: ColumnType<string, string | undefined, string>;
  /** Ping++ charge id (`ch_…`). */
  charge_id: string | null;
  /** Ping++ app id (`app_…`). */
  app_id: string | null;
  /** Channel extras, JSON. */
  extra: string | null;
  /** The Ping++ charge object (never a webhook envelope), JSON; rows the original wrote may hold a Python `repr`. */
  charge_object: string | null;
  /** The provider's failure message, when failed. */
  failure_msg: string | null;
  /** Soft-delete flag of the original tables (0 = live). */
  deleted: ColumnType<number, number | undefined, number>;
}

/** `order_stripe_orders`: Stripe attempts. */
export interface StripeAttemptsTable extends AttemptColumns {
  /** Our attempt id, unique. */
  stripe_order_bid: string;
  /** `order` for order payments; the original system keeps other domains' rows (`billing`) here too. */
  biz_domain: ColumnType<string, string | undefined, string>;
  /** Stripe PaymentIntent id. */
  payment_intent_id: string | null;
  /** Stripe Checkout Session id. */
  checkout_session_id: string | null;
  /** Stripe's latest charge id. */
  latest_charge_id: string | null;
  /** Stripe receipt URL. */
  receipt_url: string | null;
  /** Payment method used. */
  payment_method: string | null;
  /** The provider's failure message, when failed. */
  failure_message: string | null;
  /** Channel parameters (JSON). */
  extra_json: string | null;
  /** The PaymentIntent object (never a webhook envelope), JSON. */
  payment_intent_object: string | null;
  /** The Checkout Session object (never a webhook envelope), JSON. */
  checkout_session_object: string | null;
  /** Soft-delete flag of the original tables (0 = live). */
  deleted: ColumnType<number, number | undefined, number>;
}

/**
 * `order_alipay_orders` / `order_wechatpay_orders`: native Alipay and WeChat Pay attempts, in the
 * original system's shape (adopted when present) plus our common attempt columns.
 */
export interface NativeAttemptColumns extends Omit<AttemptColumns, 'provider_reference'> {
  /** `order` for order payments (ours); the original system also keeps `billing` rows here, which we never read. */
  biz_domain: ColumnType<string, string | undefined, string>;
  /** Bill order id of the original system (legacy; not written by us). */
  bill_order_bid: string | null;
  /** Our `out_trade_no` (= the attempt id), the attempt's provider reference. */
  provider_attempt_id: string | null;
  /** Alipay `trade_no` / WeChat Pay `transaction_id`, once known. */
  transaction_id: string | null;
  /** The provider's own status word (`TRADE_SUCCESS`, `NOTPAY`, …), legacy. */
  raw_status: string | null;
  /** The request sent (legacy; kept as the original wrote it). */
  raw_request: string | null;
  /** The latest provider object (response, query or notification), JSON. */
  raw_response: string | null;
  /** The original system's copy of the last notification (legacy). */
  raw_notification: string | null;
  /** The provider's failure message, when failed. */
  failure_message: string | null;
  /** Channel parameters (JSON). */
  extra_json: string | null;
  /** The original's soft-delete flag (we never delete). */
  deleted: ColumnType<number, number | undefined, number>;
}

/** `order_alipay_orders`: Alipay attempts. */
export interface AlipayAttemptsTable extends NativeAttemptColumns {
  /** Our attempt id. */
  alipay_order_bid: string;
}

/** `order_wechatpay_orders`: WeChat Pay attempts. */
export interface WechatPayAttemptsTable extends NativeAttemptColumns {
  /** Our attempt id. */
  wechatpay_order_bid: string;
}

/** `order_payment_attempts`: attempts of every other provider kind. */
export interface GenericAttemptsTable extends AttemptColumns {
  /** Our attempt id. */
  attempt_bid: string;
  /** Adapter kind. */
  provider_kind: string;
  /** The provider's failure message, when failed. */
  failure_message: string | null;
  /** Channel parameters (JSON). */
  extra_json: string | null;
  /** The provider object (JSON). */
  raw_json: string | null;
}

/** `order_payment_events`: the webhook event journal. */
export interface PaymentEventsTable {
  /** Auto-increment row id (the original tables' primary key); the library's own ids are the `*_bid` columns. */
  id: Generated<DbInteger>;
  /** Provider instance name (registry key). */
  provider: string;
  /** The provider's event id (unique per provider). */
  event_id: string;
  /** The normalised event type (`payment.succeeded`, `refund.succeeded`, …). */
  type: string;
  /** The provider's own event type. */
  provider_event_type: string;
  /** Our attempt id. */
  attempt_bid: string | null;
  /** Our order id. */
  order_bid: string | null;
  /** How the event was handled (`applied`, `duplicate`, `ignored`, `rejected`). */
  outcome: string | null;
  /** Why the event was ignored or rejected. */
  detail: string | null;
  /** The verified event body. */
  payload: string | null;
  /** `sha256:<hex>` of the verified webhook payload (migration 0003); null for synthetic events. */
  payload_hash: string | null;
  /** When the event arrived. */
  received_at: DbTimestamp;
  /** When handling finished. */
  processed_at: DbTimestamp | null;
}

/** `order_refunds`: the refund ledger. */
export interface RefundsTable {
  /** Auto-increment row id (the original tables' primary key); the library's own ids are the `*_bid` columns. */
  id: Generated<DbInteger>;
  /** Our refund id (unique). */
  refund_bid: string;
  /** The provider's refund id (unique). */
  provider_refund_id: string | null;
  /** Provider instance name (registry key). */
  provider: string;
  /** Our order id. */
  order_bid: string;
  /** Our attempt id. */
  attempt_bid: string;
  /** Amount in minor units of `currency`. */
  amount: DbInteger;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: DbInteger;
  /** Why the refund was made. */
  reason: string | null;
  /** The provider object (JSON). */
  raw_json: string | null;
  /** When the row was created. */
  created_at: DbTimestamp;
  /** When the row was last changed. */
  updated_at: DbTimestamp;
}

/** `order_payment_outbox`: notifications to deliver (migration 0005). */
export interface OutboxTable {
  /** Auto-increment row id (the original tables' primary key); the library's own ids are the `*_bid` columns. */
  id: Generated<DbInteger>;
  /** The notification's unique key (consumers drop repeats of it). */
  message_key: string;
  /** What it announces (`order.paid`, …). */
  type: string;
  /** Our order id, when it concerns one. */
  order_bid: string | null;
  /** The notification (JSON). */
  payload: string | null;
  /** 0 pending, 1 delivered, 2 dead. */
  status: DbInteger;
  /** Claims so far. */
  attempts: DbInteger;
  /** When it is next due. */
  available_at: DbTimestamp;
  /** The claim holding it (`owner/random`). */
  claimed_by: string | null;
  /** When the claim's lease ends. */
  lease_until: DbTimestamp | null;
  /** Consumers that took it (JSON array of names). */
  delivered_to: string | null;
  /** The last failure, secret-free. */
  last_error: string | null;
  /** When it became delivered. */
  delivered_at: DbTimestamp | null;
  /** When the row was created. */
  created_at: DbTimestamp;
  /** When the row was last changed. */
  updated_at: DbTimestamp;
}

/**
 * The payment tables under their default names. Merge it into your own database interface to query them
 * with Kysely's types.
 *
 * @example
 * ```ts
 * interface Database extends PaymentDatabase { memberships: MembershipsTable }
 * const db = new Kysely<Database>({ dialect });
 * ```
 */
export interface PaymentDatabase {
  /** Orders. */
  order_orders: OrdersTable;
  /** Ping++ attempts. */
  order_pingxx_orders: PingxxAttemptsTable;
  /** Stripe attempts. */
  order_stripe_orders: StripeAttemptsTable;
  /** Native Alipay attempts. */
  order_alipay_orders: AlipayAttemptsTable;
  /** Native WeChat Pay attempts. */
  order_wechatpay_orders: WechatPayAttemptsTable;
  /** Attempts of other providers. */
  order_payment_attempts: GenericAttemptsTable;
  /** Webhook event journal. */
  order_payment_events: PaymentEventsTable;
  /** Refund ledger. */
  order_refunds: RefundsTable;
  /** Notification outbox. */
  order_payment_outbox: OutboxTable;
}

/** Names of the payment tables. */
export interface TableNames {
  /** Orders. */
  orders: string;
  /** Ping++ attempts table. */
  pingxxAttempts: string;
  /** Stripe attempts table. */
  stripeAttempts: string;
  /** Native Alipay attempts (migration 0004). */
  alipayAttempts: string;
  /** Native WeChat Pay attempts (migration 0004). */
  wechatpayAttempts: string;
  /** Attempts of any provider kind without a table of its own. */
  attempts: string;
  /** Webhook event journal. */
  events: string;
  /** Refund ledger. */
  refunds: string;
  /** Notification outbox. */
  outbox: string;
}

/** The original system's table names (plus our new tables). */
export const DEFAULT_TABLE_NAMES: Readonly<TableNames> = Object.freeze({
  orders: 'order_orders',
  pingxxAttempts: 'order_pingxx_orders',
  stripeAttempts: 'order_stripe_orders',
  alipayAttempts: 'order_alipay_orders',
  wechatpayAttempts: 'order_wechatpay_orders',
  attempts: 'order_payment_attempts',
  events: 'order_payment_events',
  refunds: 'order_refunds',
  outbox: 'order_payment_outbox',
});

/**
 * Completes partial table names with the defaults.
 * @throws Error when a name is empty or two tables share a name.
 */
export function resolveTableNames(tables: Partial<TableNames> = {}): TableNames {
  const names = { ...DEFAULT_TABLE_NAMES, ...tables };
  const values = Object.values(names);
  if (values.some((v) => typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v))) {
    throw new TypeError('Table names must be plain SQL identifiers (letters, digits, underscores).');
  }
  if (new Set(values).size !== values.length) throw new TypeError('Each payment table needs its own name.');
  return names;
}
