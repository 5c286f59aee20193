/**
 * `migrateToLatest`: runs the payment migrations with Kysely's `Migrator` (from `kysely` on 0.28, from
 * `kysely/migration` on 0.29), in the right PostgreSQL schema.
 * @module
 */
import type { Kysely } from 'kysely';
import { loadKysely, sql } from './kysely-module.js';
import { ConfigurationError } from '../core/errors.js';
import { loadKyselyMigrator } from './load-kysely-migrator.js';
import { toMigrationError } from './migration-errors.js';
import type { PaymentMigrationResultSet } from './payment-migration.js';
import { createPaymentMigrations } from './payment-migrations.js';
import type { TableNames } from './schema.js';
import { detectSqlDialect, type SqlDialect } from './sql-dialect.js';

/** Options of {@link migrateToLatest}. */
export interface MigrateOptions {
  /** Table names, as given to `createKyselyRepositories`. @default DEFAULT_TABLE_NAMES */
  tables?: Partial<TableNames>;
  /** The SQL dialect, when it cannot be detected. @default detected */
  dialect?: SqlDialect;
  /**
   * PostgreSQL only: the schema to create (if missing) and migrate, whatever the connection's `search_path`
   * says. Pass the same `schema` to `createKyselyRepositories`. Without it the tables go to the connection's
   * current schema (the first existing schema on `search_path`, e.g. from
   * `DATABASE_URL=postgres://…?options=-c%20search_path%3Dpayments`).
   * @default the connection's current schema
   */
  schema?: string;
  /**
   * Currency of adopted original orders that have no attempt telling theirs (see `docs/migration.md`);
   * pass the same value to `createKyselyRepositories`.
   * @default 'CNY'
   */
  legacyCurrency?: string;
  /** Table recording which payment migrations ran (kept apart from a host's `kysely_migration`). @default 'payment_factory_migration' */
  migrationTableName?: string;
  /** Lock table, so two app instances starting at once do not migrate twice. @default 'payment_factory_migration_lock' */
  migrationLockTableName?: string;
}

/**
 * Creates the payment tables, or upgrades them (including tables of the original system, whose rows are
 * kept), to the latest version. Safe to call at every start: it does nothing when up to date, and a
 * database lock keeps concurrent callers from migrating twice.
 *
 * On PostgreSQL everything — the payment tables and the migrator's bookkeeping tables — lives in one
 * schema: `options.schema`, or else the connection's current schema. Same-named tables in other schemas
 * (`public` on most installations) are neither looked at nor touched.
 *
 * @returns the migrations that ran (empty when up to date).
 * @throws PaymentError `DATABASE_UNAVAILABLE` (retryable) when the database cannot be reached;
 *   ConfigurationError `DATABASE_CONNECTION_FAILED` when it refuses the connection (credentials, missing
 *   database), `SCHEMA_NOT_FOUND` when PostgreSQL's `search_path` names no existing schema,
 *   `SCHEMA_NOT_SUPPORTED` for `schema` on another dialect, `MIGRATION_FAILED` (or
 *   `MIGRATION_DUPLICATE_KEYS` when existing rows prevent a unique key, `LEGACY_CURRENCY_CONFLICT` when an
 *   adopted order's attempts disagree on its currency) with the driver error as `cause`.
 *
 * @example
 * ```ts
 * await migrateToLatest(db);
 * await migrateToLatest(db, { schema: 'payments' }); // PostgreSQL: then createKyselyRepositories(db, { schema: 'payments' })
 * ```
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  options: MigrateOptions = {},
): Promise<PaymentMigrationResultSet> {
  await loadKysely();
  const dialect = options.dialect ?? detectSqlDialect(db);
  const { schema } = options;
  if (schema !== undefined && (dialect !== 'postgres' || typeof schema !== 'string' || schema.trim() === '')) {
    throw new ConfigurationError(
      dialect === 'postgres'
        ? 'The schema option must be a non-empty schema name.'
        : `The schema option is for PostgreSQL; on ${dialect === 'mysql' ? 'MySQL name the database in DATABASE_URL' : 'SQLite each file is one schema'}.`,
      { code: 'SCHEMA_NOT_SUPPORTED' },
    );
  }
  try {
    if (dialect !== 'postgres') return await runMigrator(db, dialect, undefined, options);
    if (schema === undefined) return await runMigrator(db, dialect, await currentSchema(db), options);
    // One connection whose search_path is the schema: every unqualified name in the migrations (their
    // DDL, their catalog reads through current_schema()) lands there. Reset before the pool reuses it.
    return await db.connection().execute(async (conn) => {
      await sql`set search_path to ${sql.id(schema)}`.execute(conn);
      try {
        return await runMigrator(conn, dialect, schema, options);
      } finally {
        await sql`reset search_path`.execute(conn).catch(() => undefined);
      }
    });
  } catch (error) {
    throw toMigrationError(error, undefined);
  }
}

async function runMigrator<DB>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  schema: string | undefined,
  options: MigrateOptions,
): Promise<PaymentMigrationResultSet> {
  const migrations = createPaymentMigrations(options.tables, {
    dialect,
    ...(options.legacyCurrency === undefined ? {} : { legacyCurrency: options.legacyCurrency }),
  });
  const Migrator = await loadKyselyMigrator();
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: options.migrationTableName ?? 'payment_factory_migration',
    migrationLockTableName: options.migrationLockTableName ?? 'payment_factory_migration_lock',
    // Every payment migration is idempotent and independent of the ones numbered after it, so a database
    // that ran a later one (0007) still takes an earlier one that was released after it (0006).
    allowUnorderedMigrations: true,
    // Kysely decides whether its bookkeeping tables exist by introspecting every schema: without this,
    // `public.payment_factory_migration` would count as existing for a connection pointed elsewhere.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const resultSet = await migrator.migrateToLatest();
  if (resultSet.error !== undefined) {
    const failed = resultSet.results?.find((r) => r.status === 'Error')?.migrationName;
    throw toMigrationError(resultSet.error, failed);
  }
  return resultSet;
}

/** PostgreSQL's current schema: the first schema on `search_path` that exists. */
async function currentSchema<DB>(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (typeof schema === 'string' && schema !== '') return schema;
  throw new ConfigurationError(
    "PostgreSQL's search_path names no existing schema, so there is nowhere to create the payment tables: " +
      'create the schema, fix search_path (DATABASE_URL options=-c search_path=…), or pass { schema } to ' +
      'migrateToLatest, which creates it.',
    { code: 'SCHEMA_NOT_FOUND' },
  );
}
