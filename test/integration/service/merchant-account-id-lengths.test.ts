/**
 * Seller and account version ids against the real column widths (issue 15, DESIGN §9/§12), on every database of
 * the matrix, on an adopted install: the original system's `order_orders.creator_bid` / `payment_integration_bid`
 * and its attempt tables' `creator_bid` are `VARCHAR(36)`, and stay so after the migrations. A resolver answer with
 * a 37-character id is a `ConfigurationError` before anything is written or sent — never a driver error
 * (PostgreSQL, strict MySQL) or a silently cut id (non-strict MySQL, where a cut version id would name another
 * version) — and a 36-character id is stored whole. On MySQL it runs again with `sql_mode = ''`, after showing
 * that such a session really does cut a 37-character value.
 */
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  MERCHANT_ID_MAX_LENGTH,
  type MerchantAccount,
  type MerchantAccountResolution,
  type MerchantAccountResolver,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';
import { createFakeProvider, type FakeProvider } from '../../../src/testing/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';
import { createOriginalTables } from '../persistence/original-tables.js';

const fits = (c: string) => c.repeat(MERCHANT_ID_MAX_LENGTH);
const tooLong = (c: string) => c.repeat(MERCHANT_ID_MAX_LENGTH + 1);

/** A resolver answering whatever the case sets, as a host's buggy or hostile store might. */
function scriptedResolver(): MerchantAccountResolver & { answer: MerchantAccountResolution } {
  const resolver = {
    answer: { type: 'none', sellerId: null } as MerchantAccountResolution,
    resolveCharge: async () => resolver.answer,
    loadVersion: async (versionId: string) =>
      resolver.answer.type === 'accounts'
        ? (resolver.answer.accounts.find((a) => a.versionId === versionId) ?? null)
        : null,
    webhookVersions: async () => [],
  };
  return resolver;
}

/** A non-strict MySQL session on the same database: what truncates instead of refusing. */
function nonStrictMysql(url: string): Kysely<UntypedDatabase> {
  const pool = createPool({ uri: url, timezone: 'Z', connectionLimit: 4 });
  pool.on('connection', (connection) => {
    connection.query("SET SESSION sql_mode = ''");
    connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  });
  return new Kysely<UntypedDatabase>({ dialect: new MysqlDialect({ pool }) });
}

