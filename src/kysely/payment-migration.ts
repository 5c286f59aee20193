/**
 * The migration types the payment migrations speak, written out structurally so they read the same whichever
 * Kysely is installed: 0.28 exports `Migration` and `MigrationResultSet` from `kysely`, 0.29 only from
 * `kysely/migration` (its root exports them as type errors). Each is assignable to Kysely's type of the same
 * shape in both versions, so `paymentMigrations` drops into a host's own `Migrator`.
 * @module
 */
import type { Kysely } from 'kysely';

/**
 * One migration, as Kysely's `Migrator` runs it (Kysely's `Migration`).
 *
 * @example
 * ```ts
 * const migration: PaymentMigration = { up: async (db) => { await db.schema.createTable('t').addColumn('id', 'integer').execute(); } };
 * ```
 */
export interface PaymentMigration {
  /** Applies the migration. */
  // `any` as in Kysely's own `Migration`: a migration runs before the tables it creates exist.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>): Promise<void>;
  /** Absent on the payment migrations: undoing them would drop payment history. @default undefined */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  down?(db: Kysely<any>): Promise<void>;
}

/**
 * What happened to one migration in a run (Kysely's `MigrationResult`).
 *
 * @example
 * ```ts
 * const applied = (await migrateToLatest(db)).results?.filter((r) => r.status === 'Success');
 * ```
 */
export interface PaymentMigrationResult {
  /** The migration's key, e.g. `payment-factory-0001-payment-tables`. */
  readonly migrationName: string;
  /** `Up` for `migrateToLatest`. */
  readonly direction: 'Up' | 'Down';
  /** `Success`; `Error` for the one that failed; `NotExecuted` for those after it. */
  readonly status: 'Success' | 'Error' | 'NotExecuted';
}

/**
 * The outcome of a migration run (Kysely's `MigrationResultSet`).
 *
 * @example
 * ```ts
 * const { results = [] } = await migrateToLatest(db);
 * console.log(results.length === 0 ? 'up to date' : results.map((r) => r.migrationName).join(', '));
 * ```
 */
export interface PaymentMigrationResultSet {
  /** Set when the run failed (`migrateToLatest` throws instead of returning it). @default undefined */
  readonly error?: unknown;
  /** One entry per migration the run executed or meant to; empty when already up to date. */
  readonly results?: PaymentMigrationResult[];
}
