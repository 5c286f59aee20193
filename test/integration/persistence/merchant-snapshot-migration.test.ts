/**
 * Migration 0007 (merchant account snapshot) on every database of the matrix, against the original system's
 * tables: an `order_orders` that already has `creator_bid` / `payment_integration_bid` (as the original's
 * creator integrations added them, NOT NULL with `''` for none) keeps its values and their meaning; the attempt
 * tables gain `payment_integration_bid`, `NULL` on the original's rows (not recorded: the order's applies).
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { describeTable } from '../../../src/kysely/migrations/schema-inspection.js';
import { testDialects, useTestDatabase } from '../../helpers/databases.js';
import { createOriginalTables, originalDefaults } from './original-tables.js';

for (const dialect of testDialects()) {
  describe(`migration 0007 (merchant account snapshot) on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it('keeps an adopted order_orders snapshot and its meaning; original attempt rows read as not recorded', async () => {
      const { db } = database();
      await createOriginalTables(db, dialect.name);
      for (const column of ['creator_bid', 'payment_integration_bid']) {
        await sql.raw(`alter table order_orders add column ${column} varchar(36) not null default ''`).execute(db);
      }
      const at = '2024-05-01 10:00:00';
      await db
        .insertInto('order_orders')
        .values([
          {
            ...originalDefaults('order_orders', at),
            order_bid: 'o_seller',
            user_bid: 'u1',
            shifu_bid: 's1',
            paid_price: '10.00',
            status: 504,
            creator_bid: 'creator_1',
            payment_integration_bid: 'integ_v1',
          },
          {
            ...originalDefaults('order_orders', at),
            order_bid: 'o_platform',
            user_bid: 'u1',
            shifu_bid: 's2',
            status: 504,
            creator_bid: '',
            payment_integration_bid: '',
          },
        ])
        .execute();
      await db
        .insertInto('order_pingxx_orders')
        .values({
          ...originalDefaults('order_pingxx_orders', at),
          pingxx_order_bid: 'a_seller',
          order_bid: 'o_seller',
          creator_bid: 'creator_1',
          amount: 1000,
          charge_id: 'ch_1',
        })
        .execute();

      await migrateToLatest(db);
      for (const table of ['order_orders', 'order_pingxx_orders', 'order_stripe_orders', 'order_alipay_orders']) {
        const names = (await describeTable(db, dialect.name, table))!.map((c) => c.name);
        expect(names).toEqual(expect.arrayContaining(['creator_bid', 'payment_integration_bid']));
      }
      const repositories = createKyselyRepositories(db);
      const seller = await repositories.orders.findById('o_seller');
      expect([seller?.sellerId, seller?.merchantAccountVersion]).toEqual(['creator_1', 'integ_v1']);
      const platform = await repositories.orders.findById('o_platform');
      expect([platform?.sellerId, platform?.merchantAccountVersion]).toEqual([null, null]);
      expect((await repositories.attempts.findById('a_seller'))?.merchantAccount).toBeNull();

      // Written by us on the adopted NOT NULL columns: '' for none, never NULL.
      await repositories.orders.update('o_seller', { merchantAccountVersion: null });
      const row = await db
        .selectFrom('order_orders')
        .select(['creator_bid', 'payment_integration_bid'])
        .where('order_bid', '=', 'o_seller')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ creator_bid: 'creator_1', payment_integration_bid: '' });
      // Running again changes nothing.
      expect((await migrateToLatest(db)).results ?? []).toEqual([]);
    });
  });
}
