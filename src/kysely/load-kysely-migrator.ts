/**
 * Finds Kysely's `Migrator` class wherever the installed Kysely exports it.
 * @module
 */
import type * as kysely from 'kysely';
import { loadKysely } from './kysely-module.js';
import { ConfigurationError } from '../core/errors.js';
import type { PaymentMigration, PaymentMigrationResultSet } from './payment-migration.js';

/** The part of Kysely's `Migrator` that `migrateToLatest` uses; the same in Kysely 0.28 and 0.29. */
export type KyselyMigratorClass = new (props: {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: kysely.Kysely<any>;
  provider: { getMigrations(): Promise<Record<string, PaymentMigration>> };
  migrationTableName?: string;
  migrationLockTableName?: string;
  migrationTableSchema?: string;
  allowUnorderedMigrations?: boolean;
}) => { migrateToLatest(): Promise<PaymentMigrationResultSet> };

/**
 * Imports a module by a name known only at run time. Kysely 0.29 moved the migrator to `kysely/migration`, a
 * subpath 0.28 does not have: were it written out in an `import()`, TypeScript, the bundler building this
 * package and a host's bundler would each try to resolve it ahead of time and fail on 0.28. A parameter is
 * not folded into a literal, so the import stays a run-time one, made only when the root lacks `Migrator`.
 */
const importAtRunTime = (specifier: string): Promise<unknown> => import(specifier);

/**
 * Returns Kysely's `Migrator`: from `kysely` on 0.28, from `kysely/migration` on 0.29 (whose root no longer
 * exports it). Looks at the export itself rather than at Kysely's version, so no `package.json` is read
 * (0.29 does not export its own).
 *
 * @throws ConfigurationError code `KYSELY_MIGRATOR_NOT_FOUND` when neither place has it (an unsupported Kysely).
 * @example
 * ```ts
 * const Migrator = await loadKyselyMigrator();
 * const { results } = await new Migrator({ db, provider: { getMigrations: async () => paymentMigrations } }).migrateToLatest();
 * ```
 */
export async function loadKyselyMigrator(): Promise<KyselyMigratorClass> {
  const fromRoot = ((await loadKysely()) as Record<string, unknown>)['Migrator'];
  if (typeof fromRoot === 'function') return fromRoot as KyselyMigratorClass;
  let cause: unknown;
  try {
    const fromSubpath = ((await importAtRunTime('kysely/migration')) as Record<string, unknown>)['Migrator'];
    if (typeof fromSubpath === 'function') return fromSubpath as KyselyMigratorClass;
  } catch (error) {
    cause = error;
  }
  throw new ConfigurationError(
    "Kysely's Migrator is exported neither by 'kysely' (0.28) nor by 'kysely/migration' (0.29): install kysely >=0.28 <0.30.",
    { code: 'KYSELY_MIGRATOR_NOT_FOUND', cause },
  );
}
