/**
 * The outbox port: notifications written in the state change's transaction and delivered after it.
 *
 * **What it is for.** A paid order must reach the Feishu bot, the host's CRM callback, the analytics queue
 * — but a process can die between the commit and the call, and a slow consumer must not hold a provider's
 * webhook open. So the service never calls them from the request: every change that announces something
 * (`order.paid`, `order.refunded`, `payment.failed`, `payment.anomaly`) *inserts one outbox row in the same
 * transaction*, and a dispatcher (`startPaymentWorker`, or `payment-factory worker`) delivers the rows
 * afterwards, at least once, to the registered consumers. Committed change ⇔ committed row: nothing is lost
 * after commit, nothing is announced that rolled back.
 *
 * **The data model.** One row per notification, identified by its `key` (unique: `order.paid:<orderId>`,
 * `order.refunded:<refundId>`, …), which consumers also use to drop redeliveries. A row is `pending` until
 * every consumer took it (`delivered`) or it failed `maxAttempts` times (`dead`, kept for an operator).
 * A dispatcher *claims* pending rows that are due (`availableAt ≤ now`) for a lease; while the lease runs no
 * other dispatcher gets the row; when it expires (the claimer died) the row is claimable again. Each claim
 * counts one attempt. `deliveredTo` lists the consumers that already took the row, so a retry skips them.
 *
 * **The rules that carry the notifications** (each method states its own):
 * - `insert` joins the caller's transaction and costs one statement; a second row with a taken key is a
 *   `duplicate` that changes nothing and never aborts the transaction.
 * - Under concurrent `claim` calls from any number of processes, a row is held by at most one live claim.
 * - `complete` and `release` act only for the claim that holds the row (its `claimToken`): a dispatcher
 *   whose lease ran out cannot overwrite the work of the one that took the row over.
 * These come from the database — `FOR UPDATE SKIP LOCKED` where the database has it (PostgreSQL, MySQL 8,
 * MariaDB ≥ 10.6), conditional updates on the lease elsewhere — never from in-process locks.
 *
 * **Sweep claims are not notifications.** Rows of type `payment.sweep` (`SWEEP_TYPE`) are the
 * leases `reconcile` and `expireOrders` take on one attempt or order so app instances split the work
 * (`claimSweepWork`). They stay `pending` between sweeps by design (a released claim is a hold until
 * `availableAt`), so `stats` and `list` leave them out: an operator's backlog counts only what is still to be
 * delivered. `find(key)` still returns them; `prune` deletes them once their hold is over.
 *
 * **Retention.** Delivered rows are history; `prune` deletes them in small batches once they are older than
 * the host's retention (the worker runs it, `PAYMENT_OUTBOX_RETENTION_DAYS`). Dead rows are never pruned:
 * they wait for an operator.
 *
 * **Certifying an implementation.** `runRepositoryConformance` runs the outbox cases when the repositories
 * have an `outbox` and the raw read path has `outboxRow`. Implementations without an outbox still work: the
 * service then delivers notifications in-process after commit, as 0.1.0 did (lost if the process dies).
 * @module
 */
import type { InsertOutcome } from './ports.js';
import type { JsonValue } from './records.js';

/** Where an outbox row stands. Codes in SQL: 0 pending, 1 delivered, 2 dead. */
export type OutboxStatus = 'pending' | 'delivered' | 'dead';

/** A notification to write. */
export interface NewOutboxMessage {
  /** Unique key of the notification; consumers drop a key they already handled. At most 255 characters. */
  key: string;
  /** What it announces (`order.paid`, `order.refunded`, `payment.failed`, `payment.anomaly`, or a host's). */
  type: string;
  /** The notification (JSON). */
  payload: JsonValue;
  /** The order it concerns, for status queries. @default null */
  orderId?: string | null;
  /** Not delivered before this time. @default now */
  availableAt?: Date;
}

/** An outbox row. */
export interface OutboxRecord {
  /** Unique key. */
  key: string;
  /** What it announces. */
  type: string;
  /** The notification. */
  payload: JsonValue;
  /** The order it concerns. */
  orderId: string | null;
  /** Where it stands. */
  status: OutboxStatus;
  /** Claims so far (each claim is one delivery attempt, whether it finished or its claimer died). */
  attempts: number;
  /** When it is next due. */
  availableAt: Date;
  /** The claim holding it (`owner/…`), while one does or did; `null` before the first claim. */
  claimToken: string | null;
  /** When the current claim's lease ends; `null` when none was taken or the row was released. */
  leaseUntil: Date | null;
  /** Consumers that already took it. */
  deliveredTo: string[];
  /** The last failure, secret-free (`consumer: ErrorName CODE`). */
  lastError: string | null;
  /** When it was written. */
  createdAt: Date;
  /** When it was last changed. */
  updatedAt: Date;
  /** When it became `delivered`. */
  deliveredAt: Date | null;
}

