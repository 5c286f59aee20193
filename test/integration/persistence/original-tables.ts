/**
 * The original system's tables (DESIGN §9), as its SQLAlchemy models (`flaskr/service/order/models.py`) create
 * them: every column NOT NULL with Python-side defaults only (the database sees none), no `currency` on orders,
 * no unique keys, an `ix_<table>_<column>` index on every `index=True` column plus the `(biz_domain, order_bid)` and
 * `(biz_domain, billing_order_bid)` indexes of the attempt tables, JSON in TEXT, `Numeric(10,2)` prices,
 * second-precision DATETIME, MySQL column comments. Used to test that migrations adopt them without losing rows.
 */
import { sql, type Kysely } from 'kysely';
import type { TestDialectName } from '../../helpers/databases.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';

type Kind = 'id' | 'str16' | 'str36' | 'str50' | 'str255' | 'decimal' | 'bigint' | 'smallint' | 'text' | 'datetime';

const varchar = (n: number): Record<TestDialectName, string> => ({
  sqlite: `varchar(${n}) not null`,
  postgres: `varchar(${n}) not null`,
  mysql: `varchar(${n}) not null`,
});

const TYPES: Record<Kind, Record<TestDialectName, string>> = {
  id: {
    sqlite: 'integer primary key autoincrement',
    postgres: 'bigserial primary key',
    mysql: 'bigint not null auto_increment primary key',
  },
  str16: varchar(16),
  str36: varchar(36),
  str50: varchar(50),
  str255: varchar(255),
  decimal: { sqlite: 'numeric(10,2) not null', postgres: 'numeric(10,2) not null', mysql: 'decimal(10,2) not null' },
  bigint: { sqlite: 'bigint not null', postgres: 'bigint not null', mysql: 'bigint not null' },
  smallint: { sqlite: 'smallint not null', postgres: 'smallint not null', mysql: 'smallint not null' },
  text: { sqlite: 'text not null', postgres: 'text not null', mysql: 'text not null' },
  datetime: { sqlite: 'datetime not null', postgres: 'timestamp not null', mysql: 'datetime not null' },
};

/** `[column, kind, index=True]`, in model order. */
type Column = readonly [string, Kind, boolean?];

const ATTEMPT_HEAD: Column[] = [
  ['biz_domain', 'str16', true],
  ['billing_order_bid', 'str36', true],
  ['creator_bid', 'str36', true],
  ['user_bid', 'str36', true],
  ['shifu_bid', 'str36', true],
  ['order_bid', 'str36', true],
];
const TAIL: Column[] = [
  ['deleted', 'smallint'],
  ['created_at', 'datetime'],
  ['updated_at', 'datetime'],
];

const TABLES: Record<string, Column[]> = {
  order_orders: [
    ['id', 'id'],
    ['order_bid', 'str36', true],
    ['shifu_bid', 'str36', true],
    ['user_bid', 'str36', true],
    ['payable_price', 'decimal'],
    ['paid_price', 'decimal'],
    ['payment_channel', 'str50', true],
    ['status', 'smallint'],
    ...TAIL,
  ],
  order_pingxx_orders: [
    ['id', 'id'],
    ['pingxx_order_bid', 'str36', true],
    ...ATTEMPT_HEAD,
    ['transaction_no', 'str36', true],
    ['app_id', 'str36', true],
    ['channel', 'str36'],
    ['amount', 'bigint'],
    ['currency', 'str36'],
    ['subject', 'str255'],
    ['body', 'str255'],
    ['client_ip', 'str255'],
    ['extra', 'text'],
    ['status', 'smallint'],
    ['charge_id', 'str255', true],
    ['paid_at', 'datetime'],
    ['refunded_at', 'datetime'],
    ['closed_at', 'datetime'],
    ['failed_at', 'datetime'],
    ['refund_id', 'str255', true],
    ['failure_code', 'str255'],
    ['failure_msg', 'str255'],
    ['charge_object', 'text'],
    ...TAIL,
  ],
  order_stripe_orders: [
    ['id', 'id'],
    ['stripe_order_bid', 'str36', true],
    ...ATTEMPT_HEAD,
    ['payment_intent_id', 'str255', true],
    ['checkout_session_id', 'str255', true],
    ['latest_charge_id', 'str255', true],
    ['amount', 'bigint'],
    ['currency', 'str36'],
    ['status', 'smallint'],
    ['receipt_url', 'str255'],
    ['payment_method', 'str255'],
    ['failure_code', 'str255'],
    ['failure_message', 'str255'],
    ['metadata_json', 'text'],
    ['payment_intent_object', 'text'],
    ['checkout_session_object', 'text'],
    ...TAIL,
  ],
};

/** Creates the three original tables with the original's (non-unique) indexes. */
export async function createOriginalTables(db: Kysely<UntypedDatabase>, dialect: TestDialectName): Promise<void> {
  for (const [table, columns] of Object.entries(TABLES)) {
    const body = columns
      .map(([name, kind]) => `${name} ${TYPES[kind][dialect]}${dialect === 'mysql' ? ` comment '${name}'` : ''}`)
      .join(', ');
    await sql.raw(`create table ${table} (${body})`).execute(db);
    for (const [name, , indexed] of columns) {
      if (indexed) await sql.raw(`create index ix_${table}_${name} on ${table} (${name})`).execute(db);
    }
    if (table !== 'order_orders') {
      for (const second of ['order_bid', 'billing_order_bid']) {
        await sql.raw(`create index ix_${table}_biz_domain_${second} on ${table} (biz_domain, ${second})`).execute(db);
      }
    }
  }
}

/**
 * Column values every original row had (the models' Python-side defaults: `''`, `0`, `'0.00'`, the creation time in
 * every `*_at` column), so inserts can name only what a case cares about.
 */
export function originalDefaults(table: keyof typeof TABLES, at = '2024-05-01 10:00:00'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of TABLES[table] ?? []) {
    if (kind === 'id') continue;
    out[name] =
      kind === 'datetime' ? at : kind === 'decimal' ? '0.00' : kind === 'bigint' || kind === 'smallint' ? 0 : '';
  }
  if (table !== 'order_orders') out['biz_domain'] = 'order';
  if (table === 'order_orders') out['payment_channel'] = 'pingxx';
  if (table === 'order_pingxx_orders') out['currency'] = 'CNY';
  if (table === 'order_stripe_orders') {
    out['currency'] = 'usd';
    for (const json of ['metadata_json', 'payment_intent_object', 'checkout_session_object']) out[json] = '{}';
  }
  return out;
}

/** The original tables' names. */
export const ORIGINAL_TABLES = Object.keys(TABLES);
