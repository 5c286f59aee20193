/**
 * `OrderRepository` on `order_orders`. Prices are stored as DECIMAL major units (as the original system
 * did), in the original column meanings (see {@link orderFromRow}), and converted exactly with the row's
 * currency; rows the original system wrote have none and take their attempts' (see `legacy-currency.ts`).
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
import { definedEntries, runCompiled } from './compiled-statements.js';
import { insertUnlessDuplicate } from './insert-unless-duplicate.js';
import { oneStatusAtATime } from './one-status-at-a-time.js';
import { lockIf, locks, type RepositoryContext } from './repository-context.js';
import { attemptCurrencies, currenciesFromAttempts } from './legacy-currency.js';
import { dateParam, readInteger, readRequiredDate, readString, readText } from './sql-dialect.js';
import { ORDER_STATUS_CODES, orderStatusFromCode } from './status-codes.js';

/**
 * Maps an `order_orders` row to a record, in its (resolved) currency. The original column meanings hold:
 * `payable_price` is the list price, `paid_price` the amount due; `captured_price` (ours) the amount
 * captured, or `NULL` for "not recorded by us", which reads as the amount due once the order is paid or
 * refunded (the original never stored a capture: it charged `paid_price`) and 0 before.
 */
export function orderFromRow(row: Record<string, unknown>, currency: string): OrderRecord {
  const status = orderStatusFromCode(readInteger(row['status']));
  const payableAmount = toMinorUnits(decimalText(row['paid_price']), currency);
  const captured = row['captured_price'];
  return {
    orderId: String(row['order_bid']),
    userId: String(row['user_bid']),
    productId: String(row['shifu_bid']),
    listAmount: toMinorUnits(decimalText(row['payable_price']), currency),
    payableAmount,
    paidAmount:
      captured !== null && captured !== undefined
        ? toMinorUnits(decimalText(captured), currency)
        : status === 'paid' || status === 'refunded'
          ? payableAmount
          : 0,
    currency,
    paymentChannel: String(row['payment_channel']),
    // The original system writes '' for "no seller" / "the platform's account": both read as null.
    sellerId: readString(row['creator_bid']),
    merchantAccountVersion: readString(row['payment_integration_bid']),
    status,
    createdAt: readRequiredDate(row['created_at']),
    updatedAt: readRequiredDate(row['updated_at']),
  };
}

/** The stored currency of a row, or `null` for a row the original system wrote. */
function storedCurrency(row: Record<string, unknown>): string | null {
  const value = readString(row['currency']);
  return value === null ? null : normalizeCurrency(value);
}

/** Maps rows to records, resolving the currency of rows the original system wrote (see `legacy-currency.ts`). */
export async function ordersFromRows(ctx: RepositoryContext, rows: Record<string, unknown>[]): Promise<OrderRecord[]> {
  const legacy = rows.filter((r) => storedCurrency(r) === null).map((r) => String(r['order_bid']));
  const fromAttempts =
    legacy.length === 0
      ? new Map<string, string>()
      : currenciesFromAttempts(await attemptCurrencies(ctx.db, ctx.tables, legacy));
  return rows.map((row) =>
    orderFromRow(row, storedCurrency(row) ?? fromAttempts.get(String(row['order_bid'])) ?? ctx.legacyCurrency),
  );
}

/** DECIMAL values come back as strings (pg, mysql2) or numbers (SQLite numeric affinity). */
function decimalText(value: unknown): string | number {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (value === null || value === undefined) return '0';
  return readText(value);
}

/**
 * The price columns of an order in `currency`, in the original meanings. The capture is `NULL` while it is 0
 * on an order that is not paid or refunded, so an order the original system then marks paid (it only flips
 * the status) reads as captured in full, as the original meant.
 */
function priceColumns(
  amounts: { listAmount: number; payableAmount: number; paidAmount: number },
  status: OrderStatus,
  currency: string,
): Record<string, string | null> {
  const settled = status === 'paid' || status === 'refunded';
  return {
    payable_price: fromMinorUnits(amounts.listAmount, currency),
    paid_price: fromMinorUnits(amounts.payableAmount, currency),
    captured_price: amounts.paidAmount === 0 && !settled ? null : fromMinorUnits(amounts.paidAmount, currency),
  };
}

/** Throws `NotFoundError` code `ORDER_NOT_FOUND` unless the order exists (and is not soft-deleted). */
export async function assertOrderExists(ctx: RepositoryContext, orderId: string): Promise<void> {
  if (ctx.heldOrders?.has(orderId)) return; // this transaction holds the row
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
  return (
    patch.listAmount !== undefined ||
    patch.payableAmount !== undefined ||
    patch.paidAmount !== undefined ||
    patch.currency !== undefined
  );
}

/**
 * Creates the order repository for one context.
 *
 * Inside a transaction, an order whose row the transaction holds (read `FOR UPDATE`, or read at all on
 * SQLite, whose writing transactions are serialised) is not read again: guarded writes re-encode its prices
 * from the record as the transaction last read or wrote it, and later reads return that record (no other
 * transaction can change a row this one holds).
 */
