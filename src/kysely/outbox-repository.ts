/**
 * `OutboxRepository` on `order_payment_outbox`.
 *
 * How `claim` keeps a row with one live claim, per dialect (the rule in `outbox-port.ts`):
 * - PostgreSQL, MySQL 8, MariaDB ≥ 10.6: `SELECT … FOR UPDATE SKIP LOCKED` picks due rows no concurrent
 *   claim is looking at, then one `UPDATE` sets the lease. Dispatchers never wait on each other.
 * - SQLite: the claim's transaction is `BEGIN IMMEDIATE`, so claims are serialised by the write lock.
 * - Older MySQL / MariaDB (no `SKIP LOCKED`): a plain `SELECT`, then the `UPDATE` repeats the lease
 *   condition, which InnoDB re-evaluates on the latest committed row: a row another claim took in between
 *   is not updated, and not returned.
 * Every path ends the same way: the rows returned are exactly those now carrying this claim's token.
 * @module
 */
import type { Kysely } from 'kysely';
import { sql } from './kysely-module.js';
import type { OutboxRecord, OutboxRepository, OutboxStatus } from '../persistence/outbox-port.js';
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
import { insertUnlessDuplicate } from './insert-unless-duplicate.js';
import { oneStatusAtATime } from './one-status-at-a-time.js';
import type { RepositoryContext } from './repository-context.js';
import type { UntypedDatabase } from './schema.js';
import { dateParam, jsonParam, readDate, readInteger, readJson, readRequiredDate, readString } from './sql-dialect.js';
import { OUTBOX_STATUS_CODES, outboxStatusFromCode } from './status-codes.js';

const PENDING = OUTBOX_STATUS_CODES.pending;
const DELIVERED = OUTBOX_STATUS_CODES.delivered;

/** Maps an `order_payment_outbox` row to a record. */
export function outboxFromRow(row: Record<string, unknown>): OutboxRecord {
  const delivered = readJson(row['delivered_to']);
  return {
    key: String(row['message_key']),
    type: String(row['type']),
    payload: readJson(row['payload']),
    orderId: readString(row['order_bid']),
    status: outboxStatusFromCode(row['status']),
    attempts: readInteger(row['attempts']),
    availableAt: readRequiredDate(row['available_at']),
    claimToken: readString(row['claimed_by']),
    leaseUntil: readDate(row['lease_until']),
    deliveredTo: Array.isArray(delivered) ? delivered.map(String) : [],
    lastError: readString(row['last_error']),
    createdAt: readRequiredDate(row['created_at']),
    updatedAt: readRequiredDate(row['updated_at']),
    deliveredAt: readDate(row['delivered_at']),
  };
}

// Whether the server has SKIP LOCKED, asked once per Kysely adapter (transactions share their database's).
const skipLockedByAdapter = new WeakMap<object, Promise<boolean>>();

/**
 * Whether the database behind `db` supports `FOR UPDATE SKIP LOCKED`: PostgreSQL (9.5+) always; MySQL from
 * 8.0.1; MariaDB from 10.6; SQLite never (it has no row locks).
 */
export function supportsSkipLocked(
  db: Kysely<UntypedDatabase>,
  dialect: RepositoryContext['dialect'],
): Promise<boolean> {
  if (dialect !== 'mysql') return Promise.resolve(dialect === 'postgres');
  const adapter = db.getExecutor().adapter;
  let known = skipLockedByAdapter.get(adapter);
  if (!known) {
    known = sql<{ v: string }>`select version() as v`
      .execute(db)
      .then(({ rows }) => mysqlHasSkipLocked(String(rows[0]?.v ?? '')));
    // A failed probe (connection lost) is asked again next time rather than remembered.
    known.catch(() => skipLockedByAdapter.delete(adapter));
    skipLockedByAdapter.set(adapter, known);
  }
  return known;
}

