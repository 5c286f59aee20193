/**
 * Emulated refunds: created through the API or "in the dashboard" (no metadata), they update the
 * charge's `amount_refunded` / `refunded` exactly as Stripe does, and refuse over-refunds with Stripe's errors.
 * @module
 */
import type { FormObject } from './form.js';
import {
  type EmulatedObject,
  invalidRequest,
  metadataParam,
  optionalInteger,
  optionalString,
  resourceMissing,
  type Store,
} from './store.js';

/** Refund statuses a test may move a refund to (see `updateRefund`). */
export type EmulatedRefundStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

const REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

/** `POST /v1/refunds`. */
export function createRefund(store: Store, params: FormObject): EmulatedObject {
  const charge = chargeToRefund(store, params);
  const remaining = (charge.amount as number) - (charge.amount_refunded as number);
  if (remaining <= 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
      code: 'charge_already_refunded',
      charge: charge.id,
    });
  }
  const amount = optionalInteger(params, 'amount') ?? remaining;
  if (amount < 1) throw invalidRequest('Refund amount must be positive.', { param: 'amount' });
  if (amount > remaining) {
    throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, {
      param: 'amount',
    });
  }
  const reason = optionalString(params, 'reason');
  if (reason !== undefined && !REASONS.has(reason)) {
    throw invalidRequest(`Invalid reason: must be one of ${[...REASONS].join(', ')}`, { param: 'reason' });
  }
  charge.amount_refunded = (charge.amount_refunded as number) + amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  return store.put({
    id: store.newId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: store.now(),
    currency: charge.currency,
    metadata: metadataParam(params.metadata),
    payment_intent: charge.payment_intent,
    reason: reason ?? null,
    receipt_number: null,
    status: 'succeeded',
  });
}

/** `GET /v1/refunds?payment_intent=…&charge=…&limit=…`, newest first like Stripe. */
export function listRefunds(store: Store, query: FormObject): EmulatedObject[] {
  const paymentIntent = optionalString(query, 'payment_intent');
  const charge = optionalString(query, 'charge');
  const limit = Math.min(optionalInteger(query, 'limit') ?? 10, 100);
  return refundsWhere(
    store,
    (r) => (!paymentIntent || r.payment_intent === paymentIntent) && (!charge || r.charge === charge),
  ).slice(0, limit);
}

/** Every refund matching `predicate`, newest first. */
export function refundsWhere(store: Store, predicate: (refund: EmulatedObject) => boolean): EmulatedObject[] {
  return store.all('refund').filter(predicate).reverse();
}

/** Control: move a refund to another status. A refund that fails or is canceled gives the money back to the charge. */
export function updateRefund(
  store: Store,
  id: string,
  status: EmulatedRefundStatus,
  failureReason?: string,
): EmulatedObject {
  const refund = store.get('refund', id);
  const wasCounted = refund.status !== 'failed' && refund.status !== 'canceled';
  const counts = status !== 'failed' && status !== 'canceled';
  if (wasCounted !== counts) {
    const charge = store.get('charge', refund.charge as string);
    charge.amount_refunded = (charge.amount_refunded as number) + (counts ? 1 : -1) * (refund.amount as number);
    charge.refunded = charge.amount_refunded === charge.amount;
  }
  refund.status = status;
  if (status === 'failed') refund.failure_reason = failureReason ?? 'unknown';
  return refund;
}

function chargeToRefund(store: Store, params: FormObject): EmulatedObject {
  const chargeId = optionalString(params, 'charge');
  if (chargeId !== undefined) {
    const charge = store.get('charge', chargeId, 'charge');
    if (charge.status !== 'succeeded')
      throw invalidRequest(`Charge ${chargeId} has not succeeded.`, { param: 'charge' });
    return charge;
  }
  const intentId = optionalString(params, 'payment_intent');
  if (intentId === undefined) {
    throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.');
  }
  const intent = store.objects.get(intentId);
  if (!intent || intent.object !== 'payment_intent')
    throw resourceMissing('payment_intent', intentId, 'payment_intent');
  const latest = typeof intent.latest_charge === 'string' ? store.objects.get(intent.latest_charge) : undefined;
  if (intent.status !== 'succeeded' || !latest || latest.status !== 'succeeded') {
    throw invalidRequest(`This PaymentIntent (${intentId}) does not have a successful charge to refund.`, {
      param: 'payment_intent',
    });
  }
  return latest;
}
