/**
 * The repository ports: the only way the payment service touches storage.
 *
 * **What an adapter is.** An object implementing {@link PaymentRepositories}: four small repositories
 * (orders, payment attempts, the webhook event journal, the refund ledger) plus `transaction(fn)`. The
 * service never issues SQL; it calls these methods, so a host can keep payments in any database it already
 * runs. Two implementations ship: `createKyselyRepositories` (`@org/payment-factory/kysely`, the reference,
 * on SQLite, PostgreSQL and MySQL/MariaDB, using the original system's tables) and
 * `createInMemoryRepositories` (`@org/payment-factory/testing`, for tests and demos).
 *
 * The *outbox* (`outbox-port.ts`) holds the notifications those changes announce, written in the same
 * transaction and delivered by a dispatcher afterwards.
 *
 * **The data model.** An *order* is what a user owes for a product; it moves `init → pending → paid →
 * refunded` or `init|pending → timeout`. Each call to a provider is an *attempt* (a Ping++ charge, a Stripe
 * PaymentIntent or Checkout Session) that belongs to one order; an order may have several. Every verified
 * provider event is written once to the *journal*, keyed by (provider, eventId), in the transaction of the changes
 * it causes (the service writes it last, with its outcome; a taken key rolls those changes back):
 * that key is what makes webhook processing exactly-once. *Refunds* form a ledger keyed by our refund id,
 * which is also the provider idempotency key. Money is integer minor units with a currency everywhere.
 *
 * **The rules.** Each method's documentation states its contract as rules. The ones that carry the money:
 * exactly one `inserted` per journal key under concurrency; guarded status updates that change a row only
 * from an allowed status and say whether they did; a throw inside `transaction` leaves nothing behind.
 * These must come from the database (unique constraints, row locks, conditional updates), never from
 * in-process locks: hosts run many app instances against one database.
 *
 * **Certifying an adapter.** Run `runRepositoryConformance` (`@org/payment-factory/testing`) in your test
 * runner with a factory that returns fresh repositories and an independent raw read path (plain SQL), so a
 * broken read cannot hide a broken write. See `docs/persistence.md` for a worked example.
 * @module
 */
import type {
  AttemptPatch,
  AttemptRecord,
  AttemptStatus,
  EventOutcome,
  NewAttempt,
  NewOrder,
  NewPaymentEvent,
  NewRefund,
  OrderPatch,
  OrderRecord,
  OrderStatus,
  PaymentEventRecord,
  RefundPatch,
  RefundRecord,
  RefundStatus,
} from './records.js';
import type { OutboxRepository } from './outbox-port.js';

/** Options of reads that may lock the row. */
export interface FindOptions {
  /**
   * Lock the row until the enclosing transaction ends (`SELECT … FOR UPDATE` where the database has row
   * locks; SQLite serialises writing transactions instead). Outside a transaction it has no effect.
   * @default false
   */
  forUpdate?: boolean;
  /**
   * Attempts only: the provider kind the caller expects the attempt to be of (a webhook's provider tells
   * it). An implementation with a table per kind looks there first; an attempt of another kind is still
   * found. A hint, never a filter. @default none: every kind's table, in a fixed order
   */
  providerKind?: string;
}

/** Outcome of an idempotent insert: `duplicate` when the key was already taken. */
export type InsertOutcome = 'inserted' | 'duplicate';

/**
 * Outcome of journalling an event: `conflict` when the (provider, eventId) key was already taken by a row
 * whose payload hash differs from the one given (both set); `duplicate` when it was taken otherwise.
 */
export type JournalOutcome = InsertOutcome | 'conflict';

/** Orders. */
export interface OrderRepository {
  /**
   * Creates an order.
   * - Rule: a second order with the same `orderId` is refused with `ValidationError` code `DUPLICATE_ORDER`;
   *   the existing row is unchanged.
   * - Rule: a negative or non-integer amount, an unknown currency or status is a `ValidationError`; nothing
   *   is written.
   */
  create(input: NewOrder): Promise<OrderRecord>;
  /** The order, or `null`. With `forUpdate` inside a transaction, the row stays locked until it ends. */
  findById(orderId: string, options?: FindOptions): Promise<OrderRecord | null>;
  /**
   * The user's latest order for the product whose status is `init` or `pending`, or `null`. Latest means
   * greatest `createdAt`, ties broken by the greater `orderId`.
   */
  findOpenForUserProduct(userId: string, productId: string): Promise<OrderRecord | null>;
  /**
   * Guarded status change.
   * - Rule: changes the row (status, `patch`, `updatedAt`) only if its current status is one of `from`,
   *   atomically with that check; returns whether it did. Under concurrent calls with the same guard,
   *   exactly one returns `true`.
   * - Rule: an unknown order returns `false`.
   */
  updateStatus(input: {
    orderId: string;
    from: readonly OrderStatus[];
    to: OrderStatus;
    patch?: OrderPatch;
  }): Promise<boolean>;
  /** Changes fields regardless of status. Returns `false` for an unknown order. */
  update(orderId: string, patch: OrderPatch): Promise<boolean>;
  /** Orders in `init` or `pending` created strictly before `createdBefore`, oldest first, at most `limit`. */
  listExpirable(input: { createdBefore: Date; limit: number }): Promise<OrderRecord[]>;
}

