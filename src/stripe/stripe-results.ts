/**
 * Stripe objects → normalised results: creation results (with the browser-safe view), snapshots and refunds.
 * @module
 */
import type Stripe from 'stripe';
import type {
  NextAction,
  PaymentCreationResult,
  PaymentSnapshot,
  PaymentStatus,
  ProviderRefund,
  PublicPaymentView,
} from '../core/types.js';
import { fromStripeAmount } from './stripe-amounts.js';
import { checkoutSessionStatus, paymentIntentStatus, refundStatus, STRIPE_METADATA_KEYS } from './stripe-mappers.js';
import type { StripeMode } from './stripe-options.js';

/** Context every mapping needs. */
export interface ResultContext {
  provider: string;
  publishableKey: string | undefined;
}

/** A created (or replayed) PaymentIntent as a creation result. */
export function intentCreationResult(
  intent: Stripe.PaymentIntent,
  attemptId: string,
  ctx: ResultContext,
): PaymentCreationResult {
  const secret = intent.client_secret;
  const nextAction: NextAction = secret
    ? {
        type: 'client_secret',
        clientSecret: secret,
        ...(ctx.publishableKey ? { publishableKey: ctx.publishableKey } : {}),
      }
    : { type: 'none' };
  return creationResult(ctx, {
    channel: 'payment_intent',
    attemptId,
    providerReference: intent.id,
    status: paymentIntentStatus(intent),
    amount: fromStripeAmount(intent.amount, intent.currency),
    currency: intent.currency.toUpperCase(),
    nextAction,
    qrUrl: secret ?? null,
    expiresAt: null,
    livemode: intent.livemode,
    raw: intent,
  });
}

/** A created (or replayed) Checkout Session as a creation result. */
export function sessionCreationResult(
  session: Stripe.Checkout.Session,
  attemptId: string,
  ctx: ResultContext,
): PaymentCreationResult {
  const currency = session.currency ?? '';
  return creationResult(ctx, {
    channel: 'checkout_session',
    attemptId,
    providerReference: session.id,
    status: checkoutSessionStatus(session),
    amount: fromStripeAmount(session.amount_total ?? 0, currency),
    currency: currency.toUpperCase(),
    nextAction: session.url ? { type: 'redirect', url: session.url } : { type: 'none' },
    qrUrl: session.url ?? null,
    expiresAt: new Date(session.expires_at * 1000),
    livemode: session.livemode,
    raw: session,
  });
}

function creationResult(
  ctx: ResultContext,
  fields: Omit<PaymentCreationResult, 'provider' | 'public'>,
): PaymentCreationResult {
  const view: PublicPaymentView = {
    provider: ctx.provider,
    channel: fields.channel,
    attemptId: fields.attemptId,
    status: fields.status,
    amount: fields.amount,
    currency: fields.currency,
    nextAction: fields.nextAction,
    qrUrl: fields.qrUrl,
    expiresAt: fields.expiresAt,
  };
  return { provider: ctx.provider, ...fields, public: view };
}

/** A PaymentIntent (with `latest_charge` expanded when available) and its refunds as a snapshot. */
export function intentSnapshot(
  intent: Stripe.PaymentIntent,
  refunds: readonly Stripe.Refund[],
  ctx: ResultContext,
  from?: { session: Stripe.Checkout.Session; status: PaymentStatus },
): PaymentSnapshot {
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const mapped = refunds.map(mapRefund);
  const refundedFromList = mapped
    .filter((r) => r.status === 'succeeded' || r.status === 'pending')
    .reduce((sum, r) => sum + r.amount, 0);
  const status = from?.status ?? paymentIntentStatus(intent);
  return {
    provider: ctx.provider,
    channel: from ? 'checkout_session' : 'payment_intent',
    attemptId: from ? sessionAttemptId(from.session) : (intent.metadata?.[STRIPE_METADATA_KEYS.attemptId] ?? null),
    providerReference: from ? from.session.id : intent.id,
    paymentIntentId: intent.id,
    status,
    amount: fromStripeAmount(intent.amount, intent.currency),
    currency: intent.currency.toUpperCase(),
    amountRefunded: charge ? fromStripeAmount(charge.amount_refunded, charge.currency) : refundedFromList,
    refunds: mapped,
    livemode: intent.livemode,
    paidAt: status === 'succeeded' && charge?.status === 'succeeded' ? new Date(charge.created * 1000) : null,
    raw: from ? from.session : intent,
  };
}

/** A Checkout Session without a PaymentIntent yet (open, expired) as a snapshot. */
export function sessionSnapshot(session: Stripe.Checkout.Session, ctx: ResultContext): PaymentSnapshot {
  const currency = session.currency ?? '';
  return {
    provider: ctx.provider,
    channel: 'checkout_session',
    attemptId: sessionAttemptId(session),
    providerReference: session.id,
    paymentIntentId: null,
    status: checkoutSessionStatus(session),
    amount: fromStripeAmount(session.amount_total ?? 0, currency),
    currency: currency.toUpperCase(),
    amountRefunded: 0,
    refunds: [],
    livemode: session.livemode,
    paidAt: null,
    raw: session,
  };
}

/** A Stripe refund as ours; `refundId` comes from metadata `refund_bid` (null for dashboard refunds). */
export function mapRefund(refund: Stripe.Refund): ProviderRefund {
  return {
    providerRefundId: refund.id,
    refundId: refund.metadata?.[STRIPE_METADATA_KEYS.refundId] ?? null,
    amount: fromStripeAmount(refund.amount, refund.currency),
    currency: refund.currency.toUpperCase(),
    status: refundStatus(refund.status),
    reason: refund.reason ?? refund.metadata?.refund_reason ?? null,
  };
}

/** Our attempt id on a session: metadata first, then `client_reference_id` (which the adapter also sets to it). */
export function sessionAttemptId(
  session: Pick<Stripe.Checkout.Session, 'metadata' | 'client_reference_id'>,
): string | null {
  return session.metadata?.[STRIPE_METADATA_KEYS.attemptId] ?? session.client_reference_id ?? null;
}

/** The channel of a provider reference: `pi_…` → PaymentIntent, `cs_…` → Checkout Session. */
export function referenceMode(reference: string): StripeMode | 'charge' | undefined {
  if (reference.startsWith('pi_')) return 'payment_intent';
  if (reference.startsWith('cs_')) return 'checkout_session';
  if (reference.startsWith('ch_') || reference.startsWith('py_')) return 'charge';
  return undefined;
}
