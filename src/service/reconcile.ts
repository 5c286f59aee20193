/**
 * `syncPayment` and `reconcile`: pull the provider's truth and apply it through the same exactly-once path
 * as webhooks, with deterministic event ids so repeated pulls of the same truth are duplicates.
 * @module
 */
import { factoryForAttempt } from './merchant-accounts.js';
import { claimSweepWork, type SweepClaim } from '../outbox/sweep-claims.js';
import { isPaymentError, NotFoundError } from '../core/errors.js';
import type { PaymentEvent, PaymentSnapshot } from '../core/types.js';
import type { AttemptRecord, OrderRecord } from '../persistence/records.js';
import { applyEvent, type EventResult } from './apply-event.js';
import { isExpired } from './init-order.js';
import { describeError, syntheticEvent, type ServiceContext } from './service-context.js';

/** Outcome of `syncPayment`. */
export interface SyncResult {
  /** The order after the sync. */
  order: OrderRecord;
  /** One entry per synthesised event applied. */
  events: EventResult[];
  /** Whether anything changed. */
  changed: boolean;
}

/** Converts a provider snapshot into the events it implies. */
export function eventsFromSnapshot(attempt: AttemptRecord, snapshot: PaymentSnapshot, now: Date): PaymentEvent[] {
  const ref = snapshot.providerReference;
  const base = {
    provider: attempt.provider,
    attemptId: attempt.attemptId,
    orderId: attempt.orderId,
    providerReference: ref,
    livemode: snapshot.livemode,
    raw: snapshot.raw,
  };
  const events: PaymentEvent[] = [];
  const status = snapshot.status;
  if (status === 'succeeded' || status === 'failed' || status === 'canceled') {
    const type =
      status === 'succeeded' ? 'payment.succeeded' : status === 'failed' ? 'payment.failed' : 'payment.canceled';
    events.push(
      syntheticEvent({
        ...base,
        eventId: `sync:${ref}:${status}`,
        type,
        providerEventType: `sync.${status}`,
        amount: snapshot.amount,
        currency: snapshot.currency,
        occurredAt: snapshot.paidAt ?? now,
      }),
    );
  }
  for (const refund of snapshot.refunds) {
    if (refund.status !== 'succeeded' && refund.status !== 'failed') continue;
    events.push(
      syntheticEvent({
        ...base,
        eventId: `sync:${ref}:refund:${refund.providerRefundId}:${refund.status}`,
        type: refund.status === 'succeeded' ? 'refund.succeeded' : 'refund.failed',
        providerEventType: `sync.refund.${refund.status}`,
        amount: refund.amount,
        currency: refund.currency,
        occurredAt: now,
        refunds: [refund],
      }),
    );
  }
  return events;
}

/** Pulls one attempt's truth and applies it. */
export async function syncAttempt<THandle>(
  ctx: ServiceContext<THandle>,
  attempt: AttemptRecord,
): Promise<EventResult[]> {
  if (!attempt.providerReference) return [];
  // Refunds still pending in the ledger are asked about by id (WeChat Pay's order query lists none). Only a paid
  // attempt can have refunds, so pending attempts (reconcile's) cost no extra read.
  const refundIds =
    attempt.status === 'paid'
      ? (await ctx.repositories.refunds.listByOrder(attempt.orderId))
          .filter((r) => r.attemptId === attempt.attemptId && r.status === 'pending')
          .map((r) => r.refundId)
      : [];
  const factory = await factoryForAttempt(ctx, attempt);
  const snapshot = await factory.retrievePayment(attempt.provider, {
    providerReference: attempt.providerReference,
    attemptId: attempt.attemptId,
    channel: attempt.channel,
    ...(refundIds.length > 0 ? { refundIds } : {}),
  });
  const results: EventResult[] = [];
  for (const event of eventsFromSnapshot(attempt, snapshot, ctx.clock())) {
    results.push(await applyEvent(ctx, event, 'sync'));
  }
  return results;
}

/**
 * Pulls the provider's truth for the order's attempts that may still change (pending, or paid with
 * possible refunds) and applies it.
 */
