/**
 * `startPaymentWorker`: the background half of the service, in-process. It drains the outbox to its
 * consumers, runs the reconcile sweep (which also closes expired attempts) and prunes delivered rows past
 * their retention, each on its own timer, until `stop()` — which lets the work in hand finish, so a SIGTERM
 * loses nothing (and even a SIGKILL only delays: the leases run out and another worker takes over). Any number of workers, in any number of processes, can
 * share one database.
 * @module
 */
import type { OutboxRepository, OutboxStats } from '../persistence/outbox-port.js';
import type { PaymentService } from '../service/payment-service.js';
import type { PaymentLogger } from '../service/hooks.js';
import { silentLogger } from '../service/hooks.js';
import { describeError } from '../service/service-context.js';
import { ConfigurationError } from '../core/errors.js';
import type { BackoffOptions } from './backoff.js';
import type { OutboxConsumer } from './outbox-consumer.js';
import { createOutboxDispatcher, defaultOwner, type DispatchReport } from './outbox-dispatcher.js';
import { pruneOutbox } from './outbox-prune.js';

/** Options of {@link startPaymentWorker}. */
export interface PaymentWorkerOptions {
  /** The service: its outbox, its hooks as default consumers, and `reconcile` for the sweep. */
  service: Pick<PaymentService, 'repositories' | 'hookConsumers' | 'reconcile' | 'expireOrders' | 'logger'>;
  /** Where rows go. @default service.hookConsumers (its `afterCommit` and `onAnomaly` hooks) */
  consumers?: readonly OutboxConsumer[];
  /** Pause between outbox polls when the last one found nothing. @default 1000 */
  pollIntervalMs?: number;
  /** Rows per claim. @default 20 */
  batchSize?: number;
  /** Lease of a claim; a worker that dies frees its rows after this. @default 60_000 */
  leaseMs?: number;
  /** Claims before a row is dead. @default 10 */
  maxAttempts?: number;
  /** Retry delays. @default { baseMs: 5000, maxMs: 3_600_000 } */
  backoff?: BackoffOptions;
  /**
   * The sweep, every `everyMs`: `reconcile` (pending attempts older than `olderThanMs` are pulled from their
   * provider; expired ones cancelled there and closed), then `expireOrders` (open orders past their window with
   * no pending attempt time out). Attempts and orders are claimed one by one, so workers split them. `false`
   * turns it off.
   * @default { everyMs: 60_000, olderThanMs: 300_000, limit: 100 }
   */
  reconcile?: false | ReconcileSweepOptions;
  /**
   * The outbox's retention, every `everyMs`: delivered rows older than `retentionMs` are deleted (and sweep
   * claims an hour after their hold), in batches of `batchSize` rows, at most `maxBatches` per run, so the
   * table is never held long (`pruneOutbox`). Dead rows stay for an operator. `false` turns it off.
   * @default { everyMs: 3_600_000, retentionMs: 604_800_000 (7 days), batchSize: 500, maxBatches: 20 }
   */
  prune?: false | PruneSweepOptions;
  /** This worker's name in claims. @default `<HOSTNAME>:<pid>:<random>` */
  owner?: string;
  /** Called with a health snapshot every `healthEveryMs` (the CLI prints it as a line). @default none */
  onHealth?: (health: PaymentWorkerHealth) => void;
  /** @default 30_000 */
  healthEveryMs?: number;
  /** @default service.logger */
  logger?: PaymentLogger;
  /** @default () => new Date() */
  clock?: () => Date;
}

/** The reconcile sweep of {@link startPaymentWorker}. */
export interface ReconcileSweepOptions {
  /** Milliseconds between runs. @default 60_000 */
  everyMs?: number;
  /** Only attempts created at least this long ago. @default 300_000 */
  olderThanMs?: number;
  /** Attempts per run. @default 100 */
  limit?: number;
}

/** The prune run of {@link startPaymentWorker}. */
export interface PruneSweepOptions {
  /** Milliseconds between runs. @default 3_600_000 */
  everyMs?: number;
  /** Delivered rows older than this go. @default 604_800_000 (7 days) */
  retentionMs?: number;
  /** Rows per delete. @default 500 */
  batchSize?: number;
  /** Batches per run. @default 20 */
  maxBatches?: number;
}

/** What the worker has done and how the outbox stands. */
export interface PaymentWorkerHealth {
  /** This worker's owner name. */
  owner: string;
  /** `running`, `stopping` or `stopped`. */
  state: 'running' | 'stopping' | 'stopped';
  /** Totals since start. */
  delivered: number;
  /** Rows given back for a retry. */
  retried: number;
  /** Rows that became dead. */
  dead: number;
  /** Rows whose lease ran out in this worker's hands. */
  lost: number;
  /** Sweep runs. */
  reconcileRuns: number;
  /** Attempts the reconcile sweep checked. */
  reconciled: number;
  /** Orders the expiry sweep timed out. */
  expired: number;
  /** Outbox rows the prune runs deleted. */
  pruned: number;
  /** Failed polls or sweeps (database down, …); the worker keeps going. */
  errors: number;
  /** The outbox's counts at the last health check, when read. */
  outbox: OutboxStats | null;
  /** When the last poll finished. */
  lastPollAt: Date | null;
}

