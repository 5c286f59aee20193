/**
 * The Stripe adapter's mapping tables, as data: currency quirks, PaymentIntent / Checkout Session /
 * Refund statuses, webhook event types, and SDK errors. This is the first place to look when a Stripe
 * payment misbehaves; each row is tested on its own (`test/unit/stripe/stripe-mappers.test.ts`).
 * @module
 */
import type { PaymentEventType, PaymentStatus, RefundStatus } from '../core/types.js';

/** Metadata keys the adapter writes on PaymentIntents, Checkout Sessions and Refunds (names of the original system). */
export const STRIPE_METADATA_KEYS = {
  /** Our order id. */
  orderId: 'order_bid',
  /** Our attempt id: the key webhooks are matched by. */
  attemptId: 'stripe_order_bid',
  /** Our user id. */
  userId: 'user_bid',
  /** Our product id. */
  productId: 'shifu_bid',
  /** Our refund id, on refunds. */
  refundId: 'refund_bid',
} as const;

// ---------------------------------------------------------------------------------------------------
// Currencies

/** How Stripe's amount for a currency differs from ISO 4217 minor units. */
export interface StripeCurrencyRule {
  /** Decimals Stripe expects in `amount`, when it differs from ISO 4217. */
  stripeExponent?: number;
  /** Stripe amounts must be a multiple of this (in Stripe units). */
  multipleOf?: number;
  /** Why, in Stripe's words. */
  note: string;
}

const THREE_DECIMAL_NOTE =
  'Three-decimal currency: Stripe requires the amount to end in 0 (a multiple of 0.010) for compatibility with its payment partners.';
const LEGACY_TWO_DECIMAL_NOTE =
  'Zero-decimal in ISO 4217 and on Stripe, but for backwards compatibility Stripe takes the amount with two decimals that are always 00 (5 units are sent as 500).';

/**
 * Stripe's currency quirks. Our amounts are ISO 4217 minor units everywhere; `toStripeAmount` and
 * `fromStripeAmount` apply these rows at the adapter boundary and nowhere else.
 */
export const STRIPE_CURRENCY_RULES: Readonly<Record<string, StripeCurrencyRule>> = {
  ISK: { stripeExponent: 2, note: LEGACY_TWO_DECIMAL_NOTE },
  UGX: { stripeExponent: 2, note: LEGACY_TWO_DECIMAL_NOTE },
  MGA: {
    stripeExponent: 0,
    note: 'Two-decimal in ISO 4217 but zero-decimal on Stripe: only whole ariary can be charged.',
  },
  HUF: { note: 'Two-decimal for charges, as in ISO 4217; Stripe pays HUF out in whole forints only.' },
  TWD: { note: 'Two-decimal for charges, as in ISO 4217; Stripe pays TWD out in whole dollars only.' },
  BHD: { multipleOf: 10, note: THREE_DECIMAL_NOTE },
  JOD: { multipleOf: 10, note: THREE_DECIMAL_NOTE },
  KWD: { multipleOf: 10, note: THREE_DECIMAL_NOTE },
  OMR: { multipleOf: 10, note: THREE_DECIMAL_NOTE },
  TND: { multipleOf: 10, note: THREE_DECIMAL_NOTE },
};

// ---------------------------------------------------------------------------------------------------
// Statuses

/** One row of the PaymentIntent status table. */
export interface PaymentIntentStatusRow {
  /** Stripe PaymentIntent `status`. */
  status: string;
  /** Row applies only when `last_payment_error` is (true) / is not (false) set; any when undefined. */
  lastPaymentError?: boolean;
  /** Our payment status for it. */
  maps: PaymentStatus;
}

/**
 * PaymentIntent `status` → our status. First matching row wins; an unknown status is `pending`
 * (never assume money moved). `requires_payment_method` after a failed attempt is `failed`: the payer may
 * try again, but this attempt failed.
 */
export const PAYMENT_INTENT_STATUS_TABLE: readonly PaymentIntentStatusRow[] = [
  { status: 'requires_payment_method', lastPaymentError: true, maps: 'failed' },
  { status: 'requires_payment_method', maps: 'pending' },
  { status: 'requires_confirmation', maps: 'pending' },
  { status: 'requires_action', maps: 'requires_action' },
  { status: 'processing', maps: 'processing' },
  // Authorised but not captured: the money is not ours yet.
  { status: 'requires_capture', maps: 'processing' },
  { status: 'succeeded', maps: 'succeeded' },
  { status: 'canceled', maps: 'canceled' },
];

/** One row of the Checkout Session status table. */
export interface CheckoutSessionStatusRow {
  /** Stripe Checkout Session `status`. */
  status: string;
  /** `payment_status` the row needs; any when undefined. */
  paymentStatus?: string;
  /** Our payment status for it. */
  maps: PaymentStatus;
}

/**
 * Checkout Session (`status`, `payment_status`) → our status. First matching row wins; unknown is
 * `pending`. Only `paid` is money received. A `complete`/`unpaid` session is an async payment in flight;
 * when its PaymentIntent is known, the adapter refines it with {@link PAYMENT_INTENT_STATUS_TABLE}
 * (so a failed async payment reads `failed`).
 */
