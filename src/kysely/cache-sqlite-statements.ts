/**
 * `cacheSqliteStatements`: prepared-statement reuse for Kysely's SQLite dialect.
 * @module
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** How many distinct SQL texts keep their prepared statement. @default 256 */
const DEFAULT_CAPACITY = 256;

/**
 * Wraps a better-sqlite3 `Database` for Kysely's `SqliteDialect` so each distinct SQL text is prepared once
 * and reused (Kysely's driver prepares every statement anew, which costs as much CPU as running it for the
 * short statements a webhook issues). The least recently used statements beyond `capacity` are dropped.
 * Streaming queries (`iterate`) still get a fresh statement each, so a cached one is never busy. SQLite
 * recompiles a prepared statement by itself after a schema change.
 *
 * `createKyselyFromUrl` uses it for SQLite; use it when you build the dialect yourself.
 *
 * @example
 * ```ts
 * const database = new Database('payments.db');
 * const db = new Kysely<PaymentDatabase>({ dialect: new SqliteDialect({ database: cacheSqliteStatements(database) }) });
 * ```
 */
export function cacheSqliteStatements(database: SqliteDatabase, capacity = DEFAULT_CAPACITY): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare: (sql) => {
      const cached = statements.get(sql);
      if (cached) {
        // Map order is insertion order: re-inserting marks it most recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const prepared = database.prepare(sql);
      const statement: SqliteStatement = {
        reader: prepared.reader,
        all: (parameters) => prepared.all(parameters),
        run: (parameters) => prepared.run(parameters),
        iterate: (parameters) => database.prepare(sql).iterate(parameters),
      };
      statements.set(sql, statement);
      if (statements.size > capacity) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}
