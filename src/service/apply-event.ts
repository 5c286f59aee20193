/**
 * The exactly-once path every provider fact takes (webhooks, pulls, creation results): journal the event,
 * lock the attempt, check integrity, apply the state machine, run transactional hooks — all in one
 * transaction — then release after-commit effects.
 * @module
 */
import { IntegrityError, PaymentError } from '../core/errors.js';
import { normalizeCurrency } from '../core/money.js';
import { eventPayloadHash } from '../core/payload-hash.js';
import type { PaymentEvent, ProviderRefund } from '../core/types.js';
import type { PaymentRepositoriesTx } from '../persistence/ports.js';
import type { AttemptPatch, AttemptRecord, OrderRecord, RefundRecord } from '../persistence/records.js';
import type { ChangeSource, PaymentAnomaly } from './hooks.js';
import {
  attemptFieldsFromRaw,
  concurrentChange,
  inTransaction,
  kindOf,
  providerObjectPatch,
  type Effects,
  type ServiceContext,
} from './service-context.js';
import { decideAttempt, decideOrder } from './state-machine.js';
import { markOrderPaid } from './mark-paid.js';
import { snapshotOf } from './merchant-accounts.js';
import { hasNativeRawColumns, nativeRawValue } from './native-raw.js';

/**
 * Which webhook route a delivery came in on: the platform's (`accountId` `null`) or a seller account's, with the
 * versions whose secrets verified it. A delivery is applied only to a payment snapshotted on the same side:
 * platform payments through the platform's route, a seller's payment through its account's route and a version
 * that verifies it. Pulls and creation results have no route and are not checked.
 */
export interface WebhookAccountRoute {
  /** The account of the route, `null` for the platform's. */
  accountId: string | null;
  /** Versions whose webhook secret verified the body. */
  versionIds: ReadonlySet<string>;
}

/** The platform's own webhook route. */
export const PLATFORM_ROUTE: WebhookAccountRoute = Object.freeze({ accountId: null, versionIds: new Set<string>() });

/** What became of one event. Every outcome is answered 2xx to the provider. */
export type EventOutcomeType = 'applied' | 'duplicate' | 'ignored' | 'rejected';

/** Result of applying one provider event. */
export interface EventResult {
  /** How the event was handled (`applied`, `duplicate`, `ignored`, `rejected`). */
  outcome: EventOutcomeType;
  /** Provider instance name (registry key). */
  provider: string;
  /** The provider's event id (unique per provider). */
  eventId: string;
  /** Event type. */
  type: PaymentEvent['type'];
  /** Our order id. */
  orderId: string | null;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string | null;
  /** Why (for logs and the journal). Never a secret. */
  detail: string | null;
}

interface Decision {
  outcome: Exclude<EventOutcomeType, 'duplicate'>;
  detail: string | null;
  orderId: string | null;
  attemptId: string | null;
}

/**
 * Applies one verified provider event exactly once.
 * @throws PaymentError `EVENT_OUT_OF_ORDER` (retryable) when a refund arrives before its payment; the
 *   transaction rolls back so a redelivery is processed again.
 */
export async function applyEvent<THandle>(
  ctx: ServiceContext<THandle>,
  event: PaymentEvent,
  source: ChangeSource,
  route?: WebhookAccountRoute,
): Promise<EventResult> {
  // Only a verified webhook's payload is hashed: a provider sends one event id with one body (less
  // `pending_webhooks`). Synthetic events (pulls, creation results) reuse deterministic ids for snapshots
  // that legitimately differ between pulls, so they are never compared.
  const payloadHash = source === 'webhook' && event.raw !== undefined ? await eventPayloadHash(event.raw) : null;
  const received = ctx.clock();
  try {
    return await journalLast(ctx, event, source, payloadHash, received, route);
  } catch (error) {
    if (error instanceof DuplicateEvent) return duplicateResult(event);
    // A conflicting body is settled where the journal row comes first: its anomaly must be written in a
    // transaction that commits. So is a refund out of order when the id may be journalled with another body
    // (that body's verdict, `rejected`, beats a retry that can never succeed).
    const outOfOrder = payloadHash !== null && error instanceof PaymentError && error.code === 'EVENT_OUT_OF_ORDER';
    if (!(error instanceof ConflictingEvent) && !outOfOrder) throw error;
    return journalFirst(ctx, event, source, payloadHash, received, route);
  }
}