export async function syncPayment<THandle>(
  ctx: ServiceContext<THandle>,
  input: { orderId: string },
): Promise<SyncResult> {
  const order = await ctx.repositories.orders.findById(input.orderId);
  if (!order) throw new NotFoundError(`Order ${input.orderId} does not exist.`, { code: 'ORDER_NOT_FOUND' });
  const attempts = (await ctx.repositories.attempts.listByOrder(order.orderId)).filter(
    (a) => (a.status === 'pending' || a.status === 'paid') && a.providerReference,
  );
  const events: EventResult[] = [];
  for (const attempt of attempts) events.push(...(await syncAttempt(ctx, attempt)));
  const after = (await ctx.repositories.orders.findById(order.orderId)) as OrderRecord;
  return { order: after, events, changed: events.some((e) => e.outcome === 'applied') };
}

/** Input of `reconcile`. */
export interface ReconcileInput {
  /**
   * Only attempts (and pending refunds) created before this instant, or at least this many milliseconds ago.
   * @default 5 minutes
   */
  olderThan?: Date | number;
  /** At most this many pending attempts, and this many pending refunds. @default 100 */
  limit?: number;
  /**
   * With an outbox, each attempt is claimed before the provider is asked (a `payment.sweep` row, see
   * docs/outbox.md), so instances running `reconcile` at the same time split the attempts; this is the claimer's
   * name. @default a random name per call
   */
  owner?: string;
  /**
   * With an outbox: after an attempt is checked, no instance checks it again for this long (the worker passes
   * half its reconcile interval, so instances on the same schedule do not ask twice about a still-pending
   * attempt). With 0, an attempt is never checked by two instances at once, and one another instance changed
   * meanwhile is skipped. @default 0
   */
  holdMs?: number;
}

/** What `reconcile` found. */
export interface ReconcileReport {
  /** How many attempts were checked. */
  checked: number;
  /** Attempts whose state changed. */
  changed: number;
  /** Attempts the provider still reports pending, and paid attempts whose pending refunds it still reports pending. */
  stillPending: number;
  /** Attempts skipped because another instance held (or just checked) them. */
  claimedElsewhere: number;
  /** Attempts without a provider reference (the create call never answered), still within the payment window. */
  unreferenced: number;
  /**
   * Attempts past their payment window that the provider still reports unpaid (or never acknowledged), now
   * `closed` locally so they stop occupying every run. A late payment of one is still recorded (with a
   * late-success anomaly).
   */
  closed: number;
  /** Attempts that could not be checked this run (provider down, a record missing); the next run retries them. */
  errors: Array<{
    /** The attempt that failed to reconcile. */
    attemptId: string;
    /** The error's code (`PROVIDER_UNAVAILABLE`, `DATABASE_UNAVAILABLE`…; `UNEXPECTED_ERROR` for a non-library error). */
    code: string;
    /** Whether retrying later may succeed. */
    retryable: boolean;
  }>;
  /** Per-attempt details. */
  details: Array<{
    /** Our attempt id (the provider-side idempotency key / `order_no`). */
    attemptId: string;
    /** Our order id. */
    orderId: string;
    /** How the event was handled (`applied`, `duplicate`, `ignored`, `rejected`). */
    outcome: 'changed' | 'pending' | 'unreferenced' | 'closed' | 'error';
  }>;
}

/**
 * Pulls provider truth for stale pending attempts, and for paid attempts with refunds still pending since before
 * the cutoff (their notification lost), and applies it through the webhook path. Safe to run from several
 * instances at once: every change is exactly-once through the journal.
 *
 * @example
 * ```ts
 * setInterval(() => service.reconcile({ olderThan: 10 * 60_000, limit: 200 }).then(report => log(report)), 60_000)
 * ```
 */
