/**
 * The payment migrations as a plain record, for hosts that run their own Kysely `Migrator`.
 * @module
 */
import { paymentTablesMigration } from './migrations/0001-payment-tables.js';
import { originalMeaningsMigration } from './migrations/0002-original-meanings.js';
import { journalPayloadHashMigration } from './migrations/0003-journal-payload-hash.js';
import { nativeAttemptTablesMigration } from './migrations/0004-native-attempt-tables.js';
import { paymentOutboxMigration } from './migrations/0005-payment-outbox.js';
import { readIndexesMigration } from './migrations/0006-read-indexes.js';
import { merchantAccountsMigration } from './migrations/0007-merchant-accounts.js';
import { refundPendingIndexMigration } from './migrations/0008-refund-pending-index.js';
import { loadKysely } from './kysely-module.js';
import type { PaymentMigration } from './payment-migration.js';
import { DEFAULT_TABLE_NAMES, resolveTableNames, type TableNames } from './schema.js';
import type { SqlDialect } from './sql-dialect.js';

/** Prefix of every payment migration name, so they sort together and never collide with a host's. */
export const PAYMENT_MIGRATION_PREFIX = 'payment-factory-';

/** Options of {@link createPaymentMigrations}. */
export interface PaymentMigrationOptions {
  /** The SQL dialect, when it cannot be detected. @default detected */
  dialect?: SqlDialect;
  /**
   * Currency given to orders of the original system that have no attempt telling theirs (orders with
   * attempts take their attempts' currency). Pass the same value to `createKyselyRepositories`.
   * @default 'CNY'
   */
  legacyCurrency?: string;
}

/**
 * The payment migrations for the given table names, keyed by name.
 *
 * @example
 * ```ts
 * import { Migrator } from 'kysely/migration'; // Kysely 0.29; from 'kysely' on 0.28
 *
 * const migrator = new Migrator({
 *   db,
 *   provider: { getMigrations: async () => ({ ...myMigrations, ...createPaymentMigrations({ orders: 'orders' }) }) },
 *   allowUnorderedMigrations: true,
 * });
 * ```
 */
export function createPaymentMigrations(
  tables: Partial<TableNames> = {},
  options: PaymentMigrationOptions = {},
): Record<string, PaymentMigration> {
  const names = resolveTableNames(tables);
  return {
    [`${PAYMENT_MIGRATION_PREFIX}0001-payment-tables`]: loadingKysely(paymentTablesMigration(names, options.dialect)),
    [`${PAYMENT_MIGRATION_PREFIX}0002-original-meanings`]: loadingKysely(originalMeaningsMigration(names, options)),
    [`${PAYMENT_MIGRATION_PREFIX}0003-journal-payload-hash`]: loadingKysely(
      journalPayloadHashMigration(names, options.dialect),
    ),
    [`${PAYMENT_MIGRATION_PREFIX}0004-native-attempt-tables`]: loadingKysely(
      nativeAttemptTablesMigration(names, options.dialect),
    ),
    [`${PAYMENT_MIGRATION_PREFIX}0005-payment-outbox`]: loadingKysely(paymentOutboxMigration(names, options.dialect)),
    [`${PAYMENT_MIGRATION_PREFIX}0006-read-indexes`]: loadingKysely(readIndexesMigration(names, options.dialect)),
    [`${PAYMENT_MIGRATION_PREFIX}0007-merchant-accounts`]: loadingKysely(
      merchantAccountsMigration(names, options.dialect),
    ),
    [`${PAYMENT_MIGRATION_PREFIX}0008-refund-pending-index`]: loadingKysely(
      refundPendingIndexMigration(names, options.dialect),
    ),
  };
}

/** `migration`, loading `kysely` first: a host's own `Migrator` may run it before any other call of ours. */
function loadingKysely(migration: PaymentMigration): PaymentMigration {
  return {
    async up(db) {
      await loadKysely();
      await migration.up(db);
    },
  };
}

/**
 * The payment migrations for the default table names. Merge them into your own migrator's record
 * (with `allowUnorderedMigrations` if your names do not sort after ours), or run them with
 * `migrateToLatest`.
 */
export const paymentMigrations: Readonly<Record<string, PaymentMigration>> = Object.freeze(
  createPaymentMigrations(DEFAULT_TABLE_NAMES),
);
