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

/** Counts of rows per status, and when the oldest pending row became due. */
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
  /** Rows in `status` (all when omitted), oldest `createdAt` first, ties by key, at most `limit`. */
  list(input: { status?: OutboxStatus; orderId?: string; limit: number }): Promise<OutboxRecord[]>;
  /** Counts per status. */
  stats(): Promise<OutboxStats>;
  /**
   * Puts a `dead` row back to `pending`, due now, with its attempts reset (an operator fixed the consumer).
   * Returns `false` when the row is not dead.
   */
  retry(key: string): Promise<boolean>;
}
