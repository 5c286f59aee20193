/**
 * Migration 0002 on every database of the matrix: rows written by 0.1.0 (amount due in `payable_price`,
 * capture in `paid_price`, webhook envelopes in the provider-object columns, attempts without business ids)
 * get the original meanings back; original orders get their attempts' currency; attempts that disagree stop
 * the migration before any row changes; fresh and adopted databases end with the same columns and indexes.
 * Rows are checked by plain SQL, not through the repositories.
 */
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import { createPaymentMigrations, migrateToLatest } from '../../../src/kysely/index.js';
import { loadKyselyMigrator } from '../../../src/kysely/load-kysely-migrator.js';
import {
  describeTable,
  indexExists,
  listIndexes,
  servingIndex,
} from '../../../src/kysely/migrations/schema-inspection.js';
import { paymentTableSpecs } from '../../../src/kysely/migrations/table-specs.js';
import { DEFAULT_TABLE_NAMES, type UntypedDatabase } from '../../../src/kysely/schema.js';
import { testDialects, useTestDatabase } from '../../helpers/databases.js';
import { createOriginalTables, originalDefaults } from './original-tables.js';

/**
 * Runs migration 0001 only and drops `captured_price`, which 0.1.0's 0001 did not create: the database as 0.1.0
 * left it (plus columns 0002 would add anyway).
 */
async function migrateTo010(db: Kysely<UntypedDatabase>, dialect: string): Promise<void> {
  const all = createPaymentMigrations();
  // Pinned to this schema, as migrateToLatest does (other schemas of the test database hold same-named tables).
  const schema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const only = Object.fromEntries(Object.entries(all).filter(([name]) => name.endsWith('0001-payment-tables')));
  const Migrator = await loadKyselyMigrator();
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => only },
    migrationTableName: 'payment_factory_migration',
    migrationLockTableName: 'payment_factory_migration_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  await sql`alter table order_orders drop column captured_price`.execute(db);
}

const now = '2026-11-20 10:00:00';
const order = (values: Record<string, unknown>) => ({
  user_bid: 'u1',
  shifu_bid: 's1',
  payment_channel: 'stripe',
  deleted: 0,
  created_at: now,
  updated_at: now,
  ...values,
});

async function rows(db: Kysely<UntypedDatabase>, query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  return (await query.execute(db)).rows as Record<string, unknown>[];
}
/** DECIMAL text → cents, without floats (drivers return '19.9900' or 19.99). */
const cents = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  const [whole = '0', fraction = ''] = (typeof v === 'number' ? String(v) : (v as string)).split('.');
  return Number(whole + fraction.padEnd(2, '0').slice(0, 2));
};

