/**
 * `refund`: partial or full, recorded in the ledger before the provider is called, idempotent by refund id,
 * bounded by the refundable remainder (checked under the order's row lock, before any network call).
 * @module
 */
import { isPaymentError, NotFoundError, ValidationError } from '../core/errors.js';
import { assertMinorUnits } from '../core/money.js';
import type { RefundResult } from '../core/types.js';
import type { AttemptRecord, OrderRecord, RefundRecord } from '../persistence/records.js';
import { recordProviderRefund, settleRefunds } from './apply-event.js';
import { describeError, inTransaction, type ServiceContext } from './service-context.js';

/** Input of `refund`. */
export interface RefundInput {
  orderId: string;
  /** Minor units. @default the refundable remainder */
  amount?: number;
  reason?: string;
  /** Our refund id, the idempotency key. Retrying with the same id never refunds twice. @default a new id */
  refundId?: string;
}

/** Outcome of `refund`. */
export interface RefundOutcome {
  refund: RefundRecord;
  order: OrderRecord;
  /** Amount still refundable after this refund (pending refunds count as spent). */
  remaining: number;
}

/** See the module doc. */
export async function refund<THandle>(ctx: ServiceContext<THandle>, input: RefundInput): Promise<RefundOutcome> {
  if (input.amount !== undefined) {
    assertMinorUnits(input.amount);
    if (input.amount === 0)
      throw new ValidationError('Refund amount must be positive.', { field: 'amount', code: 'ZERO_AMOUNT' });
  }
  const prepared = await ctx.repositories.transaction(async (tx) => {
    if (input.refundId) {
      const existing = await tx.refunds.findById(input.refundId);
      if (existing) {
        if (existing.orderId !== input.orderId) {
          throw new ValidationError(`Refund ${input.refundId} belongs to another order.`, {
            field: 'refundId',
            code: 'REFUND_ID_CONFLICT',
          });
        }
        const attempt = await tx.attempts.findById(existing.attemptId);
        return { refund: existing, attempt: attempt as AttemptRecord, existing: true };
      }
    }
    const order = await tx.orders.findById(input.orderId, { forUpdate: true });
    if (!order) throw new NotFoundError(`Order ${input.orderId} does not exist.`, { code: 'ORDER_NOT_FOUND' });
    if (order.status !== 'paid') {
      throw new ValidationError(`Order ${order.orderId} is ${order.status}; only a paid order can be refunded.`, {
        code: 'NOT_REFUNDABLE',
      });
    }
    const attempt = (await tx.attempts.listByOrder(order.orderId)).filter((a) => a.status === 'paid').at(-1);
    if (!attempt) {
      throw new ValidationError(`Order ${order.orderId} was paid without a provider; nothing to refund remotely.`, {
        code: 'NO_PROVIDER_PAYMENT',
      });
    }
    const spent = (await tx.refunds.listByOrder(order.orderId))
      .filter((r) => r.status === 'pending' || r.status === 'succeeded')
      .reduce((sum, r) => sum + r.amount, 0);
    const remainder = order.paidAmount - spent;
    const amount = input.amount ?? remainder;
    if (amount <= 0 || amount > remainder) {
      throw new ValidationError(`Refund of ${amount} exceeds the refundable remainder ${remainder}.`, {
        field: 'amount',
        code: 'REFUND_EXCEEDS_REMAINDER',
        details: { remainder },
      });
    }
    const refundId = input.refundId ?? ctx.newId();
    await tx.refunds.create({
      refundId,
      orderId: order.orderId,
      attemptId: attempt.attemptId,
      provider: attempt.provider,
      amount,
      currency: order.currency,
      status: 'pending',
      reason: input.reason ?? null,
    });
    return { refund: (await tx.refunds.findById(refundId)) as RefundRecord, attempt, existing: false };
  });

  const { attempt } = prepared;
  let record = prepared.refund;
  if (record.status === 'pending') {
    let result: RefundResult;
    try {
      const alreadyRefunded = (await ctx.repositories.refunds.listByOrder(record.orderId))
        .filter((r) => r.refundId !== record.refundId && r.status === 'succeeded')
        .reduce((s, r) => s + r.amount, 0);
      result = await ctx.factory.refundPayment(attempt.provider, {
        refundId: record.refundId,
        attemptId: attempt.attemptId,
        providerReference: attempt.paymentIntentId ?? attempt.chargeId ?? (attempt.providerReference as string),
        channel: attempt.channel,
        amount: record.amount,
        currency: record.currency,
        paymentAmount: attempt.amount,
        alreadyRefunded,
        ...(record.reason ? { reason: record.reason } : {}),
        metadata: { order_bid: record.orderId, refund_bid: record.refundId },
      });
    } catch (error) {
      const final = isPaymentError(error) && !error.retryable;
      ctx.logger.warn('refund call failed', { refundId: record.refundId, error: describeError(error), final });
      if (final) {
        await ctx.repositories.refunds.updateStatus({ refundId: record.refundId, from: ['pending'], to: 'failed' });
      }
      throw error;
    }
    record = await inTransaction(ctx, async (tx, effects) => {
      const lockedAttempt = (await tx.attempts.findById(attempt.attemptId, { forUpdate: true })) as AttemptRecord;
      const order = (await tx.orders.findById(record.orderId, { forUpdate: true })) as OrderRecord;
      const changed = await recordProviderRefund(ctx, tx, {
        refund: {
          providerRefundId: result.providerRefundId,
          refundId: record.refundId,
          amount: result.amount,
          currency: result.currency,
          status: result.status,
          reason: record.reason,
        },
        order,
        attempt: lockedAttempt,
        provider: attempt.provider,
        raw: result.raw,
      });
      if (changed)
        await settleRefunds(ctx, tx, {
          event: null,
          attempt: lockedAttempt,
          order,
          source: 'refund',
          effects,
          changed: [changed],
        });
      return (await tx.refunds.findById(record.refundId)) as RefundRecord;
    });
  }
  const order = (await ctx.repositories.orders.findById(record.orderId)) as OrderRecord;
  const spent = (await ctx.repositories.refunds.listByOrder(order.orderId))
    .filter((r) => r.status === 'pending' || r.status === 'succeeded')
    .reduce((sum, r) => sum + r.amount, 0);
  return { refund: record, order, remaining: Math.max(0, order.paidAmount - spent) };
}
