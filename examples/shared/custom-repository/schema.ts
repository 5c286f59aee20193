/**
 * The host's own payment tables (the custom-repository example): plain SQLite DDL, and the mapping between
 * records and rows kept as data — one line per field — so the adapter code stays generic and a reader can
 * check every column at a glance.
 * @module
 */
import type { AttemptRecord, OrderRecord, PaymentEventRecord, RefundRecord } from '@org/payment-factory';
import type Database from 'better-sqlite3';

/**
 * The schema. Money is INTEGER minor units next to its currency; times are INTEGER epoch milliseconds; JSON
 * is TEXT. The uniqueness rules the ports depend on are constraints here, not application checks: one
 * journal row per (provider, event_id), one refund per provider refund id and provider.
 */
export const SHOP_SCHEMA = `
CREATE TABLE IF NOT EXISTS shop_orders (
  order_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, product_id TEXT NOT NULL,
  list_minor INTEGER NOT NULL, payable_minor INTEGER NOT NULL, paid_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  payment_channel TEXT NOT NULL, seller_id TEXT, merchant_account_version TEXT, status TEXT NOT NULL CHECK (status IN ('init','pending','paid','refunded','timeout')),
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS shop_orders_open ON shop_orders (user_id, product_id, status);
CREATE INDEX IF NOT EXISTS shop_orders_expirable ON shop_orders (status, created_at);

CREATE TABLE IF NOT EXISTS shop_attempts (
  attempt_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES shop_orders (order_id),
  provider_kind TEXT NOT NULL, provider TEXT NOT NULL, channel TEXT NOT NULL, user_id TEXT, product_id TEXT,
  provider_reference TEXT,
  amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending','paid','refunded','closed','failed')),
  client_ip TEXT, expires_at INTEGER, livemode INTEGER, result_json TEXT, raw_json TEXT, metadata_json TEXT,
  extra_json TEXT, failure_code TEXT, failure_message TEXT, payment_intent_id TEXT, checkout_session_id TEXT,
  latest_charge_id TEXT, receipt_url TEXT, payment_method TEXT, charge_id TEXT, app_id TEXT, transaction_id TEXT,
  raw_status TEXT, raw_request_json TEXT, raw_notification_json TEXT,
  merchant_account_json TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  paid_at INTEGER, refunded_at INTEGER, closed_at INTEGER, failed_at INTEGER);
CREATE INDEX IF NOT EXISTS shop_attempts_order ON shop_attempts (order_id, created_at);
CREATE INDEX IF NOT EXISTS shop_attempts_pending ON shop_attempts (status, created_at);
CREATE INDEX IF NOT EXISTS shop_attempts_charge ON shop_attempts (latest_charge_id);

CREATE TABLE IF NOT EXISTS shop_payment_events (
  provider TEXT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, provider_event_type TEXT NOT NULL,
  attempt_id TEXT, order_id TEXT, outcome TEXT, detail TEXT, payload_json TEXT, payload_hash TEXT,
  received_at INTEGER NOT NULL, processed_at INTEGER,
  PRIMARY KEY (provider, event_id));
CREATE INDEX IF NOT EXISTS shop_payment_events_order ON shop_payment_events (order_id, received_at);

CREATE TABLE IF NOT EXISTS shop_refunds (
  refund_id TEXT PRIMARY KEY, provider_refund_id TEXT, order_id TEXT NOT NULL REFERENCES shop_orders (order_id),
  attempt_id TEXT NOT NULL, provider TEXT NOT NULL, amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('pending','succeeded','failed','canceled')),
  reason TEXT, raw_json TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  UNIQUE (provider, provider_refund_id));
`;

/** Creates the payment tables (if missing) and turns on foreign keys, which SQLite leaves off by default. */
export function createShopSchema(db: Database.Database): void {
  db.pragma('foreign_keys = ON');
  db.exec(SHOP_SCHEMA);
}

/** How a field is stored. */
export type ColumnKind = 'text' | 'int' | 'bool' | 'date' | 'json';

/** Field → [column, kind], for every field of a record. */
export type ColumnMap<R> = { readonly [K in keyof R]-?: readonly [column: string, kind: ColumnKind] };

/** Where each field of orders: `shop_orders`. */
export const ORDER_COLUMNS: ColumnMap<OrderRecord> = {
  orderId: ['order_id', 'text'],
  userId: ['user_id', 'text'],
  productId: ['product_id', 'text'],
  listAmount: ['list_minor', 'int'],
  payableAmount: ['payable_minor', 'int'],
  paidAmount: ['paid_minor', 'int'],
  currency: ['currency', 'text'],
  paymentChannel: ['payment_channel', 'text'],
  sellerId: ['seller_id', 'text'],
  merchantAccountVersion: ['merchant_account_version', 'text'],
  status: ['status', 'text'],
  createdAt: ['created_at', 'date'],
  updatedAt: ['updated_at', 'date'],
};

