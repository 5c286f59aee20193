/**
 * Emulated PaymentIntents, Checkout Sessions and their charges: creation through the API, and the
 * controls a test uses to play the payer (succeed, fail, process) and the clock (expire).
 * @module
 */
import type { FormObject, FormValue } from './form.js';
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

/** `POST /v1/checkout/sessions` (mode `payment`, inline `price_data` line items). */
export function createCheckoutSession(store: Store, params: FormObject, livemode: boolean): EmulatedObject {
  if (optionalString(params, 'mode') !== 'payment') {
    throw invalidRequest('The emulator supports Checkout Sessions with mode=payment only.', { param: 'mode' });
  }
  const successUrl = optionalString(params, 'success_url');
  if (successUrl === undefined) throw invalidRequest('Missing required param: success_url.', { param: 'success_url' });
  const items = params.line_items;
  if (!Array.isArray(items) || items.length === 0) {
    throw invalidRequest('Missing required param: line_items.', { param: 'line_items' });
  }
  let currency: string | undefined;
  let total = 0;
  items.forEach((item, i) => {
    const line = asObject(item, `line_items[${i}]`);
    const priceData = asObject(line.price_data, `line_items[${i}][price_data]`);
    const lineCurrency = requiredCurrency(priceData);
    if (currency !== undefined && currency !== lineCurrency) {
      throw invalidRequest('All line items must use the same currency.', { param: `line_items[${i}]` });
    }
    currency = lineCurrency;
    const unitAmount = optionalInteger(priceData, 'unit_amount');
    if (unitAmount === undefined) {
      throw invalidRequest('Missing required param: unit_amount.', {
        param: `line_items[${i}][price_data][unit_amount]`,
      });
    }
    const name = optionalString(asObject(priceData.product_data, `line_items[${i}][price_data][product_data]`), 'name');
    if (!name) throw invalidRequest('Missing required param: product_data[name].', { param: `line_items[${i}]` });
    total += unitAmount * (optionalInteger(line, 'quantity') ?? 1);
  });
  const paymentMethodTypes = readPaymentMethodTypes(params);
  if (paymentMethodTypes?.includes('wechat_pay')) {
    const options = params.payment_method_options;
    const wechat = typeof options === 'object' && !Array.isArray(options) ? options.wechat_pay : undefined;
    if (typeof wechat !== 'object' || Array.isArray(wechat) || wechat.client !== 'web') {
      throw invalidRequest('payment_method_options[wechat_pay][client] must be "web" for Checkout.', {
        param: 'payment_method_options[wechat_pay][client]',
      });
    }
  }
  const now = store.now();
  const expiresAt = optionalInteger(params, 'expires_at') ?? now + 24 * 3600;
  if (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 3600 + 60) {
    throw invalidRequest('expires_at must be between 30 minutes and 24 hours from now.', { param: 'expires_at' });
  }
  const intentData =
    params.payment_intent_data === undefined ? {} : asObject(params.payment_intent_data, 'payment_intent_data');
  const id = store.newId(livemode ? 'cs_live' : 'cs_test');
  store.sessionIntentData.set(id, {
    metadata: metadataParam(intentData.metadata, 'payment_intent_data[metadata]'),
    description: optionalString(intentData, 'description') ?? null,
  });
  return store.put({
    id,
    object: 'checkout.session',
    amount_subtotal: total,
    amount_total: total,
    cancel_url: optionalString(params, 'cancel_url') ?? null,
    client_reference_id: optionalString(params, 'client_reference_id') ?? null,
    created: now,
    currency: currency ?? null,
    customer: null,
    customer_email: optionalString(params, 'customer_email') ?? null,
    expires_at: expiresAt,
    livemode,
    locale: null,
    metadata: metadataParam(params.metadata),
    mode: 'payment',
    payment_intent: null,
    allowed_payment_method_types: paymentMethodTypes ?? null,
    payment_method_types: paymentMethodTypes ?? ['card'],
    payment_status: 'unpaid',
    status: 'open',
    success_url: successUrl,
    ui_mode: 'hosted',
    url: `${store.baseUrl}/c/pay/${id}`,
  });
}

