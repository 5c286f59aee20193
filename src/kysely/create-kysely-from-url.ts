/**
 * `createKyselyFromUrl`: a Kysely instance from a `DATABASE_URL`, loading only the driver it needs.
 * @module
 */
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import { ConfigurationError } from '../core/errors.js';
import type { PaymentDatabase } from './schema.js';
import type { SqlDialect } from './sql-dialect.js';

/** Which dialect a URL names, and its driver target. */
export interface ParsedDatabaseUrl {
  dialect: SqlDialect;
  /** File path (SQLite, `:memory:` allowed) or the URL itself. */
  target: string;
}

/**
 * Parses a `DATABASE_URL`: `postgres://` / `postgresql://`, `mysql://` / `mariadb://`, `sqlite:path`,
 * `sqlite://path`, `file:path`, or a bare file path (SQLite).
 * @throws ConfigurationError for an empty URL or an unknown scheme. The message never repeats the URL,
 *   which may hold a password.
 */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const value = url.trim();
  if (value === '') throw new ConfigurationError('DATABASE_URL is empty.', { code: 'INVALID_DATABASE_URL' });
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { dialect: 'postgres', target: value };
  if (scheme === 'mysql' || scheme === 'mariadb')
    return { dialect: 'mysql', target: value.replace(/^mariadb:/i, 'mysql:') };
  if (scheme === 'sqlite' || scheme === 'file') {
    const path = value.slice(scheme.length + 1).replace(/^\/\/(?=\/|\.|[A-Za-z]:|:memory:)/, '');
    if (path === '')
      throw new ConfigurationError('DATABASE_URL names no SQLite file.', { code: 'INVALID_DATABASE_URL' });
    return { dialect: 'sqlite', target: path };
  }
  // A Windows drive letter ("C:\\data\\pay.db") parses as a one-letter scheme: it is a path.
  if (scheme === undefined || scheme.length === 1) return { dialect: 'sqlite', target: value };
  throw new ConfigurationError(
    `DATABASE_URL scheme "${scheme}" is not supported; use postgres://, mysql:// or a SQLite file path.`,
    { code: 'INVALID_DATABASE_URL', details: { scheme } },
  );
}

/**
 * Opens a Kysely instance for a `DATABASE_URL`, importing `better-sqlite3`, `pg` or `mysql2` on demand.
 * SQLite files use WAL journaling and a 5 s busy timeout (several processes may share the file); mysql2
 * uses `timezone: 'Z'` so `DATETIME` values are UTC. Call `db.destroy()` when done.
 *
 * @throws ConfigurationError for a bad URL or a driver that is not installed.
 * @example
 * ```ts
 * const db = await createKyselyFromUrl(process.env.DATABASE_URL ?? 'payments.db');
 * await migrateToLatest(db);
 * ```
 */
export async function createKyselyFromUrl<DB = PaymentDatabase>(url: string): Promise<Kysely<DB>> {
  const { dialect, target } = parseDatabaseUrl(url);
  return new Kysely<DB>({ dialect: await openDialect(dialect, target) });
}

async function openDialect(dialect: SqlDialect, target: string): Promise<Dialect> {
  if (dialect === 'sqlite') {
    const { default: Database } = await load(() => import('better-sqlite3'), 'better-sqlite3');
    const database = new Database(target, { timeout: 5000 });
    if (target !== ':memory:') database.pragma('journal_mode = WAL');
    return new SqliteDialect({ database });
  }
  if (dialect === 'postgres') {
    const pg = await load(() => import('pg'), 'pg');
    return new PostgresDialect({ pool: new pg.default.Pool({ connectionString: target }) });
  }
  const mysql = await load(() => import('mysql2'), 'mysql2');
  return new MysqlDialect({ pool: mysql.createPool({ uri: target, timezone: 'Z' }) });
}

async function load<T>(importer: () => Promise<T>, name: string): Promise<T> {
  try {
    return await importer();
  } catch (cause) {
    throw new ConfigurationError(`The database driver "${name}" is not installed: npm install ${name}`, {
      code: 'DRIVER_NOT_INSTALLED',
      cause,
      details: { driver: name },
    });
  }
}