/**
 * The fast path: the work first, then the journal row with its outcome, in the same transaction (one
 * statement instead of an insert and an update). Exactly once still holds: if the key is taken, the
 * transaction rolls back everything it did (writes, outbox rows, hooks' writes; after-commit effects never
 * run). A concurrent delivery of the same event waits on the attempt's row lock (on SQLite, on the write
 * lock), decides on what the first one committed, and then finds the key taken.
 */
async function journalLast<THandle>(
  ctx: ServiceContext<THandle>,
  event: PaymentEvent,
  source: ChangeSource,
  payloadHash: string | null,
  received: Date,
  route: WebhookAccountRoute | undefined,
): Promise<EventResult> {
  return inTransaction(ctx, async (tx, effects) => {
    const decision = await decide(ctx, tx, event, source, effects, route);
    const inserted = await tx.events.insert({
      ...journalFields(event, payloadHash, received),
      // An event that does not name our order (Alipay, WeChat Pay: only out_trade_no) is journalled under
      // the order its attempt belongs to, so the journal of an order lists it.
      orderId: event.orderId ?? decision.orderId,
      attemptId: event.attemptId ?? decision.attemptId,
      outcome: decision.outcome,
      detail: decision.detail,
      processedAt: ctx.clock(),
    });
    if (inserted === 'duplicate') throw new DuplicateEvent();
    if (inserted === 'conflict') throw new ConflictingEvent();
    return result(event, decision);
  });
}

/**
 * The journal row first, then the work: taken for an event id found journalled with another body (rare), so
 * its `event_conflict` anomaly is written in a transaction that commits while nothing of that body applies.
 * Also correct for every other case (a first delivery is applied, a duplicate ends at the insert).
 */
async function journalFirst<THandle>(
  ctx: ServiceContext<THandle>,
  event: PaymentEvent,
  source: ChangeSource,
  payloadHash: string | null,
  received: Date,
  route: WebhookAccountRoute | undefined,
): Promise<EventResult> {
  return inTransaction(ctx, async (tx, effects) => {
    const inserted = await tx.events.insert(journalFields(event, payloadHash, received));
    if (inserted === 'duplicate') return duplicateResult(event);
    if (inserted === 'conflict') {
      // Neither body is trusted over the other: the journalled one was applied, this one changes nothing.
      // Answered 200 (redelivering the same body cannot help); the anomaly is for a human to look at.
      const message = 'event id already journalled with a different payload; this delivery was not applied';
      effects.anomalies.push({
        kind: 'event_conflict',
        message,
        provider: event.provider,
        eventId: event.eventId,
        orderId: event.orderId,
        attemptId: event.attemptId,
        actual: payloadHash,
      });
      return result(event, {
        outcome: 'rejected',
        detail: message,
        orderId: event.orderId,
        attemptId: event.attemptId,
      });
    }
    const decision = await decide(ctx, tx, event, source, effects, route);
    await tx.events.markProcessed(event.provider, event.eventId, decision.outcome, decision.detail);
    return result(event, decision);
  });
}

function journalFields(event: PaymentEvent, payloadHash: string | null, receivedAt: Date) {
  return {
    provider: event.provider,
    eventId: event.eventId,
    type: event.type,
    providerEventType: event.providerEventType,
    attemptId: event.attemptId,
    orderId: event.orderId,
    payload: event.raw ?? null,
    payloadHash,
    receivedAt,
  };
}

function duplicateResult(event: PaymentEvent): EventResult {
  return result(event, {
    outcome: 'duplicate',
    detail: 'event already processed',
    orderId: event.orderId,
    attemptId: event.attemptId,
  });
}

/** Thrown inside the transaction to roll back the work of an event found journalled already. */
class DuplicateEvent extends Error {
  constructor() {
    super('event already processed');
    this.name = 'DuplicateEvent';
  }
}

/** Thrown inside the transaction to roll back the work of an event id journalled with another body. */
class ConflictingEvent extends Error {
  constructor() {
    super('event id journalled with another payload');
    this.name = 'ConflictingEvent';
  }
}

