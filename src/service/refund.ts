/**
 * `refund`: partial or full, recorded in the ledger before the provider is called, idempotent by refund id,
 * bounded by the refundable remainder (checked under the order's row lock, before any network call).
 *
 * Only one caller at a time may call the provider for a refund id: the call is claimed through the event
 * journal (the same exactly-once primitive webhooks use), so two concurrent retries of one refund cannot
 * both reach a provider without idempotency keys (Ping++). A caller that loses the claim gets the refund
 * as it stands (`pending`) and can ask again after {@link REFUND_CALL_LEASE_MS}.
 * @module
 */
import { factoryForAttempt } from './merchant-accounts.js';
import { isPaymentError, NotFoundError, ValidationError } from '../core/errors.js';
import { assertMinorUnits } from '../core/money.js';
import type { RefundRequest, RefundResult } from '../core/types.js';
import type { PaymentRepositoriesTx } from '../persistence/ports.js';
import type { AttemptRecord, OrderRecord, RefundRecord } from '../persistence/records.js';
import { capturedAmount, recordProviderRefund, settleRefunds } from './apply-event.js';
import { describeError, inTransaction, type ServiceContext } from './service-context.js';

/** How long one caller owns the provider call of a refund before another may retry it. */
export const REFUND_CALL_LEASE_MS = 60_000;

/** Input of `refund`. */
export interface RefundInput {
  /** Our order id. */
  orderId: string;
  /** Minor units. @default what is still refundable on the chosen payment */
  amount?: number;
  /** Why the refund was made. */
  reason?: string;
  /**
   * Our refund id, the idempotency key. Retrying with the same id never refunds twice. @default a new id —
   * or, when a refund of the order with the same amount is still `pending` without a provider id (in flight,
   * or its call failed or never answered), that refund: a request without an id that matches one still open
   * is taken as a retry of it (a double click while the first is in flight refunds once; once a refund has
   * completed, an identical request is a new refund). Pass distinct ids for distinct refunds, the same id for retries.
   */
  refundId?: string;
  /** Which paid attempt to refund (an order paid twice has two). @default the latest with money left */
  attemptId?: string;
}

/** Outcome of `refund`. */
export interface RefundOutcome {
  /** The refund as it stands: `succeeded` once the provider confirmed it, `pending` while it processes (a webhook or a sync settles it), `failed` if refused. */
  refund: RefundRecord;
  /** The order after the refund (`refunded` once refunds cover everything captured). */
  order: OrderRecord;
  /** Amount still refundable on the order after this refund (pending refunds count as spent). */
  remaining: number;
}

const live = (r: RefundRecord) => r.status === 'pending' || r.status === 'succeeded';
const sum = (refunds: RefundRecord[]) => refunds.reduce((s, r) => s + r.amount, 0);

/** See the module doc. */
export async function refund<THandle>(ctx: ServiceContext<THandle>, input: RefundInput): Promise<RefundOutcome> {
  if (input.amount !== undefined) {
    assertMinorUnits(input.amount);
    if (input.amount === 0) {
      throw new ValidationError('Refund amount must be positive.', { field: 'amount', code: 'ZERO_AMOUNT' });
    }
  }
  const prepared = await ctx.repositories.transaction((tx) => prepare(ctx, tx, input));
  let record = prepared.refund;
  const { attempt } = prepared;
  if (record.status === 'pending' && (await claimProviderCall(ctx, record))) {
    let result: RefundResult;
    try {
      const alreadyRefunded = sum(
        (await ctx.repositories.refunds.listByOrder(record.orderId)).filter(
          (r) => r.refundId !== record.refundId && r.attemptId === attempt.attemptId && r.status === 'succeeded',
        ),
      );
      // The payment's own account version (DESIGN §12), even if the seller rotated since.
      const factory = await factoryForAttempt(ctx, attempt);
      result = await factory.refundPayment(attempt.provider, refundRequestOf(record, attempt, alreadyRefunded));
    } catch (error) {
      const final = isPaymentError(error) && !error.retryable;
      ctx.logger.warn('refund call failed', { refundId: record.refundId, error: describeError(error), final });
      if (final)
        await ctx.repositories.refunds.updateStatus({ refundId: record.refundId, from: ['pending'], to: 'failed' });
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
        effects,
      });
      if (changed) {
        await settleRefunds(ctx, tx, {
          event: null,
          attempt: lockedAttempt,
          order,
          source: 'refund',
          effects,
          changed: [changed],
        });
      }
      return (await tx.refunds.findById(record.refundId)) as RefundRecord;
    });
  }
  const order = (await ctx.repositories.orders.findById(record.orderId)) as OrderRecord;
  const remaining = await ctx.repositories.transaction(async (tx) => {
    const captured = await capturedAmount(tx, order);
    return Math.max(0, captured - sum((await tx.refunds.listByOrder(order.orderId)).filter(live)));
  });
  return { refund: record, order, remaining };
}

