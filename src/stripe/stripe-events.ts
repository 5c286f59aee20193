/**
 * Normalises a verified Stripe event into a `PaymentEvent`, by {@link STRIPE_EVENT_TABLE}.
 * @module
 */
import type Stripe from 'stripe';
import type { PaymentEvent } from '../core/types.js';
import { fromStripeAmount } from './stripe-amounts.js';
import { STRIPE_EVENT_TABLE, STRIPE_METADATA_KEYS, stripeEventType } from './stripe-mappers.js';
import { mapRefund, sessionAttemptId } from './stripe-results.js';

/** The loosely-typed view of `event.data.object` the normaliser reads (any Stripe object). */
interface AnyStripeObject {
  id?: unknown;
  object?: unknown;
  metadata?: Record<string, string> | null;
  [key: string]: unknown;
}

/**
 * Normalises a verified event.
 *
 * - Payment events carry `attemptId` from metadata `stripe_order_bid`, `orderId` from `order_bid`,
 *   `providerReference` = the PaymentIntent id (the session id for `checkout.session.*`), the amount and
 *   upper-case currency, and the failure for failed payments.
 * - `charge.refunded` carries the charge's cumulative `amount_refunded` as `amount` and, when the charge
 *   lists them, its refunds; `refund.*` carries the one refund (our `refundId` from metadata `refund_bid`).
 *   Their `providerReference` is the PaymentIntent (else the charge).
 * - Any other type is `unsupported`, with whatever ids its object carries.
 */
export function normalizeStripeEvent(event: Stripe.Event, provider: string): PaymentEvent {
  const object = (event.data?.object ?? {}) as unknown as AnyStripeObject;
  const metadata = object.metadata ?? {};
  // One object literal of one shape, filled in per kind: this runs once per webhook (spreads cost more).
  const out: PaymentEvent = {
    provider,
    eventId: event.id,
    type: stripeEventType(event.type, { payment_status: object.payment_status, status: object.status }),
    providerEventType: event.type,
    attemptId: metadata[STRIPE_METADATA_KEYS.attemptId] ?? null,
    orderId: metadata[STRIPE_METADATA_KEYS.orderId] ?? null,
    providerReference: null,
    amount: null,
    currency: null,
    livemode: event.livemode,
    occurredAt: new Date(event.created * 1000),
    refunds: [],
    failure: null,
    raw: event,
  };
  const kind = STRIPE_EVENT_TABLE[event.type]?.object;

  if (kind === 'payment_intent') {
    const intent = object as unknown as Stripe.PaymentIntent;
    const error = intent.last_payment_error;
    out.providerReference = intent.id;
    setMoney(
      out,
      intent.status === 'succeeded' && intent.amount_received > 0 ? intent.amount_received : intent.amount,
      intent.currency,
    );
    if (out.type === 'payment.failed' && error)
      out.failure = { code: error.decline_code ?? error.code ?? null, message: error.message ?? null };
    return out;
  }
  if (kind === 'checkout.session') {
    const session = object as unknown as Stripe.Checkout.Session;
    out.attemptId = sessionAttemptId(session);
    out.providerReference = session.id;
    setMoney(out, session.amount_total, session.currency);
    if (out.type === 'payment.failed') out.failure = { code: 'async_payment_failed', message: null };
    return out;
  }
  if (kind === 'charge') {
    const charge = object as unknown as Stripe.Charge;
    out.providerReference = idOf(charge.payment_intent) ?? charge.id;
    setMoney(out, charge.amount_refunded, charge.currency);
    out.refunds = charge.refunds?.data.map(mapRefund) ?? [];
    return out;
  }
  if (kind === 'refund') {
    const refund = object as unknown as Stripe.Refund;
    out.providerReference = idOf(refund.payment_intent) ?? idOf(refund.charge);
    setMoney(out, refund.amount, refund.currency);
    out.refunds = [mapRefund(refund)];
    if (out.type === 'refund.failed')
      out.failure = { code: refund.failure_reason ?? refund.status ?? null, message: null };
    return out;
  }
  out.providerReference = typeof object.id === 'string' ? object.id : null;
  return out;
}

function setMoney(out: PaymentEvent, amount: number | null | undefined, currency: string | null | undefined): void {
  if (typeof currency !== 'string' || currency === '') {
    out.amount = amount ?? null;
    return;
  }
  out.amount = typeof amount === 'number' ? fromStripeAmount(amount, currency) : null;
  out.currency = currency.toUpperCase();
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (typeof value === 'string') return value;
  return value?.id ?? null;
}
