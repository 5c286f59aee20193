/**
 * Migration 0003: the event journal keeps a hash of each verified webhook payload (`payload_hash`), so a
 * redelivery of a known (provider, event id) with a different body is reported as an `event_conflict`
 * anomaly instead of passing as a plain duplicate.
 *
 * Adds the nullable column to `order_payment_events` (fresh installs already have it from 0001, which
 * builds the tables from the same specs). Rows journalled before it keep `NULL`: they are never compared,
 * so a redelivery of an event journalled by an older version stays a plain duplicate. Idempotent.
 * @module
 */
import type { Kysely } from 'kysely';
import type { PaymentMigration } from '../payment-migration.js';
import type { TableNames, UntypedDatabase } from '../schema.js';
import { detectSqlDialect, type SqlDialect } from '../sql-dialect.js';
import { ensureTable } from './ensure-table.js';
import { paymentTableSpecs } from './table-specs.js';

/** See the module doc. No `down`: dropping the column would only lose the hashes. */
export function journalPayloadHashMigration(tables: TableNames, dialect?: SqlDialect): PaymentMigration {
  return {
    up: async (db: Kysely<UntypedDatabase>) => {
      const sqlDialect = dialect ?? detectSqlDialect(db);
      const spec = paymentTableSpecs(tables).find((s) => s.name === tables.events);
      if (spec === undefined) throw new Error(`no table spec for ${tables.events}`);
      await ensureTable(db, sqlDialect, spec);
    },
  };
}
