/**
 * The controls a test uses to play the payer: succeed, fail or process a PaymentIntent or a Checkout
 * Session. A session gets its PaymentIntent when the payer first pays, as on Stripe.
 * @module
 */
import { assertPayable, type FailPaymentOptions, failIntent, newIntent, succeedIntent } from './payment-intents.js';
import type { EmulatedObject, Store } from './store.js';

/** Control: the payer pays. A session is completed (`paid`) and gets its PaymentIntent and charge. */
export function succeedPayment(store: Store, id: string): EmulatedObject {
  return pay(store, id, 'paid', (intent) => succeedIntent(store, intent));
}

/**
 * Control: the payment fails. A PaymentIntent returns to `requires_payment_method` with
 * `last_payment_error`; a session is completed `unpaid` with a failed PaymentIntent (an async method failing).
 */
export function failPayment(store: Store, id: string, options: FailPaymentOptions = {}): EmulatedObject {
  return pay(store, id, 'unpaid', (intent) => failIntent(store, intent, options));
}

/** Control: the payment is processing (bank debit, async wallet). A session is completed `unpaid`. */
export function processPayment(store: Store, id: string): EmulatedObject {
  return pay(store, id, 'unpaid', (intent) => {
    assertPayable(intent);
    intent.status = 'processing';
  });
}

/**
 * Applies `change` to the PaymentIntent `id` names: the PaymentIntent itself, or a session's (made on
 * first payment). A session is then completed with `paymentStatus`. Returns the object `id` names.
 */
function pay(
  store: Store,
  id: string,
  paymentStatus: 'paid' | 'unpaid',
  change: (intent: EmulatedObject) => void,
): EmulatedObject {
  if (!id.startsWith('cs_')) {
    const intent = store.get('payment_intent', id);
    change(intent);
    return intent;
  }
  const session = openOrAsyncSession(store, id);
  change(intentOfSession(store, session));
  session.status = 'complete';
  session.payment_status = paymentStatus;
  session.url = null;
  return session;
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
