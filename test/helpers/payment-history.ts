/**
 * Fills the payment tables with history, fast (multi-row inserts in transactions), for query-plan tests and the
 * flatness bench: `orders` settled orders spread over the past year (paid mostly, some timed out or refunded),
 * each with its attempt (Stripe, Ping++, and a few native and generic ones), its journalled webhook and its
 * delivered `order.paid` outbox row (and a refund for the refunded ones); plus a fixed **backlog** that does not grow with the history: open orders
 * with pending attempts and pending outbox rows, created before `now` (so the expiry, reconcile and claim scans
 * find them). The history is what grows from 10k to 1M rows; the work a scan finds stays the same.
 * @module
 */
import type { Kysely } from 'kysely';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import { dateParam, type SqlDialect } from '../../src/kysely/sql-dialect.js';

/** What to write. */
export interface HistoryPlan {
  /** Settled orders (each with one attempt, one journal row, one outbox row). */
  orders: number;
  /** Open orders with a pending attempt and a pending outbox row, created in the hour before `now`. @default 200 */
  backlog?: number;
  /** The clock of the history. @default new Date() */
  now?: Date;
  /** Rows per INSERT. @default 500 */
  batch?: number;
  /** Key prefix, so several fills of one database do not collide. @default 'h' */
  prefix?: string;
  /**
   * SQLite only: the same file's better-sqlite3 connection. Rows then go through one prepared statement per table
   * (about 20× faster than compiling multi-row INSERTs through Kysely), which is what makes 1M orders practical.
   */
  sqlite?: SqliteDatabase;
}

