/**
 * The Kysely conformance subject: the repositories on a fresh, migrated database of the matrix, and an
 * independent read path over its tables (plain SQL and its own status-code and price mapping, sharing no
 * code with the repositories under test).
 */
import { sql, type Kysely } from 'kysely';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import type { ConformanceSubject, RawReadPath } from '../../../src/testing/repository-conformance.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';
import type { TestDialect } from '../../helpers/databases.js';

/**
 * Opens a fresh database of `dialect`, lets `prepare` shape it (e.g. create the original tables), migrates
 * it, and returns the Kysely repositories on it with the raw read path; `cleanup` drops the database.
 */
export async function kyselyConformanceSubject(
  dialect: TestDialect,
  prepare?: (db: Kysely<UntypedDatabase>) => Promise<void>,
): Promise<ConformanceSubject> {
  const database = await dialect.open();
  await prepare?.(database.db);
  await migrateToLatest(database.db);
  return {
    repositories: createKyselyRepositories(database.db),
    raw: kyselyRawReadPath(database.db),
    cleanup: () => database.destroy(),
  };
}

const ORDER = { 501: 'init', 504: 'pending', 502: 'paid', 503: 'refunded', 505: 'timeout' } as const;
const ATTEMPT = { 0: 'pending', 1: 'paid', 2: 'refunded', 3: 'closed', 4: 'failed' } as const;
const OUTBOX = { 0: 'pending', 1: 'delivered', 2: 'dead' } as const;
const REFUND = { 0: 'pending', 1: 'succeeded', 2: 'failed', 3: 'canceled' } as const;
const EXPONENT: Record<string, number> = { JPY: 0, BHD: 3, USD: 2, CNY: 2, EUR: 2 };

/** DECIMAL major units → minor units, by string manipulation (no floats). */
function minor(value: unknown, currency: string): number {
  const exponent = EXPONENT[currency] ?? 2;
  const [whole = '0', fraction = ''] = str(value).split('.');
  return Number(whole + fraction.padEnd(exponent + 4, '0').slice(0, exponent));
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : str(v));
const date = (v: unknown): Date | null => {
  if (v === null || v === undefined || v === '') return null;
  return v instanceof Date ? v : new Date(/Z|[+-]\d\d:?\d\d$/.test(str(v)) ? str(v) : `${str(v).replace(' ', 'T')}Z`);
};

async function one(
  db: Kysely<UntypedDatabase>,
  query: ReturnType<typeof sql>,
): Promise<Record<string, unknown> | null> {
  const { rows } = await query.execute(db);
  return (rows[0] as Record<string, unknown> | undefined) ?? null;
}

