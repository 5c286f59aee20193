/**
 * In-memory implementation of the repository ports, for tests, demos and as the shortest complete example
 * of an adapter. It keeps every contract rule of `src/persistence/ports.ts`, with real transaction semantics:
 * a transaction works on a copy of the data that replaces the committed data only when `fn` resolves, and
 * transactions (and writes outside one) are serialised, so a throw leaves nothing behind and concurrent
 * journal inserts of one key yield exactly one `inserted`.
 *
 * It lives in one process: use it for tests, never for several app instances.
 * @module
 */
import type { OutboxRepository } from '../persistence/outbox-port.js';
import type {
  AttemptRepository,
  OrderRepository,
  PaymentEventRepository,
  PaymentRepositories,
  PaymentRepositoriesTx,
  RefundRepository,
} from '../persistence/ports.js';
import {
  assertAttemptStatus,
  assertEventOutcome,
  assertGuard,
  assertLimit,
  assertOrderStatus,
  assertRefundStatus,
  duplicateError,
  newEventRecord,
  newOrderRecord,
  newRefundRecord,
  orderNotFound,
  orderPatch,
  refundPatch,
} from '../persistence/record-validation.js';
import {
  attemptMatchesReference,
  attemptPatch,
  attemptStatusPatch,
  effectiveReference,
  newAttemptRecord,
} from '../persistence/attempt-validation.js';
import type { OutboxRecord } from '../persistence/outbox-port.js';
import { createInMemoryOutbox } from './in-memory-outbox.js';
import type {
  AttemptRecord,
  OrderRecord,
  PaymentEventRecord,
  RefundPatch,
  RefundRecord,
  RefundStatus,
} from '../persistence/records.js';

/** Options of {@link createInMemoryRepositories}. */
export interface InMemoryRepositoriesOptions {
  /** Clock for default timestamps. @default () => new Date() */
  now?: () => Date;
}

/** A copy of everything committed, for assertions and independent read paths. */
export interface InMemorySnapshot {
  /** Orders. */
  orders: OrderRecord[];
  /** Payment attempts. */
  attempts: AttemptRecord[];
  /** Webhook event journal. */
  events: PaymentEventRecord[];
  /** Refund ledger. */
  refunds: RefundRecord[];
  /** Notification outbox. */
  outbox: OutboxRecord[];
}

/** The in-memory repositories, plus a way to inspect what was committed. */
export interface InMemoryPaymentRepositories extends PaymentRepositories<null> {
  /** Notification outbox. */
  readonly outbox: OutboxRepository;
  /** Deep copy of the committed data (what a second process would see). */
  snapshot(): InMemorySnapshot;
}

interface State {
  orders: Map<string, OrderRecord>;
  attempts: Map<string, AttemptRecord>;
  events: Map<string, PaymentEventRecord>;
  refunds: Map<string, RefundRecord>;
  outbox: Map<string, OutboxRecord>;
}

interface Access {
  read<T>(fn: (state: State) => T): Promise<T>;
  write<T>(fn: (state: State) => T): Promise<T>;
  now(): Date;
}

/**
 * Creates empty in-memory repositories.
 *
 * @example
 * ```ts
 * const repositories = createInMemoryRepositories();
 * const service = createPaymentService({ factory, repositories });
 * ```
 */
export function createInMemoryRepositories(options: InMemoryRepositoriesOptions = {}): InMemoryPaymentRepositories {
  const now = options.now ?? (() => new Date());
  let committed: State = {
    orders: new Map(),
    attempts: new Map(),
    events: new Map(),
    refunds: new Map(),
    outbox: new Map(),
  };
  // One queue for transactions and standalone writes: the in-process equivalent of a database write lock.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T> | T): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const outside: Access = {
    read: async (fn) => structuredClone(fn(committed)),
    write: (fn) => exclusive(() => structuredClone(fn(committed))),
    now,
  };
  const base = bind(outside);

  const transaction = <T>(fn: (tx: PaymentRepositoriesTx<null>) => Promise<T>): Promise<T> =>
    exclusive(async () => {
      const draft = structuredClone(committed);
      const inside: Access = {
        read: async (f) => structuredClone(f(draft)),
        write: async (f) => structuredClone(f(draft)),
        now,
      };
      const tx: PaymentRepositoriesTx<null> = { ...bind(inside), handle: null, transaction: (inner) => inner(tx) };
      const result = await fn(tx);
      committed = draft;
      return result;
    });

  return {
    ...base,
    transaction,
    snapshot: () => {
      const copy = structuredClone(committed);
      return {
        orders: [...copy.orders.values()],
        attempts: [...copy.attempts.values()],
        events: [...copy.events.values()],
        refunds: [...copy.refunds.values()],
        outbox: [...copy.outbox.values()],
      };
    },
  };
}

