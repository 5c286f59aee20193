/**
 * Migration 0008 (the pending-refund index) on every database of the matrix: a database that ran every earlier
 * migration before the index existed (its refund table without `(status, created_at, refund_bid)`) takes it, keeps
 * its rows, and a second run changes nothing. Indexes are read from the catalogs.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createPaymentMigrations, migrateToLatest } from '../../../src/kysely/index.js';
import { loadKyselyMigrator } from '../../../src/kysely/load-kysely-migrator.js';
import { indexExists } from '../../../src/kysely/migrations/schema-inspection.js';
import { indexName } from '../../../src/kysely/migrations/table-specs.js';
import { testDialects, useTestDatabase } from '../../helpers/databases.js';

const INDEX = indexName('order_refunds', 'status_created_ix');

for (const dialect of testDialects()) {
  describe(`migration 0008 (pending-refund index) on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it('adds the index to a database migrated before it, keeping rows, once', async () => {
      const { db } = database();
      const schema =
        dialect.name === 'postgres'
          ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
          : undefined;
      const without = Object.fromEntries(
        Object.entries(createPaymentMigrations()).filter(([name]) => !name.endsWith('0008-refund-pending-index')),
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
      expect(error).toBeUndefined();
      // What the release before 0008 created: no such index (0001 builds it from today's specs, so drop it).
      if (await indexExists(db, dialect.name, 'order_refunds', INDEX)) {
        await sql`drop index ${sql.id(INDEX)}${dialect.name === 'mysql' ? sql` on ${sql.table('order_refunds')}` : sql``}`.execute(
          db,
        );
      }
      expect(await indexExists(db, dialect.name, 'order_refunds', INDEX)).toBe(false);
      await db
        .insertInto('order_orders')
        .values({
          order_bid: 'o_0008',
          user_bid: 'u',
          shifu_bid: 'p',
          payable_price: '1.00',
          paid_price: '1.00',
          status: 502,
          created_at: '2026-11-20 10:00:00.000',
          updated_at: '2026-11-20 10:00:00.000',
        })
        .execute();
      await db
        .insertInto('order_refunds')
        .values({
          refund_bid: 'r_0008',
          provider: 'alipay',
          order_bid: 'o_0008',
          attempt_bid: 'a_0008',
          amount: 100,
          currency: 'CNY',
          status: 0,
          created_at: '2026-11-20 10:00:00.000',
          updated_at: '2026-11-20 10:00:00.000',
        })
        .execute();

      const { results } = await migrateToLatest(db);
      expect(results?.map((r) => [r.migrationName, r.status])).toEqual([
        ['payment-factory-0008-refund-pending-index', 'Success'],
      ]);
      expect(await indexExists(db, dialect.name, 'order_refunds', INDEX)).toBe(true);
      expect(await db.selectFrom('order_refunds').select('refund_bid').execute()).toEqual([{ refund_bid: 'r_0008' }]);
      expect((await migrateToLatest(db)).results).toEqual([]);
    }, 120_000);
  });
}