/** Under the order's row lock: find the refund to (re)drive, or check the remainder and record a new one. */
async function prepare<THandle>(
  ctx: ServiceContext<THandle>,
  tx: PaymentRepositoriesTx<THandle>,
  input: RefundInput,
): Promise<{ refund: RefundRecord; attempt: AttemptRecord }> {
  // Lock first, read after: every read below then sees refunds committed by whoever held the lock before.
  const order = await tx.orders.findById(input.orderId, { forUpdate: true });
  if (input.refundId) {
    const existing = await tx.refunds.findById(input.refundId);
    if (existing) {
      if (existing.orderId !== input.orderId) {
        throw new ValidationError(`Refund ${input.refundId} belongs to another order.`, {
          field: 'refundId',
          code: 'REFUND_ID_CONFLICT',
        });
      }
      return { refund: existing, attempt: (await tx.attempts.findById(existing.attemptId)) as AttemptRecord };
    }
  }
  if (!order) throw new NotFoundError(`Order ${input.orderId} does not exist.`, { code: 'ORDER_NOT_FOUND' });
  const refunds = await tx.refunds.listByOrder(order.orderId);
  if (!input.refundId) {
    // Resume a refund whose provider call failed or never answered instead of starting a second one.
    const stranded = refunds.find(
      (r) => r.status === 'pending' && !r.providerRefundId && (input.amount === undefined || input.amount === r.amount),
    );
    if (stranded)
      return { refund: stranded, attempt: (await tx.attempts.findById(stranded.attemptId)) as AttemptRecord };
  }
  if (order.status !== 'paid') {
    throw new ValidationError(`Order ${order.orderId} is ${order.status}; only a paid order can be refunded.`, {
      code: 'NOT_REFUNDABLE',
    });
  }
  const left = (a: AttemptRecord) => a.amount - sum(refunds.filter((r) => r.attemptId === a.attemptId && live(r)));
  const paid = (await tx.attempts.listByOrder(order.orderId)).filter((a) => a.status === 'paid');
  if (paid.length === 0) {
    throw new ValidationError(`Order ${order.orderId} was paid without a provider; nothing to refund remotely.`, {
      code: 'NO_PROVIDER_PAYMENT',
    });
  }
  const attempt = input.attemptId
    ? paid.find((a) => a.attemptId === input.attemptId)
    : (paid.filter((a) => left(a) > 0).at(-1) ?? paid.at(-1));
  if (!attempt) {
    throw new ValidationError(`Attempt ${input.attemptId} of order ${order.orderId} is not a paid payment.`, {
      field: 'attemptId',
      code: 'NOT_REFUNDABLE',
    });
  }
  const remainder = left(attempt);
  const amount = input.amount ?? remainder;
  if (amount <= 0 || amount > remainder) {
    throw new ValidationError(`Refund of ${amount} exceeds the refundable remainder ${remainder}.`, {
      field: 'amount',
      code: 'REFUND_EXCEEDS_REMAINDER',
      details: { remainder, attemptId: attempt.attemptId },
    });
  }
  const refundId = input.refundId ?? ctx.newId();
  const row = {
    refundId,
    orderId: order.orderId,
    attemptId: attempt.attemptId,
    provider: attempt.provider,
    amount,
    currency: order.currency,
    status: 'pending' as const,
    reason: input.reason ?? null,
  };
  // The factory's and the adapter's local checks (e.g. a refund id Alipay's out_request_no cannot carry) run before
  // the row is written: a refund refused without calling anything leaves nothing behind.
  const alreadyRefunded = sum(refunds.filter((r) => r.attemptId === attempt.attemptId && r.status === 'succeeded'));
  // Through the payment's own account version (its adapter's rules), with the order already read.
  (await factoryForAttempt(ctx, attempt, order)).validateRefund(
    attempt.provider,
    refundRequestOf(row, attempt, alreadyRefunded),
  );
  await tx.refunds.create(row);
  return { refund: (await tx.refunds.findById(refundId)) as RefundRecord, attempt };
}