/** The part of a better-sqlite3 `Database` the fast path uses. */
export interface SqliteDatabase {
  prepare(source: string): { run(...values: unknown[]): unknown };
  transaction(fn: () => void): () => unknown;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** A 32-character key for row `i`: spread over the key space (as random ids are), never repeated. */
function key(prefix: string, kind: string, i: number): string {
  const spread = (Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  return `${prefix}${kind}${spread}${i.toString(16)}`.padEnd(32, '0').slice(0, 36);
}

/** Writes the history (see the module doc). Returns the number of rows written across the tables. */
export async function fillPaymentHistory(
  db: Kysely<UntypedDatabase>,
  dialect: SqlDialect,
  plan: HistoryPlan,
): Promise<number> {
  const now = (plan.now ?? new Date()).getTime();
  const batch = plan.batch ?? 500;
  const prefix = plan.prefix ?? 'h';
  const backlog = plan.backlog ?? 200;
  const at = (ms: number) => dateParam(dialect, new Date(ms));
  let written = 0;

  const rowsFor = (i: number, open: boolean) => {
    const orderId = key(prefix, 'o', i);
    const attemptId = key(prefix, 'a', i);
    const created = open ? now - 60_000 - ((i * 17_000) % 3_600_000) : now - 2 * 3_600_000 - ((i * 7919) % YEAR_MS);
    // Mostly paid; every 20th timed out, every 10th refunded. Open ones alternate init / pending.
    const orderStatus = open ? (i % 2 === 0 ? 504 : 501) : i % 20 === 0 ? 505 : i % 10 === 1 ? 503 : 502;
    const attemptStatus = open ? 0 : orderStatus === 505 ? 3 : orderStatus === 503 ? 2 : 1;
    const kind: 'stripe' | 'pingxx' | 'alipay' | 'wechatpay' | 'generic' =
      i % 10 < 5
        ? 'stripe'
        : i % 10 < 8
          ? 'pingxx'
          : i % 10 === 8
            ? i % 20 === 8
              ? 'alipay'
              : 'wechatpay'
            : 'generic';
    const currency = kind === 'stripe' ? 'USD' : kind === 'generic' ? 'EUR' : 'CNY';
    const stamps = { created_at: at(created), updated_at: at(created + 30_000) };
    const order = {
      order_bid: orderId,
      user_bid: key(prefix, 'u', i % 5000),
      shifu_bid: `course_${i % 40}`,
      payable_price: '19.99',
      paid_price: '19.99',
      currency,
      payment_channel: kind === 'generic' ? 'fake' : kind,
      status: orderStatus,
      deleted: 0,
      ...stamps,
    };
    const common = {
      order_bid: orderId,
      amount: 1999,
      status: attemptStatus,
      provider_name: kind,
      ...(attemptStatus === 1 || attemptStatus === 2 ? { paid_at: at(created + 30_000) } : {}),
      ...stamps,
    };
    const attempt =
      kind === 'stripe'
        ? {
            ...common,
            stripe_order_bid: attemptId,
            biz_domain: 'order',
            deleted: 0,
            channel: 'payment_intent',
            currency: 'usd',
            payment_intent_id: `pi_${attemptId}`,
            latest_charge_id: `ch_${attemptId}`,
          }
        : kind === 'pingxx'
          ? {
              ...common,
              pingxx_order_bid: attemptId,
              biz_domain: 'order',
              deleted: 0,
              channel: 'alipay_qr',
              currency: 'cny',
              charge_id: `ch_${attemptId}`,
            }
          : kind === 'generic'
            ? { ...common, attempt_bid: attemptId, provider_kind: 'fake', channel: 'card', currency: 'EUR' }
            : {
                ...common,
                [`${kind}_order_bid`]: attemptId,
                biz_domain: 'order',
                deleted: 0,
                channel: kind === 'alipay' ? 'alipay_qr' : 'wx_pub_qr',
                currency: 'CNY',
                provider_attempt_id: attemptId,
                transaction_id: open ? null : `txn_${attemptId}`,
              };
    const event = open
      ? null
      : {
          provider: kind === 'generic' ? 'fake' : kind,
          event_id: `evt_${attemptId}`,
          type: 'payment.succeeded',
          provider_event_type: 'payment_intent.succeeded',
          attempt_bid: attemptId,
          order_bid: orderId,
          outcome: 'applied',
          payload: `{"id":"evt_${attemptId}","type":"payment_intent.succeeded"}`,
          payload_hash: `sha256:${attemptId}${attemptId}`,
          received_at: at(created + 30_000),
          processed_at: at(created + 30_000),
        };
    const outbox = {
      message_key: `order.paid:${orderId}`,
      type: 'order.paid',
      order_bid: orderId,
      payload: `{"orderId":"${orderId}"}`,
      status: open ? 0 : 1,
      attempts: open ? 0 : 1,
      available_at: at(created + 30_000),
      ...(open ? {} : { delivered_at: at(created + 31_000), delivered_to: '["host"]' }),
      created_at: at(created + 30_000),
      updated_at: at(created + 31_000),
    };
    const refund =
      orderStatus === 503
        ? {
            refund_bid: key(prefix, 'r', i),
            provider_refund_id: `re_${attemptId}`,
            provider: kind === 'generic' ? 'fake' : kind,
            order_bid: orderId,
            attempt_bid: attemptId,
            amount: 1999,
            currency,
            status: 1,
            created_at: at(created + 90_000),
            updated_at: at(created + 90_000),
          }
        : null;
    return { order, kind, attempt, event, outbox, refund };
  };

  const attemptTable = {
    stripe: 'order_stripe_orders',
    pingxx: 'order_pingxx_orders',
    alipay: 'order_alipay_orders',
    wechatpay: 'order_wechatpay_orders',
    generic: 'order_payment_attempts',
  } as const;

  const total = plan.orders + backlog;
  for (let start = 0; start < total; start += batch) {
    const tables = new Map<string, Record<string, unknown>[]>();
    const push = (table: string, row: Record<string, unknown> | null) => {
      if (row === null) return;
      const list = tables.get(table) ?? [];
      list.push(row);
      tables.set(table, list);
    };
    for (let i = start; i < Math.min(start + batch, total); i += 1) {
      const r = rowsFor(i, i >= plan.orders);
      push('order_orders', r.order);
      push(attemptTable[r.kind], r.attempt);
      push('order_payment_events', r.event);
      push('order_payment_outbox', r.outbox);
      push('order_refunds', r.refund);
    }
    if (plan.sqlite) {
      writeSqlite(plan.sqlite, tables);
      for (const rows of tables.values()) written += rows.length;
      continue;
    }
    await db.transaction().execute(async (tx) => {
      for (const [table, rows] of tables) {
        // Rows of one table share their columns except the optional ones: insert each column shape apart.
        const shapes = new Map<string, Record<string, unknown>[]>();
        for (const row of rows) {
          const shape = Object.keys(row).join(',');
          const group = shapes.get(shape);
          if (group) group.push(row);
          else shapes.set(shape, [row]);
        }
        for (const group of shapes.values()) await tx.insertInto(table).values(group).execute();
        written += rows.length;
      }
    });
  }
  return written;
}

const statements = new WeakMap<SqliteDatabase, Map<string, { run(...values: unknown[]): unknown }>>();

/** One transaction of single-row INSERTs through statements prepared once per table and column shape. */
function writeSqlite(database: SqliteDatabase, tables: Map<string, Record<string, unknown>[]>): void {
  let prepared = statements.get(database);
  if (!prepared) statements.set(database, (prepared = new Map()));
  const cache = prepared;
  database.transaction(() => {
    for (const [table, rows] of tables) {
      for (const row of rows) {
        const columns = Object.keys(row);
        const shape = `${table}(${columns.join(',')})`;
        let statement = cache.get(shape);
        if (!statement) {
          const names = columns.map((c) => `"${c}"`).join(', ');
          statement = database.prepare(
            `insert into "${table}" (${names}) values (${columns.map(() => '?').join(', ')})`,
          );
          cache.set(shape, statement);
        }
        statement.run(...Object.values(row));
      }
    }
  })();
}
