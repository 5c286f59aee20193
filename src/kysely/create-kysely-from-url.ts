/**
 * `createKyselyFromUrl`: a Kysely instance from a `DATABASE_URL`, loading only the driver it needs.
 * @module
 */
import type { Dialect, Kysely } from 'kysely';
import { loadKysely } from './kysely-module.js';
import { parseDatabaseUrl } from '../core/database-url.js';
import { ConfigurationError } from '../core/errors.js';
import { cacheSqliteStatements } from './cache-sqlite-statements.js';
import { markReadCommittedSessions } from './read-committed-sessions.js';
import type { PaymentDatabase } from './schema.js';
import type { SqlDialect } from './sql-dialect.js';

export { parseDatabaseUrl, type DatabaseUrlDialect, type ParsedDatabaseUrl } from '../core/database-url.js';

/** How SQLite syncs the write-ahead log: `full` survives power loss, `normal` may lose the last commits. */
export type SqliteSynchronous = 'full' | 'normal';

/** Options of {@link createKyselyFromUrl}. */
export interface KyselyFromUrlOptions {
  /**
   * SQLite `synchronous` in WAL mode. `full` fsyncs the WAL at every commit, so a webhook answered 200 is on
   * disk; `normal` (better-sqlite3's compiled-in WAL default) is faster but a power loss or OS crash may
   * roll back the last commits — an explicit opt-in for hosts that accept that. Ignored for other databases.
   * @default 'full'
   */
  sqliteSynchronous?: SqliteSynchronous;
  /**
   * Called with every error a pooled PostgreSQL / MySQL connection emits outside a query (the server killed
   * an idle connection: restart, failover, `idle_session_timeout`, an admin kill). The pool has already
   * dropped that connection; the next query opens a fresh one. Use it to log; it must not throw.
   * @default ignore (the query that needs the connection reports any lasting outage)
   */
  onConnectionError?: (error: Error) => void;
}

/**
 * Opens a Kysely instance for a `DATABASE_URL`, importing `better-sqlite3`, `pg` or `mysql2` on demand.
 *
 * - SQLite files use WAL journaling with `synchronous=FULL` (durable by default; see
 *   {@link KyselyFromUrlOptions.sqliteSynchronous}) and a 5 s busy timeout (several processes may share the file);
 *   prepared statements are reused ({@link cacheSqliteStatements}).
 * - PostgreSQL and MySQL pools get `'error'` listeners on the pool and on every connection, so a connection
 *   the server kills (idle or mid-query) never crashes the process with an unhandled `'error'` event: the
 *   work in flight fails with a retryable `PaymentError` (`DATABASE_UNAVAILABLE`) from the repositories,
 *   and the pool replaces the connection.
 * - mysql2 uses `timezone: 'Z'` so `DATETIME` values are UTC, and every session is READ COMMITTED from the
 *   start, so transactions need no `SET TRANSACTION` each (see `KyselyRepositoriesOptions.mysqlIsolation`).
 *
 * Call `db.destroy()` when done.
 *
 * @throws ConfigurationError for a bad URL or a driver that is not installed.
 * @example
 * ```ts
 * const db = await createKyselyFromUrl(process.env.DATABASE_URL ?? 'payments.db', {
 *   onConnectionError: (error) => logger.warn('database connection lost', { code: (error as any).code }),
 * });
 * await migrateToLatest(db);
 * ```
 */
export async function createKyselyFromUrl<DB = PaymentDatabase>(
  url: string,
  options: KyselyFromUrlOptions = {},
): Promise<Kysely<DB>> {
  const { dialect, target } = parseDatabaseUrl(url);
  const { Kysely } = await loadKysely();
  const db = new Kysely<DB>({ dialect: await openDialect(dialect, target, options) });
  if (dialect === 'mysql') markReadCommittedSessions(db);
  return db;
}

async function openDialect(dialect: SqlDialect, target: string, options: KyselyFromUrlOptions): Promise<Dialect> {
  const { MysqlDialect, PostgresDialect, SqliteDialect } = await loadKysely();
  const onError = options.onConnectionError ?? (() => undefined);
  if (dialect === 'sqlite') {
    const { default: Database } = await load(() => import('better-sqlite3'), 'better-sqlite3');
    const database = new Database(target, { timeout: 5000 });
    if (target !== ':memory:') database.pragma('journal_mode = WAL');
    // better-sqlite3 is compiled with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL): say FULL explicitly.
    const synchronous = options.sqliteSynchronous ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal') {
      throw new ConfigurationError('sqliteSynchronous must be "full" or "normal".', { code: 'INVALID_OPTION' });
    }
    database.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    return new SqliteDialect({ database: cacheSqliteStatements(database) });
  }
  if (dialect === 'postgres') {
    const pg = await load(() => import('pg'), 'pg');
    const pool = new pg.default.Pool({ connectionString: target });
    // An idle client's error is re-emitted on the pool; a checked-out client emits on itself between
    // queries (inside a transaction). Either, unheard, is an uncaught exception that ends the process.
    pool.on('error', onError);
    pool.on('connect', (client) => client.on('error', onError));
    return new PostgresDialect({ pool });
  }
  const mysql = await load(() => import('mysql2'), 'mysql2');
  const pool = mysql.createPool({ uri: target, timezone: 'Z' });
  pool.on('connection', (connection) => {
    // mysql2 removes a dead connection from the pool on its first 'error'; a later one would be unheard.
    connection.on('error', onError);
    // READ COMMITTED for the session's life, so transactions need no SET TRANSACTION each (see
    // `mysqlIsolation`). mysql2 runs a connection's commands in order: this one precedes every query.
    connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (error: Error | null) => {
      if (!error) return;
      onError(error);
      connection.destroy(); // never hand out a session at the wrong isolation level
    });
  });
  return new MysqlDialect({ pool });
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
