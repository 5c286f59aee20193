/**
 * `migrateToLatest`: runs the payment migrations with Kysely's `Migrator` (from `kysely` on 0.28, from
 * `kysely/migration` on 0.29).
 * @module
 */
import type { Kysely } from 'kysely';
import { ConfigurationError, isPaymentError } from '../core/errors.js';
import { loadKyselyMigrator } from './load-kysely-migrator.js';
import type { PaymentMigrationResultSet } from './payment-migration.js';
import { createPaymentMigrations } from './payment-migrations.js';
import type { TableNames } from './schema.js';
import type { SqlDialect } from './sql-dialect.js';

/** Options of {@link migrateToLatest}. */
export interface MigrateOptions {
  /** Table names, as given to `createKyselyRepositories`. @default DEFAULT_TABLE_NAMES */
  tables?: Partial<TableNames>;
  /** The SQL dialect, when it cannot be detected. @default detected */
  dialect?: SqlDialect;
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
 * @returns the migrations that ran (empty when up to date).
 * @throws ConfigurationError code `MIGRATION_FAILED` (or `MIGRATION_DUPLICATE_KEYS` when existing rows
 *   prevent a unique key), with the driver error as `cause`.
 *
 * @example
 * ```ts
 * await migrateToLatest(db);
 * ```
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  options: MigrateOptions = {},
): Promise<PaymentMigrationResultSet> {
  const migrations = createPaymentMigrations(
    options.tables,
    options.dialect === undefined ? {} : { dialect: options.dialect },
  );
  const Migrator = await loadKyselyMigrator();
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: options.migrationTableName ?? 'payment_factory_migration',
    migrationLockTableName: options.migrationLockTableName ?? 'payment_factory_migration_lock',
  });
  const resultSet = await migrator.migrateToLatest();
  if (resultSet.error !== undefined) {
    const failed = resultSet.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    if (isPaymentError(resultSet.error)) throw resultSet.error;
    throw new ConfigurationError(`Payment migration "${failed}" failed; see the cause. Fix it and migrate again.`, {
      code: 'MIGRATION_FAILED',
      cause: resultSet.error,
      details: { migration: failed },
    });
  }
  return resultSet;
}
