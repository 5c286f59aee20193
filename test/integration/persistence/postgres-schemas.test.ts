/**
 * PostgreSQL schemas: the payment tables go where the connection's `search_path` points (a `DATABASE_URL`
 * with `options=-c search_path=…`) or where the `schema` option says, even when another schema on the
 * search path or in the database already has same-named tables — as `public` does on most installations.
 */
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../../src/cli/migrate.js';
import { runCli } from '../../../src/cli/run-cli.js';
import {
  createKyselyFromUrl,
  createKyselyRepositories,
  migrateToLatest,
  paymentMigrations,
} from '../../../src/kysely/index.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';
import { serverTestDialects, useTestDatabase } from '../../helpers/databases.js';

const PAYMENT_TABLES = ['order_orders', 'order_pingxx_orders', 'order_stripe_orders', 'order_payment_events'];

async function tablesIn(db: Kysely<UntypedDatabase>, schema: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(db);
  return rows.map((r) => r.name).sort();
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

for (const dialect of serverTestDialects(['postgres'])) {
  describe('migrations on PostgreSQL with several schemas', () => {
    const database = useTestDatabase(dialect);
    const extraSchemas: string[] = [];
    const newSchema = (): string => {
      const name = `pf_other_${randomBytes(4).toString('hex')}`;
      extraSchemas.push(name);
      return name;
    };
    afterAll(async () => {
      const { db } = database();
      for (const schema of extraSchemas) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    });

    it('migrates the schema a DATABASE_URL search_path names while another schema has the tables', async () => {
      const { db, url } = database();
      await migrateToLatest(db); // the "public" of this test: tables and migration bookkeeping exist here
      const other = newSchema();
      await sql`create schema ${sql.id(other)}`.execute(db);

      const lines: string[] = [];
      expect(await runMigrate({ DATABASE_URL: withSearchPath(url, other) }, { log: (m) => lines.push(m) })).toBe(0);
      expect(lines.join('\n')).toMatch(/Applied: payment-factory-0001-payment-tables/);
      expect(await tablesIn(db, other)).toEqual(
        expect.arrayContaining([...PAYMENT_TABLES, 'payment_factory_migration']),
      );

      const again: string[] = [];
      expect(await runMigrate({ DATABASE_URL: withSearchPath(url, other) }, { log: (m) => again.push(m) })).toBe(0);
      expect(again.join('\n')).toMatch(/Already up to date/);

      // The repositories on that URL write to that schema only.
      const scoped = await createKyselyFromUrl(withSearchPath(url, other));
      try {
        await createKyselyRepositories(scoped).orders.create({
          orderId: 'in-other',
          userId: 'u',
          productId: 'p',
          payableAmount: 100,
          currency: 'USD',
        });
      } finally {
        await scoped.destroy();
      }
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.table(`${other}.order_orders`)}`.execute(db);
      expect(rows[0]?.n).toBe(1);
      expect(await createKyselyRepositories(db).orders.findById('in-other')).toBeNull();
    });

    it('migrates and uses the schema named by the schema option, leaving the search_path schema alone', async () => {
      const { db } = database();
      await migrateToLatest(db);
      const payments = newSchema(); // does not exist yet: migrateToLatest creates it
      const { results = [] } = await migrateToLatest(db, { schema: payments });
      expect(results.map((r) => r.status)).toEqual(Object.keys(paymentMigrations).map(() => 'Success'));
      expect(await tablesIn(db, payments)).toEqual(
        expect.arrayContaining([...PAYMENT_TABLES, 'payment_factory_migration']),
      );
      expect((await migrateToLatest(db, { schema: payments })).results).toEqual([]);

      const repositories = createKyselyRepositories(db, { schema: payments });
      const order = { userId: 'u', productId: 'p', payableAmount: 100, currency: 'USD' } as const;
      await repositories.orders.create({ ...order, orderId: 'in-payments' });
      await repositories.transaction(async (tx) => {
        await tx.orders.create({ ...order, orderId: 'in-payments-tx' });
        // The hooks' handle is the host's own connection: its unqualified names still follow search_path.
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(tx.handle);
        expect(rows[0]?.schema).not.toBe(payments);
      });
      expect((await repositories.orders.findById('in-payments-tx'))?.orderId).toBe('in-payments-tx');
      expect(await createKyselyRepositories(db).orders.findById('in-payments')).toBeNull();
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.table(`${payments}.order_orders`)}`.execute(db);
      expect(rows[0]?.n).toBe(2);
    });

    it('payment-factory migrate --schema migrates that schema', async () => {
      const { db, url } = database();
      const payments = newSchema();
      let stdout = '';
      const code = await runCli(['migrate', '--schema', payments], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stdout += t),
        env: { DATABASE_URL: url },
      });
      expect(stdout).toMatch(new RegExp(`Migrating the payment tables \\(postgres, schema ${payments}\\)`));
      expect(code).toBe(0);
      expect(await tablesIn(db, payments)).toEqual(expect.arrayContaining(PAYMENT_TABLES));
    });

    it('says the connection failed, not that migration "unknown" failed', async () => {
      const unreachable = new Kysely<UntypedDatabase>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: 'postgres://payer:s3cret@127.0.0.1:1/payments' }),
        }),
      });
      try {
        const error = await migrateToLatest(unreachable).then(
          () => null,
          (e: unknown) => e as { code?: string; message: string; retryable?: boolean },
        );
        expect(error?.code).toBe('DATABASE_UNAVAILABLE');
        expect(error?.retryable).toBe(true);
        expect(error?.message).toMatch(/could not connect|connection failed/i);
        expect(error?.message).not.toMatch(/unknown|s3cret/);
      } finally {
        await unreachable.destroy();
      }
    });
  });
}
