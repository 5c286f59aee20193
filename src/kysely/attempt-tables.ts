/**
 * The attempt tables and how an {@link AttemptRecord} maps onto each: Ping++ attempts keep the original
 * `order_pingxx_orders` columns, Stripe attempts `order_stripe_orders`, native Alipay and WeChat Pay
 * attempts `order_alipay_orders` / `order_wechatpay_orders` (their `provider_attempt_id` is our
 * `out_trade_no`, the attempt's reference), every other provider kind the generic `order_payment_attempts`.
 * The mapping is data, so the repository code stays table-agnostic.
 * @module
 */
import { normalizeCurrency } from '../core/money.js';
import type { NormalizedAttemptPatch } from '../persistence/attempt-validation.js';
import type { AttemptRecord, MerchantAccountSnapshot } from '../persistence/records.js';
import type { TableNames } from './schema.js';
import {
  dateParam,
  jsonParam,
  readDate,
  readFlag,
  readInteger,
  readJson,
  readRequiredDate,
  readString,
  type SqlDialect,
} from './sql-dialect.js';
import { ATTEMPT_STATUS_CODES, attemptStatusFromCode } from './status-codes.js';

/** Which attempt table. */
export type AttemptTableKind = 'pingxx' | 'stripe' | 'alipay' | 'wechatpay' | 'generic';

type Codec = 'string' | 'date' | 'json' | 'flag';
type MappedField = Exclude<
  keyof NormalizedAttemptPatch,
  'raw' | 'status' | 'createdAt' | 'updatedAt' | 'merchantAccount'
>;

/** How one attempt table stores a record. */
export interface AttemptTable {
  readonly kind: AttemptTableKind;
  readonly name: string;
  /** Column holding the attempt id. */
  readonly idColumn: string;
  /** Whether the table has the original system's soft-delete flag. */
  readonly softDelete: boolean;
  /**
   * Whether the table is shared with other business domains (the original `biz_domain` column): we read only
   * `order` rows and write `order` on ours, so the original system's queries see them.
   */
  readonly scoped: boolean;
  /**
   * How `currency` is spelled in this table. The original system wrote what its providers answer, lower-case
   * ISO 4217 (`usd` from `STRIPE_DEFAULT_CURRENCY`, `cny` from the Ping++ charge), and its code still reads
   * these rows during a cutover, so ours are written the same way; reads accept either case.
   */
  readonly currencyCase: 'lower' | 'upper';
  /** Record field → column, for the optional fields. */
  readonly columns: Readonly<Partial<Record<MappedField, string>>>;
  /**
   * Column holding the provider object `raw` of an attempt on `channel`. Stripe keeps two: a PaymentIntent
   * goes to `payment_intent_object`, a Checkout Session to `checkout_session_object`; without `raw` (reads),
   * the channel's primary object.
   */
  rawColumn(channel: string, raw?: unknown): string;
}

const CODECS: Readonly<Record<MappedField, Codec>> = {
  userId: 'string',
  productId: 'string',
  providerReference: 'string',
  clientIp: 'string',
  failureCode: 'string',
  failureMessage: 'string',
  paymentIntentId: 'string',
  checkoutSessionId: 'string',
  latestChargeId: 'string',
  receiptUrl: 'string',
  paymentMethod: 'string',
  chargeId: 'string',
  appId: 'string',
  transactionId: 'string',
  rawStatus: 'string',
  rawRequest: 'json',
  rawNotification: 'json',
  expiresAt: 'date',
  paidAt: 'date',
  refundedAt: 'date',
  closedAt: 'date',
  failedAt: 'date',
  result: 'json',
  metadata: 'json',
  extra: 'json',
  livemode: 'flag',
};

const COMMON: Partial<Record<MappedField, string>> = {
  userId: 'user_bid',
  productId: 'shifu_bid',
  providerReference: 'provider_reference',
  clientIp: 'client_ip',
  expiresAt: 'expires_at',
  livemode: 'livemode',
  result: 'result_json',
  metadata: 'metadata_json',
  failureCode: 'failure_code',
  paidAt: 'paid_at',
  refundedAt: 'refunded_at',
  closedAt: 'closed_at',
  failedAt: 'failed_at',
};