export const CHECKOUT_SESSION_STATUS_TABLE: readonly CheckoutSessionStatusRow[] = [
  { status: 'complete', paymentStatus: 'paid', maps: 'succeeded' },
  { status: 'complete', paymentStatus: 'unpaid', maps: 'processing' },
  // A 100%-discounted session: nothing was collected, so it is not "paid" money. Our sessions never have discounts.
  { status: 'complete', paymentStatus: 'no_payment_required', maps: 'pending' },
  { status: 'open', maps: 'pending' },
  { status: 'expired', maps: 'canceled' },
];

/** Refund `status` → our refund status. Unknown is `pending`. */
export const REFUND_STATUS_TABLE: Readonly<Record<string, RefundStatus>> = {
  pending: 'pending',
  requires_action: 'pending',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
};

// ---------------------------------------------------------------------------------------------------
// Webhook events

/** Kind of Stripe object an event carries in `data.object`. */
export type StripeEventObjectKind = 'payment_intent' | 'checkout.session' | 'charge' | 'refund';

/** One row of the event table. */
export interface StripeEventRow {
  /** What `data.object` is. */
  object: StripeEventObjectKind;
  /**
   * Our event type. `'by-refund-status'`: from the refund's status via {@link REFUND_EVENT_BY_STATUS}.
   */
  type: PaymentEventType | 'by-refund-status';
  /** Only when `data.object.payment_status` equals this; otherwise {@link StripeEventRow.otherwise}. */
  onlyIfPaymentStatus?: string;
  /** Our event type when the `payment_status` condition does not hold. */
  otherwise?: PaymentEventType;
}

/**
 * Stripe event type → our event. Any type not listed normalises to `unsupported` (not an error).
 * `checkout.session.completed` is a success only when `payment_status` is `paid`: with an async method
 * (bank debit, some wallets) the session completes first and is paid later
 * (`checkout.session.async_payment_succeeded`).
 */
export const STRIPE_EVENT_TABLE: Readonly<Record<string, StripeEventRow>> = {
  'payment_intent.succeeded': { object: 'payment_intent', type: 'payment.succeeded' },
  'payment_intent.payment_failed': { object: 'payment_intent', type: 'payment.failed' },
  'payment_intent.canceled': { object: 'payment_intent', type: 'payment.canceled' },
  'payment_intent.processing': { object: 'payment_intent', type: 'payment.pending' },
  'checkout.session.completed': {
    object: 'checkout.session',
    type: 'payment.succeeded',
    onlyIfPaymentStatus: 'paid',
    otherwise: 'payment.pending',
  },
  'checkout.session.async_payment_succeeded': { object: 'checkout.session', type: 'payment.succeeded' },
  'checkout.session.async_payment_failed': { object: 'checkout.session', type: 'payment.failed' },
  'checkout.session.expired': { object: 'checkout.session', type: 'payment.canceled' },
  'charge.refunded': { object: 'charge', type: 'refund.succeeded' },
  'refund.created': { object: 'refund', type: 'by-refund-status' },
  'refund.updated': { object: 'refund', type: 'by-refund-status' },
  'refund.failed': { object: 'refund', type: 'refund.failed' },
  'charge.refund.updated': { object: 'refund', type: 'by-refund-status' },
};

/**
 * Refund status → our event type for refund events. A refund still in flight carries nothing to apply
 * yet, so it is `unsupported`; its final update follows.
 */
export const REFUND_EVENT_BY_STATUS: Readonly<Record<string, PaymentEventType>> = {
  succeeded: 'refund.succeeded',
  failed: 'refund.failed',
  canceled: 'refund.failed',
  pending: 'unsupported',
  requires_action: 'unsupported',
};

// ---------------------------------------------------------------------------------------------------
// Errors

/** What a mapped error tells the caller to do; each outcome is one class of `errors.ts`. */
export type StripeErrorOutcome =
  | 'declined' // ProviderDeclinedError
  | 'unavailable' // ProviderUnavailableError: nothing happened, retry
  | 'indeterminate' // IndeterminateOutcomeError: may have acted, retry with the same key or reconcile
  | 'configuration' // ConfigurationError
  | 'validation' // ValidationError
  | 'not_found'; // NotFoundError

/** How the request fared on the wire, for `StripeConnectionError`s (see `connectionPhase`). */
export type StripeConnectionPhase = 'not_sent' | 'timeout' | 'maybe_sent';

/** One row of the error table: a match on the SDK error and our error for it. */
export interface StripeErrorRow {
  /** SDK error `type` (class name), e.g. `StripeCardError`. */
  type: string;
  /** Stripe error `code` the row needs. */
  code?: string;
  /** Connection phase the row needs (connection errors only). */
  phase?: StripeConnectionPhase;
  /** `true`: the row needs an HTTP status; `false`: needs none (the response was not valid JSON). */
  hasStatus?: boolean;
  /** What the adapter throws for it. */
  outcome: StripeErrorOutcome;
  /** Our error `code`. */
  ourCode: string;
}

