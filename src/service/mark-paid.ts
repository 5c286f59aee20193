/**
 * Marking an order paid: the one place that moves an order to `paid`, used by events, manual marks and
 * free orders, so hooks and notifications are identical whatever the source.
 * @module
 */
import { NotFoundError, ValidationError } from '../core/errors.js';
import { assertMinorUnits } from '../core/money.js';
import type { PaymentEvent } from '../core/types.js';
import type { PaymentRepositoriesTx } from '../persistence/ports.js';
import type { AttemptRecord, OrderRecord } from '../persistence/records.js';
import type { ChangeSource } from './hooks.js';
import { concurrentChange, inTransaction, type Effects, type ServiceContext } from './service-context.js';
import { decideOrder } from './state-machine.js';

/** Moves a locked order to `paid` and runs `onOrderPaid`; queues the `order.paid` notification. */
export async function markOrderPaid<THandle>(
  ctx: ServiceContext<THandle>,
  tx: PaymentRepositoriesTx<THandle>,
  effects: Effects,
  input: {
    order: OrderRecord;
    attempt: AttemptRecord | null;
    amount: number;
    event: PaymentEvent | null;
    source: ChangeSource;
  },
): Promise<OrderRecord> {
  const { order, attempt } = input;
  const moved = await tx.orders.updateStatus({
    orderId: order.orderId,
    from: [order.status],
    to: 'paid',
    patch: { paidAmount: input.amount, ...(attempt ? { paymentChannel: attempt.provider } : {}) },
  });
  if (!moved) throw concurrentChange(order.orderId);
  const paid = (await tx.orders.findById(order.orderId)) as OrderRecord;
  await ctx.hooks.onOrderPaid?.({
    tx,
    handle: tx.handle,
    order: paid,
    attempt,
    event: input.event,
    source: input.source,
  });
  effects.notifications.push({ type: 'order.paid', order: paid, attempt, source: input.source });
  return paid;
}

/** Input of `markPaid`. */
export interface MarkPaidInput {
  /** Our order id. */
  orderId: string;
  /** Why: an admin import, a free order, an offline payment. */
  source?: Extract<ChangeSource, 'manual' | 'free'>;
  /** Amount received in minor units. @default the order's payable amount */
  amount?: number;
}

/**
 * Marks an order paid without a provider (admin import, free orders), through the same state machine.
 * Same-state is a no-op that returns the order; a refunded order is refused.
 */
export async function markPaid<THandle>(ctx: ServiceContext<THandle>, input: MarkPaidInput): Promise<OrderRecord> {
  if (input.amount !== undefined) assertMinorUnits(input.amount);
  return inTransaction(ctx, async (tx, effects) => {
    const order = await tx.orders.findById(input.orderId, { forUpdate: true });
    if (!order) throw new NotFoundError(`Order ${input.orderId} does not exist.`, { code: 'ORDER_NOT_FOUND' });
    const decision = decideOrder(order.status, 'paid');
    if (order.status === 'refunded') {
      throw new ValidationError(`Order ${order.orderId} is refunded and cannot be paid again.`, {
        code: 'ORDER_REFUNDED',
      });
    }
    if (!decision.to) return order;
    const amount = input.amount ?? order.payableAmount;
    if (decision.anomaly) {
      effects.anomalies.push({
        kind: 'late_success',
        message: decision.anomaly,
        provider: null,
        eventId: null,
        orderId: order.orderId,
        attemptId: null,
      });
    }
    return markOrderPaid(ctx, tx, effects, {
      order,
      attempt: null,
      amount,
      event: null,
      source: input.source ?? 'manual',
    });
  });
}
