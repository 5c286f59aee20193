/**
 * Emulated PaymentIntents and their charges: the API calls, and the state changes the payment controls use.
 * @module
 */
import type { FormObject } from './form.js';
import {
  type EmulatedObject,
  invalidRequest,
  metadataParam,
  optionalInteger,
  optionalString,
  optionalStringList,
  requiredCurrency,
  type Store,
} from './store.js';

/** How a test fails a payment (see `failPayment`). */
export interface FailPaymentOptions {
  /** Stripe `decline_code`. @default 'generic_decline' */
  declineCode?: string;
  /** Stripe error `code`. @default 'card_declined' */
  code?: string;
  /** @default 'Your card was declined.' */
  message?: string;
}

const CANCELABLE = new Set([
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
]);
const PAYABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing']);

/** `POST /v1/payment_intents`. */
export function createPaymentIntent(store: Store, params: FormObject, livemode: boolean): EmulatedObject {
  const amount = optionalInteger(params, 'amount');
  if (amount === undefined) throw invalidRequest('Missing required param: amount.', { param: 'amount' });
  if (amount < 1) throw invalidRequest('Amount must be at least 1.', { param: 'amount', code: 'amount_too_small' });
  if (amount > 99_999_999)
    throw invalidRequest('Amount must be no more than 99999999.', { param: 'amount', code: 'amount_too_large' });
  const paymentMethodTypes = readPaymentMethodTypes(params);
  return newIntent(store, {
    amount,
    currency: requiredCurrency(params),
    metadata: metadataParam(params.metadata),
    description: optionalString(params, 'description') ?? null,
    paymentMethodTypes: paymentMethodTypes ?? null,
    livemode,
  });
}

/** `POST /v1/payment_intents/:id` (metadata and description only). */
export function updatePaymentIntent(store: Store, id: string, params: FormObject): EmulatedObject {
  const intent = store.get('payment_intent', id);
  if (params.metadata !== undefined) {
    intent.metadata = { ...(intent.metadata as Record<string, string>), ...metadataParam(params.metadata) };
  }
  const description = optionalString(params, 'description');
  if (description !== undefined) intent.description = description;
  return intent;
}

/** `POST /v1/payment_intents/:id/cancel`. */
export function cancelPaymentIntent(store: Store, id: string, params: FormObject): EmulatedObject {
  const intent = store.get('payment_intent', id);
  if (!CANCELABLE.has(intent.status as string)) {
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be canceled: ${[...CANCELABLE].join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: { ...intent } },
    );
  }
  intent.status = 'canceled';
  intent.canceled_at = store.now();
  intent.cancellation_reason = optionalString(params, 'cancellation_reason') ?? null;
  return intent;
}

/** Stores a new PaymentIntent in `requires_payment_method`. */
export function newIntent(
  store: Store,
  input: {
    amount: number;
    currency: string;
    metadata: Record<string, string>;
    description: string | null;
    paymentMethodTypes: string[] | null;
    livemode: boolean;
  },
): EmulatedObject {
  const id = store.newId('pi');
  return store.put({
    id,
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_received: 0,
    allowed_payment_method_types: input.paymentMethodTypes,
    automatic_payment_methods: input.paymentMethodTypes ? null : { enabled: true, allow_redirects: 'always' },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${store.newId('s').slice(2)}`,
    confirmation_method: 'automatic',
    created: store.now(),
    currency: input.currency,
    customer: null,
    description: input.description,
    last_payment_error: null,
    latest_charge: null,
    livemode: input.livemode,
    metadata: input.metadata,
    next_action: null,
    payment_method: null,
    payment_method_types: input.paymentMethodTypes ?? ['card'],
    processing: null,
    receipt_email: null,
    status: 'requires_payment_method',
  });
}

/** The PaymentIntent succeeds with a new succeeded charge. */
export function succeedIntent(store: Store, intent: EmulatedObject): EmulatedObject {
  assertPayable(intent);
  const charge = newCharge(store, intent, null);
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  intent.latest_charge = charge.id;
  intent.last_payment_error = null;
  intent.payment_method = charge.payment_method;
  return intent;
}

/** The PaymentIntent's attempt fails: a failed charge and `last_payment_error`, back to `requires_payment_method`. */
export function failIntent(store: Store, intent: EmulatedObject, options: FailPaymentOptions): EmulatedObject {
  assertPayable(intent);
  const code = options.code ?? 'card_declined';
  const declineCode = options.declineCode ?? 'generic_decline';
  const message = options.message ?? 'Your card was declined.';
  const charge = newCharge(store, intent, { code, message });
  intent.status = 'requires_payment_method';
  intent.latest_charge = charge.id;
  intent.last_payment_error = { type: 'card_error', code, decline_code: declineCode, message, charge: charge.id };
  return intent;
}

function newCharge(
  store: Store,
  intent: EmulatedObject,
  failure: { code: string; message: string } | null,
): EmulatedObject {
  const id = store.newId('ch');
  return store.put({
    id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: failure ? 0 : intent.amount,
    amount_refunded: 0,
    captured: !failure,
    created: store.now(),
    currency: intent.currency,
    description: intent.description,
    disputed: false,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    livemode: intent.livemode,
    // Stripe copies the PaymentIntent's metadata onto the charges it creates.
    metadata: { ...(intent.metadata as Record<string, string>) },
    outcome: failure
      ? {
          type: 'issuer_declined',
          network_status: 'declined_by_network',
          seller_message: 'The bank declined the payment.',
        }
      : { type: 'authorized', network_status: 'approved_by_network', seller_message: 'Payment complete.' },
    paid: !failure,
    payment_intent: intent.id,
    payment_method: store.newId('pm'),
    receipt_url: failure ? null : `${store.baseUrl}/receipts/${id}`,
    refunded: false,
    status: failure ? 'failed' : 'succeeded',
  });
}

/** Throws (a test mistake, not an API error) unless the PaymentIntent can still change payment state. */
export function assertPayable(intent: EmulatedObject): void {
  if (!PAYABLE.has(intent.status as string)) {
    throw new Error(`PaymentIntent ${intent.id} has status ${String(intent.status)} and cannot change payment state.`);
  }
}

/** `allowed_payment_method_types` (API `2026-09-30.endive` and later) or the older `payment_method_types`. */
export function readPaymentMethodTypes(params: FormObject): string[] | undefined {
  return (
    optionalStringList(params, 'allowed_payment_method_types') ?? optionalStringList(params, 'payment_method_types')
  );
}
