/**
 * `OrderRepository` on `order_orders`. Prices are stored as DECIMAL major units (as the original system
 * did) and converted exactly with the row's currency; rows without a currency are CNY.
 * @module
 */
import { fromMinorUnits, normalizeCurrency, toMinorUnits } from '../core/money.js';
import type { OrderRepository } from '../persistence/ports.js';
import {
  assertGuard,
  assertLimit,
  assertOrderStatus,
  duplicateError,
  newOrderRecord,
  orderNotFound,
  orderPatch,
} from '../persistence/record-validation.js';
import type { OrderPatch, OrderRecord, OrderStatus } from '../persistence/records.js';
import { insertUnlessDuplicate } from './insert-unless-duplicate.js';
import { lockIf, type RepositoryContext } from './repository-context.js';
import { dateParam, readInteger, readRequiredDate, readText } from './sql-dialect.js';
import { ORDER_STATUS_CODES, orderStatusFromCode } from './status-codes.js';

/** Currency of rows written before the column existed: the original system only took CNY. */
export const LEGACY_ORDER_CURRENCY = 'CNY';

/** Maps an `order_orders` row to a record. */
export function orderFromRow(row: Record<string, unknown>): OrderRecord {
  const currency = normalizeCurrency(
    typeof row['currency'] === 'string' && row['currency'] ? row['currency'] : LEGACY_ORDER_CURRENCY,
  );
  return {
    orderId: String(row['order_bid']),
    userId: String(row['user_bid']),
    productId: String(row['shifu_bid']),
    payableAmount: toMinorUnits(decimalText(row['payable_price']), currency),
    paidAmount: toMinorUnits(decimalText(row['paid_price']), currency),
    currency,
    paymentChannel: String(row['payment_channel']),
    status: orderStatusFromCode(readInteger(row['status'])),
    createdAt: readRequiredDate(row['created_at']),
    updatedAt: readRequiredDate(row['updated_at']),
  };
}

/** DECIMAL values come back as strings (pg, mysql2) or numbers (SQLite numeric affinity). */
function decimalText(value: unknown): string | number {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (value === null || value === undefined) return '0';
  return readText(value);
}

/** The price columns for amounts in `currency`. */
function priceColumns(
  patch: { payableAmount?: number; paidAmount?: number },
  currency: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (patch.payableAmount !== undefined) out['payable_price'] = fromMinorUnits(patch.payableAmount, currency);
  if (patch.paidAmount !== undefined) out['paid_price'] = fromMinorUnits(patch.paidAmount, currency);
  return out;
}

/** Throws `NotFoundError` code `ORDER_NOT_FOUND` unless the order exists (and is not soft-deleted). */
export async function assertOrderExists(ctx: RepositoryContext, orderId: string): Promise<void> {
  const order = await ctx.db
    .selectFrom(ctx.tables.orders)
    .select('order_bid')
    .where('order_bid', '=', orderId)
    .where('deleted', '=', 0)
    .executeTakeFirst();
  if (!order) throw orderNotFound(orderId);
}

/** Whether a patch changes what the DECIMAL price columns hold. */
function touchesPrices(patch: OrderPatch): boolean {
  return patch.payableAmount !== undefined || patch.paidAmount !== undefined || patch.currency !== undefined;
}

