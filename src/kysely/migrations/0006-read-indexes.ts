/**
 * Migration 0006: indexes that serve every `ORDER BY … LIMIT` read in index order, so a read's cost stays flat
 * as history grows (issue 13; the inventory and the plans are in `docs/persistence.md#indexes`):
 *
 * - `<orders>_status_created_ix (status, created_at, order_bid)`: the expiry scan (`listExpirable`, one status
 *   at a time);
 * - `<attempts>_status_created_ix (status, created_at, <attempt id>)` on every attempt table: the reconcile
 *   scan (`listPending`);
 * - `<outbox>_due_key_ix (status, available_at, message_key)`: the dispatcher's claim and the prune;
 *   `<outbox>_status_created_ix (status, created_at, message_key)`: the operator's `list`;
 * - `<stripe attempts>_latest_charge_ix (latest_charge_id)`: `findByProviderReference` matches any reference
 *   column, and one without an index made it scan the table.
 *
 * The 0001 / 0005 indexes the wider ones replace (`status_ix (status, created_at)`, `due_ix (status,
 * available_at)`: they left the tie-break to a sort of every match) are dropped once their replacement exists.
 * Adopted original tables keep their own indexes; an index the original already has (its
 * `ix_order_stripe_orders_latest_charge_id`) is not created twice. Fresh installs get the new indexes from 0001
 * and 0005, which build the tables from the same specs; this migration then changes nothing. Idempotent, like
 * every payment migration, and independent of 0007 (`migrateToLatest` allows unordered migrations: a database
 * that ran 0007 first still takes it).
 *
 * Building an index on a large table: PostgreSQL runs a migration in a transaction, and `CREATE INDEX` there
 * holds writes to the table until it is built (8 s for 1M rows on a loaded 2-core machine); InnoDB builds online;
 * SQLite holds the file's write lock. Run it when a short pause of writes is acceptable.
 * @module
 */
import type { Kysely } from 'kysely';
import type { PaymentMigration } from '../payment-migration.js';
import type { TableNames, UntypedDatabase } from '../schema.js';
import { detectSqlDialect, type SqlDialect } from '../sql-dialect.js';
import { ensureIndexes } from './ensure-table.js';
import { describeTable, indexExists } from './schema-inspection.js';
import {
  indexName,
  nativeAttemptTableSpecs,
  outboxTableSpec,
  paymentTableSpecs,
  SUPERSEDED_INDEXES,
  type TableSpec,
} from './table-specs.js';

/** See the module doc. No `down`: the indexes hold no data; drop them by hand if you must. */
export function readIndexesMigration(tables: TableNames, dialect?: SqlDialect): PaymentMigration {
  const attemptTables = new Set([
    tables.pingxxAttempts,
    tables.stripeAttempts,
    tables.alipayAttempts,
    tables.wechatpayAttempts,
    tables.attempts,
  ]);
  const role = (spec: TableSpec): keyof typeof SUPERSEDED_INDEXES | null => {
    if (spec.name === tables.orders) return 'orders';
    if (spec.name === tables.outbox) return 'outbox';
    return attemptTables.has(spec.name) ? 'attempts' : null;
  };
  return {
    up: async (db: Kysely<UntypedDatabase>) => {
      const sqlDialect = dialect ?? detectSqlDialect(db);
      const specs = [...paymentTableSpecs(tables), ...nativeAttemptTableSpecs(tables), outboxTableSpec(tables)];
      for (const spec of specs) {
        // Every table exists after 0001, 0004 and 0005, which sort (and so run) before this one.
        if ((await describeTable(db, sqlDialect, spec.name)) === null) continue;
        await ensureIndexes(db, sqlDialect, spec);
        const which = role(spec);
        if (which === null) continue;
        const { suffix, by } = SUPERSEDED_INDEXES[which];
        const old = indexName(spec.name, suffix);
        if (!(await indexExists(db, sqlDialect, spec.name, old))) continue;
        // Only once the replacement is there (ensureIndexes may have found the original's own index serving it).
        if (!(await indexExists(db, sqlDialect, spec.name, indexName(spec.name, by)))) continue;
        let drop = db.schema.dropIndex(old);
        if (sqlDialect === 'mysql') drop = drop.on(spec.name);
        await drop.execute();
      }
    },
  };
}
