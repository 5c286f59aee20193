/**
 * The payment tables as data: columns, indexes, and which columns must stay NOT NULL. One description
 * drives both the fresh install (create the table) and the adoption of an original-system table (add what
 * is missing, keep everything else).
 * @module
 */
import type { TableNames } from '../schema.js';

/** Portable column kinds; `sql-types.ts` maps them per dialect. */
export type ColumnKind =
  | 'id'
  | 'bid'
  | 'short'
  | 'string'
  | 'currency'
  | 'decimal'
  | 'bigint'
  | 'smallint'
  | 'text'
  | 'longtext'
  | 'timestamp';

/** One column. */
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** NOT NULL. Columns added to an existing table are nullable unless they have a default. */
  notNull: boolean;
  default?: string | number;
}

/** One index. */
export interface IndexSpec {
  /** Suffix appended to the table name to form the index name. */
  suffix: string;
  columns: string[];
  unique: boolean;
}

/** One table. */
export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  indexes: IndexSpec[];
}

/**
 * `biz_domain` of the original attempt tables: `order` rows are order payments (the only ones we read and
 * write); the original system also keeps `billing` rows there, which are not ours.
 */
export const ORDER_BIZ_DOMAIN = 'order';

const col = (name: string, kind: ColumnKind, notNull = false, dflt?: string | number): ColumnSpec =>
  dflt === undefined ? { name, kind, notNull } : { name, kind, notNull, default: dflt };
const idx = (suffix: string, columns: string[], unique = false): IndexSpec => ({ suffix, columns, unique });

const TIMESTAMPS = [col('created_at', 'timestamp', true), col('updated_at', 'timestamp', true)];
const STATUS_TIMES = ['paid_at', 'refunded_at', 'closed_at', 'failed_at'].map((n) => col(n, 'timestamp'));
const ATTEMPT_COMMON = [
  col('order_bid', 'bid', true),
  col('user_bid', 'bid'),
  col('shifu_bid', 'bid'),
  col('provider_name', 'short'),
  col('provider_reference', 'string'),
  col('amount', 'bigint', true, 0),
  col('status', 'smallint', true, 0),
  col('client_ip', 'string'),
  col('metadata_json', 'text'),
  col('result_json', 'text'),
  col('livemode', 'smallint'),
  col('expires_at', 'timestamp'),
  col('failure_code', 'string'),
  ...STATUS_TIMES,
];
/**
 * The merchant account snapshot (migration 0007, DESIGN §12): the seller (`creator_bid`) and the account
 * version (`payment_integration_bid`, empty for the platform's own accounts; `NULL` = not recorded).
 */
const MERCHANT_SNAPSHOT = [col('creator_bid', 'bid'), col('payment_integration_bid', 'bid')];
/**
 * The indexes every attempt table has. `status_created_ix` serves `listPending` (`status = 0 and created_at <
 * cutoff order by created_at, <id> limit n`) in index order, ties included (migration 0006; it supersedes the
 * `(status, created_at)` index `status_ix` of 0001, which left the tie-break to a sort of every match).
 */
const attemptIndexes = (bid: string): IndexSpec[] => [
  idx('order_bid_ix', ['order_bid']),
  idx('ref_ix', ['provider_reference']),
  idx('status_created_ix', ['status', 'created_at', bid]),
];

/** Longest index name every dialect keeps as given (PostgreSQL cuts names at 63 bytes, MySQL refuses over 64). */
export const MAX_INDEX_NAME = 63;

/**
 * The name of `suffix`'s index on `table`: `<table>_<suffix>`, or, when that is longer than {@link MAX_INDEX_NAME},
 * its first characters and a hash of the whole, so a long custom table name still gets a stable, distinct name.
 */
export function indexName(table: string, suffix: string): string {
  const name = `${table}_${suffix}`;
  if (name.length <= MAX_INDEX_NAME) return name;
  let hash = 0x811c9dc5; // FNV-1a, 32 bits: stable across runs and runtimes, no crypto needed
  for (let i = 0; i < name.length; i += 1) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  const tag = hash.toString(16).padStart(8, '0');
  return `${name.slice(0, MAX_INDEX_NAME - tag.length - 1)}_${tag}`;
}

/**
 * Indexes of 0001 / 0005 that migration 0006 replaces by a wider one (same leading columns, the tie-break
 * column added), by table role. 0006 drops them once their replacement exists; fresh installs never get them.
 */