function result(
  event: PaymentEvent,
  d: Decision | (Omit<Decision, 'outcome'> & { outcome: 'duplicate' }),
): EventResult {
  return { provider: event.provider, eventId: event.eventId, type: event.type, ...d };
}

async function decide<THandle>(
  ctx: ServiceContext<THandle>,
  tx: PaymentRepositoriesTx<THandle>,
  event: PaymentEvent,
  source: ChangeSource,
  effects: Effects,
  route: WebhookAccountRoute | undefined,
): Promise<Decision> {
  const none = { orderId: event.orderId, attemptId: event.attemptId };
  if (event.type === 'unsupported')
    return { outcome: 'ignored', detail: `unsupported event ${event.providerEventType}`, ...none };

  const kind = kindOf(ctx, event.provider);
  // The provider tells the attempt's kind, so its table is read first (a statement per table saved).
  let attempt = event.attemptId
    ? await tx.attempts.findById(event.attemptId, { forUpdate: true, providerKind: kind })
    : null;
  if (!attempt && event.providerReference) {
    attempt = await tx.attempts.findByProviderReference(kind, event.providerReference, { forUpdate: true });
  }
  const anomaly = (kind_: PaymentAnomaly['kind'], message: string, extra: Partial<PaymentAnomaly> = {}): Decision => {
    effects.anomalies.push({
      kind: kind_,
      message,
      provider: event.provider,
      eventId: event.eventId,
      orderId: attempt?.orderId ?? event.orderId,
      attemptId: attempt?.attemptId ?? event.attemptId,
      ...extra,
    });
    return {
      outcome: 'rejected',
      detail: message,
      orderId: attempt?.orderId ?? event.orderId,
      attemptId: attempt?.attemptId ?? event.attemptId,
    };
  };

  if (!attempt) {
    const knownOrder = event.orderId ? await tx.orders.findById(event.orderId) : null;
    if (knownOrder) return anomaly('unknown_attempt', 'event names a known order but an unknown attempt');
    return { outcome: 'ignored', detail: 'no matching attempt', ...none };
  }
  if (event.attemptId && event.attemptId !== attempt.attemptId) {
    return anomaly('attempt_mismatch', 'event attempt id differs from the attempt its provider reference belongs to', {
      expected: attempt.attemptId,
      actual: event.attemptId,
    });
  }
  if (attempt.provider !== event.provider) {
    return anomaly('provider_mismatch', `attempt belongs to provider ${attempt.provider}`, {
      expected: attempt.provider,
      actual: event.provider,
    });
  }
  if (event.orderId && event.orderId !== attempt.orderId) {
    return anomaly('order_mismatch', 'event order id differs from the attempt order id', {
      expected: attempt.orderId,
      actual: event.orderId,
    });
  }
  const expectedLive = ctx.livemode ?? attempt.livemode;
  if (expectedLive !== null && expectedLive !== undefined && event.livemode !== expectedLive) {
    return anomaly('livemode_mismatch', `event livemode ${event.livemode} differs from expected ${expectedLive}`, {
      expected: expectedLive,
      actual: event.livemode,
    });
  }
  const order = await tx.orders.findById(attempt.orderId, { forUpdate: true });
  if (!order) throw new IntegrityError(`Attempt ${attempt.attemptId} has no order.`, { provider: event.provider });
  const ids = { orderId: order.orderId, attemptId: attempt.attemptId };
  if (route) {
    // A seller cannot move a platform payment, another seller's payment, or one of their own older versions
    // whose secret does not verify the body (DESIGN §12): in-memory comparison, no statement.
    const { versionId } = snapshotOf(attempt, order);
    const foreign =
      route.accountId === null ? versionId !== null : versionId === null || !route.versionIds.has(versionId);
    if (foreign) {
      return anomaly(
        'account_mismatch',
        route.accountId === null
          ? "event came in on the platform's route for a payment on a seller's merchant account"
          : `event verified for merchant account ${route.accountId} is for a payment on another account or account version`,
        { expected: versionId, actual: route.accountId === null ? null : [...route.versionIds] },
      );
    }
  }

  switch (event.type) {
    case 'payment.pending':
      return { outcome: 'ignored', detail: 'payment still pending', ...ids };
    case 'payment.succeeded': {
      if (event.amount !== null && event.amount !== attempt.amount) {
        return anomaly('amount_mismatch', `paid amount ${event.amount} differs from attempt amount ${attempt.amount}`, {
          expected: attempt.amount,
          actual: event.amount,
        });
      }
      if (event.currency !== null && normalizeCurrency(event.currency) !== attempt.currency) {
        return anomaly('currency_mismatch', `paid currency ${event.currency} differs from ${attempt.currency}`, {
          expected: attempt.currency,
          actual: event.currency,
        });
      }
      return applySuccess(ctx, tx, { event, attempt, order, source, effects });
    }
    case 'payment.failed':
    case 'payment.canceled': {
      const signal = event.type === 'payment.failed' ? 'failed' : 'canceled';
      const t = decideAttempt(attempt.status, signal);
      if (!t.to)
        return { outcome: 'ignored', detail: `attempt is ${attempt.status}; ${signal} changes nothing`, ...ids };
      const failure = event.failure;
      const moved = await tx.attempts.updateStatus({
        attemptId: attempt.attemptId,
        from: [attempt.status],
        to: t.to,
        patch: {
          ...providerObjectPatch(kind, event.raw),
          ...nativeRawPatch(kind, event, source),
          ...(failure ? { failureCode: failure.code, failureMessage: failure.message } : {}),
          ...(t.to === 'failed' ? { failedAt: event.occurredAt } : { closedAt: event.occurredAt }),
        },
      });
      if (!moved) throw concurrentChange(attempt.attemptId);
      if (t.to === 'failed') {
        const updated = (await tx.attempts.findById(attempt.attemptId)) as AttemptRecord;
        await ctx.hooks.onPaymentFailed?.({ tx, handle: tx.handle, order, attempt: updated, event, source });
        effects.notifications.push({ type: 'payment.failed', order, attempt: updated, source });
      }
      return { outcome: 'applied', detail: `attempt ${attempt.status} → ${t.to}`, ...ids };
    }
    case 'refund.succeeded':
    case 'refund.failed':
      return applyRefundEvent(ctx, tx, { event, attempt, order, source, effects });
  }
}

