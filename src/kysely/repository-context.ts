/**
 * What every Kysely repository closes over: the executor (the database or one open transaction), its
 * dialect, the table names, the clock, and how to run several statements atomically.
 * @module
 */
import type { Kysely } from 'kysely';
import { loadKysely, sql } from './kysely-module.js';
import type { OrderRecord } from '../persistence/records.js';
import type { CompiledStatements } from './compiled-statements.js';
import type { SqlDialect } from './sql-dialect.js';
import type { TableNames, UntypedDatabase } from './schema.js';

/**
 * How MySQL transactions get READ COMMITTED: `transaction` sends `SET TRANSACTION ISOLATION LEVEL READ
 * COMMITTED` before each; `session` trusts that every pooled session was set READ COMMITTED when it opened.
 */
export type MysqlIsolation = 'transaction' | 'session';

/** Shared state of the repositories bound to one executor. */
export interface RepositoryContext {
  /**
   * What the repositories query: the database, or the open transaction when {@link inTransaction}, with
   * the configured PostgreSQL schema applied to every table name.
   */
  readonly db: Kysely<UntypedDatabase>;
  /** The same executor without the schema: what host hooks get as `tx.handle`. */
  readonly handle: Kysely<UntypedDatabase>;
  readonly dialect: SqlDialect;
  readonly tables: TableNames;
  readonly now: () => Date;
  /** Currency of original-system orders that have neither a currency nor an attempt telling it. */
  readonly legacyCurrency: string;
  readonly inTransaction: boolean;
  readonly mysqlIsolation: MysqlIsolation;
  /**
   * Inside a transaction: the orders this transaction holds (read `FOR UPDATE`, or read at all on SQLite,
   * whose writing transactions are serialised), as they now stand; `null` outside one. No other transaction
   * can change a held row, so it is not read again (see `order-repository.ts`).
   */
  readonly heldOrders: Map<string, OrderRecord> | null;
  /** Hot-path SQL texts compiled once (see `compiled-statements.ts`), shared with the transactions' contexts. */
  readonly statements: CompiledStatements;
  /** Runs `fn` atomically: in the current transaction, or in a new one. */
  atomically<T>(fn: (ctx: RepositoryContext) => Promise<T>): Promise<T>;
}

/**
 * Opens a transaction on `db` (never itself a transaction: `atomically` joins those inline) and runs `fn`
 * in it; commits if `fn` resolves, rolls back and rethrows if it throws. The one place transactions open.
 *
 * SQLite: `BEGIN IMMEDIATE` on the single connection, so a transaction takes the write lock up front and
 * two processes sharing the file never deadlock upgrading a read lock (`SQLITE_BUSY` mid-transaction).
 * PostgreSQL and MySQL: READ COMMITTED (PostgreSQL's default; on MySQL, whose default REPEATABLE READ would
 * let a plain read taken before a `FOR UPDATE` lock keep showing the old snapshot after the lock is granted:
 * two concurrent refunds could each see the other's refund missing). Correctness comes from conditional
 * updates, unique keys and `FOR UPDATE`; the isolation level only makes reads taken after a lock see what the
 * lock's previous holder committed. On MySQL it costs a `SET TRANSACTION` statement per transaction unless
 * the pool's sessions are READ COMMITTED already (`mysqlIsolation: 'session'`, as `createKyselyFromUrl`
 * sets them up).
 */
async function runInTransaction<T>(
  db: Kysely<UntypedDatabase>,
  dialect: SqlDialect,
  mysqlIsolation: MysqlIsolation,
  fn: (trx: Kysely<UntypedDatabase>) => Promise<T>,
): Promise<T> {
  await loadKysely();
  if (dialect === 'mysql' && mysqlIsolation === 'transaction')
    return db.transaction().setIsolationLevel('read committed').execute(fn);
  if (dialect !== 'sqlite') return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await fn(conn);
      await sql`commit`.execute(conn);
    } catch (error) {
      // A failed COMMIT leaves the transaction open on SQLite; roll back so the connection is reusable.
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
    return result;
  });
}

/** Creates a context; `inTransaction` contexts run `atomically` inline. */
export function createRepositoryContext(options: {
  db: Kysely<UntypedDatabase>;
  dialect: SqlDialect;
  tables: TableNames;
  now: () => Date;
  legacyCurrency: string;
  inTransaction: boolean;
  mysqlIsolation: MysqlIsolation;
  /** PostgreSQL schema every table name is qualified with. @default none: the connection's search_path */
  schema?: string | undefined;
  /** @default a new, empty cache */
  statements?: CompiledStatements | undefined;
}): RepositoryContext {
  const { db, schema } = options;
  const statements = options.statements ?? new Map<string, string>();
  const ctx: RepositoryContext = {
    ...options,
    statements,
    heldOrders: options.inTransaction ? new Map() : null,
    db: schema === undefined ? db : db.withSchema(schema),
    handle: db,
    atomically: (fn) =>
      ctx.inTransaction
        ? fn(ctx)
        : runInTransaction(ctx.handle, ctx.dialect, ctx.mysqlIsolation, (trx) =>
            fn(createRepositoryContext({ ...options, statements, db: trx, inTransaction: true })),
          ),
  };
  return ctx;
}

/** Adds `FOR UPDATE` where it means something: inside a transaction, on a dialect with row locks. */
export function lockIf<Q extends { forUpdate(): unknown }>(
  ctx: RepositoryContext,
  query: Q,
  forUpdate: boolean | undefined,
): Q {
  return locks(ctx, forUpdate) ? (query.forUpdate() as Q) : query;
}

/** Whether {@link lockIf} adds `FOR UPDATE`. */
export function locks(ctx: RepositoryContext, forUpdate: boolean | undefined): boolean {
  // SQLite has no row locks; its writing transactions are serialised by BEGIN IMMEDIATE instead.
  return forUpdate === true && ctx.inTransaction && ctx.dialect !== 'sqlite';
}
