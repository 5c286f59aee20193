/**
 * Counts the SQL statements a driver runs, below Kysely: a dialect wrapper whose connections record every
 * `executeQuery`, including what Kysely's drivers issue themselves (`BEGIN`, `SET TRANSACTION …`, `COMMIT`),
 * which a Kysely plugin or `log` option would not see.
 * @module
 */
import type { CompiledQuery, DatabaseConnection, Dialect, Driver } from 'kysely';

/** The statements seen since the last `reset()`. */
export interface StatementLog {
  /** Every statement's SQL text, in order. */
  readonly all: string[];
  /** Every statement as compiled (SQL and parameters), in order, so a test can EXPLAIN what was sent. */
  readonly compiled: CompiledQuery[];
  /** Statements other than transaction control (`BEGIN [IMMEDIATE]`, `START TRANSACTION`, `COMMIT`, `ROLLBACK`). */
  work(): string[];
  reset(): void;
  /** The dialect wrapper that records into this log. */
  wrap(dialect: Dialect): Dialect;
}

const CONTROL = /^\s*(begin|start transaction|commit|rollback)\b/i;

/** A new, empty log. */
export function createStatementLog(): StatementLog {
  const all: string[] = [];
  const compiled: CompiledQuery[] = [];
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const recording = (connection: DatabaseConnection): DatabaseConnection => {
    const proxy: DatabaseConnection = {
      executeQuery: (query) => {
        all.push(query.sql);
        compiled.push(query);
        return connection.executeQuery(query);
      },
      streamQuery: (query, chunkSize) => {
        all.push(query.sql);
        compiled.push(query);
        return connection.streamQuery(query, chunkSize);
      },
    };
    inner.set(proxy, connection);
    return proxy;
  };
  const unwrap = (c: DatabaseConnection) => inner.get(c) ?? c;
  const wrapDriver = (driver: Driver): Driver => ({
    init: () => driver.init(),
    acquireConnection: async () => recording(await driver.acquireConnection()),
    // The driver issues BEGIN / SET TRANSACTION / COMMIT through the connection it is given: the recording one.
    beginTransaction: (c, settings) => driver.beginTransaction(c, settings),
    commitTransaction: (c) => driver.commitTransaction(c),
    rollbackTransaction: (c) => driver.rollbackTransaction(c),
    releaseConnection: (c) => driver.releaseConnection(unwrap(c)),
    destroy: () => driver.destroy(),
  });
  return {
    all,
    compiled,
    work: () => all.filter((s) => !CONTROL.test(s)),
    reset: () => {
      all.length = 0;
      compiled.length = 0;
    },
    wrap: (dialect) => ({
      createAdapter: () => dialect.createAdapter(),
      createDriver: () => wrapDriver(dialect.createDriver()),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createQueryCompiler: () => dialect.createQueryCompiler(),
    }),
  };
}