interface Facts {
  event: PaymentEvent;
  attempt: AttemptRecord;
  order: OrderRecord;
  source: ChangeSource;
  effects: Effects;
}

async function applySuccess<THandle>(
  ctx: ServiceContext<THandle>,
  tx: PaymentRepositoriesTx<THandle>,
  f: Facts,
): Promise<Decision> {
  const { event, attempt, order, source, effects } = f;
  const ids = { orderId: order.orderId, attemptId: attempt.attemptId };
  const kind = kindOf(ctx, event.provider);
  const at = decideAttempt(attempt.status, 'paid');
  const notes: string[] = [];
  if (at.to) {
    const moved = await tx.attempts.updateStatus({
      attemptId: attempt.attemptId,
      from: [attempt.status],
      to: 'paid',
      patch: {
        paidAt: event.occurredAt,
        ...providerObjectPatch(kind, event.raw),
        livemode: event.livemode,
        ...attemptFieldsFromRaw(kind, event.raw),
        ...nativeRawPatch(kind, event, source),
      },
    });
    if (!moved) throw concurrentChange(attempt.attemptId);
    notes.push(`attempt ${attempt.status} → paid`);
    if (at.anomaly) effects.anomalies.push(anomalyOf('late_success', at.anomaly, event, attempt));
  }
  const ot = decideOrder(order.status, 'paid');
  if (ot.to === 'paid') {
    const paidAttempt = (await tx.attempts.findById(attempt.attemptId)) as AttemptRecord;
    await markOrderPaid(ctx, tx, effects, { order, attempt: paidAttempt, amount: attempt.amount, event, source });
    notes.push(`order ${order.status} → paid`);
    if (ot.anomaly) effects.anomalies.push(anomalyOf('late_success', ot.anomaly, event, attempt));
  } else if (at.to) {
    effects.anomalies.push(
      anomalyOf(
        'double_payment',
        `order is already ${order.status}; this attempt was paid too and may need a refund`,
        event,
        attempt,
      ),
    );
  }
  if (notes.length === 0) return { outcome: 'ignored', detail: `already ${attempt.status}`, ...ids };
  return { outcome: 'applied', detail: notes.join('; '), ...ids };
}

