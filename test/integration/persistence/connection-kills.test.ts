/**
 * The process survives its database: connections the server kills (idle in the pool, or busy inside a
 * webhook's transaction) never crash the process, the work in flight fails with a retryable typed error
 * (the webhook answers 5xx, the redelivery applies), and the next call gets a fresh connection. Kills are
 * aimed only at this test's own connections: PostgreSQL by `application_name` and database, MySQL by the
 * connection ids this pool opened. Also: the embedded SQLite default is durable (`synchronous=FULL`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  isPaymentError,
} from '../../../src/index.js';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { createFakeProvider } from '../../../src/testing/fake-provider.js';
import { serverTestDialects, type TestDatabase } from '../../helpers/databases.js';

describe('embedded SQLite durability', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pf-sync-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pragma = async (db: Kysely<any>, name: string) =>
    Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db)).rows[0]!)[0];

  it('runs WAL with synchronous=FULL by default (better-sqlite3 compiles NORMAL in)', async () => {
    const db = await createKyselyFromUrl(join(dir, 'default.db'));
    expect(await pragma(db, 'journal_mode')).toBe('wal');
    expect(await pragma(db, 'synchronous')).toBe(2);
    await db.destroy();
  });

  it('runs synchronous=NORMAL only when asked', async () => {
    const db = await createKyselyFromUrl(join(dir, 'normal.db'), { sqliteSynchronous: 'normal' });
    expect(await pragma(db, 'synchronous')).toBe(1);
    await db.destroy();
  });

  it('refuses an unknown synchronous mode', async () => {
    await expect(
      createKyselyFromUrl(join(dir, 'bad.db'), { sqliteSynchronous: 'off' as 'full' }),
    ).rejects.toMatchObject({ name: 'ConfigurationError', code: 'INVALID_OPTION' });
  });
});

interface Killer {
  /** Kills every connection this test's pool holds; returns how many. */
  killAll(): Promise<number>;
  /** Kills the connection running a query that contains `marker`; returns how many. */
  killBusy(marker: string): Promise<number>;
  sleepSql(seconds: number, marker: string): ReturnType<typeof sql.raw>;
  close(): Promise<void>;
}

function postgresKiller(adminUrl: string, app: string): Killer {
  const admin = new pg.Pool({ connectionString: adminUrl, max: 1 });
  const kill = async (extra: string, values: unknown[]) =>
    (
      await admin.query(
        `select pg_terminate_backend(pid) as killed from pg_stat_activity
          where application_name = $1 and datname = current_database() and pid <> pg_backend_pid() ${extra}`,
        [app, ...values],
      )
    ).rowCount ?? 0;
  return {
    killAll: () => kill('', []),
    killBusy: (marker) => kill(`and state = 'active' and query like $2`, [`%${marker}%`]),
    sleepSql: (seconds, marker) => sql.raw(`select pg_sleep(${seconds}) /* ${marker} */`),
    close: () => admin.end(),
  };
}

