/**
 * Migration 0006 (read indexes) on every database of the matrix:
 * - a database an older release left at 0007 without 0006 (0007 landed first; `migrateToLatest` allows unordered
 *   migrations) takes 0006: the wider indexes appear, the ones they supersede go, rows stay;
 * - over the original system's tables it adds what serves the reads without copying an index the original already
 *   has (`ix_order_stripe_orders_latest_charge_id`), keeps the original's own indexes, and runs again harmlessly.
 * Indexes are read from the catalogs, not through the repositories.
 */
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createPaymentMigrations, migrateToLatest } from '../../../src/kysely/index.js';
import { loadKyselyMigrator } from '../../../src/kysely/load-kysely-migrator.js';
import { readIndexesMigration } from '../../../src/kysely/migrations/0006-read-indexes.js';
import { indexExists, listIndexes, servingIndex } from '../../../src/kysely/migrations/schema-inspection.js';
import {
  indexName,
  nativeAttemptTableSpecs,
  outboxTableSpec,
  paymentTableSpecs,
} from '../../../src/kysely/migrations/table-specs.js';
import { DEFAULT_TABLE_NAMES, type UntypedDatabase } from '../../../src/kysely/schema.js';
import { testDialects, useTestDatabase, type TestDialectName } from '../../helpers/databases.js';
import { createOriginalTables, originalDefaults } from './original-tables.js';

const SPECS = [
  ...paymentTableSpecs(DEFAULT_TABLE_NAMES),
  ...nativeAttemptTableSpecs(DEFAULT_TABLE_NAMES),
  outboxTableSpec(DEFAULT_TABLE_NAMES),
];
/** The indexes 0006 replaced, as the release before it created them. */
const OLD = [
  ...[
    ['order_orders', 'status_ix'],
    ['order_pingxx_orders', 'status_ix'],
    ['order_stripe_orders', 'status_ix'],
    ['order_alipay_orders', 'status_ix'],
    ['order_wechatpay_orders', 'status_ix'],
    ['order_payment_attempts', 'status_ix'],
  ].map(([table, suffix]) => ({ table: table!, suffix: suffix!, columns: ['status', 'created_at'] })),
  { table: 'order_payment_outbox', suffix: 'due_ix', columns: ['status', 'available_at'] },
];
const NEW = [
  ...OLD.map(({ table, suffix }) => ({ table, suffix: suffix === 'due_ix' ? 'due_key_ix' : 'status_created_ix' })),
  { table: 'order_payment_outbox', suffix: 'status_created_ix' },
  { table: 'order_stripe_orders', suffix: 'latest_charge_ix' },
];

/** Runs every payment migration but 0006, as `migrateToLatest` would (same bookkeeping tables, same schema). */
async function migrateWithout0006(db: Kysely<UntypedDatabase>, dialect: TestDialectName): Promise<void> {
  const schema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const without = Object.fromEntries(
    Object.entries(createPaymentMigrations()).filter(([name]) => !name.endsWith('0006-read-indexes')),
  );
  const Migrator = await loadKyselyMigrator();
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => without },
    migrationTableName: 'payment_factory_migration',
    migrationLockTableName: 'payment_factory_migration_lock',
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
}

/** Every index a spec asks for is served (by ours or by one the table already had). */
async function expectServed(db: Kysely<UntypedDatabase>, dialect: TestDialectName): Promise<void> {
  for (const spec of SPECS) {
    const indexes = await listIndexes(db, dialect, spec.name);
    for (const index of spec.indexes) {
      expect(
        servingIndex(indexes, index.columns, index.unique),
        `${spec.name}(${index.columns.join(', ')})`,
      ).toBeDefined();
    }
  }
}

for (const dialect of testDialects()) {
  describe(`migration 0006 (read indexes) on ${dialect.name}`, () => {
    const older = useTestDatabase(dialect);
    const adopted = useTestDatabase(dialect);

    it('runs on a database at 0007 without it: wider indexes in, superseded ones out, rows kept', async () => {
      const { db } = older();
      await migrateWithout0006(db, dialect.name);
      // What the release before 0006 created: the narrow indexes, none of the new ones.
      for (const { table, suffix } of NEW) {
        if (await indexExists(db, dialect.name, table, indexName(table, suffix))) {
          await sql`drop index ${sql.id(indexName(table, suffix))}${dialect.name === 'mysql' ? sql` on ${sql.table(table)}` : sql``}`.execute(
            db,
          );
        }
      }
      for (const { table, suffix, columns } of OLD) {
        await db.schema.createIndex(indexName(table, suffix)).on(table).columns(columns).execute();
      }
      await db
        .insertInto('order_payment_outbox')
        .values({
          message_key: 'k1',
          type: 'order.paid',
          status: 0,
          attempts: 0,
          available_at: '2026-11-20 10:00:00.000',
          created_at: '2026-11-20 10:00:00.000',
          updated_at: '2026-11-20 10:00:00.000',
        })
        .execute();

      const { results } = await migrateToLatest(db);
      expect(results?.map((r) => [r.migrationName, r.status])).toEqual([
        ['payment-factory-0006-read-indexes', 'Success'],
      ]);
      for (const { table, suffix } of NEW) {
        expect(await indexExists(db, dialect.name, table, indexName(table, suffix)), `${table} ${suffix}`).toBe(true);
      }
      for (const { table, suffix } of OLD) {
        expect(await indexExists(db, dialect.name, table, indexName(table, suffix)), `${table} ${suffix}`).toBe(false);
      }
      await expectServed(db, dialect.name);
      const rows = await db.selectFrom('order_payment_outbox').select('message_key').execute();
      expect(rows).toEqual([{ message_key: 'k1' }]);
      expect((await migrateToLatest(db)).results).toEqual([]);
    }, 120_000);

    it('over the original tables: serves every read, no copy of an original index, idempotent', async () => {
      const { db } = adopted();
      await createOriginalTables(db, dialect.name);
      await db
        .insertInto('order_stripe_orders')
        .values({
          ...originalDefaults('order_stripe_orders'),
          stripe_order_bid: 'a1',
          order_bid: 'o1',
          latest_charge_id: 'ch_1',
        })
        .execute();
      await migrateToLatest(db);
      await expectServed(db, dialect.name);

      const stripe = await listIndexes(db, dialect.name, 'order_stripe_orders');
      const names = stripe.map((i) => i.name);
      // The original's own indexes stay; the latest-charge lookup uses the original's index, not a copy of it.
      expect(names).toEqual(expect.arrayContaining(['ix_order_stripe_orders_latest_charge_id']));
      expect(names).not.toContain('order_stripe_orders_latest_charge_ix');
      expect(stripe.filter((i) => i.columns.join() === 'latest_charge_id')).toHaveLength(1);
      expect(names).toContain('order_stripe_orders_status_created_ix');
      expect(names).not.toContain('order_stripe_orders_status_ix');

      // Running 0006 again (a re-run after a partial MySQL run, or a host's own Migrator) changes nothing.
      const before = await Promise.all(SPECS.map((s) => listIndexes(db, dialect.name, s.name)));
      await readIndexesMigration(DEFAULT_TABLE_NAMES, dialect.name).up(db);
      expect(await Promise.all(SPECS.map((s) => listIndexes(db, dialect.name, s.name)))).toEqual(before);
      const row = await db.selectFrom('order_stripe_orders').select('latest_charge_id').executeTakeFirst();
      expect(row).toEqual({ latest_charge_id: 'ch_1' });
    }, 120_000);
  });
}