async function applyRefundEvent<THandle>(
  ctx: ServiceContext<THandle>,
  tx: PaymentRepositoriesTx<THandle>,
  f: Facts,
): Promise<Decision> {
  const { event, attempt, order } = f;
  const ids = { orderId: order.orderId, attemptId: attempt.attemptId };
  if (event.refunds.length === 0) return { outcome: 'ignored', detail: 'refund event without refund details', ...ids };
  if (attempt.status !== 'paid' && attempt.status !== 'refunded') {
    throw new PaymentError('A refund arrived before the payment it refunds; it will be processed on redelivery.', {
      code: 'EVENT_OUT_OF_ORDER',
      retryable: true,
      provider: event.provider,
    });
  }
  for (const r of event.refunds) {
    if (normalizeCurrency(r.currency) !== order.currency) {
      f.effects.anomalies.push(
        anomalyOf('currency_mismatch', `refund currency ${r.currency} differs from ${order.currency}`, event, attempt),
      );
      return { outcome: 'rejected', detail: 'refund currency mismatch', ...ids };
    }
  }
  const changed: RefundRecord[] = [];
  for (const r of event.refunds) {
    const record = await recordProviderRefund(ctx, tx, {
      refund: r,
      order,
      attempt,
      provider: event.provider,
      raw: event.raw,
      effects: f.effects,
    });
    if (record) changed.push(record);
  }
  if (changed.length === 0) return { outcome: 'ignored', detail: 'refunds already recorded', ...ids };
  await settleRefunds(ctx, tx, { ...f, changed });
  return { outcome: 'applied', detail: changed.map((r) => `refund ${r.refundId} ${r.status}`).join('; '), ...ids };
}

/**
 * Writes one provider-reported refund into the ledger (ours, matched by our refund id or the provider's, or
 * one made in the provider's dashboard). Returns the record when it changed.
 */
export async function recordProviderRefund<THandle>(
  ctx: ServiceContext<THandle>,
  tx: PaymentRepositoriesTx<THandle>,
  input: {
    refund: ProviderRefund;
    order: OrderRecord;
    attempt: AttemptRecord;
    provider: string;
    raw: unknown;
    effects?: Effects;
  },
): Promise<RefundRecord | null> {
  const { refund: r, order, attempt, provider } = input;
  const existing =
    (r.refundId ? await tx.refunds.findById(r.refundId) : null) ??
    (await tx.refunds.findByProviderRefundId(provider, r.providerRefundId));
  if (!existing) {
    const refundId = r.refundId ?? ctx.newId();
    await tx.refunds.create({
      refundId,
      providerRefundId: r.providerRefundId,
      orderId: order.orderId,
      attemptId: attempt.attemptId,
      provider,
      amount: r.amount,
      currency: order.currency,
      status: r.status,
      reason: r.reason,
      raw: input.raw ?? null,
    });
    return tx.refunds.findById(refundId);
  }
  const patch = {
    raw: input.raw ?? null,
    ...(existing.providerRefundId ? {} : { providerRefundId: r.providerRefundId }),
  };
  if (existing.status === r.status) {
    if (!existing.providerRefundId) await tx.refunds.update(existing.refundId, patch);
    return null;
  }
  // The provider's word wins over ours: a refund we recorded as failed that it reports succeeded took the
  // money after all, and a succeeded refund can still fail later (e.g. the bank returned it).
  const allowed =
    existing.status === 'pending' ||
    (existing.status === 'succeeded' && r.status === 'failed') ||
    (existing.status === 'failed' && r.status === 'succeeded');
  if (!allowed) return null;
  if (existing.status !== 'pending') {
    input.effects?.anomalies.push({
      kind: 'refund_reversed',
      message: `refund ${existing.refundId} went from ${existing.status} to ${r.status} at the provider`,
      provider,
      eventId: null,
      orderId: order.orderId,
      attemptId: attempt.attemptId,
      expected: existing.status,
      actual: r.status,
    });
  }
  const moved = await tx.refunds.updateStatus({
    refundId: existing.refundId,
    from: [existing.status],
    to: r.status,
    patch,
  });
  return moved ? tx.refunds.findById(existing.refundId) : null;
}

