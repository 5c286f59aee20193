/**
 * `createKyselyRepositories`: the reference implementation of the repository ports.
 * @module
 */
import type { Kysely } from 'kysely';
import { ConfigurationError } from '../core/errors.js';
import type { PaymentRepositories, PaymentRepositoriesTx } from '../persistence/ports.js';
import type { OutboxRepository } from '../persistence/outbox-port.js';
import { toDatabaseError, translateDatabaseErrors } from './database-errors.js';
import { createAttemptRepository } from './attempt-repository.js';
import { createEventRepository } from './event-repository.js';
import { createOrderRepository } from './order-repository.js';
import { createOutboxRepository } from './outbox-repository.js';
import { createRefundRepository } from './refund-repository.js';
import { normalizeCurrency } from '../core/money.js';
import { DEFAULT_LEGACY_CURRENCY } from './legacy-currency.js';
import { hasReadCommittedSessions } from './read-committed-sessions.js';
import { createRepositoryContext, type MysqlIsolation, type RepositoryContext } from './repository-context.js';
import { resolveTableNames, type TableNames, type UntypedDatabase } from './schema.js';
import { detectSqlDialect, type SqlDialect } from './sql-dialect.js';

/** Options of {@link createKyselyRepositories}. */
export interface KyselyRepositoriesOptions {
  /** Table names, if yours differ from the original system's. @default DEFAULT_TABLE_NAMES */
  tables?: Partial<TableNames>;
  /** The SQL dialect, when it cannot be detected from the Kysely adapter. @default detected */
  dialect?: SqlDialect;
  /** Clock for default timestamps. @default () => new Date() */
  now?: () => Date;
  /**
   * PostgreSQL only: the schema holding the payment tables, as given to `migrateToLatest`. Every table name
   * is qualified with it; `tx.handle` (what hooks get) is not, so a host's own tables keep following the
   * connection's `search_path`. @default the connection's search_path
   */
  schema?: string;
  /**
   * Currency of orders the original system wrote (they have no `currency`) and that have no attempt telling
   * theirs; pass the same value as to `migrateToLatest`. Orders with attempts read as their attempts'.
   * @default 'CNY'
   */
  legacyCurrency?: string;
  /**
   * Whether outbox claims use `FOR UPDATE SKIP LOCKED`. Detected: always on PostgreSQL, on MySQL from 8.0.1
   * and MariaDB from 10.6 (asked once with `SELECT VERSION()`), never on SQLite (claims are serialised
   * there). Set `false` behind a proxy that rejects it; claims then rely on conditional updates alone.
   * @default detected
   */
  skipLocked?: boolean;
  /**
   * MySQL only: how transactions get READ COMMITTED (see `repository-context.ts` for why they need it).
   * `'transaction'` sends `SET TRANSACTION ISOLATION LEVEL READ COMMITTED` before each transaction, one
   * statement more per webhook; `'session'` trusts the pool: every connection was made READ COMMITTED when it
   * opened (`SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED` in mysql2's pool `'connection'` event, or
   * `transaction-isolation = READ-COMMITTED` on the server). Instances from `createKyselyFromUrl` set their
   * sessions up that way and default to `'session'`.
   * @default 'session' for a `createKyselyFromUrl` instance, else 'transaction'
   */
  mysqlIsolation?: MysqlIsolation;
}

/**
 * Repositories on a Kysely database: SQLite (better-sqlite3), PostgreSQL (pg) or MySQL/MariaDB (mysql2).
 * Create the tables first with `migrateToLatest(db)`.
 *
 * `transaction(fn)` runs on one connection; `tx.handle` is that transaction's `Kysely`, so host hooks can
 * write their own tables in the same commit. Passing a Kysely `Transaction` as `db` makes every call join
 * it (on MySQL, open it READ COMMITTED, as `transaction(fn)` does). On MySQL, configure mysql2 with
 * `timezone: 'Z'` (as `createKyselyFromUrl` does) so `DATETIME` values mean UTC whatever the server's zone.
 *
 * @example
 * ```ts
 * const db = new Kysely<PaymentDatabase>({ dialect: new SqliteDialect({ database: new Database('pay.db') }) });
 * await migrateToLatest(db);
 * const repositories = createKyselyRepositories(db);
 * ```
 */
