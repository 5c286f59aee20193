/**
 * `runRepositoryConformance`: the published suite that certifies an implementation of the repository
 * ports, ours or a host's. It checks every contract rule of `src/persistence/ports.ts`, including the
 * concurrency rules (N parallel journal inserts of one key → exactly one `inserted`; N parallel guarded
 * updates → exactly one winner; N parallel outbox claims → no row handed out twice) and rollback rules, and verifies every write through an *independent raw
 * read path* you supply, so a broken read cannot hide a broken write.
 *
 * Test-runner agnostic: pass your runner's `describe`/`it` (and `beforeAll`/`afterAll` if it has them);
 * assertions use `node:assert/strict`.
 * @module
 */
import type { PaymentRepositories } from '../persistence/ports.js';
import type { AttemptStatus, MerchantAccountSnapshot, OrderStatus, RefundStatus } from '../persistence/records.js';
import { attemptCases } from './repository-conformance-attempts.js';
import { eventCases } from './repository-conformance-events.js';
import { merchantAccountCases } from './repository-conformance-merchant.js';
import { orderCases } from './repository-conformance-orders.js';
import { outboxCases } from './repository-conformance-outbox.js';
import { refundCases } from './repository-conformance-refunds.js';
import { transactionCases } from './repository-conformance-transactions.js';

/** The test-runner functions the suite needs (vitest, jest and `node:test` all fit). */
export interface ConformanceRunner {
  /** Declares a group of tests (vitest / jest / node:test `describe`). */
  describe(name: string, fn: () => void): unknown;
  /** Declares one test. */
  it(name: string, fn: () => Promise<void>): unknown;
  /** Runs once before the suite's tests. Without it, the subject is created by the first test. */
  beforeAll?(fn: () => Promise<void>): unknown;
  /** Runs once after the suite's tests; used for `cleanup`. */
  afterAll?(fn: () => Promise<void>): unknown;
}

/** An order as stored, read without the implementation under test. Amounts in minor units. */
export interface RawOrder {
  /** Our order id. */
  orderId: string;
  /** The paying user. */
  userId: string;
  /** The product bought. */
  productId: string;
  /** List price before discounts. */
  listAmount: number;
  /** Amount due after discounts (what a charge collects). */
  payableAmount: number;
  /** Amount captured. */
  paidAmount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: OrderStatus;
}

/** An attempt as stored. */
export interface RawAttempt {
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string;
  /** Our order id. */
  orderId: string;
  /** The order's buyer and product, as stored on the attempt. */
  userId: string | null;
  /** The product bought. */
  productId: string | null;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: AttemptStatus;
  /** The stored reference (charge / PaymentIntent / Checkout Session id), or null. */
  providerReference: string | null;
  /** The stored `raw` column text, exactly as in storage (the suite checks it is JSON). */
  rawJson: string | null;
  /** When it was paid. */
  paidAt: Date | null;
}

/** A journalled event as stored. */
export interface RawEvent {
  /** Provider instance name (registry key). */
  provider: string;
  /** The provider's event id (unique per provider). */
  eventId: string;
  /** Event type. */
  type: string;
  /** How the event was handled (`applied`, `duplicate`, `ignored`, `rejected`). */
  outcome: string | null;
  /** Our order id. */
  orderId: string | null;
  /** The stored payload text (the suite checks it is JSON). */
  payloadJson: string | null;
  /**
   * The stored payload hash, as written. Optional so read paths written before it keep compiling; when
   * given, the suite checks a conflicting redelivery left it unchanged.
   */
  payloadHash?: string | null;
}

/** A refund as stored. */
export interface RawRefund {
  /** Our refund id. */
  refundId: string;
  /** The provider's refund id. */
  providerRefundId: string | null;
  /** Our order id. */
  orderId: string;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: RefundStatus;
}

/** An outbox row as stored. */
export interface RawOutboxRow {
  /** Unique key. */
  key: string;
  /** What it announces. */
  type: string;
  /** Our order id, or null. */
  orderId: string | null;
  /** `pending`, `delivered` or `dead`. */
  status: string;
  /** Claims so far. */
  attempts: number;
  /** When it is next due. */
  availableAt: Date | null;
  /** The claim token stored on the row, or null. */
  claimToken: string | null;
  /** Consumers that took it, as stored (sorted). */
  deliveredTo: string[];
  /** The stored payload text (the suite checks it is JSON). */
  payloadJson: string | null;
}

/**
 * A read path independent of the implementation under test: typically plain SQL with its own mapping of
 * status codes and DECIMAL prices. Each method returns `null` when nothing is stored.
 */