for (const dialect of testDialects()) {
  describe(`migration 0002 on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it('gives rows written by 0.1.0 and by the original system their original meanings', async () => {
      const { db } = database();
      await migrateTo010(db, dialect.name);
      await db
        .insertInto('order_orders')
        .values([
          // 0.1.0: amount due in payable_price, paid_price 0 until paid and then the capture, a currency.
          order({ order_bid: 'v010-paid', payable_price: '19.99', paid_price: '19.99', currency: 'USD', status: 502 }),
          order({ order_bid: 'v010-open', payable_price: '59.00', paid_price: '0', currency: 'CNY', status: 501 }),
          order({ order_bid: 'v010-timeout', payable_price: '30.00', paid_price: '0', currency: 'CNY', status: 505 }),
          // The original system: list price, amount due, no currency.
          order({ order_bid: 'py-usd', payable_price: '99.00', paid_price: '59.00', currency: null, status: 504 }),
          order({ order_bid: 'py-bare', payable_price: '10.00', paid_price: '8.00', currency: null, status: 501 }),
          // An original discounted order 0.1.0 settled through the original's attempt (5900 fen): 0.1.0 wrote the
          // capture (the amount due) into paid_price and a currency; the list price must not replace it.
          order({
            order_bid: 'py-paid-by-010',
            payable_price: '99.00',
            paid_price: '59.00',
            currency: 'CNY',
            status: 502,
          }),
          // An original pending order whose currency was set by hand: still the original's amounts.
          order({
            order_bid: 'py-hand-set',
            payable_price: '99.00',
            paid_price: '59.00',
            currency: 'USD',
            status: 504,
          }),
        ])
        .execute();
      const envelope = (object: Record<string, unknown>) =>
        JSON.stringify({ id: 'evt_1', object: 'event', type: 'x', data: { object } });
      await db
        .insertInto('order_stripe_orders')
        .values([
          {
            stripe_order_bid: 'stp-010',
            order_bid: 'v010-paid',
            amount: 1999,
            currency: 'USD',
            status: 2,
            deleted: 0,
            channel: 'checkout_session',
            payment_intent_object: envelope({ object: 'charge', id: 'ch_1' }),
            checkout_session_object: envelope({ object: 'checkout.session', id: 'cs_1' }),
            created_at: now,
            updated_at: now,
          },
          {
            stripe_order_bid: 'stp-py',
            order_bid: 'py-usd',
            user_bid: 'u1',
            shifu_bid: 's1',
            amount: 5900,
            currency: 'usd',
            status: 0,
            deleted: 0,
            payment_intent_object: JSON.stringify({ object: 'payment_intent', id: 'pi_2' }),
            created_at: now,
            updated_at: now,
          },
        ])
        .execute();
      await db
        .insertInto('order_pingxx_orders')
        .values({
          pingxx_order_bid: 'pxx-010',
          order_bid: 'v010-open',
          amount: 5900,
          currency: 'CNY',
          status: 0,
          deleted: 0,
          channel: 'alipay_qr',
          charge_object: envelope({ object: 'charge', id: 'ch_2' }),
          created_at: now,
          updated_at: now,
        })
        .execute();

      await migrateToLatest(db);

      const orders = await rows(
        db,
        sql`select order_bid, payable_price, paid_price, captured_price, currency from order_orders order by order_bid`,
      );
      expect(
        orders.map((o) => [
          o['order_bid'],
          cents(o['payable_price']),
          cents(o['paid_price']),
          cents(o['captured_price']),
          o['currency'],
        ]),
      ).toEqual([
        ['py-bare', 1000, 800, null, 'CNY'],
        ['py-hand-set', 9900, 5900, null, 'USD'],
        // captured_price NULL on a paid order reads as paid_price: 59.00 captured.
        ['py-paid-by-010', 9900, 5900, null, 'CNY'],
        ['py-usd', 9900, 5900, null, 'USD'],
        ['v010-open', 5900, 5900, null, 'CNY'],
        ['v010-paid', 1999, 1999, null, 'USD'],
        ['v010-timeout', 3000, 3000, null, 'CNY'],
      ]);
      const [stripe] = await rows(
        db,
        sql`select user_bid, shifu_bid, biz_domain, payment_intent_object, checkout_session_object from order_stripe_orders where stripe_order_bid = 'stp-010'`,
      );
      expect(stripe).toMatchObject({
        user_bid: 'u1',
        shifu_bid: 's1',
        biz_domain: 'order',
        payment_intent_object: null,
      });
      expect(JSON.parse(String(stripe?.['checkout_session_object']))).toEqual({
        object: 'checkout.session',
        id: 'cs_1',
      });
      const [pingxx] = await rows(
        db,
        sql`select user_bid, charge_object from order_pingxx_orders where pingxx_order_bid = 'pxx-010'`,
      );
      expect(pingxx?.['user_bid']).toBe('u1');
      expect(JSON.parse(String(pingxx?.['charge_object']))).toEqual({ object: 'charge', id: 'ch_2' });
      expect((await migrateToLatest(db)).results).toEqual([]);
    });
  });

  describe(`migration 0002 with conflicting attempt currencies on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it('stops naming the order and its rows, changes no row, and runs once the currency is set by hand', async () => {
      const { db } = database();
      await createOriginalTables(db, dialect.name);
      await db
        .insertInto('order_orders')
        .values([
          {
            ...originalDefaults('order_orders'),
            order_bid: 'mixed',
            payable_price: '20.00',
            paid_price: '15.00',
            status: 504,
          },
          {
            ...originalDefaults('order_orders'),
            order_bid: 'fine',
            payable_price: '5.00',
            paid_price: '4.00',
            status: 504,
          },
        ])
        .execute();
      await db
        .insertInto('order_stripe_orders')
        .values({
          ...originalDefaults('order_stripe_orders'),
          biz_domain: 'order',
          stripe_order_bid: 'stp-m',
          order_bid: 'mixed',
          currency: 'usd',
          amount: 1500,
        })
        .execute();
      await db
        .insertInto('order_pingxx_orders')
        .values([
          {
            ...originalDefaults('order_pingxx_orders'),
            biz_domain: 'order',
            pingxx_order_bid: 'pxx-m',
            order_bid: 'mixed',
            currency: 'cny',
            amount: 1500,
          },
          {
            ...originalDefaults('order_pingxx_orders'),
            biz_domain: 'order',
            pingxx_order_bid: 'pxx-f',
            order_bid: 'fine',
            currency: 'cny',
            amount: 400,
          },
          // A billing row of the original system is not an order payment: it says nothing about currencies.
          {
            ...originalDefaults('order_pingxx_orders'),
            biz_domain: 'billing',
            pingxx_order_bid: 'bill-1',
            order_bid: 'fine',
            currency: 'usd',
            amount: 1,
          },
        ])
        .execute();

      const error: unknown = await migrateToLatest(db).catch((e: unknown) => e);
      expect(isPaymentError(error, 'ConfigurationError')).toBe(true);
      expect(error).toMatchObject({
        code: 'LEGACY_CURRENCY_CONFLICT',
        details: {
          orderIds: ['mixed'],
          attempts: [
            { orderId: 'mixed', table: 'order_pingxx_orders', attemptId: 'pxx-m', currency: 'CNY' },
            { orderId: 'mixed', table: 'order_stripe_orders', attemptId: 'stp-m', currency: 'USD' },
          ],
        },
      });
      expect((error as Error).message).toMatch(/mixed .*pxx-m CNY.*stp-m USD/);
      // Where Kysely runs the migrations in one transaction (PostgreSQL) the whole run rolled back; elsewhere
      // 0001's columns stay, empty.
      const hasCurrency = (await describeTable(db, dialect.name, 'order_orders'))?.some((c) => c.name === 'currency');
      expect(hasCurrency).toBe(dialect.name !== 'postgres');
      if (hasCurrency) {
        expect(await rows(db, sql`select order_bid from order_orders where currency is not null`)).toEqual([]);
      } else {
        await sql`alter table order_orders add column currency varchar(3) null`.execute(db);
      }
      expect(
        (await rows(db, sql`select paid_price from order_orders order by order_bid`)).map((r) =>
          cents(r['paid_price']),
        ),
      ).toEqual([400, 1500]);

      await sql`update order_orders set currency = 'USD' where order_bid = 'mixed'`.execute(db);
      await migrateToLatest(db);
      const after = await rows(db, sql`select order_bid, currency, paid_price from order_orders order by order_bid`);
      // The hand-set currency does not make the row look like one 0.1.0 wrote: the amount due stays.
      expect(after.map((r) => [r['order_bid'], r['currency'], cents(r['paid_price'])])).toEqual([
        ['fine', 'CNY', 400],
        ['mixed', 'USD', 1500],
      ]);
    });
  });

  describe(`migration 0002 stopped by a conflict on a database 0.1.0 ran on, on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it("still rewrites 0.1.0's rows on the next run, and leaves the row whose currency was set by hand", async () => {
      const { db } = database();
      await migrateTo010(db, dialect.name);
      await db
        .insertInto('order_orders')
        .values([
          order({ order_bid: 'v010-open', payable_price: '59.00', paid_price: '0', currency: 'CNY', status: 504 }),
          order({ order_bid: 'mixed', payable_price: '20.00', paid_price: '15.00', currency: null, status: 504 }),
        ])
        .execute();
      const attempt = { order_bid: 'mixed', amount: 1500, status: 0, deleted: 0, created_at: now, updated_at: now };
      await db
        .insertInto('order_stripe_orders')
        .values({ ...attempt, stripe_order_bid: 'stp-m', currency: 'usd' })
        .execute();
      await db
        .insertInto('order_pingxx_orders')
        .values({ ...attempt, pingxx_order_bid: 'pxx-m', currency: 'cny', channel: 'alipay_qr' })
        .execute();

      await expect(migrateToLatest(db)).rejects.toMatchObject({ code: 'LEGACY_CURRENCY_CONFLICT' });
      await sql`update order_orders set currency = 'USD' where order_bid = 'mixed'`.execute(db);
      await migrateToLatest(db);

      const after = await rows(db, sql`select order_bid, paid_price from order_orders order by order_bid`);
      expect(after.map((r) => [r['order_bid'], cents(r['paid_price'])])).toEqual([
        ['mixed', 1500],
        ['v010-open', 5900],
      ]);
    });
  });

  describe(`fresh and adopted databases on ${dialect.name}`, () => {
    const fresh = useTestDatabase(dialect);
    const adopted = useTestDatabase(dialect);

    it('end with the same payment columns and indexes', async () => {
      await migrateToLatest(fresh().db);
      await createOriginalTables(adopted().db, dialect.name);
      await migrateToLatest(adopted().db);
      for (const spec of paymentTableSpecs(DEFAULT_TABLE_NAMES)) {
        for (const db of [fresh().db, adopted().db]) {
          const columns = new Set((await describeTable(db, dialect.name, spec.name))?.map((c) => c.name));
          for (const column of spec.columns) expect(columns.has(column.name), `${spec.name}.${column.name}`).toBe(true);
          // Each index is ours, or one the original table already had that serves it (no second copy).
          const indexes = await listIndexes(db, dialect.name, spec.name);
          for (const index of spec.indexes) {
            expect(servingIndex(indexes, index.columns, index.unique), `${spec.name}_${index.suffix}`).toBeDefined();
          }
          if (db === fresh().db) {
            for (const index of spec.indexes) {
              expect(await indexExists(db, dialect.name, spec.name, `${spec.name}_${index.suffix}`)).toBe(true);
            }
          }
        }
      }
    }, 120_000); // two full migrations: MySQL DDL on the 2-core CI machine under load took 26 s (limit was 30 s)
  });
}
