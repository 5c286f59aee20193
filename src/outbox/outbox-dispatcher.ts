/**
 * `createOutboxDispatcher`: claims due outbox rows and delivers each to every consumer that takes its type,
 * at least once. A consumer that throws gets the row again after an exponential, jittered delay (the
 * consumers that already took it are skipped); after `maxAttempts` claims the row is `dead` and waits for an
 * operator (`outbox.retry(key)`). A dispatcher that dies mid-delivery holds its rows only until their lease
 * ends; then another dispatcher claims them. Many dispatchers (processes, hosts) can share one outbox.
 * @module
 */
import { randomHex } from '../core/web-crypto.js';
import type { OutboxRecord, OutboxRepository } from '../persistence/outbox-port.js';
import { describeError } from '../service/service-context.js';
import { silentLogger, type PaymentLogger } from '../service/hooks.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { OutboxConsumer } from './outbox-consumer.js';
import { outboxMessageOf, PAYMENT_OUTBOX_TYPES } from './outbox-messages.js';

/** Options of {@link createOutboxDispatcher}. */
export interface OutboxDispatcherOptions {
  /** The outbox (`repositories.outbox`). */
  outbox: OutboxRepository;
  /** Where rows go. Names must be unique. */
  consumers: readonly OutboxConsumer[];
  /** This dispatcher's name in claim tokens. @default `<hostname>:<pid>:<random>` */
  owner?: string;
  /** Rows per claim. @default 20 */
  batchSize?: number;
  /** How long a claim holds its rows; a dispatcher that dies frees them after this. @default 60_000 */
  leaseMs?: number;
  /** Claims before a row is `dead`. @default 10 */
  maxAttempts?: number;
  /** Retry delays. @default { baseMs: 5000, maxMs: 3_600_000 } */
  backoff?: BackoffOptions;
  /** @default () => new Date() */
  clock?: () => Date;
  /** @default silent */
  logger?: PaymentLogger;
}

/** What one pass did. */
export interface DispatchReport {
  /** Rows claimed. */
  claimed: number;
  /** Rows every consumer took. */
  delivered: number;
  /** Rows given back for a later retry. */
  retried: number;
  /** Rows that became dead. */
  dead: number;
  /** Rows whose claim ran out before the pass finished them (another dispatcher may have them now). */
  lost: number;
}

/** A dispatcher. */
export interface OutboxDispatcher {
  /** This dispatcher's owner name. */
  readonly owner: string;
  /** The types it claims: those its consumers take. */
  readonly types: readonly string[];
  /** Claims one batch of due rows (only `keys`, when given) and delivers it. */
  dispatchOnce(options?: { keys?: readonly string[] }): Promise<DispatchReport>;
}

/**
 * A default owner name: `HOSTNAME` (set in containers), the pid and a random part, unique per dispatcher.
 * No `node:os`: the dispatcher loads on every runtime.
 */
export function defaultOwner(): string {
  const proc = (globalThis as { process?: { pid?: unknown; env?: Record<string, string | undefined> } }).process;
  const pid = typeof proc?.pid === 'number' ? proc.pid : 0;
  const host = proc?.env?.['HOSTNAME'] ?? 'host';
  return `${host.slice(0, 100)}:${pid}:${randomHex(4)}`;
}

/**
 * Creates a dispatcher. It does nothing until `dispatchOnce` is called; `startPaymentWorker` calls it in a
 * loop.
 *
 * @example
 * ```ts
 * const dispatcher = createOutboxDispatcher({ outbox: repositories.outbox, consumers: [crmConsumer] });
 * const report = await dispatcher.dispatchOnce();
 * ```
 */
export function createOutboxDispatcher(options: OutboxDispatcherOptions): OutboxDispatcher {
  const { outbox, consumers } = options;
  const names = consumers.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new TypeError('Outbox consumer names must be unique.');
  const owner = options.owner ?? defaultOwner();
  const batchSize = options.batchSize ?? 20;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  // Claim only the types some consumer takes: rows of a host's own types are left to the dispatcher that
  // knows them, and sweep claims (`payment.sweep`) to the sweeps.
  const typesOf = (c: OutboxConsumer): readonly string[] => c.types ?? PAYMENT_OUTBOX_TYPES;
  const types = [...new Set(consumers.flatMap(typesOf))];

  async function deliverRow(row: OutboxRecord): Promise<keyof Omit<DispatchReport, 'claimed'>> {
    const token = row.claimToken as string;
    const done = new Set(row.deliveredTo);
    if (row.attempts > maxAttempts) {
      // Claimed more often than allowed: earlier claimers died on it (a poison row). Stop here.
      const released = await outbox.release({
        key: row.key,
        claimToken: token,
        status: 'dead',
        availableAt: clock(),
        deliveredTo: [...done],
        lastError: row.lastError ?? `lease expired ${row.attempts - 1} times`,
      });
      return released ? 'dead' : 'lost';
    }
    const message = outboxMessageOf(row);
    const controller = new AbortController();
    // Stop consumers a little before the lease ends, when another dispatcher may take the row.
    const timer = setTimeout(() => controller.abort(), Math.max(1, leaseMs - Math.min(5000, leaseMs / 10)));
    const failures: string[] = [];
    try {
      for (const consumer of consumers) {
        if (done.has(consumer.name)) continue;
        if (!typesOf(consumer).includes(row.type)) continue;
        try {
          await consumer.deliver(message, { signal: controller.signal });
          done.add(consumer.name);
        } catch (error) {
          failures.push(`${consumer.name}: ${describeError(error)}`);
          logger.warn('outbox delivery failed', {
            key: row.key,
            type: row.type,
            consumer: consumer.name,
            attempt: row.attempts,
            error: describeError(error),
          });
        }
      }
    } finally {
      clearTimeout(timer);
    }
    if (failures.length === 0) {
      return (await outbox.complete({ key: row.key, claimToken: token, deliveredTo: [...done] }))
        ? 'delivered'
        : 'lost';
    }
    const dead = row.attempts >= maxAttempts;
    const released = await outbox.release({
      key: row.key,
      claimToken: token,
      status: dead ? 'dead' : 'pending',
      availableAt: new Date(clock().getTime() + (dead ? 0 : backoffDelay(row.attempts, options.backoff))),
      deliveredTo: [...done],
      lastError: failures.join('; '),
    });
    if (dead && released) logger.error('outbox row dead', { key: row.key, type: row.type, attempts: row.attempts });
    return released ? (dead ? 'dead' : 'retried') : 'lost';
  }

  return {
    owner,
    types,
    dispatchOnce: async (input = {}) => {
      const report: DispatchReport = { claimed: 0, delivered: 0, retried: 0, dead: 0, lost: 0 };
      if (types.length === 0) return report;
      const rows = await outbox.claim({
        owner,
        limit: batchSize,
        leaseMs,
        types,
        ...(input.keys === undefined ? {} : { keys: input.keys }),
      });
      report.claimed = rows.length;
      for (const row of rows) report[await deliverRow(row)] += 1;
      return report;
    },
  };
}