export async function reconcile<THandle>(
  ctx: ServiceContext<THandle>,
  input: ReconcileInput = {},
): Promise<ReconcileReport> {
  const now = ctx.clock();
  const cutoff =
    input.olderThan instanceof Date ? input.olderThan : new Date(now.getTime() - (input.olderThan ?? 5 * 60_000));
  const pending = await ctx.repositories.attempts.listPending({ createdBefore: cutoff, limit: input.limit ?? 100 });
  const report: ReconcileReport = {
    checked: 0,
    changed: 0,
    stillPending: 0,
    claimedElsewhere: 0,
    unreferenced: 0,
    closed: 0,
    errors: [],
    details: [],
  };
  const outbox = ctx.repositories.outbox;
  const owner = input.owner ?? `reconcile:${ctx.newId().slice(0, 12)}`;
  for (const listed of pending) {
    let attempt = listed;
    let claim: SweepClaim | null = null;
    if (outbox) {
      claim = await claimSweepWork(outbox, `reconcile:${listed.attemptId}`, {
        owner,
        clock: ctx.clock,
        holdMs: input.holdMs ?? 0,
      });
      // Held elsewhere, or checked there since this run listed it: not this instance's to ask about.
      const fresh = claim ? await ctx.repositories.attempts.findById(listed.attemptId) : null;
      if (!claim || fresh?.status !== 'pending') {
        await claim?.release();
        report.claimedElsewhere += 1;
        continue;
      }
      attempt = fresh;
    }
    report.checked += 1;
    const ids = { attemptId: attempt.attemptId, orderId: attempt.orderId };
    try {
      if (!attempt.providerReference) {
        if (await closeIfStale(ctx, attempt, now, 'NO_PROVIDER_REFERENCE')) {
          report.closed += 1;
          report.details.push({ ...ids, outcome: 'closed' });
        } else {
          report.unreferenced += 1;
          report.details.push({ ...ids, outcome: 'unreferenced' });
        }
        continue;
      }
      const results = await syncAttempt(ctx, attempt);
      if (results.some((r) => r.outcome === 'applied')) {
        report.changed += 1;
        report.details.push({ ...ids, outcome: 'changed' });
      } else {
        const outcome = await expireStale(ctx, attempt, now);
        if (outcome === 'changed') report.changed += 1;
        else if (outcome === 'closed') report.closed += 1;
        else report.stillPending += 1;
        report.details.push({ ...ids, outcome });
      }
    } catch (error) {
      ctx.logger.warn('reconcile: attempt failed', { attemptId: attempt.attemptId, error: describeError(error) });
      report.errors.push({
        attemptId: attempt.attemptId,
        code: isPaymentError(error) ? error.code : 'UNEXPECTED_ERROR',
        retryable: isPaymentError(error) ? error.retryable : true,
      });
      report.details.push({ ...ids, outcome: 'error' });
    } finally {
      await claim?.release();
    }
  }
  await reconcilePendingRefunds(ctx, { ...input, cutoff, owner }, report);
  return report;
}

/**
 * Refunds whose notification was lost: their attempts are paid, so the pending-attempt pass never sees them.
 * Each paid attempt with a refund still pending since before the cutoff is synced once, which asks the provider
 * about those refunds by id (Stripe and Ping++ list them with the payment; Alipay and WeChat Pay are asked per
 * refund) and applies what settled. Counted like attempts: `changed` when a refund settled, else `stillPending`.
 * Needs `RefundRepository.listPending` (optional in the port); without it this pass is skipped.
 */