export function createKyselyRepositories<DB>(
  db: Kysely<DB>,
  options: KyselyRepositoriesOptions = {},
): KyselyPaymentRepositories<DB> {
  const dialect = options.dialect ?? detectSqlDialect(db);
  if (options.schema !== undefined && (dialect !== 'postgres' || options.schema.trim() === '')) {
    throw new ConfigurationError(
      dialect === 'postgres'
        ? 'The schema option must be a non-empty schema name.'
        : 'The schema option is for PostgreSQL; on MySQL name the database in DATABASE_URL.',
      { code: 'SCHEMA_NOT_SUPPORTED' },
    );
  }
  const base = createRepositoryContext({
    db: db as unknown as Kysely<UntypedDatabase>,
    schema: options.schema,
    dialect,
    tables: resolveTableNames(options.tables),
    now: options.now ?? (() => new Date()),
    legacyCurrency: normalizeCurrency(options.legacyCurrency ?? DEFAULT_LEGACY_CURRENCY),
    inTransaction: db.isTransaction,
    mysqlIsolation: options.mysqlIsolation ?? (hasReadCommittedSessions(db) ? 'session' : 'transaction'),
  });
  return bind<DB>(base, options.skipLocked === undefined ? {} : { skipLocked: options.skipLocked });
}

/** What {@link createKyselyRepositories} returns: the repositories, with the outbox always present. */
export type KyselyPaymentRepositories<DB> = PaymentRepositories<Kysely<DB>> & {
  /** The notification outbox on `order_payment_outbox` (migration 0005). */
  readonly outbox: OutboxRepository;
};

function bind<DB>(ctx: RepositoryContext, outboxOptions: { skipLocked?: boolean }): KyselyPaymentRepositories<DB> {
  // A connection killed under a call (failover, restart, admin kill) surfaces as a retryable PaymentError.
  const makers = {
    orders: () => translateDatabaseErrors(createOrderRepository(ctx)),
    attempts: () => translateDatabaseErrors(createAttemptRepository(ctx)),
    events: () => translateDatabaseErrors(createEventRepository(ctx)),
    refunds: () => translateDatabaseErrors(createRefundRepository(ctx)),
    outbox: () => translateDatabaseErrors(createOutboxRepository(ctx, outboxOptions)),
  };
  if (ctx.inTransaction) {
    // Nested transaction() calls join this one: no savepoints, one commit or one rollback for everything.
    // Every transaction gets its own repositories (they remember the rows it holds); each is made when the
    // transaction first uses it, as most use two or three of the five.
    const tx = {
      handle: ctx.handle as unknown as Kysely<DB>,
      transaction: (fn) => fn(tx),
    } as PaymentRepositoriesTx<Kysely<DB>> & { readonly outbox: OutboxRepository };
    for (const [name, make] of Object.entries(makers)) {
      Object.defineProperty(tx, name, {
        configurable: true,
        enumerable: true,
        get: () => {
          const repository = make();
          Object.defineProperty(tx, name, {
            value: repository,
            enumerable: true,
            configurable: false,
            writable: false,
          });
          return repository;
        },
      });
    }
    return tx;
  }
  return {
    orders: makers.orders(),
    attempts: makers.attempts(),
    events: makers.events(),
    refunds: makers.refunds(),
    outbox: makers.outbox(),
    // The context opens the transaction (isolation level and SQLite's BEGIN IMMEDIATE live there) and hands
    // back a context bound to it.
    transaction: async (fn) => {
      try {
        return await ctx.atomically((txCtx) => fn(bind<DB>(txCtx, outboxOptions) as PaymentRepositoriesTx<Kysely<DB>>));
      } catch (error) {
        throw toDatabaseError(error); // BEGIN / COMMIT / ROLLBACK on a dead connection, or a hook's own query
      }
    },
  };
}