function mysqlKiller(adminUrl: string, database: string, ids: () => number[]): Killer {
  const admin = createPool({ uri: adminUrl, connectionLimit: 1 }).promise();
  const killIds = async (list: number[]) => {
    let n = 0;
    for (const id of list) {
      await admin.query(`kill ${Number(id)}`).then(
        () => (n += 1),
        () => undefined, // already gone
      );
    }
    return n;
  };
  return {
    killAll: () => killIds(ids()),
    // Only a connection of this test's own database running this test's marked query.
    killBusy: async (marker) => {
      const [rows] = await admin.query(
        'select id from information_schema.processlist where db = ? and info like ? and id <> connection_id()',
        [database, `%${marker}%`],
      );
      return killIds((rows as Array<{ id: number }>).map((r) => Number(r.id)));
    },
    sleepSql: (seconds, marker) => sql.raw(`select sleep(${seconds}) /* ${marker} */`),
    close: () => admin.end(),
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const dialect of serverTestDialects()) {
  describe(`connection kills on ${dialect.name}`, () => {
    let t: TestDatabase;
    let db: Kysely<any>;
    let killer: Killer;
    const poolErrors: Error[] = [];
    const ownIds = new Set<number>();
    let sleepInHook: string | null = null;
    const app = `pf_kill_${randomBytes(4).toString('hex')}`;
    const fake = createFakeProvider();

    beforeAll(async () => {
      t = await dialect.open();
      const url = new URL(t.url);
      if (dialect.name === 'postgres') url.searchParams.set('application_name', app);
      db = await createKyselyFromUrl(url.toString(), { onConnectionError: (error) => poolErrors.push(error) });
      await migrateToLatest(db);
      killer =
        dialect.name === 'postgres'
          ? postgresKiller(t.url, app)
          : mysqlKiller(t.url, new URL(t.url).pathname.slice(1), () => [...ownIds]);
    });

    afterAll(async () => {
      await killer?.close();
      await db?.destroy();
      await t?.destroy();
    });

    /** Opens several pooled connections at once and remembers their ids (MySQL kills by id). */
    async function warmPool(n = 4): Promise<void> {
      const idQuery =
        dialect.name === 'postgres'
          ? sql<{ id: number }>`select pg_backend_pid() as id, pg_sleep(0.05)`
          : sql<{
              id: number;
            }>`select connection_id() as id, sleep(0.05)`;
      const rows = await Promise.all(Array.from({ length: n }, () => idQuery.execute(db)));
      for (const r of rows) ownIds.add(Number(r.rows[0]!.id));
    }

    /** Waits until the hook's marked sleep runs, then kills that one connection. */
    async function killWhenBusy(marker: string): Promise<number> {
      for (let i = 0; i < 40; i += 1) {
        await wait(50);
        const killed = await killer.killBusy(marker);
        if (killed > 0) return killed;
      }
      return 0;
    }

    function service() {
      return createPaymentService({
        factory: createPaymentFactory({ providers: [fake] }),
        repositories: createKyselyRepositories(db),
        hooks: {
          onOrderPaid: async ({ handle }) => {
            if (sleepInHook) await killer.sleepSql(3, sleepInHook).execute(handle);
          },
        },
      });
    }

    it('survives the server killing idle pooled connections, and the next call gets a fresh one', async () => {
      await warmPool();
      const killed = await killer.killAll();
      expect(killed).toBeGreaterThanOrEqual(1);
      await wait(300); // the kill notices arrive on idle sockets: unheard, each would be an uncaught 'error'
      const s = service();
      const order = await s.initOrder({ userId: 'u-idle', productId: 'p', payableAmount: 100, currency: 'CNY' });
      expect(await s.getOrder(order.orderId)).toMatchObject({ status: 'init' });
      if (dialect.name === 'postgres') expect(poolErrors.length).toBeGreaterThanOrEqual(1);
    });

    it('fails a webhook whose connection is killed mid-transaction with a retryable error (5xx), and the redelivery applies it', async () => {
      const s = service();
      const handler = createWebhookHandler(s);
      const order = await s.initOrder({ userId: 'u-busy', productId: 'p', payableAmount: 100, currency: 'CNY' });
      const dto = await s.createCharge({ orderId: order.orderId, clientIp: '10.0.0.1' });
      const w = fake.webhook(dto.paymentPayload!.attemptId);
      const marker = `pf_busy_${randomBytes(4).toString('hex')}`;
      sleepInHook = marker;
      const direct = s.handleWebhook({ provider: 'fake', ...w }).then(
        () => null,
        (error: unknown) => error,
      );
      const killed = await killWhenBusy(marker);
      expect(killed).toBe(1);
      const error = await direct;
      sleepInHook = null;
      expect(isPaymentError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retryable: true });
      expect(await s.getOrder(order.orderId)).toMatchObject({ status: 'pending' });

      const response = await handler(
        new Request('http://host/webhooks/fake', { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
      expect(await s.getOrder(order.orderId)).toMatchObject({ status: 'paid' });
    });

    it('answers 503 when the connection is killed under the webhook handler', async () => {
      const s = service();
      const handler = createWebhookHandler(s);
      const order = await s.initOrder({ userId: 'u-503', productId: 'p', payableAmount: 100, currency: 'CNY' });
      const dto = await s.createCharge({ orderId: order.orderId, clientIp: '10.0.0.1' });
      const w = fake.webhook(dto.paymentPayload!.attemptId);
      const marker = `pf_busy_${randomBytes(4).toString('hex')}`;
      sleepInHook = marker;
      const pending = handler(
        new Request('http://host/webhooks/fake', { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      const killed = await killWhenBusy(marker);
      const response = await pending;
      sleepInHook = null;
      expect(killed).toBe(1);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'DATABASE_UNAVAILABLE' });
    });
  });
}