/**
 * SDK error → our error. First matching row wins; an error matching no row is `indeterminate` for a
 * mutating call (we cannot know whether Stripe acted) and `unavailable` for a read. Read-only calls also
 * turn `indeterminate` rows into `unavailable`: a read has no outcome to be unsure about.
 */
export const STRIPE_ERROR_TABLE: readonly StripeErrorRow[] = [
  { type: 'StripeCardError', outcome: 'declined', ourCode: 'CARD_DECLINED' },
  { type: 'StripeRateLimitError', outcome: 'unavailable', ourCode: 'RATE_LIMITED' },
  { type: 'StripeConnectionError', phase: 'not_sent', outcome: 'unavailable', ourCode: 'CONNECTION_FAILED' },
  { type: 'StripeConnectionError', phase: 'timeout', outcome: 'indeterminate', ourCode: 'TIMEOUT' },
  { type: 'StripeConnectionError', outcome: 'indeterminate', ourCode: 'CONNECTION_LOST' },
  // A response arrived but was not JSON: Stripe (or a proxy) may have acted.
  { type: 'StripeAPIError', hasStatus: false, outcome: 'indeterminate', ourCode: 'INVALID_RESPONSE' },
  // 5xx and 409 lock conflicts. Stripe replays a 500 for the same idempotency key, so retrying is safe.
  { type: 'StripeAPIError', outcome: 'unavailable', ourCode: 'PROVIDER_ERROR' },
  { type: 'StripeAuthenticationError', outcome: 'configuration', ourCode: 'AUTHENTICATION_FAILED' },
  { type: 'StripePermissionError', outcome: 'configuration', ourCode: 'PERMISSION_DENIED' },
  { type: 'StripeIdempotencyError', outcome: 'validation', ourCode: 'IDEMPOTENCY_CONFLICT' },
  {
    type: 'StripeInvalidRequestError',
    code: 'charge_already_refunded',
    outcome: 'validation',
    ourCode: 'ALREADY_REFUNDED',
  },
  { type: 'StripeInvalidRequestError', code: 'resource_missing', outcome: 'not_found', ourCode: 'NOT_FOUND' },
  { type: 'StripeInvalidRequestError', outcome: 'validation', ourCode: 'INVALID_REQUEST' },
];

/** Node error codes meaning the request never left this machine (nothing reached Stripe). */
export const NOT_SENT_ERROR_CODES: readonly string[] = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
];

// ---------------------------------------------------------------------------------------------------
// Lookups over the tables

/** Our status for a PaymentIntent, by {@link PAYMENT_INTENT_STATUS_TABLE}. */
export function paymentIntentStatus(intent: { status: string; last_payment_error?: unknown }): PaymentStatus {
  const failed = intent.last_payment_error !== null && intent.last_payment_error !== undefined;
  const row = PAYMENT_INTENT_STATUS_TABLE.find(
    (r) => r.status === intent.status && (r.lastPaymentError === undefined || r.lastPaymentError === failed),
  );
  return row?.maps ?? 'pending';
}

/**
 * Our status for a Checkout Session, by {@link CHECKOUT_SESSION_STATUS_TABLE}, refined by its
 * PaymentIntent (when expanded) while an async payment is in flight.
 */
export function checkoutSessionStatus(
  session: { status: string | null; payment_status: string },
  intent?: { status: string; last_payment_error?: unknown } | null,
): PaymentStatus {
  const row = CHECKOUT_SESSION_STATUS_TABLE.find(
    (r) => r.status === session.status && (r.paymentStatus === undefined || r.paymentStatus === session.payment_status),
  );
  const status = row?.maps ?? 'pending';
  if (status === 'processing' && intent) {
    const fromIntent = paymentIntentStatus(intent);
    // Only let the PaymentIntent say something the session cannot: that the async payment failed or was canceled.
    if (fromIntent === 'failed' || fromIntent === 'canceled') return fromIntent;
  }
  return status;
}

/** Our status for a Stripe refund status, by {@link REFUND_STATUS_TABLE}. */
export function refundStatus(status: string | null | undefined): RefundStatus {
  return (status && REFUND_STATUS_TABLE[status]) || 'pending';
}

/** Our event type for a Stripe event type and its object, by {@link STRIPE_EVENT_TABLE}. */
export function stripeEventType(
  type: string,
  object: { payment_status?: unknown; status?: unknown },
): PaymentEventType {
  const row = STRIPE_EVENT_TABLE[type];
  if (!row) return 'unsupported';
  if (row.type === 'by-refund-status') {
    return (typeof object.status === 'string' && REFUND_EVENT_BY_STATUS[object.status]) || 'unsupported';
  }
  if (row.onlyIfPaymentStatus !== undefined && object.payment_status !== row.onlyIfPaymentStatus) {
    return row.otherwise ?? 'unsupported';
  }
  return row.type;
}
