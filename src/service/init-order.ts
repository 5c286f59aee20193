/**
 * `initOrder`: create the order, or reuse the user's open one for the same product; lazily time out stale
 * orders.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import type { OrderRecord } from '../persistence/records.js';
import { inTransaction, type ServiceContext } from './service-context.js';

/** Input of `initOrder`. */
export interface InitOrderInput {
  /** The paying user. */
  userId: string;
  /** The product bought. */
  productId: string;
  /**
   * List price in minor units, before discounts (stored as the order's `listAmount`). The order's
   * `payableAmount`, what is charged, is this minus what the `computeDiscount` hook takes off.
   */
  payableAmount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Discount codes, passed to the `computeDiscount` hook. */
  discounts?: readonly string[];
}

/** Whether an open order is older than the payment window. */
export function isExpired<THandle>(ctx: ServiceContext<THandle>, order: OrderRecord): boolean {
  return ctx.clock().getTime() - order.createdAt.getTime() > ctx.orderExpireSeconds * 1000;
}

/**
 * Returns the user's open order for the product (updating its amounts while it is still `init`) or creates
 * one: `listAmount` is the list price given, `payableAmount` (what is charged) the list price after the
 * `computeDiscount` hook. An open order older than `orderExpireSeconds`, or a `pending` one whose amount or currency changed, is
 * moved to `timeout` first.
 */
export async function initOrder<THandle>(ctx: ServiceContext<THandle>, input: InitOrderInput): Promise<OrderRecord> {
  for (const field of ['userId', 'productId'] as const) {
    if (typeof input[field] !== 'string' || input[field].trim() === '') {
      throw new ValidationError(`${field} is required.`, { field, code: 'MISSING_FIELD' });
    }
  }
  assertMinorUnits(input.payableAmount, 'payableAmount');
  const currency = normalizeCurrency(input.currency);
  const listAmount = input.payableAmount;
  let payableAmount = input.payableAmount;
  if (ctx.hooks.computeDiscount) {
    const discounted = await ctx.hooks.computeDiscount({
      userId: input.userId,
      productId: input.productId,
      payableAmount,
      currency,
      discounts: input.discounts ?? [],
    });
    assertMinorUnits(discounted.payableAmount, 'payableAmount');
    payableAmount = discounted.payableAmount;
  }
  return inTransaction(ctx, async (tx) => {
    const open = await tx.orders.findOpenForUserProduct(input.userId, input.productId);
    if (open) {
      const reusable = !isExpired(ctx, open) && open.currency === currency;
      if (reusable && open.payableAmount === payableAmount && open.listAmount === listAmount) return open;
      if (reusable && open.status === 'init') {
        await tx.orders.updateStatus({
          orderId: open.orderId,
          from: ['init'],
          to: 'init',
          patch: { listAmount, payableAmount },
        });
        return (await tx.orders.findById(open.orderId)) as OrderRecord;
      }
      // Expired, or a pending order whose price or currency changed: retire it before opening a new one, so at
      // most one order per user and product is payable. A late payment of its attempt still lands (as paid,
      // with a late-success anomaly) instead of silently paying for two orders.
      await tx.orders.updateStatus({ orderId: open.orderId, from: ['init', 'pending'], to: 'timeout' });
    }
    return tx.orders.create({
      orderId: ctx.newId(),
      userId: input.userId,
      productId: input.productId,
      listAmount,
      payableAmount,
      currency,
      createdAt: ctx.clock(),
    });
  });
}
