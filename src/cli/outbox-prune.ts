/**
 * `payment-factory outbox-prune`: one prune of the outbox at `DATABASE_URL` by hand — what the worker does every
 * hour — for an operator catching up on an old table or running it from cron instead of a worker.
 * @module
 */
import { loadOutboxConfig } from '../core/config-outbox.js';
import { createKyselyFromUrl } from '../kysely/create-kysely-from-url.js';
import { createKyselyRepositories } from '../kysely/create-kysely-repositories.js';
import { pruneOutbox } from '../outbox/outbox-prune.js';

/** Options of {@link runOutboxPrune}. */
export interface OutboxPruneCommandOptions {
  /** Days delivered rows are kept. @default PAYMENT_OUTBOX_RETENTION_DAYS (7) */
  retentionDays?: number | undefined;
}

/**
 * Deletes delivered outbox rows older than the retention, and finished sweep claims, in batches of 500 until none
 * is left; prints how many. Returns the exit code: 0 done (also when the retention is 0: nothing to do), 1 on a
 * failure. Never prints the database URL.
 */
export async function runOutboxPrune(
  env: NodeJS.ProcessEnv,
  out: { stdout(text: string): void; stderr(text: string): void },
  options: OutboxPruneCommandOptions = {},
): Promise<number> {
  const url = env['DATABASE_URL'];
  if (!url || url.trim() === '') {
    out.stderr('DATABASE_URL is not set. Set it to a SQLite file path, postgres://… or mysql://… and run again.\n');
    return 1;
  }
  const days = options.retentionDays ?? loadOutboxConfig(env).retentionDays;
  if (days === 0) {
    out.stdout('payment-factory outbox-prune: retention 0 (keep delivered rows forever): nothing to do\n');
    return 0;
  }
  const db = await createKyselyFromUrl(url);
  try {
    const report = await pruneOutbox(createKyselyRepositories(db).outbox, {
      retentionMs: days * 86_400_000,
      maxBatches: Number.MAX_SAFE_INTEGER,
    });
    out.stdout(
      `payment-factory outbox-prune: deleted ${report.deleted} rows (delivered more than ${days} days ago, and finished sweep claims) in ${report.batches} batches\n`,
    );
    return 0;
  } finally {
    await db.destroy().catch(() => undefined);
  }
}
