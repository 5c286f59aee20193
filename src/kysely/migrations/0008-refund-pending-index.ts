/**
 * Migration 0008: `<refunds>_status_created_ix (status, created_at, refund_bid)` on the refund ledger, so
 * `refunds.listPending` — `reconcile`'s scan for refunds still pending since before its cutoff (their notification
 * lost) — reads its rows in index order and its cost stays flat as refunds pile up, like the scans of 0006.
 *
 * Fresh installs get the index from 0001 (and a database that has not run 0006 yet from 0006), which build from
 * the same specs; this migration then changes nothing. An adopted table that already has an index serving it keeps
 * its own. Idempotent; `migrateToLatest` allows unordered migrations. Building it on PostgreSQL holds writes to
 * `order_refunds` while it is built (about a second per million rows).
 * @module
 */
import type { Kysely } from 'kysely';
import type { PaymentMigration } from '../payment-migration.js';
import type { TableNames, UntypedDatabase } from '../schema.js';
import { detectSqlDialect, type SqlDialect } from '../sql-dialect.js';
import { ensureIndexes } from './ensure-table.js';
import { describeTable } from './schema-inspection.js';
import { paymentTableSpecs } from './table-specs.js';

/** See the module doc. No `down`: the index holds no data. */
export function refundPendingIndexMigration(tables: TableNames, dialect?: SqlDialect): PaymentMigration {
  return {
    up: async (db: Kysely<UntypedDatabase>) => {
      const sqlDialect = dialect ?? detectSqlDialect(db);
      const spec = paymentTableSpecs(tables).find((s) => s.name === tables.refunds);
      if (!spec || (await describeTable(db, sqlDialect, spec.name)) === null) return;
      await ensureIndexes(db, sqlDialect, spec);
    },
  };
}
