/**
 * `expireOrders`: the order-expiry sweep. Orders still `init` or `pending` past `orderExpireSeconds` whose
 * attempts are all settled (none `pending`) move to `timeout`. An order with a pending attempt is left to
 * `reconcile`, which stops the payment at the provider before it closes anything (DESIGN §13). With an outbox,
 * each order is claimed first (`claimSweepWork`), so instances sweeping at once split the orders.
 * @module
 */
import { claimSweepWork } from '../outbox/sweep-claims.js';
import type { ServiceContext } from './service-context.js';

/** Input of `expireOrders`. */
export interface ExpireOrdersInput {
  /** At most this many orders. @default 100 */
  limit?: number;
  /** The claimer's name (see `ReconcileInput.owner`). @default a random name per call */
  owner?: string;
}

/** What `expireOrders` did. */
export interface ExpireOrdersReport {
  /** Orders past their window that this call looked at. */
  checked: number;
  /** Orders moved to `timeout`. */
  timedOut: number;
  /** Orders left to `reconcile` (they have a pending attempt). */
  leftToReconcile: number;
  /** Orders another instance held. */
  claimedElsewhere: number;
}

/** See the module doc. */
export async function expireOrders<THandle>(
  ctx: ServiceContext<THandle>,
  input: ExpireOrdersInput = {},
): Promise<ExpireOrdersReport> {
  const cutoff = new Date(ctx.clock().getTime() - ctx.orderExpireSeconds * 1000);
  const orders = await ctx.repositories.orders.listExpirable({ createdBefore: cutoff, limit: input.limit ?? 100 });
  const report: ExpireOrdersReport = { checked: 0, timedOut: 0, leftToReconcile: 0, claimedElsewhere: 0 };
  const outbox = ctx.repositories.outbox;
  const owner = input.owner ?? `expire:${ctx.newId().slice(0, 12)}`;
  for (const order of orders) {
    const claim = outbox
      ? await claimSweepWork(outbox, `expire:${order.orderId}`, { owner, clock: ctx.clock, holdMs: 0 })
      : undefined;
    if (claim === null) {
      report.claimedElsewhere += 1;
      continue;
    }
    try {
      report.checked += 1;
      const attempts = await ctx.repositories.attempts.listByOrder(order.orderId);
      if (attempts.some((a) => a.status === 'pending')) {
        report.leftToReconcile += 1;
        continue;
      }
      // Guarded: an order paid meanwhile stays paid.
      const moved = await ctx.repositories.orders.updateStatus({
        orderId: order.orderId,
        from: ['init', 'pending'],
        to: 'timeout',
      });
      if (moved) report.timedOut += 1;
    } finally {
      await claim?.release();
    }
  }
  return report;
}
