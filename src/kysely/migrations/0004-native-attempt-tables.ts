/**
 * Migration 0004: the native Alipay and WeChat Pay attempt tables (`order_alipay_orders`,
 * `order_wechatpay_orders`), created fresh or adopted from the original system.
 * @module
 */
import type { Kysely } from 'kysely';
import type { PaymentMigration } from '../payment-migration.js';
import type { TableNames, UntypedDatabase } from '../schema.js';
import { detectSqlDialect, type SqlDialect } from '../sql-dialect.js';
import { ensureTable } from './ensure-table.js';
import { nativeAttemptTableSpecs } from './table-specs.js';

/**
 * Creates the native attempt tables that are missing and adopts those that exist in the original
 * system's shape (adds our columns and unique keys, keeps rows and the original's columns).
 *
 * No `down`, for the reason given in migration 0001: it would drop payment history.
 */
export function nativeAttemptTablesMigration(tables: TableNames, dialect?: SqlDialect): PaymentMigration {
  return {
    up: async (db: Kysely<UntypedDatabase>) => {
      const sqlDialect = dialect ?? detectSqlDialect(db);
      for (const spec of nativeAttemptTableSpecs(tables)) await ensureTable(db, sqlDialect, spec);
    },
  };
}