/**
 * `8.0.36` → true, `5.7.44` → false, `10.11.6-MariaDB` → true, `10.5.2-MariaDB` → false. MariaDB's
 * protocol-compatibility prefix (`5.5.5-10.11.6-MariaDB`) is skipped.
 */
export function mysqlHasSkipLocked(version: string): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version.replace(/^5\.5\.5-(?=\d+\.\d+\.\d+-MariaDB)/i, ''));
  if (!match) return false;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 1));
}

/** Creates the outbox repository for one context. */
export function createOutboxRepository(
  ctx: RepositoryContext,
  options: { skipLocked?: boolean } = {},
): OutboxRepository {
  const table = ctx.tables.outbox;
  const at = (date: Date): Date | string => dateParam(ctx.dialect, date);

  return {
    insert: async (input) => {
      const record = newOutboxRecord(input, ctx.now());
      const inserted = await insertUnlessDuplicate(ctx, table, {
        message_key: record.key,
        type: record.type,
        order_bid: record.orderId,
        payload: jsonParam(record.payload),
        status: PENDING,
        attempts: 0,
        available_at: at(record.availableAt),
        created_at: at(record.createdAt),
        updated_at: at(record.updatedAt),
      });
      return inserted ? 'inserted' : 'duplicate';
    },

    claim: async (input) => {
      assertClaimInput(input);
      const token = newClaimToken(input.owner);
      return ctx.atomically(async (c) => {
        const now = c.now();
        const skipLocked = options.skipLocked ?? (await supportsSkipLocked(c.handle, c.dialect));
        let pick = c.db
          .selectFrom(table)
          .select('message_key')
          .where('status', '=', PENDING)
          .where('available_at', '<=', at(now))
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at(now))]))
          .orderBy('available_at', 'asc')
          .orderBy('message_key', 'asc')
          .limit(input.limit);
        if (input.types !== undefined) {
          if (input.types.length === 0) return [];
          pick = pick.where('type', 'in', [...input.types]);
        }
        if (input.keys !== undefined) {
          if (input.keys.length === 0) return [];
          pick = pick.where('message_key', 'in', [...input.keys]);
        }
        if (skipLocked && c.dialect !== 'sqlite') pick = pick.forUpdate().skipLocked();
        const keys = (await pick.execute()).map((row) => String(row['message_key']));
        if (keys.length === 0) return [];
        await c.db
          .updateTable(table)
          .set((eb) => ({
            claimed_by: token,
            lease_until: at(new Date(now.getTime() + input.leaseMs)),
            attempts: eb(eb.ref('attempts'), '+', 1),
            updated_at: at(now),
          }))
          .where('message_key', 'in', keys)
          .where('status', '=', PENDING)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at(now))]))
          .execute();
        // By key (the unique index), not by token alone: `claimed_by` has no index, and a scan grows with history.
        // At most `limit` rows, put in claim order here.
        const rows = await c.db
          .selectFrom(table)
          .selectAll()
          .where('message_key', 'in', keys)
          .where('claimed_by', '=', token)
          .execute();
        return rows
          .map(outboxFromRow)
          .sort(
            (a, b) => a.availableAt.getTime() - b.availableAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
          );
      });
    },

    complete: async ({ key, claimToken, deliveredTo }) => {
      assertId(key, 'key');
      assertId(claimToken, 'claimToken');
      const now = ctx.now();
      const result = await ctx.db
        .updateTable(table)
        .set({
          status: OUTBOX_STATUS_CODES.delivered,
          delivered_to: jsonParam(consumerList(deliveredTo)),
          delivered_at: at(now),
          lease_until: null,
          updated_at: at(now),
        })
        .where('message_key', '=', key)
        .where('claimed_by', '=', claimToken)
        .where('status', '=', PENDING)
        .where('lease_until', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    release: async (raw) => {
      const input = releaseInput(raw);
      const result = await ctx.db
        .updateTable(table)
        .set({
          status: OUTBOX_STATUS_CODES[input.status],
          available_at: at(input.availableAt),
          delivered_to: jsonParam(input.deliveredTo),
          last_error: input.lastError,
          lease_until: null,
          updated_at: at(ctx.now()),
        })
        .where('message_key', '=', input.key)
        .where('claimed_by', '=', input.claimToken)
        .where('status', '=', PENDING)
        .where('lease_until', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    find: async (key) => {
      const row = await ctx.db.selectFrom(table).selectAll().where('message_key', '=', key).executeTakeFirst();
      return row ? outboxFromRow(row) : null;
    },

    list: async ({ status, orderId, limit }) => {
      assertLimit(limit);
      // Each status straight off the (status, created_at, message_key) index (migration 0006); all statuses
      // are read one at a time and merged, as no database merges an IN list's ranges in index order.
      const statuses = status === undefined ? Object.values(OUTBOX_STATUS_CODES) : [OUTBOX_STATUS_CODES[status]];
      const rows = await oneStatusAtATime(statuses, ['created_at', 'message_key'], limit, (code) => {
        const query = ctx.db
          .selectFrom(table)
          .selectAll()
          .where('status', '=', code)
          .where('type', '<>', OUTBOX_SWEEP_TYPE)
          .orderBy('created_at', 'asc')
          .orderBy('message_key', 'asc')
          .limit(limit);
        return orderId === undefined ? query : query.where('order_bid', '=', orderId);
      });
      return rows.map(outboxFromRow);
    },

    stats: async () => {
      const rows = await ctx.db
        .selectFrom(table)
        .select(['status'])
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('available_at').as('oldest')])
        .where('type', '<>', OUTBOX_SWEEP_TYPE)
        .groupBy('status')
        .execute();
      const stats = { pending: 0, delivered: 0, dead: 0, oldestPendingAt: null as Date | null };
      for (const row of rows) {
        const status: OutboxStatus = outboxStatusFromCode(row['status']);
        stats[status] = readInteger(row['n']);
        if (status === 'pending') stats.oldestPendingAt = readDate(row['oldest']);
      }
      return stats;
    },

    prune: async (input) => {
      assertPruneInput(input);
      const now = ctx.now();
      const delivered = at(input.deliveredBefore);
      const sweeps = at(input.sweepsBefore);
      // Two short steps, no transaction: pick at most `limit` keys through the (status, available_at) index (a
      // delivered row was due before it was delivered, so available_at < cutoff narrows the scan), then delete
      // those keys with the same conditions repeated, so a row claimed or changed in between stays.
      const keys = (
        await ctx.db
          .selectFrom(table)
          .select('message_key')
          .where('status', '=', DELIVERED)
          .where('available_at', '<', delivered)
          .where('delivered_at', '<', delivered)
          .limit(input.limit)
          .execute()
      ).map((row) => String(row['message_key']));
      if (keys.length < input.limit) {
        const free = await ctx.db
          .selectFrom(table)
          .select('message_key')
          .where('status', '=', PENDING)
          .where('available_at', '<', sweeps)
          .where('type', '=', OUTBOX_SWEEP_TYPE)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at(now))]))
          .limit(input.limit - keys.length)
          .execute();
        keys.push(...free.map((row) => String(row['message_key'])));
      }
      if (keys.length === 0) return 0;
      const result = await ctx.db
        .deleteFrom(table)
        .where('message_key', 'in', keys)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', DELIVERED), eb('delivered_at', '<', delivered)]),
            eb.and([
              eb('status', '=', PENDING),
              eb('type', '=', OUTBOX_SWEEP_TYPE),
              eb('available_at', '<', sweeps),
              eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at(now))]),
            ]),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    retry: async (key) => {
      assertId(key, 'key');
      const now = ctx.now();
      const result = await ctx.db
        .updateTable(table)
        .set({
          status: PENDING,
          attempts: 0,
          available_at: at(now),
          lease_until: null,
          updated_at: at(now),
        })
        .where('message_key', '=', key)
        .where('status', '=', OUTBOX_STATUS_CODES.dead)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