/** Built once per table-name set: a repository is bound per transaction, and these never change. */
const built = new WeakMap<TableNames, Readonly<Record<AttemptTableKind, AttemptTable>>>();

/** The attempt tables under the given names (the same frozen object for the same `tables`). */
export function attemptTables(tables: TableNames): Readonly<Record<AttemptTableKind, AttemptTable>> {
  let found = built.get(tables);
  if (!found) {
    found = Object.freeze(buildAttemptTables(tables));
    built.set(tables, found);
  }
  return found;
}

function buildAttemptTables(tables: TableNames): Record<AttemptTableKind, AttemptTable> {
  return {
    pingxx: {
      kind: 'pingxx',
      name: tables.pingxxAttempts,
      idColumn: 'pingxx_order_bid',
      softDelete: true,
      scoped: true,
      currencyCase: 'lower',
      columns: { ...COMMON, extra: 'extra', failureMessage: 'failure_msg', chargeId: 'charge_id', appId: 'app_id' },
      rawColumn: () => 'charge_object',
    },
    stripe: {
      kind: 'stripe',
      name: tables.stripeAttempts,
      idColumn: 'stripe_order_bid',
      softDelete: true,
      scoped: true,
      currencyCase: 'lower',
      columns: {
        ...COMMON,
        extra: 'extra_json',
        failureMessage: 'failure_message',
        paymentIntentId: 'payment_intent_id',
        checkoutSessionId: 'checkout_session_id',
        latestChargeId: 'latest_charge_id',
        receiptUrl: 'receipt_url',
        paymentMethod: 'payment_method',
      },
      rawColumn: (channel, raw) => {
        const object = typeof raw === 'object' && raw !== null ? (raw as { object?: unknown }).object : undefined;
        if (object === 'checkout.session') return 'checkout_session_object';
        if (object === 'payment_intent') return 'payment_intent_object';
        return channel === 'checkout_session' ? 'checkout_session_object' : 'payment_intent_object';
      },
    },
    alipay: nativeTable('alipay', tables.alipayAttempts, 'alipay_order_bid'),
    wechatpay: nativeTable('wechatpay', tables.wechatpayAttempts, 'wechatpay_order_bid'),
    generic: {
      kind: 'generic',
      name: tables.attempts,
      idColumn: 'attempt_bid',
      softDelete: false,
      scoped: false,
      currencyCase: 'upper',
      columns: { ...COMMON, extra: 'extra_json', failureMessage: 'failure_message' },
      rawColumn: () => 'raw_json',
    },
  };
}

/** `currency` as `table` stores it (see {@link AttemptTable.currencyCase}). */
export function storedAttemptCurrency(table: AttemptTable, currency: string): string {
  return table.currencyCase === 'lower' ? currency.toLowerCase() : currency.toUpperCase();
}

/** A native attempt table: the attempt's reference is `provider_attempt_id` (our `out_trade_no`). */
function nativeTable(kind: 'alipay' | 'wechatpay', name: string, idColumn: string): AttemptTable {
  return {
    kind,
    name,
    idColumn,
    softDelete: true,
    // The original keeps billing payments in the same tables (`biz_domain`); ours are `order` rows.
    scoped: true,
    // Alipay and WeChat Pay speak `CNY`; the original's native rows spell it so too.
    currencyCase: 'upper',
    columns: {
      ...COMMON,
      providerReference: 'provider_attempt_id',
      transactionId: 'transaction_id',
      rawStatus: 'raw_status',
      rawRequest: 'raw_request',
      rawNotification: 'raw_notification',
      extra: 'extra_json',
      failureMessage: 'failure_message',
    },
    rawColumn: () => 'raw_response',
  };
}

/** The table kind for a provider kind. */
export function attemptTableKind(providerKind: string): AttemptTableKind {
  return providerKind === 'pingxx' ||
    providerKind === 'stripe' ||
    providerKind === 'alipay' ||
    providerKind === 'wechatpay'
    ? providerKind
    : 'generic';
}

