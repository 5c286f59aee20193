/**
 * Migrating a database that already has the original system's tables: rows are kept and readable through
 * the repositories, new writes work, unique keys are added (refused over duplicate rows), and the full
 * conformance suite passes on the adopted tables.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import type { PaymentRepositories } from '../../../src/persistence/ports.js';
import { runRepositoryConformance } from '../../../src/testing/repository-conformance.js';
import { testDialects, useTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { kyselyConformanceSubject } from './kysely-raw-read-path.js';
import { createOriginalTables, ORIGINAL_TABLES, originalDefaults } from './original-tables.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';

async function seedOriginalRows(db: Kysely<UntypedDatabase>): Promise<void> {
  const order = originalDefaults('order_orders');
  await db
    .insertInto('order_orders')
    .values([
      {
        ...order,
        order_bid: 'legacy-paid',
        user_bid: 'u1',
        shifu_bid: 's1',
        payable_price: '99.00',
        paid_price: '99.00',
        payment_channel: 'pingxx',
        status: 502,
      },
      {
        ...order,
        order_bid: 'legacy-open',
        user_bid: 'u1',
        shifu_bid: 's2',
        payable_price: '19.90',
        paid_price: '19.90',
        payment_channel: 'stripe',
        status: 504,
        created_at: '2024-05-02 08:00:00',
      },
      {
        ...order,
        order_bid: 'legacy-deleted',
        user_bid: 'u1',
        shifu_bid: 's2',
        payable_price: '1.00',
        status: 501,
        deleted: 1,
        created_at: '2024-05-03 08:00:00',
      },
    ])
    .execute();
  const pingxx = { ...originalDefaults('order_pingxx_orders'), biz_domain: 'order' };
  await db
    .insertInto('order_pingxx_orders')
    .values([
      {
        ...pingxx,
        pingxx_order_bid: 'pxx-paid',
        order_bid: 'legacy-paid',
        charge_id: 'ch_legacy_1',
        app_id: 'app_legacy',
        channel: 'wx_pub_qr',
        amount: 9900,
        currency: 'cny',
        client_ip: '198.51.100.7',
        extra: '{"product_id": "s1"}',
        charge_object: '{"id": "ch_legacy_1", "paid": true}',
        status: 1,
        paid_at: '2024-05-01 10:05:00',
      },
      // An unpaid row: the original wrote the creation time into every *_at column as a placeholder.
      {
        ...pingxx,
        pingxx_order_bid: 'pxx-open',
        order_bid: 'legacy-paid',
        channel: 'alipay_qr',
        amount: 9900,
        currency: 'cny',
        extra: "{'open_id': 'py-repr'}",
        charge_object: '{}',
        status: 0,
      },
    ])
    .execute();
  await db
    .insertInto('order_stripe_orders')
    .values({
      ...originalDefaults('order_stripe_orders'),
      biz_domain: 'order',
      stripe_order_bid: 'stp-open',
      order_bid: 'legacy-open',
      checkout_session_id: 'cs_legacy_1',
      payment_intent_id: 'pi_legacy_1',
      amount: 1990,
      currency: 'usd',
      status: 0,
      metadata_json: '{"order_bid": "legacy-open"}',
      checkout_session_object: '{"id": "cs_legacy_1"}',
      payment_intent_object: '{}',
    })
    .execute();
}

const rowCount = async (db: Kysely<UntypedDatabase>, table: string): Promise<number> =>
  Number((await sql<{ n: unknown }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n);

for (const dialect of testDialects()) {
  describe(`adopting the original tables on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);
    let t: TestDatabase;
    let repositories: PaymentRepositories<unknown>;
    const countsBefore: Record<string, number> = {};

    beforeAll(async () => {
      t = database();
      await createOriginalTables(t.db, dialect.name);
      await seedOriginalRows(t.db);
      for (const table of ORIGINAL_TABLES) countsBefore[table] = await rowCount(t.db, table);
      await migrateToLatest(t.db);
      repositories = createKyselyRepositories(t.db);
    });

    it('keeps every row', async () => {
      for (const table of ORIGINAL_TABLES) expect(await rowCount(t.db, table), table).toBe(countsBefore[table]);
    });

    it('reads original orders in minor units, in the currency of their attempts', async () => {
      expect(await repositories.orders.findById('legacy-paid')).toMatchObject({
        listAmount: 9900,
        payableAmount: 9900,
        paidAmount: 9900,
        currency: 'CNY',
        status: 'paid',
        paymentChannel: 'pingxx',
        userId: 'u1',
        productId: 's1',
      });
      expect(await repositories.orders.findOpenForUserProduct('u1', 's2')).toMatchObject({
        orderId: 'legacy-open',
        currency: 'USD',
        listAmount: 1990,
        payableAmount: 1990,
        paidAmount: 0,
      });
    });

    it('hides soft-deleted rows', async () => {
      expect(await repositories.orders.findById('legacy-deleted')).toBeNull();
    });

    it('reads original Ping++ attempts, with the charge id as reference and JSON parsed', async () => {
      const paid = await repositories.attempts.findById('pxx-paid');
      expect(paid).toMatchObject({
        providerKind: 'pingxx',
        provider: 'pingxx',
        channel: 'wx_pub_qr',
        providerReference: 'ch_legacy_1',
        chargeId: 'ch_legacy_1',
        appId: 'app_legacy',
        amount: 9900,
        currency: 'CNY',
        status: 'paid',
        clientIp: '198.51.100.7',
        extra: { product_id: 's1' },
        raw: { id: 'ch_legacy_1', paid: true },
        failureCode: null,
      });
      expect(paid?.paidAt?.toISOString()).toBe('2024-05-01T10:05:00.000Z');
      expect((await repositories.attempts.findByProviderReference('pingxx', 'ch_legacy_1'))?.attemptId).toBe(
        'pxx-paid',
      );
    });

    it('clears placeholder timestamps of states an original attempt never reached', async () => {
      const open = await repositories.attempts.findById('pxx-open');
      expect(open).toMatchObject({ status: 'pending', paidAt: null, refundedAt: null, closedAt: null, failedAt: null });
      expect(open?.extra).toBe("{'open_id': 'py-repr'}"); // not JSON: returned as text, not an error
      expect(open?.createdAt.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    });

    it('reads original Stripe attempts, deriving the Checkout channel from the session id', async () => {
      expect(await repositories.attempts.findById('stp-open')).toMatchObject({
        providerKind: 'stripe',
        channel: 'checkout_session',
        providerReference: 'cs_legacy_1',
        checkoutSessionId: 'cs_legacy_1',
        paymentIntentId: 'pi_legacy_1',
        currency: 'USD',
        metadata: { order_bid: 'legacy-open' },
        raw: { id: 'cs_legacy_1' },
      });
      expect((await repositories.attempts.findByProviderReference('stripe', 'pi_legacy_1'))?.attemptId).toBe(
        'stp-open',
      );
    });

    it('takes new writes on the adopted tables, and enforces the new unique keys', async () => {
      await repositories.attempts.create({
        attemptId: 'pxx-new',
        orderId: 'legacy-open',
        providerKind: 'pingxx',
        channel: 'alipay_qr',
        amount: 1990,
        currency: 'CNY',
      });
      await repositories.attempts.create({
        attemptId: 'stp-new',
        orderId: 'legacy-open',
        providerKind: 'stripe',
        channel: 'payment_intent',
        amount: 1990,
        currency: 'USD',
      });
      // Spelled as the original wrote these columns (and its code still reads them): lower-case ISO 4217.
      const spelled = await sql<{ currency: string }>`
        select currency from order_pingxx_orders where pingxx_order_bid = 'pxx-new'
        union all select currency from order_stripe_orders where stripe_order_bid = 'stp-new'`.execute(t.db);
      expect(spelled.rows.map((r) => r.currency)).toEqual(['cny', 'usd']);
      expect(await repositories.attempts.findById('stp-new')).toMatchObject({ currency: 'USD' });
      expect(await repositories.attempts.updateStatus({ attemptId: 'pxx-new', from: ['pending'], to: 'paid' })).toBe(
        true,
      );
      expect(
        await repositories.orders.updateStatus({
          orderId: 'legacy-open',
          from: ['pending'],
          to: 'paid',
          patch: { paidAmount: 1990 },
        }),
      ).toBe(true);
      expect(await repositories.orders.findById('legacy-open')).toMatchObject({
        status: 'paid',
        paidAmount: 1990,
        payableAmount: 1990,
      });
      await expect(
        repositories.orders.create({
          orderId: 'legacy-paid',
          userId: 'u',
          productId: 'p',
          payableAmount: 1,
          currency: 'CNY',
        }),
      ).rejects.toMatchObject({ code: 'DUPLICATE_ORDER' });
      // Refused by the new unique key, not by some other constraint (PostgreSQL "duplicate key … unique
      // constraint", MySQL "Duplicate entry", SQLite "UNIQUE constraint failed").
      await expect(
        sql`insert into order_pingxx_orders (pingxx_order_bid, biz_domain, order_bid, channel, amount, currency, status, deleted, created_at, updated_at) values ('pxx-paid', 'order', 'x', 'c', 1, 'CNY', 0, 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`.execute(
          t.db,
        ),
      ).rejects.toThrow(/duplicate|unique/i);
    });

    it('does nothing when migrated again', async () => {
      expect((await migrateToLatest(t.db)).results).toEqual([]);
    });
  });

  describe(`adopting original tables with duplicate ids on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it('refuses to add a unique key over duplicate rows, names them, and succeeds once they are resolved', async () => {
      const t = database();
      await createOriginalTables(t.db, dialect.name);
      const order = { ...originalDefaults('order_orders'), payable_price: '1.00', status: 501 };
      await t.db
        .insertInto('order_orders')
        .values([
          { ...order, order_bid: 'twice' },
          { ...order, order_bid: 'twice' },
          { ...order, order_bid: 'once' },
        ])
        .execute();
      const error: unknown = await migrateToLatest(t.db).catch((e: unknown) => e);
      expect(isPaymentError(error, 'ConfigurationError')).toBe(true);
      expect(error).toMatchObject({ code: 'MIGRATION_DUPLICATE_KEYS', details: { keys: ['twice'] } });
      expect(await rowCount(t.db, 'order_orders')).toBe(3);
      await sql`delete from order_orders where order_bid = 'twice' and id = (select max(id) from (select id from order_orders where order_bid = 'twice') as dup)`.execute(
        t.db,
      );
      await migrateToLatest(t.db);
      expect((await createKyselyRepositories(t.db).orders.findById('twice'))?.listAmount).toBe(100);
    });
  });

  runRepositoryConformance({
    name: `kysely/${dialect.name} on adopted original tables`,
    runner: { describe, it, beforeAll, afterAll },
    create: () => kyselyConformanceSubject(dialect, (db) => createOriginalTables(db, dialect.name)),
  });
}