for (const dialect of testDialects()) {
  const sessions = dialect.name === 'mysql' ? (['strict', 'non-strict'] as const) : (['default'] as const);
  for (const session of sessions) {
    describe(`merchant account id lengths on an adopted ${dialect.name} (${session} session)`, () => {
      let t: TestDatabase;
      let db: Kysely<UntypedDatabase>;
      let service: PaymentService<unknown>;
      let platform: FakeProvider;
      const sellerAdapters: FakeProvider[] = [];
      const resolver = scriptedResolver();

      beforeAll(async () => {
        t = await dialect.open();
        await createOriginalTables(t.db, dialect.name);
        for (const column of ['creator_bid', 'payment_integration_bid']) {
          await sql.raw(`alter table order_orders add column ${column} varchar(36) not null default ''`).execute(t.db);
        }
        await migrateToLatest(t.db);
        db = session === 'non-strict' ? nonStrictMysql(t.url) : t.db;
        platform = createFakeProvider();
        service = createPaymentService({
          factory: createPaymentFactory({ providers: [platform] }),
          repositories: createKyselyRepositories(db),
          merchantAccounts: {
            resolver,
            routeKey: 'merchant-route-key-for-tests-0123456789abcdef',
            platformFallback: true,
            adapters: {
              // A Stripe-kind adapter: its attempts go to the adopted order_stripe_orders (creator_bid VARCHAR(36)).
              stripe: (a) => {
                const adapter = createFakeProvider({
                  name: a.provider,
                  kind: 'stripe',
                  channels: ['payment_intent'],
                  defaultChannel: 'payment_intent',
                });
                sellerAdapters.push(adapter);
                return adapter;
              },
            },
          },
        });
      });

      afterAll(async () => {
        if (db !== t?.db) await db?.destroy();
        await t?.destroy();
      });

      const account = (sellerId: string, versionId: string): MerchantAccount => ({
        accountId: `acct_${versionId.slice(0, 8)}`,
        versionId,
        sellerId,
        provider: 'stripe',
        credentials: {},
      });
      const newOrder = (userId: string) =>
        service.initOrder({ userId, productId: 'course_1', payableAmount: 1999, currency: 'USD' });
      /** The order's snapshot columns; `NULL` and `''` both mean none (MySQL's adoption made them nullable). */
      const orderColumns = async (orderId: string) => {
        const row = await db
          .selectFrom('order_orders')
          .select(['creator_bid', 'payment_integration_bid', 'status'])
          .where('order_bid', '=', orderId)
          .executeTakeFirstOrThrow();
        return {
          creator_bid: row['creator_bid'] ?? '',
          payment_integration_bid: row['payment_integration_bid'] ?? '',
          status: Number(row['status']),
        };
      };
      const attemptRows = async (orderId: string) =>
        db
          .selectFrom('order_stripe_orders')
          .select(['creator_bid', 'payment_integration_bid'])
          .where('order_bid', '=', orderId)
          .execute();
      const columnWidth = async (table: string, column: string): Promise<unknown> => {
        if (dialect.name === 'sqlite') {
          const info = await sql<{
            name: string;
            type: string;
          }>`select name, type from pragma_table_info(${table})`.execute(db);
          return info.rows.find((r) => r.name === column)?.type.toLowerCase();
        }
        const schema = dialect.name === 'postgres' ? sql`current_schema()` : sql`database()`;
        const found = await sql<{ width: number | string }>`select character_maximum_length as width
          from information_schema.columns
          where table_schema = ${schema} and table_name = ${table} and column_name = ${column}`.execute(db);
        return Number(found.rows[0]?.width);
      };
      const remoteCalls = () => platform.calls.length + sellerAdapters.reduce((n, a) => n + a.calls.length, 0);

      it('is testing the hazard: the adopted columns hold 36 characters, and a raw 37 is refused or cut', async () => {
        for (const [table, column] of [
          ['order_orders', 'creator_bid'],
          ['order_orders', 'payment_integration_bid'],
          ['order_stripe_orders', 'creator_bid'],
        ] as const) {
          expect(await columnWidth(table, column)).toBe(dialect.name === 'sqlite' ? 'varchar(36)' : 36);
        }
        const order = await newOrder('u_raw');
        const rawWrite = db
          .updateTable('order_orders')
          .set({ payment_integration_bid: tooLong('r') })
          .where('order_bid', '=', order.orderId)
          .execute();
        if (dialect.name === 'sqlite') {
          await rawWrite; // SQLite does not enforce VARCHAR widths: nothing would be lost, nothing is refused
          expect((await orderColumns(order.orderId)).payment_integration_bid).toBe(tooLong('r'));
        } else if (session === 'non-strict') {
          await rawWrite; // accepted with a warning…
          expect((await orderColumns(order.orderId)).payment_integration_bid).toBe(fits('r')); // …and cut
        } else {
          await expect(rawWrite).rejects.toThrow(); // a driver error, not a library error
        }
      });

      it('refuses a 37-character account version id before anything is written or sent', async () => {
        const order = await newOrder('u_version');
        resolver.answer = { type: 'accounts', sellerId: 'seller_1', accounts: [account('seller_1', tooLong('v'))] };
        const before = remoteCalls();
        await expect(service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe' })).rejects.toMatchObject({
          name: 'ConfigurationError',
          code: 'MERCHANT_ACCOUNT_INVALID',
          details: { field: 'versionId' },
        });
        expect(remoteCalls()).toBe(before);
        expect(await service.repositories.attempts.listByOrder(order.orderId)).toEqual([]);
        expect(await attemptRows(order.orderId)).toEqual([]);
        expect(await orderColumns(order.orderId)).toEqual({
          creator_bid: '',
          payment_integration_bid: '',
          status: 501,
        });
      });

      it('refuses a 37-character seller id, on an account or on a platform fallback, before anything is written', async () => {
        for (const answer of [
          { type: 'accounts', sellerId: tooLong('s'), accounts: [account(tooLong('s'), 'version_ok')] },
          { type: 'none', sellerId: tooLong('s') },
        ] as const) {
          const order = await newOrder(`u_seller_${answer.type}`);
          resolver.answer = answer;
          const before = remoteCalls();
          await expect(
            service.createCharge({
              orderId: order.orderId,
              paymentChannel: answer.type === 'none' ? 'fake' : 'stripe',
            }),
          ).rejects.toMatchObject({
            name: 'ConfigurationError',
            code: 'MERCHANT_ACCOUNT_INVALID',
            details: { field: 'sellerId' },
          });
          expect(remoteCalls()).toBe(before);
          expect(await service.repositories.attempts.listByOrder(order.orderId)).toEqual([]);
          expect(await orderColumns(order.orderId)).toEqual({
            creator_bid: '',
            payment_integration_bid: '',
            status: 501,
          });
        }
      });

      it('stores 36-character ids whole on the order and the attempt, and uses them for the refund', async () => {
        const order = await newOrder('u_fits');
        resolver.answer = { type: 'accounts', sellerId: fits('s'), accounts: [account(fits('s'), fits('v'))] };
        const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe' });
        expect(await orderColumns(order.orderId)).toEqual({
          creator_bid: fits('s'),
          payment_integration_bid: fits('v'),
          status: 504,
        });
        expect(await attemptRows(order.orderId)).toEqual([
          { creator_bid: fits('s'), payment_integration_bid: fits('v') },
        ]);
        const attempt = (await service.repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
        expect(attempt.merchantAccount).toEqual({ sellerId: fits('s'), versionId: fits('v') });
        // The snapshot reads back whole, so the version loads and the refund goes to that account's adapter.
        const seller = sellerAdapters.at(-1)!;
        seller.pay(attempt.providerReference!);
        await service.syncPayment({ orderId: order.orderId });
        expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid' });
        await service.refund({ orderId: order.orderId });
        expect(seller.calls.filter((c) => c.method === 'refund')).toHaveLength(1);
        expect(platform.calls.filter((c) => c.method === 'refund')).toHaveLength(0);
      });
    });
  }
}