/** Column values for the fields a (validated) patch sets. */
export function attemptColumns(
  table: AttemptTable,
  patch: NormalizedAttemptPatch,
  channel: string,
  dialect: SqlDialect,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch) as [keyof NormalizedAttemptPatch, unknown][]) {
    if (value === undefined) continue;
    if (field === 'raw') {
      out[table.rawColumn(channel, value)] = jsonParam(value);
      continue;
    }
    if (field === 'status') {
      out['status'] = ATTEMPT_STATUS_CODES[value as AttemptRecord['status']];
      continue;
    }
    if (field === 'createdAt' || field === 'updatedAt') {
      out[field === 'createdAt' ? 'created_at' : 'updated_at'] = dateParam(dialect, value as Date);
      continue;
    }
    if (field === 'merchantAccount') {
      Object.assign(out, merchantAccountColumns(value as MerchantAccountSnapshot | null));
      continue;
    }
    const column = table.columns[field];
    if (column === undefined) continue; // a kind-specific field of another kind; validation already refused non-null ones
    out[column] = encode(CODECS[field], value, dialect);
  }
  return out;
}

function encode(codec: Codec, value: unknown, dialect: SqlDialect): unknown {
  if (value === null) return null;
  switch (codec) {
    case 'date':
      return dateParam(dialect, value as Date);
    case 'json':
      return jsonParam(value);
    case 'flag':
      return value ? 1 : 0;
    default:
      return value;
  }
}

function decode(codec: Codec, value: unknown): unknown {
  switch (codec) {
    case 'date':
      return readDate(value);
    case 'json':
      return readJson(value);
    case 'flag':
      return readFlag(value);
    default:
      return readString(value);
  }
}

/** Maps a row of `table` to a record (without the adopted-row reference fallback). */
export function attemptFromRow(table: AttemptTable, row: Record<string, unknown>): AttemptRecord {
  const providerKind = table.kind === 'generic' ? String(row['provider_kind']) : table.kind;
  const channel = readString(row['channel']) ?? legacyChannel(table, row);
  const record: Record<string, unknown> = {
    attemptId: String(row[table.idColumn]),
    orderId: String(row['order_bid']),
    providerKind,
    provider: readString(row['provider_name']) ?? providerKind,
    channel,
    amount: readInteger(row['amount']),
    currency: normalizeCurrency(String(row['currency'])),
    status: attemptStatusFromCode(readInteger(row['status'])),
    raw: readJson(row[table.rawColumn(channel)]),
    createdAt: readRequiredDate(row['created_at']),
    updatedAt: readRequiredDate(row['updated_at']),
  };
  for (const field of Object.keys(CODECS) as MappedField[]) {
    const column = table.columns[field];
    record[field] = column === undefined ? null : decode(CODECS[field], row[column]);
  }
  record['merchantAccount'] = merchantAccountFromRow(row);
  return record as unknown as AttemptRecord;
}

/**
 * The snapshot columns of an attempt (migration 0007). `payment_integration_bid` is `''` for the platform's
 * own accounts and `NULL` only on rows that never recorded one (before 0007, or the original system's), so
 * that a platform attempt never inherits a seller account its order took later. `''` rather than `NULL` for
 * "no seller" too: the original's `creator_bid` may be NOT NULL.
 */
function merchantAccountColumns(snapshot: MerchantAccountSnapshot | null): Record<string, string | null> {
  if (snapshot === null) return { payment_integration_bid: null };
  return { creator_bid: snapshot.sellerId ?? '', payment_integration_bid: snapshot.versionId ?? '' };
}

/** The snapshot a read returns after `snapshot` was written (the columns' round trip, `''` included). */
export function merchantAccountAsStored(snapshot: MerchantAccountSnapshot | null): MerchantAccountSnapshot | null {
  return merchantAccountFromRow(merchantAccountColumns(snapshot));
}

function merchantAccountFromRow(row: Record<string, unknown>): MerchantAccountSnapshot | null {
  const version = row['payment_integration_bid'];
  if (version === null || version === undefined) return null;
  return { sellerId: readString(row['creator_bid']), versionId: readString(version) };
}

/** Stripe rows of the original system have no channel column: the session id tells the mode. */
function legacyChannel(table: AttemptTable, row: Record<string, unknown>): string {
  if (table.kind === 'stripe') return readString(row['checkout_session_id']) ? 'checkout_session' : 'payment_intent';
  return '';
}