export const SUPERSEDED_INDEXES = {
  orders: { suffix: 'status_ix', by: 'status_created_ix' },
  attempts: { suffix: 'status_ix', by: 'status_created_ix' },
  outbox: { suffix: 'due_ix', by: 'due_key_ix' },
} as const;

/**
 * The native Alipay and WeChat Pay attempt tables (migration 0004): the original system's columns
 * (`<p>_order_bid`, `biz_domain`, `bill_order_bid`, `creator_bid`, `user_bid`, `shifu_bid`,
 * `provider_attempt_id` = `out_trade_no`, `transaction_id`, `raw_*`), plus our common attempt columns.
 */
export function nativeAttemptTableSpecs(t: TableNames): TableSpec[] {
  return (
    [
      [t.alipayAttempts, 'alipay_order_bid'],
      [t.wechatpayAttempts, 'wechatpay_order_bid'],
    ] as const
  ).map(([name, bid]) => ({
    name,
    columns: [
      col('id', 'id', true),
      col(bid, 'bid', true),
      col('biz_domain', 'short', true, ORDER_BIZ_DOMAIN),
      col('bill_order_bid', 'bid'),
      col('creator_bid', 'bid'),
      // The reference is `provider_attempt_id`, the original's column; no `provider_reference`.
      ...ATTEMPT_COMMON.filter((c) => c.name !== 'provider_reference'),
      col('provider_attempt_id', 'string'),
      col('transaction_id', 'string'),
      col('channel', 'short', true, ''),
      col('currency', 'short', true, 'CNY'),
      col('raw_status', 'short'),
      col('raw_request', 'longtext'),
      col('raw_response', 'longtext'),
      col('raw_notification', 'longtext'),
      col('failure_message', 'string'),
      col('extra_json', 'text'),
      col('deleted', 'smallint', true, 0),
      col('payment_integration_bid', 'bid'),
      ...TIMESTAMPS,
    ],
    indexes: [
      idx('bid_uq', [bid], true),
      idx('attempt_ix', ['provider_attempt_id']),
      idx('txn_ix', ['transaction_id']),
      ...attemptIndexes(bid).filter((i) => i.suffix !== 'ref_ix'),
    ],
  }));
}