/** The provider request for a refund of `attempt`, the same when it is validated and when it is sent. */
function refundRequestOf(
  refund: Pick<RefundRecord, 'refundId' | 'orderId' | 'amount' | 'currency' | 'reason'>,
  attempt: AttemptRecord,
  alreadyRefunded: number,
): RefundRequest {
  return {
    refundId: refund.refundId,
    attemptId: attempt.attemptId,
    providerReference: attempt.paymentIntentId ?? attempt.chargeId ?? (attempt.providerReference as string),
    channel: attempt.channel,
    amount: refund.amount,
    currency: refund.currency,
    paymentAmount: attempt.amount,
    alreadyRefunded,
    ...(refund.reason ? { reason: refund.reason } : {}),
    metadata: { order_bid: refund.orderId, refund_bid: refund.refundId },
  };
}

/**
 * Claims the right to call the provider for this refund for {@link REFUND_CALL_LEASE_MS}. Claims are journal
 * rows `refund-call:<refundId>:<n>`, n = 0, 1, 2…: a caller may take claim n+1 only once claim n is older than
 * the lease, and the journal's unique key lets exactly one concurrent caller take it; the others leave the
 * refund `pending` without calling. (A lease window cut from the wall clock, as before, could end a
 * millisecond after it was taken and let a second caller reach the provider while the first was in flight.)
 */
async function claimProviderCall<THandle>(ctx: ServiceContext<THandle>, refund: RefundRecord): Promise<boolean> {
  const prefix = `refund-call:${refund.refundId}:`;
  const now = ctx.clock();
  let latest: { n: number; at: Date } | null = null;
  for (const event of await ctx.repositories.events.listByOrder(refund.orderId)) {
    if (event.provider !== refund.provider || !event.eventId.startsWith(prefix)) continue;
    const n = Number(event.eventId.slice(prefix.length));
    if (Number.isSafeInteger(n) && (latest === null || n > latest.n)) latest = { n, at: event.receivedAt };
  }
  if (latest !== null && now.getTime() - latest.at.getTime() < REFUND_CALL_LEASE_MS) {
    ctx.logger.info('refund call already in progress', { refundId: refund.refundId });
    return false;
  }
  const outcome = await ctx.repositories.events.insert({
    provider: refund.provider,
    eventId: `${prefix}${latest === null ? 0 : latest.n + 1}`,
    type: 'refund.requested',
    providerEventType: 'refund.call',
    attemptId: refund.attemptId,
    orderId: refund.orderId,
    outcome: 'applied',
    detail: `provider refund call for ${refund.amount} ${refund.currency}`,
    receivedAt: now,
  });
  if (outcome === 'duplicate') ctx.logger.info('refund call already in progress', { refundId: refund.refundId });
  return outcome === 'inserted';
}