/** Where each field of attempts: `shop_attempts`. */
export const ATTEMPT_COLUMNS: ColumnMap<AttemptRecord> = {
  attemptId: ['attempt_id', 'text'],
  orderId: ['order_id', 'text'],
  providerKind: ['provider_kind', 'text'],
  provider: ['provider', 'text'],
  channel: ['channel', 'text'],
  userId: ['user_id', 'text'],
  productId: ['product_id', 'text'],
  providerReference: ['provider_reference', 'text'],
  amount: ['amount_minor', 'int'],
  currency: ['currency', 'text'],
  status: ['status', 'text'],
  clientIp: ['client_ip', 'text'],
  expiresAt: ['expires_at', 'date'],
  livemode: ['livemode', 'bool'],
  result: ['result_json', 'json'],
  raw: ['raw_json', 'json'],
  metadata: ['metadata_json', 'json'],
  extra: ['extra_json', 'json'],
  failureCode: ['failure_code', 'text'],
  failureMessage: ['failure_message', 'text'],
  paymentIntentId: ['payment_intent_id', 'text'],
  checkoutSessionId: ['checkout_session_id', 'text'],
  latestChargeId: ['latest_charge_id', 'text'],
  receiptUrl: ['receipt_url', 'text'],
  paymentMethod: ['payment_method', 'text'],
  chargeId: ['charge_id', 'text'],
  appId: ['app_id', 'text'],
  transactionId: ['transaction_id', 'text'],
  rawStatus: ['raw_status', 'text'],
  rawRequest: ['raw_request_json', 'json'],
  rawNotification: ['raw_notification_json', 'json'],
  merchantAccount: ['merchant_account_json', 'json'],
  createdAt: ['created_at', 'date'],
  updatedAt: ['updated_at', 'date'],
  paidAt: ['paid_at', 'date'],
  refundedAt: ['refunded_at', 'date'],
  closedAt: ['closed_at', 'date'],
  failedAt: ['failed_at', 'date'],
};

/** Where each field of journal entries: `shop_payment_events`. */
export const EVENT_COLUMNS: ColumnMap<PaymentEventRecord> = {
  provider: ['provider', 'text'],
  eventId: ['event_id', 'text'],
  type: ['type', 'text'],
  providerEventType: ['provider_event_type', 'text'],
  attemptId: ['attempt_id', 'text'],
  orderId: ['order_id', 'text'],
  outcome: ['outcome', 'text'],
  detail: ['detail', 'text'],
  payload: ['payload_json', 'json'],
  payloadHash: ['payload_hash', 'text'],
  receivedAt: ['received_at', 'date'],
  processedAt: ['processed_at', 'date'],
};

/** Where each field of refunds: `shop_refunds`. */
export const REFUND_COLUMNS: ColumnMap<RefundRecord> = {
  refundId: ['refund_id', 'text'],
  providerRefundId: ['provider_refund_id', 'text'],
  orderId: ['order_id', 'text'],
  attemptId: ['attempt_id', 'text'],
  provider: ['provider', 'text'],
  amount: ['amount_minor', 'int'],
  currency: ['currency', 'text'],
  status: ['status', 'text'],
  reason: ['reason', 'text'],
  raw: ['raw_json', 'json'],
  createdAt: ['created_at', 'date'],
  updatedAt: ['updated_at', 'date'],
};

type SqlValue = string | number | null;

/** The columns and values for the fields `values` sets (`undefined` fields are left out). */
export function toRow<R>(map: ColumnMap<R>, values: Partial<Record<keyof R, unknown>>): Record<string, SqlValue> {
  const row: Record<string, SqlValue> = {};
  for (const field of Object.keys(values) as Array<keyof R>) {
    const value = values[field];
    if (value === undefined || !(field in map)) continue;
    const [column, kind] = map[field];
    row[column] = encode(value, kind);
  }
  return row;
}

/** A record from a row. */
export function fromRow<R>(map: ColumnMap<R>, row: Record<string, unknown>): R {
  const record: Record<string, unknown> = {};
  for (const field of Object.keys(map) as Array<keyof R & string>) {
    const [column, kind] = map[field];
    record[field] = decode(row[column], kind);
  }
  return record as R;
}

function encode(value: unknown, kind: ColumnKind): SqlValue {
  if (value === null) return null;
  switch (kind) {
    case 'text':
      return value as string;
    case 'int':
      return value as number;
    case 'bool':
      return value ? 1 : 0;
    case 'date':
      return (value as Date).getTime();
    case 'json':
      return JSON.stringify(value) ?? null;
  }
}

function decode(value: unknown, kind: ColumnKind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
    case 'int':
      return value;
    case 'bool':
      return value === 1;
    case 'date':
      return new Date(value as number);
    case 'json':
      return JSON.parse(value as string);
  }
}