export function createOrderRepository(ctx: RepositoryContext): OrderRepository {
  const table = ctx.tables.orders;
  const selectOrders = (c: RepositoryContext) => c.db.selectFrom(table).selectAll().where('deleted', '=', 0);
  /** The order's row (locked when asked, in a transaction, on a dialect with row locks), or `undefined`. */
  const selectOne = async (c: RepositoryContext, orderId: string, forUpdate: boolean | undefined) => {
    const locking = locks(c, forUpdate);
    const { rows } = await runCompiled(c, `order ${table}${locking ? ' locking' : ''}`, [0, orderId], () =>
      selectOrders(c)
        .where('order_bid', '=', orderId)
        .$call((q) => lockIf(c, q, forUpdate)),
    );
    return rows[0];
  };
  /** Rows this transaction holds, as they now stand; `null` outside a transaction. */
  const held = ctx.heldOrders;
  const hold = (order: OrderRecord, forUpdate: boolean | undefined) => {
    if (held && (forUpdate === true || ctx.dialect === 'sqlite')) held.set(order.orderId, order);
  };

  /**
   * Column values for a patch, or `null` for an unknown order. A patch that touches an amount or the currency,
   * or moves the status (the capture column depends on it), re-encodes every price, because the DECIMAL text
   * depends on the currency's exponent; that needs the current amounts, hence the (locking) read.
   */
  const patchColumns = async (
    c: RepositoryContext,
    orderId: string,
    patch: OrderPatch,
    to: OrderStatus | undefined,
  ): Promise<Record<string, unknown> | null> => {
    const channel = {
      ...(patch.paymentChannel === undefined ? {} : { payment_channel: patch.paymentChannel }),
      // '' rather than NULL for "none": the original's columns may be NOT NULL DEFAULT ''.
      ...(patch.sellerId === undefined ? {} : { creator_bid: patch.sellerId ?? '' }),
      ...(patch.merchantAccountVersion === undefined
        ? {}
        : { payment_integration_bid: patch.merchantAccountVersion ?? '' }),
    };
    if (!touchesPrices(patch) && to === undefined) return channel;
    let order = c === ctx ? held?.get(orderId) : undefined;
    if (!order) {
      const current = await selectOne(c, orderId, true);
      if (!current) return null;
      [order] = (await ordersFromRows(c, [current])) as [OrderRecord];
      if (c === ctx) hold(order, true);
    }
    const currency = patch.currency ?? order.currency;
    return {
      ...priceColumns(
        {
          listAmount: patch.listAmount ?? order.listAmount,
          payableAmount: patch.payableAmount ?? order.payableAmount,
          paidAmount: patch.paidAmount ?? order.paidAmount,
        },
        to ?? order.status,
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
      const columns = await patchColumns(c, orderId, patch, guard?.to);
      if (columns === null) return false;
      const now = c.now();
      const values = {
        ...columns,
        ...(guard ? { status: ORDER_STATUS_CODES[guard.to] } : {}),
        updated_at: dateParam(c.dialect, now),
      };
      const codes = guard?.from.map((s) => ORDER_STATUS_CODES[s]);
      const { columns: names, parameters } = definedEntries(values);
      parameters.push(orderId, 0);
      if (codes) parameters.push(...codes);
      const result = await runCompiled(
        c,
        `order ${table} set ${names} guard ${codes?.length ?? '-'}`,
        parameters,
        () => {
          const query = c.db.updateTable(table).set(values).where('order_bid', '=', orderId).where('deleted', '=', 0);
          // The guard is evaluated by the database on the row it updates, so concurrent callers cannot both pass it.
          return codes ? query.where('status', 'in', codes) : query;
        },
      );
      const changed = Number(result.numAffectedRows ?? 0n) > 0;
      const known = c === ctx ? held?.get(orderId) : undefined;
      if (known && changed) {
        held?.set(orderId, {
          ...known,
          ...patch,
          // As a read returns them: '' (what the columns hold for "none") reads as null.
          ...(patch.sellerId === undefined ? {} : { sellerId: patch.sellerId || null }),
          ...(patch.merchantAccountVersion === undefined
            ? {}
            : { merchantAccountVersion: patch.merchantAccountVersion || null }),
          ...(guard ? { status: guard.to } : {}),
          updatedAt: now,
        });
      } else if (known) {
        held?.delete(orderId); // the row is not as this transaction thought: read it again next time
      }
      return changed;
    };
    return touchesPrices(patch) || guard ? ctx.atomically(run) : run(ctx);
  };

  return {
    create: async (input) => {
      const record = newOrderRecord(input, ctx.now());
      const inserted = await insertUnlessDuplicate(ctx, table, {
        order_bid: record.orderId,
        user_bid: record.userId,
        shifu_bid: record.productId,
        ...priceColumns(record, record.status, record.currency),
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
      const known = held?.get(orderId);
      if (known) return known;
      const row = await selectOne(ctx, orderId, options?.forUpdate);
      const order = row ? ((await ordersFromRows(ctx, [row]))[0] ?? null) : null;
      if (order) hold(order, options?.forUpdate);
      return order;
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
      return row ? ((await ordersFromRows(ctx, [row]))[0] ?? null) : null;
    },

    updateStatus: async ({ orderId, from, to, patch }) => {
      assertGuard<OrderStatus>(from, to, assertOrderStatus);
      return write(orderId, orderPatch(patch), { from, to });
    },

    update: async (orderId, patch) => write(orderId, orderPatch(patch)),

    listExpirable: async ({ createdBefore, limit }) => {
      assertLimit(limit);
      // One status at a time, each straight off the (status, created_at, order_bid) index (migration 0006).
      const rows = await oneStatusAtATime(
        [ORDER_STATUS_CODES.init, ORDER_STATUS_CODES.pending],
        ['created_at', 'order_bid'],
        limit,
        (status) =>
          selectOrders(ctx)
            .where('status', '=', status)
            .where('created_at', '<', dateParam(ctx.dialect, createdBefore))
            .orderBy('created_at', 'asc')
            .orderBy('order_bid', 'asc')
            .limit(limit),
      );
      return ordersFromRows(ctx, rows);
    },
  };
}
