/**
 * The conformance kit itself: it passes a correct implementation and fails broken ones on the rule they
 * break — including a write that only the implementation's own read can see.
 */
import { describe, expect, it } from 'vitest';
import type { PaymentRepositories, PaymentRepositoriesTx } from '../../../src/persistence/ports.js';
import { createInMemoryRepositories } from '../../../src/testing/in-memory-repositories.js';
import { runRepositoryConformance, type ConformanceRunner } from '../../../src/testing/repository-conformance.js';
import { inMemoryRawReadPath } from './in-memory-raw-read-path.js';

type Break = (repositories: PaymentRepositories<unknown>) => PaymentRepositories<unknown>;

/** Runs the kit under a minimal runner of our own and returns the names of the failing cases. */
async function failingCases(breakIt: Break): Promise<{ failed: string[]; total: number }> {
  const cases: { name: string; fn: () => Promise<void> }[] = [];
  const hooks: { before: (() => Promise<void>)[]; after: (() => Promise<void>)[] } = { before: [], after: [] };
  const path: string[] = [];
  const runner: ConformanceRunner = {
    describe: (name, fn) => {
      path.push(name);
      fn();
      path.pop();
    },
    it: (name, fn) => cases.push({ name: [...path.slice(1), name].join(' > '), fn }),
    beforeAll: (fn) => hooks.before.push(fn),
    afterAll: (fn) => hooks.after.push(fn),
  };
  runRepositoryConformance({
    name: 'subject',
    runner,
    concurrency: 8,
    create: async () => {
      const repositories = createInMemoryRepositories();
      return { repositories: breakIt(repositories), raw: inMemoryRawReadPath(repositories) };
    },
  });
  for (const fn of hooks.before) await fn();
  const failed: string[] = [];
  for (const c of cases) await c.fn().catch(() => failed.push(c.name));
  for (const fn of hooks.after) await fn();
  return { failed, total: cases.length };
}

/** Applies `patch` to the repositories and to every transaction's repositories. */
function patched(patch: (r: PaymentRepositories<unknown>) => Partial<PaymentRepositories<unknown>>): Break {
  const wrap: Break = (repositories) => ({
    ...repositories,
    ...patch(repositories),
    transaction: (fn) =>
      repositories.transaction((tx) => fn({ ...(wrap(tx) as PaymentRepositoriesTx<unknown>), handle: tx.handle })),
  });
  return wrap;
}

describe('runRepositoryConformance', () => {
  it('passes a correct implementation', async () => {
    const { failed, total } = await failingCases((r) => r);
    expect(failed).toEqual([]);
    expect(total).toBeGreaterThan(40);
  });

  it('fails a journal that lets every replay through', async () => {
    const { failed } = await failingCases(
      patched((r) => ({
        events: {
          ...r.events,
          insert: async (event) => {
            await r.events.insert(event);
            return 'inserted';
          },
        },
      })),
    );
    expect(failed).toEqual(
      expect.arrayContaining([
        'event journal > journals an event once; a replay is a duplicate that changes nothing',
        "event journal > gives exactly one of 8 concurrent inserts of one event 'inserted'",
      ]),
    );
  });

  it('fails a journal that answers a redelivery with another payload hash as a plain duplicate', async () => {
    const { failed } = await failingCases(
      patched((r) => ({
        events: {
          ...r.events,
          insert: async (event) => {
            const outcome = await r.events.insert(event);
            return outcome === 'conflict' ? 'duplicate' : outcome;
          },
        },
      })),
    );
    expect(failed.filter((name) => name.startsWith('event journal >'))).toEqual([
      'event journal > tells a redelivery with another payload hash (conflict) from a duplicate, and keeps the stored row',
      "event journal > gives one of 8 concurrent transactions with two payload hashes 'inserted', the others duplicate or conflict, aborting none",
    ]);
  });

  it('fails a write that only its own read path can see', async () => {
    const { failed } = await failingCases((r) => {
      const cache = new Map<string, Awaited<ReturnType<typeof r.orders.create>>>();
      return {
        ...r,
        orders: {
          ...r.orders,
          create: async (input) => {
            const order = await r.orders.create(input);
            cache.set(order.orderId, { ...order, payableAmount: input.payableAmount });
            // The bug: the stored row drops the amount; the implementation's own read hides it.
            await r.orders.update(order.orderId, { payableAmount: 0 });
            return cache.get(order.orderId)!;
          },
          findById: async (id) => cache.get(id) ?? r.orders.findById(id),
        },
      };
    });
    expect(failed).toContain('orders > creates an order in init with its amounts in minor units');
  });

  it('fails a transaction that does not roll back', async () => {
    const { failed } = await failingCases((r) => {
      const tx: PaymentRepositoriesTx<unknown> = { ...r, handle: null, transaction: (fn) => fn(tx) };
      return { ...r, transaction: (fn) => fn(tx) };
    });
    expect(failed).toContain('transactions > persists nothing when the function throws, and rethrows the same error');
    expect(failed).toContain('transactions > joins a nested transaction to the outer one: both roll back together');
  });

  it('fails a transaction that never runs its function', async () => {
    const { failed } = await failingCases((r) => ({ ...r, transaction: async () => undefined as never }));
    expect(failed).toEqual(
      expect.arrayContaining([
        'transactions > commits everything when the function resolves, and returns its value',
        'transactions > lets reads inside a transaction see its own writes before commit',
      ]),
    );
  });

  it('fails a guarded update that ignores its guard', async () => {
    const { failed } = await failingCases(
      patched((r) => ({
        attempts: {
          ...r.attempts,
          updateStatus: async (input) => {
            const current = await r.attempts.findById(input.attemptId);
            if (!current) return false;
            return r.attempts.updateStatus({ ...input, from: [current.status] });
          },
        },
      })),
    );
    expect(failed).toContain('attempts > changes status only from an allowed status and stamps the matching time');
  });
});
