/**
 * Migration 0005: the notification outbox, `order_payment_outbox` (DESIGN §5, §13). New table only; nothing
 * existing changes. Idempotent, like every payment migration.
 * @module
 */
import type { Kysely } from 'kysely';
import type { PaymentMigration } from '../payment-migration.js';
import type { TableNames, UntypedDatabase } from '../schema.js';
import { detectSqlDialect, type SqlDialect } from '../sql-dialect.js';
import { ensureTable } from './ensure-table.js';
import { outboxTableSpec } from './table-specs.js';

/** Creates the outbox table and its indexes. No `down`: it would drop undelivered notifications. */
export function paymentOutboxMigration(tables: TableNames, dialect?: SqlDialect): PaymentMigration {
  return {
    up: async (db: Kysely<UntypedDatabase>) => {
      await ensureTable(db, dialect ?? detectSqlDialect(db), outboxTableSpec(tables));
    },
  };
}
