/**
 * The shop's `OrderRepository`: guarded status changes are one conditional UPDATE.
 * @module
 */
import { ORDER_STATUSES, ValidationError, type OrderRecord, type OrderRepository } from '@org/payment-factory';
import { ORDER_COLUMNS, toRow } from './schema.js';
import { insert, isUniqueViolation, many, one, update, type Db, type Exec } from './sql.js';
import {
  checkAmount,
  checkCurrency,
  checkGuard,
  checkId,
  checkLimit,
  checkMerchantId,
  checkOneOf,
} from './validation.js';

/** The orders repository over `shop_orders`. */
export function orders(db: Db, exec: Exec, now: () => Date): OrderRepository {
  const patchOf = (
    patch: {
      listAmount?: number;
      payableAmount?: number;
      paidAmount?: number;
      currency?: string;
      paymentChannel?: string;
      sellerId?: string | null;
      merchantAccountVersion?: string | null;
    } = {},
  ) => ({
    ...(patch.listAmount !== undefined ? { listAmount: checkAmount(patch.listAmount, 'listAmount') } : {}),
    ...(patch.payableAmount !== undefined ? { payableAmount: checkAmount(patch.payableAmount, 'payableAmount') } : {}),
    ...(patch.paidAmount !== undefined ? { paidAmount: checkAmount(patch.paidAmount, 'paidAmount') } : {}),
    ...(patch.currency !== undefined ? { currency: checkCurrency(patch.currency) } : {}),
    ...(patch.paymentChannel !== undefined ? { paymentChannel: checkId(patch.paymentChannel, 'paymentChannel') } : {}),
    ...(patch.sellerId !== undefined ? { sellerId: checkMerchantId(patch.sellerId, 'sellerId') } : {}),
    ...(patch.merchantAccountVersion !== undefined
      ? { merchantAccountVersion: checkMerchantId(patch.merchantAccountVersion, 'merchantAccountVersion') }
      : {}),
  });
  return {
    create: (input) =>
      exec(() => {
        const createdAt = input.createdAt ?? now();
        const record: OrderRecord = {
          orderId: checkId(input.orderId, 'orderId'),
          userId: checkId(input.userId, 'userId'),
          productId: checkId(input.productId, 'productId'),
          listAmount: checkAmount(input.listAmount ?? input.payableAmount, 'listAmount'),
          payableAmount: checkAmount(input.payableAmount, 'payableAmount'),
          paidAmount: checkAmount(input.paidAmount ?? 0, 'paidAmount'),
          currency: checkCurrency(input.currency),
          paymentChannel: input.paymentChannel ?? 'pingxx',
          sellerId: null,
          merchantAccountVersion: null,
          status: checkOneOf(input.status ?? 'init', ORDER_STATUSES, 'status'),
          createdAt,
          updatedAt: createdAt,
        };
        try {
          insert(db, 'shop_orders', toRow(ORDER_COLUMNS, record));
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          throw new ValidationError('An order with this orderId already exists.', {
            code: 'DUPLICATE_ORDER',
            field: 'orderId',
          });
        }
        return record;
      }),
    // SQLite has no row locks: BEGIN IMMEDIATE already made this transaction the only writer.
    findById: (orderId) => exec(() => one(db, ORDER_COLUMNS, 'SELECT * FROM shop_orders WHERE order_id = ?', orderId)),
    findOpenForUserProduct: (userId, productId) =>
      exec(() =>
        one(
          db,
          ORDER_COLUMNS,
          `SELECT * FROM shop_orders WHERE user_id = ? AND product_id = ? AND status IN ('init', 'pending')
           ORDER BY created_at DESC, order_id DESC LIMIT 1`,
          userId,
          productId,
        ),
      ),
    updateStatus: ({ orderId, from, to, patch }) =>
      exec(() => {
        checkGuard(from, to, ORDER_STATUSES);
        const set = toRow(ORDER_COLUMNS, { ...patchOf(patch), status: to, updatedAt: now() });
        return update(db, 'shop_orders', set, { order_id: orderId }, from) === 1;
      }),
    update: (orderId, patch) =>
      exec(
        () =>
          update(db, 'shop_orders', toRow(ORDER_COLUMNS, { ...patchOf(patch), updatedAt: now() }), {
            order_id: orderId,
          }) === 1,
      ),
    listExpirable: ({ createdBefore, limit }) =>
      exec(() =>
        many(
          db,
          ORDER_COLUMNS,
          `SELECT * FROM shop_orders WHERE status IN ('init', 'pending') AND created_at < ?
           ORDER BY created_at, order_id LIMIT ?`,
          createdBefore.getTime(),
          checkLimit(limit),
        ),
      ),
  };
}
