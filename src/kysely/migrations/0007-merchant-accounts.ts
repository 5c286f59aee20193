/**
 * Migration 0007: the merchant account snapshot (DESIGN §12). `order_orders` and every attempt table get
 * `creator_bid` (the seller) and `payment_integration_bid` (the account version the charge collects into),
 * nullable. Tables of the original system that already have them (adopted installs) keep them as they are,
 * with their rows: the columns mean there what they mean here, and an empty value reads as "none" (the
 * platform's own account). The native tables had `creator_bid` from migration 0004.
 *
 * Fresh installs get the columns from 0001 and 0004, which build the tables from the same specs; this
 * migration then changes nothing. Idempotent, like every payment migration. Numbered 0007 (0006 is issue
 * 13's indexes); `migrateToLatest` allows unordered migrations, so either may land and run first.
 * @module
 */
import type { Kysely } from 'kysely';
import type { PaymentMigration } from '../payment-migration.js';
import type { TableNames, UntypedDatabase } from '../schema.js';
import { detectSqlDialect, type SqlDialect } from '../sql-dialect.js';
import { ensureTable } from './ensure-table.js';
import { nativeAttemptTableSpecs, paymentTableSpecs } from './table-specs.js';

/** See the module doc. No `down`: dropping the columns would forget which account holds each payment. */
export function merchantAccountsMigration(tables: TableNames, dialect?: SqlDialect): PaymentMigration {
  const names = new Set([tables.orders, tables.pingxxAttempts, tables.stripeAttempts, tables.attempts]);
  return {
    up: async (db: Kysely<UntypedDatabase>) => {
      const sqlDialect = dialect ?? detectSqlDialect(db);
      const specs = [...paymentTableSpecs(tables).filter((s) => names.has(s.name)), ...nativeAttemptTableSpecs(tables)];
      for (const spec of specs) await ensureTable(db, sqlDialect, spec);
    },
  };
}