/** Payment attempts, across every provider kind's table. */
export interface AttemptRepository {
  /**
   * Records an attempt, normally before the provider is called.
   * - Rule: the order must exist, else `NotFoundError`.
   * - Rule: a second attempt with the same `attemptId` (in any kind's table) is refused with
   *   `ValidationError` code `DUPLICATE_ATTEMPT`.
   * - Rule: bad amounts, currencies, statuses, and kind-specific fields for another kind are
   *   `ValidationError`s; nothing is written.
   */
  create(input: NewAttempt): Promise<AttemptRecord>;
  /** The attempt from whichever kind's table holds it, or `null`. `forUpdate` as in {@link FindOptions}. */
  findById(attemptId: string, options?: FindOptions): Promise<AttemptRecord | null>;
  /**
   * The attempt of that provider kind whose provider reference, Ping++ charge id, Stripe PaymentIntent id,
   * Checkout Session id or latest Stripe charge id equals `reference`, or `null`. When several match, the latest (as in
   * `findLatestByOrder`).
   */
  findByProviderReference(
    providerKind: string,
    reference: string,
    options?: FindOptions,
  ): Promise<AttemptRecord | null>;
  /** The order's latest attempt (greatest `createdAt`, ties broken by the greater `attemptId`), or `null`. */
  findLatestByOrder(orderId: string): Promise<AttemptRecord | null>;
  /**
   * All the order's attempts, oldest first; with `providerKind`, only the attempts of that kind (an
   * implementation with a table per kind then reads one table).
   */
  listByOrder(orderId: string, options?: { providerKind?: string }): Promise<AttemptRecord[]>;
  /**
   * Guarded status change.
   * - Rule: changes the row only if its current status is one of `from`, atomically; returns whether it
   *   did. Under concurrent calls with the same guard, exactly one returns `true`.
   * - Rule: moving to `paid`, `refunded`, `closed` or `failed` sets `paidAt`, `refundedAt`, `closedAt` or
   *   `failedAt` to now unless `patch` sets it.
   * - Rule: an unknown attempt returns `false`.
   */
  updateStatus(input: {
    attemptId: string;
    from: readonly AttemptStatus[];
    to: AttemptStatus;
    patch?: AttemptPatch;
  }): Promise<boolean>;
  /**
   * Changes fields regardless of status. Returns `false` for an unknown attempt. `providerKind` is a hint, as
   * in {@link FindOptions.providerKind}; given with the attempt's `channel` (the caller created the attempt, so
   * it knows both), an implementation with a table per kind may write that kind's table straight away, without
   * reading the row first, and look elsewhere only when no row there was changed.
   */
  update(
    attemptId: string,
    patch: AttemptPatch,
    options?: { providerKind?: string; channel?: string },
  ): Promise<boolean>;
  /** Attempts in `pending` created strictly before `createdBefore`, oldest first, at most `limit` (for reconcile). */
  listPending(input: { createdBefore: Date; limit: number }): Promise<AttemptRecord[]>;
}

/** The webhook event journal: the exactly-once gate. */
export interface PaymentEventRepository {
  /**
   * Journals an event.
   * - Rule: under concurrent calls for the same (provider, eventId), exactly one caller gets `inserted`;
   *   every other gets `duplicate` (or `conflict`) and the stored row is unchanged.
   * - Rule: `conflict` instead of `duplicate` exactly when the given `payloadHash` and the stored row's are
   *   both non-null and differ. Answer it from the insert itself (the stored hash compared in the same
   *   statement, or returned by it): the duplicate path must not cost another round trip.
   * - Rule: a duplicate or conflict never aborts the enclosing transaction (it is not an error at the
   *   database level).
   */
  insert(event: NewPaymentEvent): Promise<JournalOutcome>;
  /** Sets the outcome, detail and `processedAt` (now). Returns `false` when no such event is journalled. */
  markProcessed(provider: string, eventId: string, outcome: EventOutcome, detail?: string | null): Promise<boolean>;
  /** The journalled event, or `null`. */
  find(provider: string, eventId: string): Promise<PaymentEventRecord | null>;
  /** Events journalled against the order, oldest first. */
  listByOrder(orderId: string): Promise<PaymentEventRecord[]>;
}

