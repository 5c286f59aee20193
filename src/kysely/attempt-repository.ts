/**
 * `AttemptRepository` over the three attempt tables (see `attempt-tables.ts`). An attempt's kind and
 * channel never change, so every write first finds which table holds the attempt, then issues one
 * statement there; guarded updates carry their guard in the `WHERE` clause.
 *
 * Statements saved inside a transaction: a read given `providerKind` looks in that kind's table first
 * (the other tables only when it is not there), and an attempt whose row the transaction holds — read
 * `FOR UPDATE`, or read at all on SQLite, whose writing transactions are serialised — is not read again:
 * later reads and writes use the record as the transaction last read or wrote it (no other transaction can
 * change a row this one holds). Host hooks that write these tables through `tx.handle` bypass that picture.
 * @module
 */
import type { SelectQueryBuilder } from 'kysely';
import { sql } from './kysely-module.js';
import type { AttemptRepository } from '../persistence/ports.js';
import { assertAttemptStatus, assertGuard, assertLimit, duplicateError } from '../persistence/record-validation.js';
import {
  attemptPatch,
  attemptStatusPatch,
  effectiveReference,
  newAttemptRecord,
  type NormalizedAttemptPatch,
} from '../persistence/attempt-validation.js';
import type { AttemptRecord, AttemptStatus, MerchantAccountSnapshot } from '../persistence/records.js';
import {
  attemptColumns,
  attemptFromRow,
  attemptTableKind,
  attemptTables,
  merchantAccountAsStored,
  storedAttemptCurrency,
  type AttemptTable,
} from './attempt-tables.js';
import { definedEntries, runCompiled } from './compiled-statements.js';
import { insertUnlessDuplicate } from './insert-unless-duplicate.js';
import { ORDER_BIZ_DOMAIN } from './migrations/table-specs.js';
import { assertOrderExists } from './order-repository.js';
import { lockIf, locks, type RepositoryContext } from './repository-context.js';
import type { UntypedDatabase } from './schema.js';
import { dateParam } from './sql-dialect.js';
import { ATTEMPT_STATUS_CODES } from './status-codes.js';

/** Where an attempt lives and what it holds. */
interface Located {
  table: AttemptTable;
  record: AttemptRecord;
}

/**
 * The record as a read would return it after `changes` were written to `table` at `now`: the fields the
 * table stores take their new values (empty text reads as `null`), the others stay `null`, and `raw` changes
 * only when it went to the column the record's `raw` is read from.
 */
function applied(
  table: AttemptTable,
  record: AttemptRecord,
  changes: NormalizedAttemptPatch,
  now: Date,
): AttemptRecord {
  const next: Record<string, unknown> = { ...record, updatedAt: now };
  for (const [field, value] of Object.entries(changes) as [keyof NormalizedAttemptPatch, unknown][]) {
    if (value === undefined) continue;
    if (field === 'raw') {
      if (table.rawColumn(record.channel, value) === table.rawColumn(record.channel)) next['raw'] = value;
    } else if (field === 'status' || field === 'createdAt' || field === 'updatedAt') {
      next[field] = value;
    } else if (field === 'merchantAccount') {
      next[field] = merchantAccountAsStored(value as MerchantAccountSnapshot | null);
    } else if (table.columns[field] !== undefined) {
      next[field] = value === '' ? null : value;
    }
  }
  return next as unknown as AttemptRecord;
}

const view = (record: AttemptRecord): AttemptRecord => ({ ...record, providerReference: effectiveReference(record) });

const latestFirst = (a: AttemptRecord, b: AttemptRecord): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || (b.attemptId > a.attemptId ? 1 : b.attemptId < a.attemptId ? -1 : 0);

