/**
 * The database matrix every persistence-backed test loops over. SQLite always runs; PostgreSQL and MySQL
 * run when `PF_TEST_POSTGRES_URL` / `PF_TEST_MYSQL_URL` are set, and a set URL that cannot be reached
 * FAILS the suite (a silent skip would pass CI without testing anything). Each `open()` gets its own
 * fresh schema / database with a random name, dropped by `destroy()`, so parallel test files never collide.
 *
 * Locally: `PF_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test PF_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql, type Dialect } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { afterAll, beforeAll, it } from 'vitest';
import type { UntypedDatabase } from '../../src/kysely/schema.js';

/** Name of a database in the matrix. */
export type TestDialectName = 'sqlite' | 'postgres' | 'mysql';

/** A fresh, isolated database. */
export interface TestDatabase {
  name: TestDialectName;
  db: Kysely<UntypedDatabase>;
  /** A `DATABASE_URL` for the same isolated database (file path, or URL naming the schema / database). */
  url: string;
  /** Names of the tables in this database's own schema / database (introspection sees every schema). */
  tables(): Promise<string[]>;
  /** Closes the pool and drops the schema / database / file. */
  destroy(): Promise<void>;
}

/** Options of {@link TestDialect.open}. */
export interface OpenOptions {
  /** Wraps the Kysely dialect (e.g. to observe every statement the driver runs). @default none */
  wrapDialect?: (dialect: Dialect) => Dialect;
}

/** One entry of the matrix. */
export interface TestDialect {
  name: TestDialectName;
  open(options?: OpenOptions): Promise<TestDatabase>;
}

const wrapped = (dialect: Dialect, options: OpenOptions | undefined): Dialect =>
  options?.wrapDialect ? options.wrapDialect(dialect) : dialect;

async function listTables(
  db: Kysely<UntypedDatabase>,
  query: ReturnType<typeof sql<{ name: string }>>,
): Promise<string[]> {
  return (await query.execute(db)).rows.map((r) => r.name).sort();
}

function withParam(url: string, key: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(key, value);
  return parsed.toString();
}

const suffix = (): string => `pf_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

function sqlite(): TestDialect {
  return {
    name: 'sqlite',
    open: async (options) => {
      const dir = mkdtempSync(join(tmpdir(), 'pf-sqlite-'));
      const file = join(dir, 'test.db');
      const database = new Database(file, { timeout: 5000 });
      database.pragma('journal_mode = WAL');
      const db = new Kysely<UntypedDatabase>({ dialect: wrapped(new SqliteDialect({ database }), options) });
      return {
        name: 'sqlite',
        db,
        url: file,
        tables: () => listTables(db, sql`select name from sqlite_master where type = 'table'`),
        destroy: async () => {
          await db.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

function postgres(url: string): TestDialect {
  return {
    name: 'postgres',
    open: async (options) => {
      const schema = suffix();
      const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await admin.connect();
      await admin.query(`create schema "${schema}"`);
      await admin.end();
      const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 25 });
      const db = new Kysely<UntypedDatabase>({ dialect: wrapped(new PostgresDialect({ pool }), options) });
      return {
        name: 'postgres',
        db,
        url: withParam(url, 'options', `-c search_path=${schema}`),
        tables: () =>
          listTables(db, sql`select table_name as name from information_schema.tables where table_schema = ${schema}`),
        destroy: async () => {
          await db.destroy();
          const drop = new pg.Client({ connectionString: url });
          await drop.connect();
          await drop.query(`drop schema "${schema}" cascade`);
          await drop.end();
        },
      };
    },
  };
}

function mysql(url: string): TestDialect {
  return {
    name: 'mysql',
    open: async (options) => {
      const database = suffix();
      const admin = createPool({ uri: url, connectionLimit: 1, connectTimeout: 5000 }).promise();
      await admin.query(`create database \`${database}\` character set utf8mb4 collate utf8mb4_bin`);
      const target = new URL(url);
      target.pathname = `/${database}`;
      const pool = createPool({ uri: target.toString(), timezone: 'Z', connectionLimit: 25 });
      // As createKyselyFromUrl does: READ COMMITTED sessions (repositories given mysqlIsolation: 'session' rely on it).
      pool.on('connection', (connection) => {
        connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      });
      const db = new Kysely<UntypedDatabase>({ dialect: wrapped(new MysqlDialect({ pool }), options) });
      return {
        name: 'mysql',
        db,
        url: target.toString(),
        tables: () =>
          listTables(
            db,
            sql`select table_name as name from information_schema.tables where table_schema = ${database}`,
          ),
        destroy: async () => {
          await db.destroy();
          await admin.query(`drop database \`${database}\``);
          await admin.end();
        },
      };
    },
  };
}

/**
 * The databases to test against in this environment.
 *
 * @example
 * ```ts
 * for (const dialect of testDialects()) {
 *   describe(dialect.name, () => {
 *     const database = useTestDatabase(dialect);
 *   });
 * }
 * ```
 */
export function testDialects(env: NodeJS.ProcessEnv = process.env): TestDialect[] {
  const dialects = [sqlite()];
  const pgUrl = env['PF_TEST_POSTGRES_URL'];
  const mysqlUrl = env['PF_TEST_MYSQL_URL'];
  if (pgUrl) dialects.push(postgres(pgUrl));
  if (mysqlUrl) dialects.push(mysql(mysqlUrl));
  return dialects;
}

/**
 * The database servers to test against: the matrix without SQLite (or only the servers named in `only`),
 * for behaviour only a server has (row locks, schemas, connections over the network). With neither URL set this registers one skipped test that
 * names the variables, so the file still has a suite (`npm test` on a bare machine passes) and the skip
 * shows in the report instead of the file vanishing.
 *
 * @example
 * ```ts
 * for (const dialect of serverTestDialects()) {
 *   describe(dialect.name, () => {
 *     const database = useTestDatabase(dialect);
 *   });
 * }
 * ```
 */
export function serverTestDialects(
  only: readonly TestDialectName[] = ['postgres', 'mysql'],
  env: NodeJS.ProcessEnv = process.env,
): TestDialect[] {
  const servers = testDialects(env).filter((d) => d.name !== 'sqlite' && only.includes(d.name));
  if (servers.length === 0) {
    const variables = only.map((name) => (name === 'postgres' ? 'PF_TEST_POSTGRES_URL' : 'PF_TEST_MYSQL_URL'));
    it.skip(`runs on a database server: set ${variables.join(' and/or ')}`);
  }
  return servers;
}

/**
 * Opens a fresh database of `dialect` before the enclosing `describe`'s tests and destroys it after them.
 * Hooks registered after this call run after the database is open.
 *
 * @example
 * ```ts
 * describe(dialect.name, () => {
 *   const database = useTestDatabase(dialect);
 *   it('migrates', async () => { await migrateToLatest(database().db); });
 * });
 * ```
 */
export function useTestDatabase(dialect: TestDialect): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await dialect.open();
  });
  afterAll(async () => {
    await database?.destroy();
  });
  return () => {
    if (!database) throw new Error(`The ${dialect.name} test database is not open: use it in a test or a later hook.`);
    return database;
  };
}