/** `POST /v1/checkout/sessions/:id/expire`. */
export function expireCheckoutSession(store: Store, id: string): EmulatedObject {
  const session = store.get('checkout.session', id, 'session');
  if (session.status !== 'open') {
    throw invalidRequest(
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`,
    );
  }
  session.status = 'expired';
  session.url = null;
  return session;
}

/** Control: the payer pays. A session is completed (`paid`) and gets its PaymentIntent and charge. */
export function succeedPayment(store: Store, id: string): EmulatedObject {
  if (id.startsWith('cs_')) {
    const session = openOrAsyncSession(store, id);
    succeedIntent(store, intentOfSession(store, session));
    session.status = 'complete';
    session.payment_status = 'paid';
    session.url = null;
    return session;
  }
  return succeedIntent(store, store.get('payment_intent', id));
}

/**
 * Control: the payment fails. A PaymentIntent returns to `requires_payment_method` with
 * `last_payment_error`; a session is completed `unpaid` with a failed PaymentIntent (an async method failing).
 */
export function failPayment(store: Store, id: string, options: FailPaymentOptions = {}): EmulatedObject {
  if (id.startsWith('cs_')) {
    const session = openOrAsyncSession(store, id);
    failIntent(store, intentOfSession(store, session), options);
    session.status = 'complete';
    session.payment_status = 'unpaid';
    session.url = null;
    return session;
  }
  return failIntent(store, store.get('payment_intent', id), options);
}

/** Control: the payment is processing (bank debit, async wallet). A session is completed `unpaid`. */
export function processPayment(store: Store, id: string): EmulatedObject {
  if (id.startsWith('cs_')) {
    const session = openOrAsyncSession(store, id);
    intentOfSession(store, session).status = 'processing';
    session.status = 'complete';
    session.payment_status = 'unpaid';
    session.url = null;
    return session;
  }
  const intent = store.get('payment_intent', id);
  assertPayable(intent);
  intent.status = 'processing';
  return intent;
}

function newIntent(
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

function succeedIntent(store: Store, intent: EmulatedObject): EmulatedObject {
  assertPayable(intent);
  const charge = newCharge(store, intent, null);
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  intent.latest_charge = charge.id;
  intent.last_payment_error = null;
  intent.payment_method = charge.payment_method;
  return intent;
}

function failIntent(store: Store, intent: EmulatedObject, options: FailPaymentOptions): EmulatedObject {
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

function assertPayable(intent: EmulatedObject): void {
  if (!PAYABLE.has(intent.status as string)) {
    throw new Error(`PaymentIntent ${intent.id} has status ${String(intent.status)} and cannot change payment state.`);
  }
}

function openOrAsyncSession(store: Store, id: string): EmulatedObject {
  const session = store.get('checkout.session', id, 'session');
  const pendingAsync = session.status === 'complete' && session.payment_status === 'unpaid';
  if (session.status !== 'open' && !pendingAsync) {
    throw new Error(`Checkout Session ${id} is ${String(session.status)}/${String(session.payment_status)}.`);
  }
  return session;
}

/** The session's PaymentIntent, made on first payment from `payment_intent_data` (as Stripe does). */
function intentOfSession(store: Store, session: EmulatedObject): EmulatedObject {
  if (typeof session.payment_intent === 'string') return store.get('payment_intent', session.payment_intent);
  const data = store.sessionIntentData.get(session.id) ?? { metadata: {}, description: null };
  const intent = newIntent(store, {
    amount: session.amount_total as number,
    currency: session.currency as string,
    metadata: data.metadata,
    description: data.description,
    paymentMethodTypes: session.payment_method_types as string[],
    livemode: session.livemode as boolean,
  });
  session.payment_intent = intent.id;
  return intent;
}

/** `allowed_payment_method_types` (API `2026-09-30.endive` and later) or the older `payment_method_types`. */
function readPaymentMethodTypes(params: FormObject): string[] | undefined {
  return (
    optionalStringList(params, 'allowed_payment_method_types') ?? optionalStringList(params, 'payment_method_types')
  );
}

function asObject(value: FormValue | undefined, param: string): FormObject {
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`Invalid object: ${param}`, { param });
  return value;
}