/** Input of {@link OutboxRepository.claim}. */
export interface OutboxClaimInput {
  /** Who claims: a stable name of this dispatcher (host + pid + random), part of the claim token. */
  owner: string;
  /** At most this many rows. Positive integer ≤ 1000. */
  limit: number;
  /** Lease length in milliseconds: the row comes back to others this long after the claim. */
  leaseMs: number;
  /** Only rows of these types. @default every type */
  types?: readonly string[];
  /** Only these rows (the ones a request just wrote). @default any row */
  keys?: readonly string[];
}

/** Input of {@link OutboxRepository.release}. */
export interface OutboxReleaseInput {
  /** The row. */
  key: string;
  /** The claim token the row was claimed with. */
  claimToken: string;
  /** `pending` again (due at `availableAt`) or `dead`. */
  status: 'pending' | 'dead';
  /** When it is next due (for `pending`). */
  availableAt: Date;
  /** Consumers that have taken it so far. */
  deliveredTo: readonly string[];
  /** What went wrong, secret-free. */
  lastError: string | null;
}

/** Input of {@link OutboxRepository.prune}. */
export interface OutboxPruneInput {
  /** Delete `delivered` rows whose `deliveredAt` is before this. */
  deliveredBefore: Date;
  /** Delete free sweep claims (no live lease) whose hold (`availableAt`) ended before this. */
  sweepsBefore: Date;
  /** At most this many rows in this call (one short batch). Positive integer ≤ 1000. */
  limit: number;
}

/** Counts of notification rows per status (sweep claims left out), and when the oldest pending row became due. */
export interface OutboxStats {
  /** Rows waiting (including claimed ones). */
  pending: number;
  /** Rows every consumer took. */
  delivered: number;
  /** Rows that failed `maxAttempts` times. */
  dead: number;
  /** `availableAt` of the oldest pending row, or `null`: how far behind delivery is. */
  oldestPendingAt: Date | null;
}

/** The outbox: written in state-change transactions, drained by dispatchers. */
export interface OutboxRepository {
  /**
   * Writes a notification.
   * - Rule: one statement, joining the enclosing transaction: the row commits or rolls back with the change.
   * - Rule: under concurrent calls with the same `key`, exactly one gets `inserted`; the others get
   *   `duplicate`, the stored row is unchanged, and no enclosing transaction is aborted.
   * - Rule: an empty or longer than 255-character key or type is a `ValidationError`; nothing is written.
   */
  insert(message: NewOutboxMessage): Promise<InsertOutcome>;
  /**
   * Claims due rows for a lease and returns them (oldest `availableAt` first, ties by key), each with its
   * `attempts` already counting this claim and its new `claimToken`.
   * - Rule: only `pending` rows with `availableAt ≤ now` whose lease is absent or ended.
   * - Rule: under concurrent calls (any number of processes), no row is returned to two claims whose leases
   *   overlap; a row whose lease ended is claimable again (its claimer is presumed dead).
   * - Rule: outside a transaction it commits before it returns (other dispatchers see the lease at once);
   *   inside `transaction(fn)` it joins it.
   */
  claim(input: OutboxClaimInput): Promise<OutboxRecord[]>;
  /**
   * Marks the row `delivered` (with `deliveredTo`), clearing the lease.
   * - Rule: only while `claimToken` still holds it (status `pending`, same token); returns whether it did.
   */
  complete(input: { key: string; claimToken: string; deliveredTo: readonly string[] }): Promise<boolean>;
  /**
   * Gives the row back: `pending` due at `availableAt`, or `dead`; records `deliveredTo` and `lastError`,
   * clears the lease.
   * - Rule: only while `claimToken` still holds it; returns whether it did.
   */
  release(input: OutboxReleaseInput): Promise<boolean>;
  /** The row, or `null`. */
  find(key: string): Promise<OutboxRecord | null>;
  /**
   * Notification rows in `status` (all when omitted), oldest `createdAt` first, ties by key, at most `limit`.
   * - Rule: sweep claims (`payment.sweep`) are left out.
   */
  list(input: { status?: OutboxStatus; orderId?: string; limit: number }): Promise<OutboxRecord[]>;
  /**
   * Counts of notification rows per status.
   * - Rule: sweep claims (`payment.sweep`) are left out of every count and of `oldestPendingAt`.
   */
  stats(): Promise<OutboxStats>;
  /**
   * Deletes at most `limit` rows that are finished with, and returns how many it deleted. Call it again while
   * it returns `limit`; each call is short, so it never holds the table long.
   * - Rule: deletes only `delivered` rows with `deliveredAt < deliveredBefore`, and sweep claims
   *   (`payment.sweep`) that are `pending`, with no live lease and `availableAt < sweepsBefore`.
   * - Rule: never a pending notification, never a `dead` row, never a row a live claim holds.
   * - Rule: `limit` outside 1–1000 or an invalid date is a `ValidationError`; nothing is deleted.
   */
  prune(input: OutboxPruneInput): Promise<number>;
  /**
   * Puts a `dead` row back to `pending`, due now, with its attempts reset (an operator fixed the consumer).
   * Returns `false` when the row is not dead.
   */
  retry(key: string): Promise<boolean>;
}
