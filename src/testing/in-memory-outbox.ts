/**
 * The outbox of the in-memory repositories: a map of rows behind the same serialised access as the rest
 * of the in-memory state, so a claim is atomic and a row written in a rolled-back transaction never shows.
 * @module
 */
import type { OutboxRecord, OutboxRepository, OutboxStats } from '../persistence/outbox-port.js';
import {
  assertClaimInput,
  assertPruneInput,
  OUTBOX_SWEEP_TYPE,
  consumerList,
  newClaimToken,
  newOutboxRecord,
  releaseInput,
} from '../persistence/outbox-validation.js';
import { assertId, assertLimit } from '../persistence/record-validation.js';

/** How the outbox reaches the state: `read` and `write` run their function atomically. */
export interface OutboxAccess {
  read<T>(fn: (rows: Map<string, OutboxRecord>) => T): Promise<T>;
  write<T>(fn: (rows: Map<string, OutboxRecord>) => T): Promise<T>;
  now(): Date;
}

const byDue = (a: OutboxRecord, b: OutboxRecord): number =>
  a.availableAt.getTime() - b.availableAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const byCreated = (a: OutboxRecord, b: OutboxRecord): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const held = (row: OutboxRecord | undefined, token: string): row is OutboxRecord =>
  row !== undefined && row.status === 'pending' && row.claimToken === token && row.leaseUntil !== null;

/** Creates the in-memory outbox over `access`. */
export function createInMemoryOutbox(access: OutboxAccess): OutboxRepository {
  return {
    insert: async (input) => {
      const record = newOutboxRecord(input, access.now());
      return access.write((rows) => {
        if (rows.has(record.key)) return 'duplicate' as const;
        rows.set(record.key, record);
        return 'inserted' as const;
      });
    },
    claim: async (input) => {
      assertClaimInput(input);
      const token = newClaimToken(input.owner);
      return access.write((rows) => {
        const now = access.now();
        const due = [...rows.values()]
          .filter(
            (r) =>
              r.status === 'pending' &&
              r.availableAt <= now &&
              (r.leaseUntil === null || r.leaseUntil <= now) &&
              (input.types === undefined || input.types.includes(r.type)) &&
              (input.keys === undefined || input.keys.includes(r.key)),
          )
          .sort(byDue)
          .slice(0, input.limit);
        return due.map((r) => {
          const claimed: OutboxRecord = {
            ...r,
            claimToken: token,
            leaseUntil: new Date(now.getTime() + input.leaseMs),
            attempts: r.attempts + 1,
            updatedAt: now,
          };
          rows.set(r.key, claimed);
          return claimed;
        });
      });
    },
    complete: async ({ key, claimToken, deliveredTo }) => {
      assertId(key, 'key');
      assertId(claimToken, 'claimToken');
      const names = consumerList(deliveredTo);
      return access.write((rows) => {
        const row = rows.get(key);
        if (!held(row, claimToken)) return false;
        const now = access.now();
        rows.set(key, {
          ...row,
          status: 'delivered',
          deliveredTo: names,
          deliveredAt: now,
          leaseUntil: null,
          updatedAt: now,
        });
        return true;
      });
    },
    release: async (raw) => {
      const input = releaseInput(raw);
      return access.write((rows) => {
        const row = rows.get(input.key);
        if (!held(row, input.claimToken)) return false;
        rows.set(input.key, {
          ...row,
          status: input.status,
          availableAt: input.availableAt,
          deliveredTo: [...input.deliveredTo],
          lastError: input.lastError,
          leaseUntil: null,
          updatedAt: access.now(),
        });
        return true;
      });
    },
    find: (key) => access.read((rows) => rows.get(key) ?? null),
    list: async ({ status, orderId, limit }) => {
      assertLimit(limit);
      return access.read((rows) =>
        [...rows.values()]
          .filter(
            (r) =>
              r.type !== OUTBOX_SWEEP_TYPE &&
              (status === undefined || r.status === status) &&
              (orderId === undefined || r.orderId === orderId),
          )
          .sort(byCreated)
          .slice(0, limit),
      );
    },
    stats: () =>
      access.read((rows) => {
        const stats: OutboxStats = { pending: 0, delivered: 0, dead: 0, oldestPendingAt: null };
        for (const r of rows.values()) {
          if (r.type === OUTBOX_SWEEP_TYPE) continue;
          stats[r.status] += 1;
          if (r.status === 'pending' && (stats.oldestPendingAt === null || r.availableAt < stats.oldestPendingAt)) {
            stats.oldestPendingAt = r.availableAt;
          }
        }
        return stats;
      }),
    prune: async (input) => {
      assertPruneInput(input);
      return access.write((rows) => {
        const now = access.now();
        const finished = [...rows.values()].filter(
          (r) =>
            (r.status === 'delivered' && r.deliveredAt !== null && r.deliveredAt < input.deliveredBefore) ||
            (r.type === OUTBOX_SWEEP_TYPE &&
              r.status === 'pending' &&
              (r.leaseUntil === null || r.leaseUntil <= now) &&
              r.availableAt < input.sweepsBefore),
        );
        for (const r of finished.slice(0, input.limit)) rows.delete(r.key);
        return Math.min(finished.length, input.limit);
      });
    },
    retry: async (key) => {
      assertId(key, 'key');
      return access.write((rows) => {
        const row = rows.get(key);
        if (row?.status !== 'dead') return false;
        const now = access.now();
        rows.set(key, { ...row, status: 'pending', attempts: 0, availableAt: now, leaseUntil: null, updatedAt: now });
        return true;
      });
    },
  };
}
