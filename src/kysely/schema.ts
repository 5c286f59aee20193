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
  id: Generated<DbInteger>;
  order_bid: string;
  user_bid: string;
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
  payment_channel: string;
  status: DbInteger;
  deleted: ColumnType<number, number | undefined, number>;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
}

/** Columns every attempt table has. */
export interface AttemptColumns {
  id: Generated<DbInteger>;
  order_bid: string;
  /** The order's buyer, as the original system stored it on attempt rows. */
  user_bid: string | null;
  /** The order's product, as the original system stored it on attempt rows. */
  shifu_bid: string | null;
  provider_name: string | null;
  provider_reference: string | null;
  channel: string | null;
  amount: DbInteger;
  currency: string;
  status: DbInteger;
  client_ip: string | null;
  expires_at: DbTimestamp | null;
  /** 1 live, 0 test, NULL unknown. */
  livemode: DbInteger | null;
  result_json: string | null;
  metadata_json: string | null;
  failure_code: string | null;
  paid_at: DbTimestamp | null;
  refunded_at: DbTimestamp | null;
  closed_at: DbTimestamp | null;
  failed_at: DbTimestamp | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
}

/** `order_pingxx_orders`: Ping++ attempts. */
export interface PingxxAttemptsTable extends AttemptColumns {
  pingxx_order_bid: string;
  /** `order` for order payments; the original system keeps other domains' rows (`billing`) here too. */
  biz_domain: ColumnType<string, string | undefined, string>;
  charge_id: string | null;
  app_id: string | null;
  /** Channel extras, JSON. */
  extra: string | null;
  /** The Ping++ charge object (never a webhook envelope), JSON; rows the original wrote may hold a Python `repr`. */
  charge_object: string | null;
  failure_msg: string | null;
  deleted: ColumnType<number, number | undefined, number>;
}

/** `order_stripe_orders`: Stripe attempts. */
export interface StripeAttemptsTable extends AttemptColumns {
  stripe_order_bid: string;
  /** `order` for order payments; the original system keeps other domains' rows (`billing`) here too. */
  biz_domain: ColumnType<string, string | undefined, string>;
  payment_intent_id: string | null;
  checkout_session_id: string | null;
  latest_charge_id: string | null;
  receipt_url: string | null;
  payment_method: string | null;
  failure_message: string | null;
  extra_json: string | null;
  /** The PaymentIntent object (never a webhook envelope), JSON. */
  payment_intent_object: string | null;
  /** The Checkout Session object (never a webhook envelope), JSON. */
  checkout_session_object: string | null;
  deleted: ColumnType<number, number | undefined, number>;
}

/** `order_payment_attempts`: attempts of every other provider kind. */
export interface GenericAttemptsTable extends AttemptColumns {
  attempt_bid: string;
  provider_kind: string;
  failure_message: string | null;
  extra_json: string | null;
  raw_json: string | null;
}

/** `order_payment_events`: the webhook event journal. */
export interface PaymentEventsTable {
  id: Generated<DbInteger>;
  provider: string;
  event_id: string;
  type: string;
  provider_event_type: string;
  attempt_bid: string | null;
  order_bid: string | null;
  outcome: string | null;
  detail: string | null;
  payload: string | null;
  received_at: DbTimestamp;
  processed_at: DbTimestamp | null;
}

/** `order_refunds`: the refund ledger. */
export interface RefundsTable {
  id: Generated<DbInteger>;
  refund_bid: string;
  provider_refund_id: string | null;
  provider: string;
  order_bid: string;
  attempt_bid: string;
  amount: DbInteger;
  currency: string;
  status: DbInteger;
  reason: string | null;
  raw_json: string | null;
  created_at: DbTimestamp;
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
  order_orders: OrdersTable;
  order_pingxx_orders: PingxxAttemptsTable;
  order_stripe_orders: StripeAttemptsTable;
  order_payment_attempts: GenericAttemptsTable;
  order_payment_events: PaymentEventsTable;
  order_refunds: RefundsTable;
}

/** Names of the payment tables. */
export interface TableNames {
  orders: string;
  pingxxAttempts: string;
  stripeAttempts: string;
  /** Attempts of any provider kind other than `pingxx` and `stripe`. */
  attempts: string;
  events: string;
  refunds: string;
}

/** The original system's table names (plus our two new tables). */
export const DEFAULT_TABLE_NAMES: Readonly<TableNames> = Object.freeze({
  orders: 'order_orders',
  pingxxAttempts: 'order_pingxx_orders',
  stripeAttempts: 'order_stripe_orders',
  attempts: 'order_payment_attempts',
  events: 'order_payment_events',
  refunds: 'order_refunds',
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