/** The refund ledger. */
export interface RefundRepository {
  /**
   * Records a refund.
   * - Rule: idempotent by `refundId`, and by (provider, `providerRefundId`) when given: if either is already
   *   recorded, returns `duplicate` and changes nothing. Under concurrent calls, exactly one `inserted`.
   * - Rule: the order must exist, else `NotFoundError`; amount must be a positive integer, else
   *   `ValidationError`.
   */
  create(input: NewRefund): Promise<InsertOutcome>;
  /** The refund, or `null`. */
  findById(refundId: string): Promise<RefundRecord | null>;
  /** The refund with that provider refund id at that provider instance, or `null`. */
  findByProviderRefundId(provider: string, providerRefundId: string): Promise<RefundRecord | null>;
  /** The order's refunds, oldest first. */
  listByOrder(orderId: string): Promise<RefundRecord[]>;
  /** Guarded status change; same rules as `OrderRepository.updateStatus`. */
  updateStatus(input: {
    refundId: string;
    from: readonly RefundStatus[];
    to: RefundStatus;
    patch?: RefundPatch;
  }): Promise<boolean>;
  /**
   * Changes fields regardless of status. Returns `false` for an unknown refund. Setting a
   * `providerRefundId` another refund of the same provider holds is a `ValidationError` code
   * `DUPLICATE_PROVIDER_REFUND`.
   */
  update(refundId: string, patch: RefundPatch): Promise<boolean>;
  /**
   * Refunds in `pending` created strictly before `createdBefore`, oldest first, at most `limit` (for reconcile,
   * which asks the provider about them when their notification was lost).
   * - Rule: a limit that is not a non-negative whole number is a `ValidationError`.
   * Optional so 0.1.0 implementations keep working: without it, `reconcile` settles pending refunds only of the
   * attempts it checks anyway, and `syncPayment` still settles an order's pending refunds.
   * @default undefined
   */
  listPending?(input: { createdBefore: Date; limit: number }): Promise<RefundRecord[]>;
}

/**
 * Everything the service needs from storage.
 *
 * @typeParam THandle - what `tx.handle` is: the Kysely `Transaction` for the Kysely implementation.
 */
export interface PaymentRepositories<THandle = unknown> {
  /** Orders. */
  readonly orders: OrderRepository;
  /** Payment attempts. */
  readonly attempts: AttemptRepository;
  /** Webhook event journal. */
  readonly events: PaymentEventRepository;
  /** Refund ledger. */
  readonly refunds: RefundRepository;
  /**
   * The notification outbox (see `outbox-port.ts`). Optional so 0.1.0 implementations keep working: without
   * it the service delivers notifications in-process after commit, and a crash in between loses them.
   * @default undefined
   */
  readonly outbox?: OutboxRepository;
  /**
   * Runs `fn` in one database transaction and returns its result.
   * - Rule: if `fn` throws (or rejects), nothing it wrote through `tx` is persisted, and the error is
   *   rethrown unchanged.
   * - Rule: `tx.transaction(inner)` joins the outer transaction: `inner`'s writes commit or roll back with it.
   * - Rule: writes made through `tx` are visible to reads through `tx` before commit.
   */
  transaction<T>(fn: (tx: PaymentRepositoriesTx<THandle>) => Promise<T>): Promise<T>;
}

/**
 * The repositories bound to one open transaction.
 *
 * @example
 * ```ts
 * await repositories.transaction(async (tx) => {
 *   if (await tx.orders.updateStatus({ orderId, from: ['pending'], to: 'paid', patch: { paidAmount } })) {
 *     await tx.handle.insertInto('memberships').values({ userId }).execute(); // same commit
 *   }
 * });
 * ```
 */
export interface PaymentRepositoriesTx<THandle = unknown> extends PaymentRepositories<THandle> {
  /** The implementation's transaction object, so host hooks can write their own tables in the same commit. */
  readonly handle: THandle;
}