/** Creates the order repository for one context. */
export function createOrderRepository(ctx: RepositoryContext): OrderRepository {
  const table = ctx.tables.orders;
  const selectOrders = (c: RepositoryContext) => c.db.selectFrom(table).selectAll().where('deleted', '=', 0);

  /**
   * Column values for a patch, or `null` for an unknown order. A patch that touches a price or the currency
   * re-encodes both prices, because the DECIMAL text depends on the currency's exponent; that needs the
   * current amounts, hence the (locking) read.
   */
  const patchColumns = async (
    c: RepositoryContext,
    orderId: string,
    patch: OrderPatch,
  ): Promise<Record<string, unknown> | null> => {
    const channel = patch.paymentChannel === undefined ? {} : { payment_channel: patch.paymentChannel };
    if (!touchesPrices(patch)) return channel;
    const current = await selectOrders(c)
      .where('order_bid', '=', orderId)
      .$call((q) => lockIf(c, q, true))
      .executeTakeFirst();
    if (!current) return null;
    const order = orderFromRow(current);
    const currency = patch.currency ?? order.currency;
    return {
      ...priceColumns(
        {
          payableAmount: patch.payableAmount ?? order.payableAmount,
          paidAmount: patch.paidAmount ?? order.paidAmount,
        },
        currency,
      ),
      currency,
      ...channel,
    };
  };

  /**
   * Writes `patch` (and `to`, when guarded) to the order; returns whether a row changed. The guard is part of
   * the UPDATE itself: the database re-checks it on the row it locks, so two concurrent calls cannot both see
   * `pending` and both win. A price patch reads first, so it runs atomically with that read.
   */
  const write = (orderId: string, patch: OrderPatch, guard?: { from: readonly OrderStatus[]; to: OrderStatus }) => {
    const run = async (c: RepositoryContext) => {
      const columns = await patchColumns(c, orderId, patch);
      if (columns === null) return false;
      let query = c.db
        .updateTable(table)
        .set({
          ...columns,
          ...(guard ? { status: ORDER_STATUS_CODES[guard.to] } : {}),
          updated_at: dateParam(c.dialect, c.now()),
        })
        .where('order_bid', '=', orderId)
        .where('deleted', '=', 0);
      if (guard)
        query = query.where(
          'status',
          'in',
          guard.from.map((s) => ORDER_STATUS_CODES[s]),
        );
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    };
    return touchesPrices(patch) ? ctx.atomically(run) : run(ctx);
  };

  return {
    create: async (input) => {
      const record = newOrderRecord(input, ctx.now());
      const inserted = await insertUnlessDuplicate(ctx, table, {
        order_bid: record.orderId,
        user_bid: record.userId,
        shifu_bid: record.productId,
        ...priceColumns(record, record.currency),
        currency: record.currency,
        payment_channel: record.paymentChannel,
        status: ORDER_STATUS_CODES[record.status],
        deleted: 0,
        created_at: dateParam(ctx.dialect, record.createdAt),
        updated_at: dateParam(ctx.dialect, record.updatedAt),
      });
      if (!inserted) throw duplicateError('order', record.orderId);
      return record;
    },

    findById: async (orderId, options) => {
      const row = await selectOrders(ctx)
        .where('order_bid', '=', orderId)
        .$call((q) => lockIf(ctx, q, options?.forUpdate))
        .executeTakeFirst();
      return row ? orderFromRow(row) : null;
    },

    findOpenForUserProduct: async (userId, productId) => {
      const row = await selectOrders(ctx)
        .where('user_bid', '=', userId)
        .where('shifu_bid', '=', productId)
        .where('status', 'in', [ORDER_STATUS_CODES.init, ORDER_STATUS_CODES.pending])
        .orderBy('created_at', 'desc')
        .orderBy('order_bid', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? orderFromRow(row) : null;
    },

    updateStatus: async ({ orderId, from, to, patch }) => {
      assertGuard<OrderStatus>(from, to, assertOrderStatus);
      return write(orderId, orderPatch(patch), { from, to });
    },

    update: async (orderId, patch) => write(orderId, orderPatch(patch)),

    listExpirable: async ({ createdBefore, limit }) => {
      assertLimit(limit);
      const rows = await selectOrders(ctx)
        .where('status', 'in', [ORDER_STATUS_CODES.init, ORDER_STATUS_CODES.pending])
        .where('created_at', '<', dateParam(ctx.dialect, createdBefore))
        .orderBy('created_at', 'asc')
        .orderBy('order_bid', 'asc')
        .limit(limit)
        .execute();
      return rows.map(orderFromRow);
    },
  };
}
