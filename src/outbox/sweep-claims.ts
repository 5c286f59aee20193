/**
 * Claims for shared background work (reconcile, order-expiry sweeps), made of outbox rows so they need
 * nothing but the database: one `payment.sweep` row per piece of work (`sweep:reconcile:<attemptId>`),
 * created once, then claimed with the outbox's race-safe `claim` for a lease. While one instance holds it,
 * no other instance works on that attempt; when done, the row is released with a hold, so a second instance
 * that listed the same attempt moments later skips it instead of calling the provider again. Dispatchers never
 * claim `payment.sweep` rows (they claim only the types their consumers take).
 * @module
 */
import type { OutboxRepository } from '../persistence/outbox-port.js';
import { OUTBOX_SWEEP_TYPE } from '../persistence/outbox-validation.js';

/**
 * The outbox type of sweep claim rows. They are not notifications: `outbox.stats()` and `outbox.list()` leave
 * them out (no phantom backlog), and `outbox.prune()` deletes them once their hold is over.
 */
export const SWEEP_TYPE = OUTBOX_SWEEP_TYPE;

/** A held claim; call `release` when the work is done. */
export interface SweepClaim {
  /** Frees the work for others after `holdMs` from now. */
  release(): Promise<void>;
}

/** Options of {@link claimSweepWork}. */
export interface SweepClaimOptions {
  /** Who claims (the worker's owner name). */
  owner: string;
  /** How long the claim holds if its holder dies. @default 60_000 */
  leaseMs?: number;
  /** After release, how long before anyone may take this work again. @default 60_000 */
  holdMs?: number;
  /** @default () => new Date() */
  clock?: () => Date;
}

/**
 * Claims one piece of sweep work, or returns `null` when another instance holds it (or held it within
 * `holdMs`). Under concurrent calls for one `work` id, at most one caller gets a claim.
 */
export async function claimSweepWork(
  outbox: OutboxRepository,
  work: string,
  options: SweepClaimOptions,
): Promise<SweepClaim | null> {
  const clock = options.clock ?? (() => new Date());
  const key = `sweep:${work}`;
  // Times on the row follow the repositories' clock (which decides what is due), not this caller's.
  await outbox.insert({ key, type: SWEEP_TYPE, payload: { work } });
  const started = clock().getTime();
  const [row] = await outbox.claim({
    owner: options.owner,
    limit: 1,
    leaseMs: options.leaseMs ?? 60_000,
    types: [SWEEP_TYPE],
    keys: [key],
  });
  if (!row?.claimToken) return null;
  const token = row.claimToken;
  const claimedAt = row.updatedAt.getTime(); // the repositories' "now" at the claim
  return {
    release: async () => {
      const elapsed = Math.max(0, clock().getTime() - started);
      await outbox.release({
        key,
        claimToken: token,
        status: 'pending',
        availableAt: new Date(claimedAt + elapsed + (options.holdMs ?? 60_000)),
        deliveredTo: [],
        lastError: null,
      });
    },
  };
}
