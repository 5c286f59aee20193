/**
 * Migration 0001: the six payment tables, created fresh or adopted from the original system.
 * @module
 */
import type { Kysely } from 'kysely';
import type { PaymentMigration } from '../payment-migration.js';
import type { TableNames } from '../schema.js';
import { detectSqlDialect, type SqlDialect } from '../sql-dialect.js';
import { ensureTable } from './ensure-table.js';
import { paymentTableSpecs } from './table-specs.js';
import type { UntypedDatabase } from '../schema.js';

/**
 * Creates every payment table that is missing and adopts those that exist (original-system shape: no
 * `currency`, no unique keys, NOT NULL everywhere, TEXT JSON), keeping their rows.
 *
 * No `down`: it would have to tell our columns from a host's and drop payment history. Restore from a
 * backup instead.
 */
export function paymentTablesMigration(tables: TableNames, dialect?: SqlDialect): PaymentMigration {
  return {
    up: async (db: Kysely<UntypedDatabase>) => {
      const sqlDialect = dialect ?? detectSqlDialect(db);
      for (const spec of paymentTableSpecs(tables)) await ensureTable(db, sqlDialect, spec);
    },
  };
}