const eventKey = (provider: string, eventId: string): string => `${provider}\u0000${eventId}`;

/** Latest first: greatest createdAt, then greatest id. */
function latestFirst<T extends { createdAt: Date }>(id: (r: T) => string): (a: T, b: T) => number {
  return (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (id(b) > id(a) ? 1 : id(b) < id(a) ? -1 : 0);
}
function oldestFirst<T extends { createdAt: Date }>(id: (r: T) => string): (a: T, b: T) => number {
  const latest = latestFirst(id);
  return (a, b) => latest(b, a);
}

const view = (a: AttemptRecord): AttemptRecord => ({ ...a, providerReference: effectiveReference(a) });

function bind(access: Access): Omit<PaymentRepositories<null>, 'transaction' | 'outbox'> & {
  outbox: OutboxRepository;
} {
  const orders: OrderRepository = {
    create: async (input) => {
      const record = newOrderRecord(input, access.now());
      return access.write((s) => {
        if (s.orders.has(record.orderId)) throw duplicateError('order', record.orderId);
        s.orders.set(record.orderId, record);
        return record;
      });
    },
    findById: (orderId) => access.read((s) => s.orders.get(orderId) ?? null),
    findOpenForUserProduct: (userId, productId) =>
      access.read(
        (s) =>
          [...s.orders.values()]
            .filter((o) => o.userId === userId && o.productId === productId && ['init', 'pending'].includes(o.status))
            .sort(latestFirst((o) => o.orderId))[0] ?? null,
      ),
    updateStatus: async ({ orderId, from, to, patch }) => {
      assertGuard(from, to, assertOrderStatus);
      const changes = orderPatch(patch);
      return access.write((s) => {
        const order = s.orders.get(orderId);
        if (!order || !from.includes(order.status)) return false;
        s.orders.set(orderId, { ...order, ...changes, status: to, updatedAt: access.now() });
        return true;
      });
    },
    update: async (orderId, patch) => {
      const changes = orderPatch(patch);
      return access.write((s) => {
        const order = s.orders.get(orderId);
        if (!order) return false;
        s.orders.set(orderId, { ...order, ...changes, updatedAt: access.now() });
        return true;
      });
    },
    listExpirable: async ({ createdBefore, limit }) => {
      assertLimit(limit);
      return access.read((s) =>
        [...s.orders.values()]
          .filter((o) => ['init', 'pending'].includes(o.status) && o.createdAt < createdBefore)
          .sort(oldestFirst((o) => o.orderId))
          .slice(0, limit),
      );
    },
  };

  const attempts: AttemptRepository = {
    create: async (input) => {
      const record = newAttemptRecord(input, access.now());
      return access.write((s) => {
        if (!s.orders.has(record.orderId)) throw orderNotFound(record.orderId);
        if (s.attempts.has(record.attemptId)) throw duplicateError('attempt', record.attemptId);
        s.attempts.set(record.attemptId, record);
        return view(record);
      });
    },
    findById: (attemptId) =>
      access.read((s) => {
        const a = s.attempts.get(attemptId);
        return a ? view(a) : null;
      }),
    findByProviderReference: (kind, reference) =>
      access.read((s) => {
        const match = [...s.attempts.values()]
          .filter((a) => a.providerKind === kind && attemptMatchesReference(a, reference))
          .sort(latestFirst((a) => a.attemptId))[0];
        return match ? view(match) : null;
      }),
    findLatestByOrder: (orderId) =>
      access.read((s) => {
        const match = [...s.attempts.values()]
          .filter((a) => a.orderId === orderId)
          .sort(latestFirst((a) => a.attemptId))[0];
        return match ? view(match) : null;
      }),
    listByOrder: (orderId, options) =>
      access.read((s) =>
        [...s.attempts.values()]
          .filter(
            (a) =>
              a.orderId === orderId && (options?.providerKind === undefined || a.providerKind === options.providerKind),
          )
          .sort(oldestFirst((a) => a.attemptId))
          .map(view),
      ),
    updateStatus: async ({ attemptId, from, to, patch }) => {
      assertGuard(from, to, assertAttemptStatus);
      return access.write((s) => {
        const attempt = s.attempts.get(attemptId);
        if (!attempt) return false;
        const changes = attemptStatusPatch(attempt.providerKind, to, patch, access.now());
        if (!from.includes(attempt.status)) return false;
        s.attempts.set(attemptId, { ...attempt, ...changes, status: to, updatedAt: access.now() });
        return true;
      });
    },
    update: async (attemptId, patch) =>
      access.write((s) => {
        const attempt = s.attempts.get(attemptId);
        if (!attempt) return false;
        const changes = attemptPatch(attempt.providerKind, patch);
        s.attempts.set(attemptId, { ...attempt, ...changes, updatedAt: access.now() });
        return true;
      }),
    listPending: async ({ createdBefore, limit }) => {
      assertLimit(limit);
      return access.read((s) =>
        [...s.attempts.values()]
          .filter((a) => a.status === 'pending' && a.createdAt < createdBefore)
          .sort(oldestFirst((a) => a.attemptId))
          .slice(0, limit)
          .map(view),
      );
    },
  };

  const events: PaymentEventRepository = {
    insert: async (input) => {
      const record = newEventRecord(input, access.now());
      return access.write((s) => {
        const key = eventKey(record.provider, record.eventId);
        const stored = s.events.get(key);
        if (stored) {
          const differs =
            stored.payloadHash !== null && record.payloadHash !== null && stored.payloadHash !== record.payloadHash;
          return differs ? ('conflict' as const) : ('duplicate' as const);
        }
        s.events.set(key, record);
        return 'inserted' as const;
      });
    },
    markProcessed: async (provider, eventId, outcome, detail) => {
      assertEventOutcome(outcome);
      return access.write((s) => {
        const key = eventKey(provider, eventId);
        const event = s.events.get(key);
        if (!event) return false;
        s.events.set(key, { ...event, outcome, detail: detail ?? null, processedAt: access.now() });
        return true;
      });
    },
    find: (provider, eventId) => access.read((s) => s.events.get(eventKey(provider, eventId)) ?? null),
    listByOrder: (orderId) =>
      access.read((s) =>
        [...s.events.values()]
          .filter((e) => e.orderId === orderId)
          .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.eventId < b.eventId ? -1 : 1)),
      ),
  };

  const providerRefundTaken = (s: State, provider: string, providerRefundId: string, except?: string): boolean =>
    [...s.refunds.values()].some(
      (r) => r.provider === provider && r.providerRefundId === providerRefundId && r.refundId !== except,
    );

  /**
   * `update` and `updateStatus` (with `guard`): a taken provider refund id is refused before the guard.
   * Async, so a bad patch rejects rather than throws.
   */
  const writeRefund = async (
    refundId: string,
    patch: RefundPatch | undefined,
    guard?: { from: readonly RefundStatus[]; to: RefundStatus },
  ): Promise<boolean> => {
    const changes = refundPatch(patch);
    return access.write((s) => {
      const refund = s.refunds.get(refundId);
      if (!refund) return false;
      if (changes.providerRefundId && providerRefundTaken(s, refund.provider, changes.providerRefundId, refundId)) {
        throw duplicateError('providerRefund', changes.providerRefundId);
      }
      if (guard && !guard.from.includes(refund.status)) return false;
      s.refunds.set(refundId, { ...refund, ...changes, ...(guard && { status: guard.to }), updatedAt: access.now() });
      return true;
    });
  };

  const refunds: RefundRepository = {
    create: async (input) => {
      const record = newRefundRecord(input, access.now());
      return access.write((s) => {
        if (!s.orders.has(record.orderId)) throw orderNotFound(record.orderId);
        if (s.refunds.has(record.refundId)) return 'duplicate' as const;
        if (record.providerRefundId !== null && providerRefundTaken(s, record.provider, record.providerRefundId)) {
          return 'duplicate' as const;
        }
        s.refunds.set(record.refundId, record);
        return 'inserted' as const;
      });
    },
    findById: (refundId) => access.read((s) => s.refunds.get(refundId) ?? null),
    findByProviderRefundId: (provider, providerRefundId) =>
      access.read(
        (s) =>
          [...s.refunds.values()].find((r) => r.provider === provider && r.providerRefundId === providerRefundId) ??
          null,
      ),
    listByOrder: (orderId) =>
      access.read((s) =>
        [...s.refunds.values()].filter((r) => r.orderId === orderId).sort(oldestFirst((r) => r.refundId)),
      ),
    updateStatus: async ({ refundId, from, to, patch }) => {
      assertGuard(from, to, assertRefundStatus);
      return writeRefund(refundId, patch, { from, to });
    },
    update: (refundId, patch) => writeRefund(refundId, patch),
    listPending: async ({ createdBefore, limit }) => {
      assertLimit(limit);
      return access.read((s) =>
        [...s.refunds.values()]
          .filter((r) => r.status === 'pending' && r.createdAt < createdBefore)
          .sort(oldestFirst((r) => r.refundId))
          .slice(0, limit),
      );
    },
  };

  const outbox = createInMemoryOutbox({
    read: (fn) => access.read((s) => fn(s.outbox)),
    write: (fn) => access.write((s) => fn(s.outbox)),
    now: () => access.now(),
  });
  return { orders, attempts, events, refunds, outbox };
}