async function reconcilePendingRefunds<THandle>(
  ctx: ServiceContext<THandle>,
  input: ReconcileInput & { cutoff: Date; owner: string },
  report: ReconcileReport,
): Promise<void> {
  const refunds = ctx.repositories.refunds;
  if (!refunds.listPending) return;
  const pending = await refunds.listPending({ createdBefore: input.cutoff, limit: input.limit ?? 100 });
  const seen = new Set(report.details.map((d) => d.attemptId));
  const outbox = ctx.repositories.outbox;
  for (const attemptId of new Set(pending.map((r) => r.attemptId))) {
    if (seen.has(attemptId)) continue;
    const claim = outbox
      ? await claimSweepWork(outbox, `reconcile:${attemptId}`, {
          owner: input.owner,
          clock: ctx.clock,
          holdMs: input.holdMs ?? 0,
        })
      : null;
    if (outbox && !claim) {
      report.claimedElsewhere += 1;
      continue;
    }
    try {
      const attempt = await ctx.repositories.attempts.findById(attemptId);
      // A refund is made only of a paid attempt; anything else (refunded in full meanwhile) has nothing to ask.
      if (attempt?.status !== 'paid' || !attempt.providerReference) continue;
      report.checked += 1;
      const ids = { attemptId, orderId: attempt.orderId };
      try {
        const results = await syncAttempt(ctx, attempt);
        const changed = results.some((r) => r.outcome === 'applied');
        if (changed) report.changed += 1;
        else report.stillPending += 1;
        report.details.push({ ...ids, outcome: changed ? 'changed' : 'pending' });
      } catch (error) {
        ctx.logger.warn('reconcile: refunds of attempt failed', { attemptId, error: describeError(error) });
        report.errors.push({
          attemptId,
          code: isPaymentError(error) ? error.code : 'UNEXPECTED_ERROR',
          retryable: isPaymentError(error) ? error.retryable : true,
        });
        report.details.push({ ...ids, outcome: 'error' });
      }
    } finally {
      await claim?.release();
    }
  }
}

/** The end of an attempt's payment window: its own expiry, else the order's. */
function windowEnd<THandle>(ctx: ServiceContext<THandle>, attempt: AttemptRecord): Date {
  return attempt.expiresAt ?? new Date(attempt.createdAt.getTime() + ctx.orderExpireSeconds * 1000);
}

/**
 * A referenced attempt the provider still reports unpaid, past its payment window: first stop the payment at
 * the provider (cancel the PaymentIntent, expire the Checkout Session, reverse the Ping++ charge), so nobody can
 * pay an order we time out; then close it locally. If the provider says it was paid meanwhile, that success is
 * applied (`changed`): the order is paid, not timed out. A payment still processing stays `pending`.
 */
async function expireStale<THandle>(
  ctx: ServiceContext<THandle>,
  attempt: AttemptRecord,
  now: Date,
): Promise<'changed' | 'closed' | 'pending'> {
  if (windowEnd(ctx, attempt).getTime() > now.getTime()) return 'pending';
  const factory = await factoryForAttempt(ctx, attempt);
  const provider = factory.providers.get(attempt.provider);
  if (provider?.cancelPayment && attempt.providerReference) {
    const snapshot = await factory.cancelPayment(attempt.provider, {
      providerReference: attempt.providerReference,
      attemptId: attempt.attemptId,
      channel: attempt.channel,
    });
    for (const event of eventsFromSnapshot(attempt, snapshot, ctx.clock())) await applyEvent(ctx, event, 'sync');
    if (snapshot.status === 'succeeded') return 'changed';
    if (snapshot.status !== 'canceled' && snapshot.status !== 'failed') return 'pending';
  }
  await closeIfStale(ctx, attempt, now, 'EXPIRED_UNPAID');
  return 'closed';
}

/**
 * Closes a still-pending attempt that is past its payment window (its own expiry, else the order's), and
 * times out its order if that is still open and expired. Guarded: a payment applied meanwhile wins.
 */
async function closeIfStale<THandle>(
  ctx: ServiceContext<THandle>,
  attempt: AttemptRecord,
  now: Date,
  code: string,
): Promise<boolean> {
  if (windowEnd(ctx, attempt).getTime() > now.getTime()) return false;
  const closed = await ctx.repositories.attempts.updateStatus({
    attemptId: attempt.attemptId,
    from: ['pending'],
    to: 'closed',
    patch: { failureCode: code, failureMessage: 'Closed by reconcile: unpaid past its payment window.' },
  });
  const order = await ctx.repositories.orders.findById(attempt.orderId);
  if (order && isExpired(ctx, order)) {
    await ctx.repositories.orders.updateStatus({ orderId: order.orderId, from: ['init', 'pending'], to: 'timeout' });
  }
  return closed;
}
