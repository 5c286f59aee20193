/**
 * Normalises a verified Stripe event into a `PaymentEvent`, by {@link STRIPE_EVENT_TABLE}.
 * @module
 */
import type Stripe from 'stripe';
import type { PaymentEvent, ProviderRefund } from '../core/types.js';
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
  const base = {
    provider,
    eventId: event.id,
    providerEventType: event.type,
    type: stripeEventType(event.type, { payment_status: object.payment_status, status: object.status }),
    livemode: event.livemode,
    occurredAt: new Date(event.created * 1000),
    raw: event,
  };
  const kind = STRIPE_EVENT_TABLE[event.type]?.object;
  const metadata = object.metadata ?? {};
  const ids = {
    attemptId: metadata[STRIPE_METADATA_KEYS.attemptId] ?? null,
    orderId: metadata[STRIPE_METADATA_KEYS.orderId] ?? null,
  };

  if (kind === 'payment_intent') {
    const intent = object as unknown as Stripe.PaymentIntent;
    const error = intent.last_payment_error;
    return {
      ...base,
      ...ids,
      providerReference: intent.id,
      ...money(
        intent.status === 'succeeded' && intent.amount_received > 0 ? intent.amount_received : intent.amount,
        intent.currency,
      ),
      refunds: [],
      failure:
        base.type === 'payment.failed' && error
          ? { code: error.decline_code ?? error.code ?? null, message: error.message ?? null }
          : null,
    };
  }
  if (kind === 'checkout.session') {
    const session = object as unknown as Stripe.Checkout.Session;
    return {
      ...base,
      attemptId: sessionAttemptId(session),
      orderId: ids.orderId,
      providerReference: session.id,
      ...money(session.amount_total, session.currency),
      refunds: [],
      failure: base.type === 'payment.failed' ? { code: 'async_payment_failed', message: null } : null,
    };
  }
  if (kind === 'charge') {
    const charge = object as unknown as Stripe.Charge;
    const refunds = charge.refunds?.data.map(mapRefund) ?? [];
    return {
      ...base,
      ...ids,
      providerReference: idOf(charge.payment_intent) ?? charge.id,
      ...money(charge.amount_refunded, charge.currency),
      refunds,
      failure: null,
    };
  }
  if (kind === 'refund') {
    const refund = object as unknown as Stripe.Refund;
    const mapped: ProviderRefund = mapRefund(refund);
    return {
      ...base,
      ...ids,
      providerReference: idOf(refund.payment_intent) ?? idOf(refund.charge),
      ...money(refund.amount, refund.currency),
      refunds: [mapped],
      failure:
        base.type === 'refund.failed' ? { code: refund.failure_reason ?? refund.status ?? null, message: null } : null,
    };
  }
  return {
    ...base,
    ...ids,
    providerReference: typeof object.id === 'string' ? object.id : null,
    amount: null,
    currency: null,
    refunds: [],
    failure: null,
  };
}

function money(
  amount: number | null | undefined,
  currency: string | null | undefined,
): { amount: number | null; currency: string | null } {
  if (typeof currency !== 'string' || currency === '') return { amount: amount ?? null, currency: null };
  return {
    amount: typeof amount === 'number' ? fromStripeAmount(amount, currency) : null,
    currency: currency.toUpperCase(),
  };
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (typeof value === 'string') return value;
  return value?.id ?? null;
}