export interface RawReadPath {
  /** Reads an order row directly. */
  order(orderId: string): Promise<RawOrder | null>;
  /** Reads an attempt row directly. */
  attempt(attemptId: string): Promise<RawAttempt | null>;
  /** Reads a journal row directly. */
  event(provider: string, eventId: string): Promise<RawEvent | null>;
  /** How many journal rows exist for the key (must never exceed 1). */
  eventCount(provider: string, eventId: string): Promise<number>;
  /** Reads a refund row directly. */
  refund(refundId: string): Promise<RawRefund | null>;
  /** Reads an outbox row directly (needed by the outbox cases). */
  outboxRow?(key: string): Promise<RawOutboxRow | null>;
  /** How many outbox rows exist for the key (must never exceed 1). */
  outboxCount?(key: string): Promise<number>;
  /**
   * The order's merchant account snapshot as stored (`creator_bid`, `payment_integration_bid`; empty reads as
   * `null`). Optional so read paths written before it keep compiling; when given, the suite checks every
   * snapshot write through it.
   */
  orderMerchantAccount?(orderId: string): Promise<MerchantAccountSnapshot | null>;
  /** The attempt's merchant account snapshot as stored, `null` when none is recorded. Optional, as above. */
  attemptMerchantAccount?(attemptId: string): Promise<MerchantAccountSnapshot | null>;
}

/** What `create` returns: the implementation under test and its raw read path. */
export interface ConformanceSubject {
  /** The repositories. */
  repositories: PaymentRepositories<unknown>;
  /** The provider object, as received. */
  raw: RawReadPath;
  /** Releases the database (drop the schema, close the pool). */
  cleanup?(): Promise<void>;
}

/** Options of {@link runRepositoryConformance}. */
export interface RepositoryConformanceOptions {
  /** Suite name, e.g. `'kysely/postgres'`. */
  name: string;
  /**
   * Creates the subject, once per suite, on an empty, migrated database. Tests use unique ids, so they
   * share it.
   */
  create: () => Promise<ConformanceSubject>;
  /** The test runner the suite registers its tests with. */
  runner: ConformanceRunner;
  /** Parallel callers in the concurrency cases. Use a pool at least this large. @default 20 */
  concurrency?: number;
  /**
   * Run the outbox cases (`repositories.outbox` and `raw.outboxRow` are then required). Pass `false` for an
   * implementation without an outbox: the service then notifies in-process after commit.
   * @default true
   */
  outbox?: boolean;
}

/** What each case file receives. */
export interface ConformanceContext {
  /** Declares one test. */
  it: ConformanceRunner['it'];
  /** Builds a fresh subject (repositories plus their raw read path) for one test. */
  subject(): Promise<ConformanceSubject>;
  /** A fresh id, unique in this run. */
  id(prefix: string): string;
  /** A unique, fixed creation time (ms apart) for ordering cases, far in the past of other cases. */
  epoch(): Date;
  /** How many concurrent calls the race rules use. */
  concurrency: number;
}

/**
 * Registers the conformance suite with your test runner.
 *
 * @example
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest';
 * import { runRepositoryConformance } from '@org/payment-factory/testing';
 *
 * runRepositoryConformance({
 *   name: 'my-adapter',
 *   runner: { describe, it, beforeAll, afterAll },
 *   create: async () => {
 *     const db = await openFreshDatabase();
 *     return { repositories: createMyRepositories(db), raw: createMyRawReads(db), cleanup: () => db.close() };
 *   },
 * });
 * ```
 */
export function runRepositoryConformance(options: RepositoryConformanceOptions): void {
  const { runner } = options;
  let subject: Promise<ConformanceSubject> | undefined;
  const getSubject = (): Promise<ConformanceSubject> => (subject ??= options.create());
  const run = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  let epochs = 0;
  const ctx: ConformanceContext = {
    it: runner.it.bind(runner),
    subject: getSubject,
    id: (prefix) => `${prefix}-${run}-${++counter}`,
    // Each case that lists by time gets its own day in 2001, before any "now" row of other cases.
    epoch: () => new Date(Date.UTC(2001, 0, 1) + ++epochs * 86_400_000),
    concurrency: options.concurrency ?? 20,
  };

  runner.describe(`repository conformance: ${options.name}`, () => {
    runner.beforeAll?.(async () => {
      await getSubject();
    });
    runner.afterAll?.(async () => {
      if (subject) await (await subject).cleanup?.();
    });
    runner.describe('orders', () => orderCases(ctx));
    runner.describe('attempts', () => attemptCases(ctx));
    runner.describe('event journal', () => eventCases(ctx));
    runner.describe('refunds', () => refundCases(ctx));
    runner.describe('transactions', () => transactionCases(ctx));
    runner.describe('merchant account snapshot', () => merchantAccountCases(ctx));
    if (options.outbox !== false) runner.describe('outbox', () => outboxCases(ctx));
  });
}
