/**
 * Kysely reference implementation of the repository ports, on SQLite (better-sqlite3), PostgreSQL (pg) and
 * MySQL/MariaDB (mysql2), over the original system's tables (`order_orders`, `order_pingxx_orders`,
 * `order_stripe_orders`) plus the event journal and refund ledger.
 *
 * @example
 * ```ts
 * import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '@org/payment-factory/kysely';
 *
 * const db = await createKyselyFromUrl(process.env.DATABASE_URL ?? 'payments.db');
 * await migrateToLatest(db);
 * const repositories = createKyselyRepositories(db);
 * ```
 * @module
 */
export {
  createKyselyRepositories,
  type KyselyRepositoriesOptions,
  type KyselyPaymentRepositories,
} from './create-kysely-repositories.js';
export type { MysqlIsolation } from './repository-context.js';
export { cacheSqliteStatements } from './cache-sqlite-statements.js';
export { migrateToLatest, type MigrateOptions } from './migrate-to-latest.js';
export {
  paymentMigrations,
  createPaymentMigrations,
  PAYMENT_MIGRATION_PREFIX,
  type PaymentMigrationOptions,
} from './payment-migrations.js';
export type { PaymentMigration, PaymentMigrationResult, PaymentMigrationResultSet } from './payment-migration.js';
export { DEFAULT_LEGACY_CURRENCY } from './legacy-currency.js';
export {
  createKyselyFromUrl,
  parseDatabaseUrl,
  type KyselyFromUrlOptions,
  type ParsedDatabaseUrl,
  type DatabaseUrlDialect,
  type SqliteSynchronous,
} from './create-kysely-from-url.js';
export { classifyDatabaseError, TRANSIENT_DATABASE_CODES, type DatabaseErrorCode } from './database-errors.js';
export { detectSqlDialect, type SqlDialect } from './sql-dialect.js';
export { ORDER_STATUS_CODES, ATTEMPT_STATUS_CODES, REFUND_STATUS_CODES, OUTBOX_STATUS_CODES } from './status-codes.js';
export {
  DEFAULT_TABLE_NAMES,
  resolveTableNames,
  type PaymentDatabase,
  type TableNames,
  type OrdersTable,
  type AttemptColumns,
  type AlipayAttemptsTable,
  type NativeAttemptColumns,
  type PingxxAttemptsTable,
  type WechatPayAttemptsTable,
  type StripeAttemptsTable,
  type GenericAttemptsTable,
  type PaymentEventsTable,
  type RefundsTable,
  type OutboxTable,
  type DbTimestamp,
  type DbInteger,
  type DbDecimal,
} from './schema.js';
export type * from '../persistence/ports.js';
export type * from '../persistence/records.js';
export type * from '../persistence/outbox-port.js';
