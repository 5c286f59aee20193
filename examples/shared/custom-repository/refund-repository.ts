/**
 * The shop's `RefundRepository`: idempotent by our refund id and by the provider's refund id, both unique
 * constraints of `shop_refunds`.
 * @module
 */
import {
  NotFoundError,
  REFUND_STATUSES,
  ValidationError,
  type RefundRecord,
  type RefundRepository,
} from '@org/payment-factory';
import { REFUND_COLUMNS, toRow } from './schema.js';
import { insert, isUniqueViolation, many, one, orderExists, update, type Db, type Exec } from './sql.js';
import { checkAmount, checkCurrency, checkGuard, checkId, checkOneOf } from './validation.js';

/** The refund ledger over `shop_refunds`. */
export function refunds(db: Db, exec: Exec, now: () => Date): RefundRepository {
  return {
    create: (input) =>
      exec(() => {
        const amount = checkAmount(input.amount, 'amount');
        if (amount === 0)
          throw new ValidationError('amount must be positive.', { field: 'amount', code: 'INVALID_AMOUNT' });
        const createdAt = input.createdAt ?? now();
        const record: RefundRecord = {
          refundId: checkId(input.refundId, 'refundId'),
          providerRefundId: input.providerRefundId ?? null,
          orderId: checkId(input.orderId, 'orderId'),
          attemptId: checkId(input.attemptId, 'attemptId'),
          provider: checkId(input.provider, 'provider'),
          amount,
          currency: checkCurrency(input.currency),
          status: checkOneOf(input.status ?? 'pending', REFUND_STATUSES, 'status'),
          reason: input.reason ?? null,
          raw: (input.raw ?? null) as RefundRecord['raw'],
          createdAt,
          updatedAt: createdAt,
        };
        if (!orderExists(db, record.orderId))
          throw new NotFoundError('No order with this orderId.', { code: 'ORDER_NOT_FOUND' });
        // No conflict target: a taken refund_id and a taken (provider, provider_refund_id) are both duplicates.
        return insert(db, 'shop_refunds', toRow(REFUND_COLUMNS, record), 'ON CONFLICT DO NOTHING') === 1
          ? 'inserted'
          : 'duplicate';
      }),
    findById: (refundId) =>
      exec(() => one(db, REFUND_COLUMNS, 'SELECT * FROM shop_refunds WHERE refund_id = ?', refundId)),
    findByProviderRefundId: (provider, providerRefundId) =>
      exec(() =>
        one(
          db,
          REFUND_COLUMNS,
          'SELECT * FROM shop_refunds WHERE provider = ? AND provider_refund_id = ?',
          provider,
          providerRefundId,
        ),
      ),
    listByOrder: (orderId) =>
      exec(() =>
        many(
          db,
          REFUND_COLUMNS,
          'SELECT * FROM shop_refunds WHERE order_id = ? ORDER BY created_at, refund_id',
          orderId,
        ),
      ),
    updateStatus: ({ refundId, from, to, patch = {} }) =>
      exec(() => {
        checkGuard(from, to, REFUND_STATUSES);
        return guardedRefundWrite(() =>
          update(
            db,
            'shop_refunds',
            toRow(REFUND_COLUMNS, { ...patch, status: to, updatedAt: now() }),
            { refund_id: refundId },
            from,
          ),
        );
      }),
    update: (refundId, patch) =>
      exec(() =>
        guardedRefundWrite(() =>
          update(db, 'shop_refunds', toRow(REFUND_COLUMNS, { ...patch, updatedAt: now() }), { refund_id: refundId }),
        ),
      ),
  };
}

/** Runs a refund UPDATE, turning a taken provider refund id into the port's `ValidationError`. */
function guardedRefundWrite(write: () => number): boolean {
  try {
    return write() === 1;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ValidationError('Another refund already has this providerRefundId.', {
      code: 'DUPLICATE_PROVIDER_REFUND',
      field: 'providerRefundId',
    });
  }
}