/**
 * After ledger changes: when succeeded refunds cover the paid amount, moves attempt and order to
 * `refunded`; runs `onOrderRefunded` for each newly succeeded refund.
 */
export async function settleRefunds<THandle>(
  ctx: ServiceContext<THandle>,
  tx: PaymentRepositoriesTx<THandle>,
  f: Omit<Facts, 'event'> & { event: PaymentEvent | null; changed: RefundRecord[] },
): Promise<void> {
  const { order, attempt, event, source, effects } = f;
  const all = await tx.refunds.listByOrder(order.orderId);
  const succeeded = all.filter((r) => r.status === 'succeeded');
  // An attempt is refunded when its own refunds cover it; the order when refunds cover everything captured
  // (with a double payment, two attempts hold money and refunding one is not refunding the order).
  const attemptRefunded = succeeded.filter((r) => r.attemptId === attempt.attemptId).reduce((s, r) => s + r.amount, 0);
  if (attemptRefunded >= attempt.amount && decideAttempt(attempt.status, 'refunded').to) {
    await tx.attempts.updateStatus({ attemptId: attempt.attemptId, from: ['paid'], to: 'refunded' });
  }
  const captured = await capturedAmount(tx, order);
  const orderRefunded = succeeded.reduce((s, r) => s + r.amount, 0);
  const full = captured > 0 && orderRefunded >= captured;
  let current = order;
  if (full && decideOrder(order.status, 'refunded').to) {
    const moved = await tx.orders.updateStatus({ orderId: order.orderId, from: ['paid'], to: 'refunded' });
    if (!moved) throw concurrentChange(order.orderId);
    current = (await tx.orders.findById(order.orderId)) as OrderRecord;
  }
  const freshAttempt = await tx.attempts.findById(attempt.attemptId);
  for (const refund of f.changed) {
    if (refund.status !== 'succeeded') continue;
    await ctx.hooks.onOrderRefunded?.({
      tx,
      handle: tx.handle,
      order: current,
      attempt: freshAttempt,
      event,
      source,
      refund,
      fullyRefunded: full,
    });
    effects.notifications.push({
      type: 'order.refunded',
      order: current,
      attempt: freshAttempt,
      refund,
      fullyRefunded: full,
      source,
    });
  }
}

/** Money actually captured for the order: the sum of its attempts that were paid (and maybe refunded since). */
export async function capturedAmount<THandle>(tx: PaymentRepositoriesTx<THandle>, order: OrderRecord): Promise<number> {
  const attempts = await tx.attempts.listByOrder(order.orderId);
  const captured = attempts
    .filter((a) => a.status === 'paid' || a.status === 'refunded')
    .reduce((s, a) => s + a.amount, 0);
  return captured > 0 ? captured : order.paidAmount;
}

/**
 * For native Alipay / WeChat Pay attempts: the provider's status word (`raw_status`) and, for a verified
 * notification, the notification itself (`raw_notification`, signatures dropped, bounded), written with the
 * transition the event causes (no extra statement).
 */
function nativeRawPatch(kind: string, event: PaymentEvent, source: ChangeSource): AttemptPatch {
  if (!hasNativeRawColumns(kind)) return {};
  const status = attemptFieldsFromRaw(kind, event.raw).rawStatus;
  return {
    ...(status ? { rawStatus: status } : {}),
    ...(source === 'webhook' && event.raw !== undefined ? { rawNotification: nativeRawValue(event.raw) } : {}),
  };
}

function anomalyOf(
  kind: PaymentAnomaly['kind'],
  message: string,
  event: PaymentEvent | null,
  attempt: AttemptRecord,
): PaymentAnomaly {
  return {
    kind,
    message,
    provider: attempt.provider,
    eventId: event?.eventId ?? null,
    orderId: attempt.orderId,
    attemptId: attempt.attemptId,
  };
}