/** A running worker. */
export interface PaymentWorker {
  /** This worker's owner name. */
  readonly owner: string;
  /** Finishes the work in hand, then stops the timers. Resolves once stopped; safe to call twice. */
  stop(): Promise<void>;
  /** A health snapshot (reads the outbox counts). */
  health(): Promise<PaymentWorkerHealth>;
  /** Runs one outbox pass now (for tests and manual drains). */
  dispatchOnce(): Promise<DispatchReport>;
}

/**
 * Starts a worker in this process.
 *
 * @example
 * ```ts
 * const worker = startPaymentWorker({ service, consumers: [notificationConsumer('feishu', feishu)] });
 * process.on('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
 * ```
 * @throws ConfigurationError `OUTBOX_NOT_CONFIGURED` when the service's repositories have no outbox.
 */
export function startPaymentWorker(options: PaymentWorkerOptions): PaymentWorker {
  const { service } = options;
  const outbox: OutboxRepository | undefined = service.repositories.outbox;
  if (!outbox) {
    throw new ConfigurationError(
      'The payment worker needs repositories with an outbox (createKyselyRepositories after migrateToLatest, or createInMemoryRepositories).',
      { code: 'OUTBOX_NOT_CONFIGURED' },
    );
  }
  const logger = options.logger ?? service.logger ?? silentLogger;
  const clock = options.clock ?? (() => new Date());
  const owner = options.owner ?? defaultOwner();
  const dispatcher = createOutboxDispatcher({
    outbox,
    consumers: options.consumers ?? service.hookConsumers,
    owner,
    clock,
    logger,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
  });
  const pollMs = options.pollIntervalMs ?? 1000;
  const sweep =
    options.reconcile === false ? null : { everyMs: 60_000, olderThanMs: 300_000, limit: 100, ...options.reconcile };
  const totals = {
    delivered: 0,
    retried: 0,
    dead: 0,
    lost: 0,
    reconcileRuns: 0,
    reconciled: 0,
    expired: 0,
    pruned: 0,
    errors: 0,
  };
  let state: PaymentWorkerHealth['state'] = 'running';
  let lastPollAt: Date | null = null;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new Set<Promise<unknown>>();

  const later = (ms: number, fn: () => Promise<void>): void => {
    if (state !== 'running') return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = fn().finally(() => inFlight.delete(run));
      inFlight.add(run);
    }, ms);
    timers.add(timer);
  };

  const poll = async (): Promise<void> => {
    let claimed = 0;
    try {
      const report = await dispatcher.dispatchOnce();
      claimed = report.claimed;
      for (const k of ['delivered', 'retried', 'dead', 'lost'] as const) totals[k] += report[k];
    } catch (error) {
      totals.errors += 1;
      logger.error('payment worker: outbox poll failed', { error: describeError(error) });
    }
    lastPollAt = clock();
    // A full batch means more may be waiting: go again at once.
    later(claimed > 0 ? 0 : pollMs, poll);
  };

  const reconcileSweep = async (): Promise<void> => {
    if (!sweep) return;
    try {
      const report = await service.reconcile({
        olderThan: sweep.olderThanMs,
        limit: sweep.limit,
        owner,
        holdMs: Math.floor(sweep.everyMs / 2),
      });
      totals.reconcileRuns += 1;
      totals.reconciled += report.checked;
      const expired = await service.expireOrders({ limit: sweep.limit, owner });
      totals.expired += expired.timedOut;
    } catch (error) {
      totals.errors += 1;
      logger.error('payment worker: reconcile failed', { error: describeError(error) });
    }
    later(sweep.everyMs, reconcileSweep);
  };

  const pruning = options.prune === false ? null : { everyMs: 3_600_000, ...options.prune };
  const prune = async (): Promise<void> => {
    if (!pruning) return;
    let more = false;
    try {
      const report = await pruneOutbox(outbox, {
        ...(pruning.retentionMs === undefined ? {} : { retentionMs: pruning.retentionMs }),
        ...(pruning.batchSize === undefined ? {} : { batchSize: pruning.batchSize }),
        ...(pruning.maxBatches === undefined ? {} : { maxBatches: pruning.maxBatches }),
        shouldStop: () => state !== 'running',
        clock,
      });
      totals.pruned += report.deleted;
      more = report.more;
    } catch (error) {
      totals.errors += 1;
      logger.error('payment worker: outbox prune failed', { error: describeError(error) });
    }
    // A backlog left over (first run on an old table): go on after a breath rather than in an hour.
    later(more ? Math.min(pollMs * 5, pruning.everyMs) : pruning.everyMs, prune);
  };

  const health = async (): Promise<PaymentWorkerHealth> => {
    let stats: OutboxStats | null = null;
    try {
      stats = await outbox.stats();
    } catch (error) {
      logger.warn('payment worker: outbox stats failed', { error: describeError(error) });
    }
    return { owner, state, ...totals, outbox: stats, lastPollAt };
  };

  const report = async (): Promise<void> => {
    if (options.onHealth) options.onHealth(await health());
    later(options.healthEveryMs ?? 30_000, report);
  };

  later(0, poll);
  if (sweep) later(0, reconcileSweep);
  if (pruning) later(0, prune);
  if (options.onHealth) later(options.healthEveryMs ?? 30_000, report);

  let stopped: Promise<void> | null = null;
  return {
    owner,
    dispatchOnce: () => dispatcher.dispatchOnce(),
    health,
    stop: () => {
      stopped ??= (async () => {
        state = 'stopping';
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        state = 'stopped';
        logger.info('payment worker stopped', { owner, ...totals });
      })();
      return stopped;
    },
  };
}