/** The six tables under the given names. */
export function paymentTableSpecs(t: TableNames): TableSpec[] {
  return [
    {
      name: t.orders,
      columns: [
        col('id', 'id', true),
        col('order_bid', 'bid', true),
        col('user_bid', 'bid', true),
        col('shifu_bid', 'bid', true),
        // Original meanings: payable_price = list price, paid_price = amount due after discounts (charged).
        col('payable_price', 'decimal', true, '0'),
        col('paid_price', 'decimal', true, '0'),
        // Amount captured; NULL = not recorded by us (the original's meaning: paid_price once paid, else 0).
        col('captured_price', 'decimal'),
        col('currency', 'currency'),
        col('payment_channel', 'short', true, 'pingxx'),
        ...MERCHANT_SNAPSHOT,
        col('status', 'smallint', true, 501),
        col('deleted', 'smallint', true, 0),
        ...TIMESTAMPS,
      ],
      indexes: [
        idx('order_bid_uq', ['order_bid'], true),
        idx('user_product_ix', ['user_bid', 'shifu_bid']),
        // listExpirable, one status at a time, in index order (0006; supersedes 0001's (status, created_at)).
        idx('status_created_ix', ['status', 'created_at', 'order_bid']),
      ],
    },
    {
      name: t.pingxxAttempts,
      columns: [
        col('id', 'id', true),
        col('pingxx_order_bid', 'bid', true),
        col('biz_domain', 'short', true, ORDER_BIZ_DOMAIN),
        ...ATTEMPT_COMMON,
        col('channel', 'short', true, ''),
        col('currency', 'short', true, 'CNY'),
        col('charge_id', 'string'),
        col('app_id', 'short'),
        col('extra', 'text'),
        col('charge_object', 'longtext'),
        col('failure_msg', 'string'),
        ...MERCHANT_SNAPSHOT,
        col('deleted', 'smallint', true, 0),
        ...TIMESTAMPS,
      ],
      indexes: [
        idx('bid_uq', ['pingxx_order_bid'], true),
        idx('charge_ix', ['charge_id']),
        ...attemptIndexes('pingxx_order_bid'),
      ],
    },
    {
      name: t.stripeAttempts,
      columns: [
        col('id', 'id', true),
        col('stripe_order_bid', 'bid', true),
        col('biz_domain', 'short', true, ORDER_BIZ_DOMAIN),
        ...ATTEMPT_COMMON,
        col('channel', 'short'),
        col('currency', 'short', true, 'usd'),
        col('payment_intent_id', 'string'),
        col('checkout_session_id', 'string'),
        col('latest_charge_id', 'string'),
        col('receipt_url', 'string'),
        col('payment_method', 'string'),
        col('failure_message', 'string'),
        col('extra_json', 'text'),
        col('payment_intent_object', 'longtext'),
        col('checkout_session_object', 'longtext'),
        ...MERCHANT_SNAPSHOT,
        col('deleted', 'smallint', true, 0),
        ...TIMESTAMPS,
      ],
      indexes: [
        idx('bid_uq', ['stripe_order_bid'], true),
        idx('pi_ix', ['payment_intent_id']),
        idx('cs_ix', ['checkout_session_id']),
        // findByProviderReference matches any of the reference columns; one without an index scans the table (0006).
        idx('latest_charge_ix', ['latest_charge_id']),
        ...attemptIndexes('stripe_order_bid'),
      ],
    },
    {
      name: t.attempts,
      columns: [
        col('id', 'id', true),
        col('attempt_bid', 'bid', true),
        col('provider_kind', 'short', true),
        ...ATTEMPT_COMMON,
        col('channel', 'short', true),
        col('currency', 'currency', true),
        col('failure_message', 'string'),
        col('extra_json', 'text'),
        col('raw_json', 'longtext'),
        ...MERCHANT_SNAPSHOT,
        ...TIMESTAMPS,
      ],
      indexes: [idx('bid_uq', ['attempt_bid'], true), ...attemptIndexes('attempt_bid')],
    },
    {
      name: t.events,
      columns: [
        col('id', 'id', true),
        col('provider', 'short', true),
        col('event_id', 'string', true),
        col('type', 'short', true),
        col('provider_event_type', 'string', true),
        col('attempt_bid', 'bid'),
        col('order_bid', 'bid'),
        col('outcome', 'short'),
        col('detail', 'text'),
        col('payload', 'longtext'),
        col('payload_hash', 'string'),
        col('received_at', 'timestamp', true),
        col('processed_at', 'timestamp'),
      ],
      indexes: [idx('event_uq', ['provider', 'event_id'], true), idx('order_bid_ix', ['order_bid'])],
    },
    {
      name: t.refunds,
      columns: [
        col('id', 'id', true),
        col('refund_bid', 'bid', true),
        col('provider_refund_id', 'string'),
        col('provider', 'short', true),
        col('order_bid', 'bid', true),
        col('attempt_bid', 'bid', true),
        col('amount', 'bigint', true),
        col('currency', 'currency', true),
        col('status', 'smallint', true, 0),
        col('reason', 'string'),
        col('raw_json', 'longtext'),
        ...TIMESTAMPS,
      ],
      indexes: [
        idx('refund_uq', ['refund_bid'], true),
        idx('provider_refund_uq', ['provider', 'provider_refund_id'], true),
        idx('order_bid_ix', ['order_bid']),
        // `refunds.listPending` (reconcile's pending-refund scan) in index order (0008 on existing installs).
        idx('status_created_ix', ['status', 'created_at', 'refund_bid']),
      ],
    },
  ];
}

/**
 * `order_payment_outbox` (migration 0005): one row per notification. `(status, available_at, message_key)` serves
 * the claim query and the prune, `(status, created_at, message_key)` the operator's `list`, both in index order
 * (0006; the first supersedes 0005's `(status, available_at)`), `order_bid` the status queries.
 */
export function outboxTableSpec(t: TableNames): TableSpec {
  return {
    name: t.outbox,
    columns: [
      col('id', 'id', true),
      col('message_key', 'string', true),
      col('type', 'short', true),
      col('order_bid', 'bid'),
      col('payload', 'longtext'),
      col('status', 'smallint', true, 0),
      col('attempts', 'bigint', true, 0),
      col('available_at', 'timestamp', true),
      col('claimed_by', 'string'),
      col('lease_until', 'timestamp'),
      col('delivered_to', 'text'),
      col('last_error', 'string'),
      col('delivered_at', 'timestamp'),
      ...TIMESTAMPS,
    ],
    indexes: [
      idx('key_uq', ['message_key'], true),
      idx('due_key_ix', ['status', 'available_at', 'message_key']),
      idx('status_created_ix', ['status', 'created_at', 'message_key']),
      idx('order_bid_ix', ['order_bid']),
    ],
  };
}
