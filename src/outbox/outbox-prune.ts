/**
 * `pruneOutbox`: the outbox's retention. Delivered rows are history once every consumer took them; kept
 * forever they slow every claim and status query. This deletes those older than the retention, and sweep
 * claims (`payment.sweep`) an hour after their hold ended, in short batches (`outbox.prune`, at most
 * `batchSize` rows each, with a pause between), so the table is never held long and a busy outbox keeps
 * flowing while it runs. Dead rows are never pruned: they wait for an operator.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import type { OutboxRepository } from '../persistence/outbox-port.js';

/** Sweep claims are kept this long after their hold ended (for an operator asking who swept what). */
const SWEEP_KEEP_MS = 3_600_000;

/** Options of {@link pruneOutbox}. */
export interface OutboxPruneOptions {
  /** Delivered rows older than this (by `deliveredAt`) go. @default 7 days (604_800_000) */
  retentionMs?: number;
  /** Rows per delete. @default 500 */
  batchSize?: number;
  /** Batches per run; the rest waits for the next run. @default 20 */
  maxBatches?: number;
  /** Pause between batches, so other writers get the table. @default 50 */
  pauseMs?: number;
  /** Checked between batches: a stopping worker does not start another. @default () => false */
  shouldStop?: () => boolean;
  /** @default () => new Date() */
  clock?: () => Date;
}

/** What a prune run did. */
export interface OutboxPruneReport {
  /** Rows deleted. */
  deleted: number;
  /** Batches run. */
  batches: number;
  /** Whether it stopped with rows still due for pruning (a full last batch at `maxBatches`, or a stop). */
  more: boolean;
}

/** Seven days, the default retention of delivered rows. */
export const DEFAULT_OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Deletes delivered outbox rows older than `retentionMs` and finished sweep claims, batch by batch.
 *
 * @example
 * ```ts
 * const { deleted } = await pruneOutbox(repositories.outbox!, { retentionMs: 30 * 24 * 3_600_000 });
 * ```
 * @throws ValidationError when `retentionMs`, `batchSize` or `maxBatches` is not a positive integer
 *   (`batchSize` at most 1000).
 */
export async function pruneOutbox(
  outbox: OutboxRepository,
  options: OutboxPruneOptions = {},
): Promise<OutboxPruneReport> {
  const retentionMs = options.retentionMs ?? DEFAULT_OUTBOX_RETENTION_MS;
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  for (const [field, value, max] of [
    ['retentionMs', retentionMs, Number.MAX_SAFE_INTEGER],
    ['batchSize', batchSize, 1000],
    ['maxBatches', maxBatches, Number.MAX_SAFE_INTEGER],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new ValidationError(`${field} must be a positive integer${max === 1000 ? ' up to 1000' : ''}.`, {
        field,
      });
    }
  }
  const clock = options.clock ?? (() => new Date());
  const pauseMs = options.pauseMs ?? 50;
  const report: OutboxPruneReport = { deleted: 0, batches: 0, more: false };
  for (;;) {
    const now = clock().getTime();
    const deleted = await outbox.prune({
      deliveredBefore: new Date(now - retentionMs),
      sweepsBefore: new Date(now - SWEEP_KEEP_MS),
      limit: batchSize,
    });
    report.deleted += deleted;
    report.batches += 1;
    if (deleted < batchSize) return report;
    if (report.batches >= maxBatches || options.shouldStop?.()) return { ...report, more: true };
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