/** The raw read path over the default table names. */
export function kyselyRawReadPath(db: Kysely<UntypedDatabase>): RawReadPath {
  const attemptTables = [
    ['order_pingxx_orders', 'pingxx_order_bid', 'charge_object'],
    ['order_stripe_orders', 'stripe_order_bid', null],
    ['order_alipay_orders', 'alipay_order_bid', 'raw_response'],
    ['order_wechatpay_orders', 'wechatpay_order_bid', 'raw_response'],
    ['order_payment_attempts', 'attempt_bid', 'raw_json'],
  ] as const;
  return {
    order: async (orderId) => {
      const row = await one(db, sql`select * from order_orders where order_bid = ${orderId}`);
      if (!row) return null;
      // Original meanings: payable_price = list price, paid_price = amount due; captured_price NULL = the
      // amount due once paid or refunded, else 0.
      const currency = text(row['currency']) ?? 'CNY';
      const status = ORDER[Number(row['status']) as keyof typeof ORDER];
      const due = minor(row['paid_price'], currency);
      const captured = row['captured_price'];
      return {
        orderId: String(row['order_bid']),
        userId: String(row['user_bid']),
        productId: String(row['shifu_bid']),
        listAmount: minor(row['payable_price'], currency),
        payableAmount: due,
        paidAmount:
          captured !== null && captured !== undefined
            ? minor(captured, currency)
            : status === 'paid' || status === 'refunded'
              ? due
              : 0,
        currency,
        status,
      };
    },
    attempt: async (attemptId) => {
      for (const [table, idColumn, rawColumn] of attemptTables) {
        const row = await one(db, sql`select * from ${sql.table(table)} where ${sql.ref(idColumn)} = ${attemptId}`);
        if (!row) continue;
        const column =
          rawColumn ?? (row['channel'] === 'checkout_session' ? 'checkout_session_object' : 'payment_intent_object');
        return {
          attemptId: String(row[idColumn]),
          orderId: String(row['order_bid']),
          userId: text(row['user_bid']),
          productId: text(row['shifu_bid']),
          amount: Number(row['amount']),
          currency: String(row['currency']).toUpperCase(),
          status: ATTEMPT[Number(row['status']) as keyof typeof ATTEMPT],
          // Native tables keep the reference (our out_trade_no) in the original's provider_attempt_id.
          providerReference: text(row['provider_reference'] ?? row['provider_attempt_id']),
          rawJson: text(row[column]),
          paidAt: date(row['paid_at']),
        };
      }
      return null;
    },
    orderMerchantAccount: async (orderId) => {
      const row = await one(db, sql`select * from order_orders where order_bid = ${orderId}`);
      return row ? { sellerId: text(row['creator_bid']), versionId: text(row['payment_integration_bid']) } : null;
    },
    attemptMerchantAccount: async (attemptId) => {
      for (const [table, idColumn] of attemptTables) {
        const row = await one(db, sql`select * from ${sql.table(table)} where ${sql.ref(idColumn)} = ${attemptId}`);
        if (!row) continue;
        // NULL = not recorded; '' = the platform's account / no seller.
        const version = row['payment_integration_bid'];
        if (version === null || version === undefined) return null;
        return { sellerId: text(row['creator_bid']), versionId: text(version) };
      }
      return null;
    },
    event: async (provider, eventId) => {
      const row = await one(
        db,
        sql`select * from order_payment_events where provider = ${provider} and event_id = ${eventId}`,
      );
      if (!row) return null;
      return {
        provider: String(row['provider']),
        eventId: String(row['event_id']),
        type: String(row['type']),
        outcome: text(row['outcome']),
        orderId: text(row['order_bid']),
        payloadJson: text(row['payload']),
        payloadHash: text(row['payload_hash']),
      };
    },
    eventCount: async (provider, eventId) => {
      const row = await one(
        db,
        sql`select count(*) as n from order_payment_events where provider = ${provider} and event_id = ${eventId}`,
      );
      return Number(row?.['n'] ?? 0);
    },
    refund: async (refundId) => {
      const row = await one(db, sql`select * from order_refunds where refund_bid = ${refundId}`);
      if (!row) return null;
      return {
        refundId: String(row['refund_bid']),
        providerRefundId: text(row['provider_refund_id']),
        orderId: String(row['order_bid']),
        amount: Number(row['amount']),
        currency: String(row['currency']),
        status: REFUND[Number(row['status']) as keyof typeof REFUND],
      };
    },
    outboxRow: async (key) => {
      const row = await one(db, sql`select * from order_payment_outbox where message_key = ${key}`);
      if (!row) return null;
      const delivered = text(row['delivered_to']);
      return {
        key: String(row['message_key']),
        type: String(row['type']),
        orderId: text(row['order_bid']),
        status: OUTBOX[Number(row['status']) as keyof typeof OUTBOX],
        attempts: Number(row['attempts']),
        availableAt: date(row['available_at']),
        claimToken: text(row['claimed_by']),
        deliveredTo: delivered === null ? [] : (JSON.parse(delivered) as string[]),
        payloadJson: text(row['payload']),
      };
    },
    outboxCount: async (key) => {
      const row = await one(db, sql`select count(*) as n from order_payment_outbox where message_key = ${key}`);
      return Number(row?.['n'] ?? 0);
    },
  };
}
