/**
 * The reliability suite's databases: SQLite always, PostgreSQL and MySQL/MariaDB when `PF_TEST_POSTGRES_URL`
 * / `PF_TEST_MYSQL_URL` are set. Each run gets its own file / schema / database with a random name, and a
 * `DATABASE_URL` for it that the worker processes open through the library's own `createKyselyFromUrl`
 * (so the pools under test are the ones the library builds). The connection killer only ever sees this
 * run's connections: on PostgreSQL they carry a random `application_name`, on MySQL they are the ones
 * using this run's database.
 *
 * No vitest here: this file runs under plain `tsx`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, MysqlDialect, PostgresDialect } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { createKyselyFromUrl } from '../../src/kysely/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';

/** A dialect of the matrix. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** Which of this run's connections to kill. */
export type KillKind = 'busy' | 'idle';

/** One isolated database of this run. */
export interface ReliabilityDatabase {
  name: DialectName;
  /** `DATABASE_URL` of the isolated database, as the workers open it. */
  workerUrl: string;
  /** Opens a connection pool for the runner itself (its own, never killed). */
  open(): Promise<Kysely<UntypedDatabase>>;
  /**
   * Kills one of the workers' server connections of `kind` (`busy`: inside a transaction or running a
   * statement; `idle`: parked in a pool). Resolves whether one was found and killed. SQLite has none.
   */
  killOne(kind: KillKind): Promise<boolean>;
  /** Drops the schema / database / file. */
  destroy(): Promise<void>;
}

const PREFIX = 'pf_rel_';
const suffix = (): string => `${PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

/**
 * Names left behind by a run that died before its cleanup (its time, in the name, is over an hour old).
 * They must go: on PostgreSQL, Kysely's Migrator sees another schema's migration tables and then fails
 * to find them in its own.
 */
function stale(names: readonly string[]): string[] {
  return names.filter((name) => {
    const time = parseInt(name.slice(PREFIX.length).split('_')[0] ?? '', 36);
    return name.startsWith(PREFIX) && Number.isFinite(time) && Date.now() - time > 3_600_000;
  });
}

function withParam(url: string, key: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(key, value);
  return parsed.toString();
}

function sqlite(): ReliabilityDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'pf-reliability-'));
  const file = join(dir, 'reliability.db');
  return {
    name: 'sqlite',
    workerUrl: file,
    open: () => createKyselyFromUrl<UntypedDatabase>(file),
    killOne: async () => false,
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgres(baseUrl: string): Promise<ReliabilityDatabase> {
  // A database of its own, not a schema: Kysely's Migrator looks for its tables in every schema it can see,
  // so another schema's migration tables (a concurrent test's, a crashed run's) would break this run's.
  const database = suffix();
  const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  // The killer's own connection: an error on it (it is never killed) must not crash the runner either.
  admin.on('error', () => undefined);
  await admin.connect();
  const { rows: existing } = await admin.query<{ name: string }>(
    `select datname as name from pg_database where datname like '${PREFIX}%'`,
  );
  for (const old of stale(existing.map((r) => r.name)))
    await admin.query(`drop database if exists "${old}" with (force)`);
  await admin.query(`create database "${database}"`);
  const target = new URL(baseUrl);
  target.pathname = `/${database}`;
  const workerUrl = withParam(target.toString(), 'application_name', database);
  const runnerUrl = withParam(target.toString(), 'application_name', `${database}_runner`);
  return {
    name: 'postgres',
    workerUrl,
    open: async () => {
      // The runner's own pool, with the listener a host must attach: not under test, never to crash the run.
      const pool = new pg.Pool({ connectionString: runnerUrl, max: 10 });
      pool.on('error', () => undefined);
      return new Kysely<UntypedDatabase>({ dialect: new PostgresDialect({ pool }) });
    },
    killOne: async (kind) => {
      const states = kind === 'busy' ? ['active', 'idle in transaction', 'idle in transaction (aborted)'] : ['idle'];
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = $1 and application_name = $1 and state = any($2::text[])
         order by random() limit 1`,
        [database, states],
      );
      const pid = rows[0]?.pid;
      if (pid === undefined) return false;
      const killed = await admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [pid]);
      return killed.rows[0]?.ok === true;
    },
    destroy: async () => {
      await admin.query(`drop database "${database}" with (force)`);
      await admin.end();
    },
  };
}

async function mysql(baseUrl: string): Promise<ReliabilityDatabase> {
  const database = suffix();
  const admin = createPool({ uri: baseUrl, connectionLimit: 1, connectTimeout: 5000 }).promise();
  const [found] = await admin.query(`show databases like '${PREFIX}%'`);
  const names = (found as Array<Record<string, string>>).map((row) => Object.values(row)[0] ?? '');
  for (const old of stale(names)) await admin.query(`drop database if exists \`${old}\``);
  await admin.query(`create database \`${database}\` character set utf8mb4 collate utf8mb4_bin`);
  const target = new URL(baseUrl);
  target.pathname = `/${database}`;
  const workerUrl = target.toString();
  return {
    name: 'mysql',
    workerUrl,
    open: async () => {
      const pool = createPool({ uri: workerUrl, timezone: 'Z', connectionLimit: 10 });
      pool.on('connection', (connection) => connection.on('error', () => undefined));
      return new Kysely<UntypedDatabase>({ dialect: new MysqlDialect({ pool }) });
    },
    killOne: async (kind) => {
      const [rows] = await admin.query(
        `select p.id as id, p.command as command, t.trx_id as trx from information_schema.processlist p
         left join information_schema.innodb_trx t on t.trx_mysql_thread_id = p.id where p.db = ?`,
        [database],
      );
      const candidates = (rows as Array<{ id: number; command: string; trx: string | null }>).filter(
        (r) => (kind === 'busy') === (r.trx !== null || r.command !== 'Sleep'),
      );
      const victim = candidates[Math.floor(Math.random() * candidates.length)];
      if (!victim) return false;
      try {
        await admin.query(`kill ${Number(victim.id)}`);
        return true;
      } catch {
        return false; // it ended between the look and the kill
      }
    },
    destroy: async () => {
      await admin.query(`drop database \`${database}\``);
      await admin.end();
    },
  };
}

/**
 * Opens this run's databases: SQLite, then PostgreSQL and MySQL when their URLs are set. A set URL that
 * cannot be reached fails the run (a silent skip would report a dialect that was never tested).
 */
export async function openDatabases(env: NodeJS.ProcessEnv = process.env): Promise<ReliabilityDatabase[]> {
  // No filter: a run that leaves a configured database out would print a line that proves less.
  const databases: ReliabilityDatabase[] = [sqlite()];
  const pgUrl = env['PF_TEST_POSTGRES_URL'];
  const mysqlUrl = env['PF_TEST_MYSQL_URL'];
  if (pgUrl) databases.push(await postgres(pgUrl));
  if (mysqlUrl) databases.push(await mysql(mysqlUrl));
  return databases;
}
