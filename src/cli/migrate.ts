/**
 * `payment-factory migrate`: creates or upgrades the payment tables at `DATABASE_URL`.
 * @module
 */
import { isPaymentError } from '../core/errors.js';
import { createKyselyFromUrl, parseDatabaseUrl } from '../kysely/create-kysely-from-url.js';
import { migrateToLatest } from '../kysely/migrate-to-latest.js';

/** Where `runMigrate` reports progress and problems. */
export interface MigrateOutput {
  log(message: string): void;
}

/**
 * Opens `env.DATABASE_URL` (SQLite file path or `sqlite:`/`file:` URL, `postgres://`, `postgresql://`,
 * `mysql://`), runs the payment migrations (in `options.schema` on PostgreSQL, when given), closes the
 * connection, and returns the process exit code:
 * 0 on success (including "already up to date"), 1 on any failure. Never prints the URL, which may hold
 * a password.
 *
 * @example
 * ```ts
 * process.exitCode = await runMigrate(process.env, { log: console.log });
 * ```
 */
export async function runMigrate(
  env: NodeJS.ProcessEnv,
  out: MigrateOutput,
  options: { schema?: string | undefined } = {},
): Promise<number> {
  const url = env['DATABASE_URL'];
  if (!url || url.trim() === '') {
    out.log('DATABASE_URL is not set. Set it to a SQLite file path, postgres://… or mysql://… and run again.');
    return 1;
  }
  let db: Awaited<ReturnType<typeof createKyselyFromUrl>> | undefined;
  try {
    const { dialect } = parseDatabaseUrl(url);
    out.log(`Migrating the payment tables (${dialect}${options.schema ? `, schema ${options.schema}` : ''})…`);
    db = await createKyselyFromUrl(url);
    const { results = [] } = await migrateToLatest(db, options.schema ? { schema: options.schema } : {});
    if (results.length === 0) out.log('Already up to date.');
    for (const result of results)
      out.log(`${result.status === 'Success' ? 'Applied' : result.status}: ${result.migrationName}`);
    return 0;
  } catch (error) {
    out.log(`Migration failed: ${describe(error)}`);
    return 1;
  } finally {
    await db?.destroy().catch(() => undefined);
  }
}

function describe(error: unknown): string {
  if (!isPaymentError(error)) return error instanceof Error ? error.message : String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.code}: ${error.message}${cause}`;
}
