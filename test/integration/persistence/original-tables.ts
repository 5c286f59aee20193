/**
 * The original system's tables (DESIGN §9), as its SQLAlchemy models created them: every column NOT NULL
 * with Python-side defaults only, no `currency` on orders, no unique keys, JSON in TEXT, DECIMAL(10,2)
 * prices, second-precision DATETIME. Used to test that migrations adopt them without losing rows.
 */
import { sql, type Kysely } from 'kysely';
import type { TestDialectName } from '../../helpers/databases.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';

type Kind = 'id' | 'bid' | 'str' | 'decimal' | 'bigint' | 'smallint' | 'text' | 'datetime';

const TYPES: Record<Kind, Record<TestDialectName, string>> = {
  id: {
    sqlite: 'integer primary key autoincrement',
    postgres: 'bigserial primary key',
    mysql: 'bigint not null auto_increment primary key',
  },
  bid: {
    sqlite: 'varchar(36) not null',
    postgres: 'varchar(36) not null',
    mysql: "varchar(36) not null comment 'business identifier'",
  },
  str: { sqlite: 'varchar(255) not null', postgres: 'varchar(255) not null', mysql: 'varchar(255) not null' },
  decimal: { sqlite: 'numeric(10,2) not null', postgres: 'numeric(10,2) not null', mysql: 'decimal(10,2) not null' },
  bigint: { sqlite: 'bigint not null', postgres: 'bigint not null', mysql: 'bigint not null' },
  smallint: { sqlite: 'smallint not null', postgres: 'smallint not null', mysql: 'smallint not null' },
  text: { sqlite: 'text not null', postgres: 'text not null', mysql: 'text not null' },
  datetime: { sqlite: 'datetime not null', postgres: 'timestamp not null', mysql: 'datetime not null' },
};

const TABLES: Record<string, [string, Kind][]> = {
  order_orders: [
    ['id', 'id'],
    ['order_bid', 'bid'],
    ['shifu_bid', 'bid'],
    ['user_bid', 'bid'],
    ['payable_price', 'decimal'],
    ['paid_price', 'decimal'],
    ['payment_channel', 'str'],
    ['status', 'smallint'],
    ['deleted', 'smallint'],
    ['created_at', 'datetime'],
    ['updated_at', 'datetime'],
  ],
  order_pingxx_orders: [
    ['id', 'id'],
    ['pingxx_order_bid', 'bid'],
    ['biz_domain', 'bid'],
    ['billing_order_bid', 'bid'],
    ['creator_bid', 'bid'],
    ['user_bid', 'bid'],
    ['shifu_bid', 'bid'],
    ['order_bid', 'bid'],
    ['transaction_no', 'bid'],
    ['app_id', 'bid'],
    ['channel', 'bid'],
    ['amount', 'bigint'],
    ['currency', 'bid'],
    ['subject', 'str'],
    ['body', 'str'],
    ['client_ip', 'str'],
    ['extra', 'text'],
    ['status', 'smallint'],
    ['charge_id', 'str'],
    ['paid_at', 'datetime'],
    ['refunded_at', 'datetime'],
    ['closed_at', 'datetime'],
    ['failed_at', 'datetime'],
    ['refund_id', 'str'],
    ['failure_code', 'str'],
    ['failure_msg', 'str'],
    ['charge_object', 'text'],
    ['deleted', 'smallint'],
    ['created_at', 'datetime'],
    ['updated_at', 'datetime'],
  ],
  order_stripe_orders: [
    ['id', 'id'],
    ['stripe_order_bid', 'bid'],
    ['biz_domain', 'bid'],
    ['billing_order_bid', 'bid'],
    ['creator_bid', 'bid'],
    ['user_bid', 'bid'],
    ['shifu_bid', 'bid'],
    ['order_bid', 'bid'],
    ['payment_intent_id', 'str'],
    ['checkout_session_id', 'str'],
    ['latest_charge_id', 'str'],
    ['amount', 'bigint'],
    ['currency', 'bid'],
    ['status', 'smallint'],
    ['receipt_url', 'str'],
    ['payment_method', 'str'],
    ['failure_code', 'str'],
    ['failure_message', 'str'],
    ['metadata_json', 'text'],
    ['payment_intent_object', 'text'],
    ['checkout_session_object', 'text'],
    ['deleted', 'smallint'],
    ['created_at', 'datetime'],
    ['updated_at', 'datetime'],
  ],
};

/** Creates the three original tables, with the original's non-unique indexes. */
export async function createOriginalTables(db: Kysely<UntypedDatabase>, dialect: TestDialectName): Promise<void> {
  for (const [table, columns] of Object.entries(TABLES)) {
    const body = columns.map(([name, kind]) => `${name} ${TYPES[kind][dialect]}`).join(', ');
    await sql.raw(`create table ${table} (${body})`).execute(db);
    const bid = columns[1]?.[0] as string;
    await sql.raw(`create index ix_${table}_${bid} on ${table} (${bid})`).execute(db);
    if (bid !== 'order_bid') await sql.raw(`create index ix_${table}_order_bid on ${table} (order_bid)`).execute(db);
  }
}

/** Column values every original row had, so inserts can name only what a case cares about. */
export function originalDefaults(table: keyof typeof TABLES): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of TABLES[table] ?? []) {
    if (kind === 'id') continue;
    out[name] =
      kind === 'datetime'
        ? '2024-05-01 10:00:00'
        : kind === 'decimal'
          ? '0.00'
          : kind === 'bigint' || kind === 'smallint'
            ? 0
            : '';
  }
  return out;
}

/** The original tables' names. */
export const ORIGINAL_TABLES = Object.keys(TABLES);
