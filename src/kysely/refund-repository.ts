/**
 * `RefundRepository` on `order_refunds`, unique by our refund id and by (provider, provider refund id).
 * @module
 */
import { normalizeCurrency } from '../core/money.js';
import type { RefundRepository } from '../persistence/ports.js';
import {
  assertGuard,
  assertLimit,
  assertRefundStatus,
  duplicateError,
  newRefundRecord,
  refundPatch,
} from '../persistence/record-validation.js';
import type { RefundRecord, RefundStatus } from '../persistence/records.js';
import { insertUnlessDuplicate } from './insert-unless-duplicate.js';
import { assertOrderExists } from './order-repository.js';
import type { RepositoryContext } from './repository-context.js';
import {
  dateParam,
  isDuplicateKeyError,
  jsonParam,
  readInteger,
  readJson,
  readRequiredDate,
  readString,
} from './sql-dialect.js';
import { REFUND_STATUS_CODES, refundStatusFromCode } from './status-codes.js';

/** Maps an `order_refunds` row to a record. */
export function refundFromRow(row: Record<string, unknown>): RefundRecord {
  return {
    refundId: String(row['refund_bid']),
    providerRefundId: readString(row['provider_refund_id']),
    orderId: String(row['order_bid']),
    attemptId: String(row['attempt_bid']),
    provider: String(row['provider']),
    amount: readInteger(row['amount']),
    currency: normalizeCurrency(String(row['currency'])),
    status: refundStatusFromCode(readInteger(row['status'])),
    reason: readString(row['reason']),
    raw: readJson(row['raw_json']),
    createdAt: readRequiredDate(row['created_at']),
    updatedAt: readRequiredDate(row['updated_at']),
  };
}

/** Creates the refund repository for one context. */
export function createRefundRepository(ctx: RepositoryContext): RefundRepository {
  const table = ctx.tables.refunds;

  const columns = (patch: ReturnType<typeof refundPatch>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (patch.providerRefundId !== undefined) out['provider_refund_id'] = patch.providerRefundId;
    if (patch.reason !== undefined) out['reason'] = patch.reason;
    if (patch.raw !== undefined) out['raw_json'] = jsonParam(patch.raw);
    return out;
  };

  const write = async (refundId: string, set: Record<string, unknown>, guard?: readonly RefundStatus[]) => {
    const providerRefundId = set['provider_refund_id'];
    if (typeof providerRefundId === 'string') {
      // Checked first so the common case never hits the constraint (which would poison a PostgreSQL
      // transaction); the constraint still decides a true race, reported the same way. An unknown refund has
      // no provider, so nothing is taken and the UPDATE below changes no row.
      const taken = await ctx.db
        .selectFrom(table)
        .select('refund_bid')
        .where('provider', '=', ctx.db.selectFrom(table).select('provider').where('refund_bid', '=', refundId))
        .where('provider_refund_id', '=', providerRefundId)
        .where('refund_bid', '<>', refundId)
        .executeTakeFirst();
      if (taken) throw duplicateError('providerRefund', providerRefundId);
    }
    let query = ctx.db
      .updateTable(table)
      .set({ ...set, updated_at: dateParam(ctx.dialect, ctx.now()) })
      .where('refund_bid', '=', refundId);
    if (guard)
      query = query.where(
        'status',
        'in',
        guard.map((s) => REFUND_STATUS_CODES[s]),
      );
    try {
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    } catch (error) {
      if (typeof providerRefundId === 'string' && isDuplicateKeyError(error))
        throw duplicateError('providerRefund', providerRefundId);
      throw error;
    }
  };

  return {
    create: async (input) => {
      const record = newRefundRecord(input, ctx.now());
      await assertOrderExists(ctx, record.orderId);
      const inserted = await insertUnlessDuplicate(ctx, table, {
        refund_bid: record.refundId,
        provider_refund_id: record.providerRefundId,
        provider: record.provider,
        order_bid: record.orderId,
        attempt_bid: record.attemptId,
        amount: record.amount,
        currency: record.currency,
        status: REFUND_STATUS_CODES[record.status],
        reason: record.reason,
        raw_json: jsonParam(record.raw),
        created_at: dateParam(ctx.dialect, record.createdAt),
        updated_at: dateParam(ctx.dialect, record.updatedAt),
      });
      return inserted ? 'inserted' : 'duplicate';
    },

    findById: async (refundId) => {
      const row = await ctx.db.selectFrom(table).selectAll().where('refund_bid', '=', refundId).executeTakeFirst();
      return row ? refundFromRow(row) : null;
    },

    findByProviderRefundId: async (provider, providerRefundId) => {
      const row = await ctx.db
        .selectFrom(table)
        .selectAll()
        .where('provider', '=', provider)
        .where('provider_refund_id', '=', providerRefundId)
        .executeTakeFirst();
      return row ? refundFromRow(row) : null;
    },

    listByOrder: async (orderId) => {
      const rows = await ctx.db
        .selectFrom(table)
        .selectAll()
        .where('order_bid', '=', orderId)
        .orderBy('created_at', 'asc')
        .orderBy('refund_bid', 'asc')
        .execute();
      return rows.map(refundFromRow);
    },

    updateStatus: async ({ refundId, from, to, patch }) => {
      assertGuard(from, to, assertRefundStatus);
      return write(refundId, { ...columns(refundPatch(patch)), status: REFUND_STATUS_CODES[to] }, from);
    },

    update: async (refundId, patch) => write(refundId, columns(refundPatch(patch))),

    listPending: async ({ createdBefore, limit }) => {
      assertLimit(limit);
      const rows = await ctx.db
        .selectFrom(table)
        .selectAll()
        .where('status', '=', REFUND_STATUS_CODES.pending)
        .where('created_at', '<', dateParam(ctx.dialect, createdBefore))
        .orderBy('created_at', 'asc')
        .orderBy('refund_bid', 'asc')
        .limit(limit)
        .execute();
      return rows.map(refundFromRow);
    },
  };
}