/** Creates the attempt repository for one context. */
export function createAttemptRepository(ctx: RepositoryContext): AttemptRepository {
  const tables = attemptTables(ctx.tables);
  const all = [tables.pingxx, tables.stripe, tables.alipay, tables.wechatpay, tables.generic];

  const select = (table: AttemptTable) => {
    let query = ctx.db.selectFrom(table.name).selectAll();
    if (table.softDelete) query = query.where('deleted', '=', 0);
    return table.scoped ? query.where('biz_domain', '=', ORDER_BIZ_DOMAIN) : query;
  };

  /** Rows this transaction holds, as they now stand (see the module doc); `null` outside a transaction. */
  const held = ctx.inTransaction ? new Map<string, Located>() : null;

  const locate = async (attemptId: string, forUpdate?: boolean, providerKind?: string): Promise<Located | null> => {
    const known = held?.get(attemptId);
    if (known) return known;
    const first = providerKind === undefined ? undefined : tables[attemptTableKind(providerKind)];
    const locking = locks(ctx, forUpdate);
    for (const table of first ? [first, ...all.filter((t) => t !== first)] : all) {
      const parameters = [...(table.softDelete ? [0] : []), ...(table.scoped ? [ORDER_BIZ_DOMAIN] : []), attemptId];
      const { rows } = await runCompiled(ctx, `attempt ${table.name}${locking ? ' locking' : ''}`, parameters, () =>
        select(table)
          .where(table.idColumn, '=', attemptId)
          .$call((q) => lockIf(ctx, q, forUpdate)),
      );
      const row = rows[0];
      if (!row) continue;
      const found = { table, record: attemptFromRow(table, row) };
      if (held && (forUpdate === true || ctx.dialect === 'sqlite')) held.set(attemptId, found);
      return found;
    }
    return null;
  };

  const write = async (
    table: AttemptTable,
    record: AttemptRecord,
    changes: NormalizedAttemptPatch,
    guard?: readonly AttemptStatus[],
  ) => {
    const now = ctx.now();
    const values = {
      ...attemptColumns(table, changes, record.channel, ctx.dialect),
      updated_at: dateParam(ctx.dialect, now),
    };
    const codes = guard?.map((s) => ATTEMPT_STATUS_CODES[s]);
    const { columns, parameters } = definedEntries(values);
    parameters.push(record.attemptId);
    if (codes) parameters.push(...codes);
    const result = await runCompiled(
      ctx,
      `attempt ${table.name} set ${columns} guard ${codes?.length ?? '-'}`,
      parameters,
      () => {
        const query = ctx.db.updateTable(table.name).set(values).where(table.idColumn, '=', record.attemptId);
        // The guard is evaluated by the database on the row it updates, so concurrent callers cannot both pass it.
        return codes ? query.where('status', 'in', codes) : query;
      },
    );
    const changed = Number(result.numAffectedRows ?? 0n) > 0;
    if (held?.has(record.attemptId)) {
      if (changed) held.set(record.attemptId, { table, record: applied(table, record, changes, now) });
      else held.delete(record.attemptId); // the row is not as this transaction thought: read it again next time
    }
    return changed;
  };

  const fromEveryTable = async (build: (table: AttemptTable) => Promise<Record<string, unknown>[]>) => {
    const records: AttemptRecord[] = [];
    for (const table of all) for (const row of await build(table)) records.push(attemptFromRow(table, row));
    return records;
  };

  /** The rows of one provider kind: its own table (the generic one filtered by `provider_kind`). */
  const ofKind = async (
    providerKind: string,
    build: (table: AttemptTable) => SelectQueryBuilder<UntypedDatabase, string, Record<string, unknown>>,
  ) => {
    const table = tables[attemptTableKind(providerKind)];
    const query = table.kind === 'generic' ? build(table).where('provider_kind', '=', providerKind) : build(table);
    return (await query.execute()).map((row) => attemptFromRow(table, row));
  };

  return {
    create: async (input) => {
      const record = newAttemptRecord(input, ctx.now());
      const table = tables[attemptTableKind(record.providerKind)];
      await assertOrderExists(ctx, record.orderId);
      // Attempt ids are unique per table by constraint; across tables we check, in one statement (ids are
      // random 32-hex, a cross-table collision is a bug in the caller, not a race to arbitrate).
      const [first, ...others] = all
        .filter((other) => other !== table)
        .map((other) => {
          let query = ctx.db
            .selectFrom(other.name)
            .select(sql<number>`1`.as('taken'))
            .where(other.idColumn, '=', record.attemptId);
          if (other.softDelete) query = query.where('deleted', '=', 0);
          return other.scoped ? query.where('biz_domain', '=', ORDER_BIZ_DOMAIN) : query;
        });
      if (first && (await others.reduce((q, other) => q.unionAll(other), first).executeTakeFirst())) {
        throw duplicateError('attempt', record.attemptId);
      }
      const {
        attemptId: _id,
        orderId: _order,
        providerKind: _kind,
        provider,
        channel,
        amount,
        currency,
        ...rest
      } = record;
      const inserted = await insertUnlessDuplicate(ctx, table.name, {
        [table.idColumn]: record.attemptId,
        order_bid: record.orderId,
        ...(table.kind === 'generic' ? { provider_kind: record.providerKind } : {}),
        ...(table.softDelete ? { deleted: 0 } : {}),
        ...(table.scoped ? { biz_domain: ORDER_BIZ_DOMAIN } : {}),
        provider_name: provider,
        channel,
        amount,
        currency: storedAttemptCurrency(table, currency),
        ...attemptColumns(table, rest, channel, ctx.dialect),
      });
      if (!inserted) throw duplicateError('attempt', record.attemptId);
      return view(record);
    },

    findById: async (attemptId, options) => {
      const found = await locate(attemptId, options?.forUpdate, options?.providerKind);
      return found ? view(found.record) : null;
    },

    findByProviderReference: async (providerKind, reference, options) => {
      const table = tables[attemptTableKind(providerKind)];
      const referenceColumns = [
        table.columns.providerReference,
        table.columns.chargeId,
        table.columns.transactionId,
        table.columns.paymentIntentId,
        table.columns.checkoutSessionId,
        table.columns.latestChargeId,
      ].filter((c): c is string => c !== undefined);
      let query = select(table).where((eb) => eb.or(referenceColumns.map((c) => eb(c, '=', reference))));
      if (table.kind === 'generic') query = query.where('provider_kind', '=', providerKind);
      const row = await query
        .orderBy('created_at', 'desc')
        .orderBy(table.idColumn, 'desc')
        .limit(1)
        .$call((q) => lockIf(ctx, q, options?.forUpdate))
        .executeTakeFirst();
      return row ? view(attemptFromRow(table, row)) : null;
    },

    findLatestByOrder: async (orderId) => {
      const records = await fromEveryTable((table) =>
        select(table)
          .where('order_bid', '=', orderId)
          .orderBy('created_at', 'desc')
          .orderBy(table.idColumn, 'desc')
          .limit(1)
          .execute(),
      );
      const latest = records.sort(latestFirst)[0];
      return latest ? view(latest) : null;
    },

    listByOrder: async (orderId, options) => {
      const kind = options?.providerKind;
      const records =
        kind === undefined
          ? await fromEveryTable((table) => select(table).where('order_bid', '=', orderId).execute())
          : await ofKind(kind, (table) => select(table).where('order_bid', '=', orderId));
      return records.sort((a, b) => latestFirst(b, a)).map(view);
    },

    updateStatus: async ({ attemptId, from, to, patch }) => {
      assertGuard(from, to, assertAttemptStatus);
      const found = await locate(attemptId);
      if (!found) return false;
      const changes = attemptStatusPatch(found.record.providerKind, to, patch, ctx.now());
      return write(found.table, found.record, { ...changes, status: to }, from);
    },

    update: async (attemptId, patch, options) => {
      const kind = options?.providerKind;
      const channel = options?.channel;
      // The caller knows the kind and channel (what the columns depend on): one UPDATE, no read (see the port).
      if (kind !== undefined && channel !== undefined && !held?.has(attemptId)) {
        const table = tables[attemptTableKind(kind)];
        let query = ctx.db
          .updateTable(table.name)
          .set({
            ...attemptColumns(table, attemptPatch(kind, patch), channel, ctx.dialect),
            updated_at: dateParam(ctx.dialect, ctx.now()),
          })
          .where(table.idColumn, '=', attemptId);
        // The rows a read would find: not soft-deleted, ours, of this kind.
        if (table.softDelete) query = query.where('deleted', '=', 0);
        if (table.scoped) query = query.where('biz_domain', '=', ORDER_BIZ_DOMAIN);
        if (table.kind === 'generic') query = query.where('provider_kind', '=', kind);
        if (Number((await query.executeTakeFirst()).numUpdatedRows) > 0) return true;
      }
      const found = await locate(attemptId, false, kind);
      if (!found) return false;
      return write(found.table, found.record, attemptPatch(found.record.providerKind, patch));
    },

    listPending: async ({ createdBefore, limit }) => {
      assertLimit(limit);
      const records = await fromEveryTable((table) =>
        select(table)
          .where('status', '=', ATTEMPT_STATUS_CODES.pending)
          .where('created_at', '<', dateParam(ctx.dialect, createdBefore))
          .orderBy('created_at', 'asc')
          .orderBy(table.idColumn, 'asc')
          .limit(limit)
          .execute(),
      );
      return records
        .sort((a, b) => latestFirst(b, a))
        .slice(0, limit)
        .map(view);
    },
  };
}
