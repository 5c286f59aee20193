/**
 * The subset of the Stripe REST API the emulator speaks, as a table of routes.
 * @module
 */
import { expandObject } from './events.js';
import type { FormObject } from './form.js';
import { createCheckoutSession, expireCheckoutSession } from './checkout-sessions.js';
import { cancelPaymentIntent, createPaymentIntent, updatePaymentIntent } from './payment-intents.js';
import { createRefund, listRefunds } from './refunds.js';
import { type EmulatedObject, StripeApiFailure, type Store, type StripeJson } from './store.js';

/** What a route handler receives. */
export interface RouteContext {
  store: Store;
  params: FormObject;
  /** Path parameter (`:id`), when the route has one. */
  id: string;
  livemode: boolean;
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle: (ctx: RouteContext) => EmulatedObject | StripeJson;
}

const ID = '([A-Za-z0-9_]+)';

/** Every route, matched in order. */
export const STRIPE_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    pattern: /^\/v1\/payment_intents$/,
    handle: (c) => createPaymentIntent(c.store, c.params, c.livemode),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/payment_intents/${ID}$`),
    handle: (c) => c.store.get('payment_intent', c.id, 'intent'),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/payment_intents/${ID}$`),
    handle: (c) => updatePaymentIntent(c.store, c.id, c.params),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/payment_intents/${ID}/cancel$`),
    handle: (c) => cancelPaymentIntent(c.store, c.id, c.params),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/checkout\/sessions$/,
    handle: (c) => createCheckoutSession(c.store, c.params, c.livemode),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/checkout/sessions/${ID}$`),
    handle: (c) => c.store.get('checkout.session', c.id, 'session'),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/checkout/sessions/${ID}/expire$`),
    handle: (c) => expireCheckoutSession(c.store, c.id),
  },
  { method: 'POST', pattern: /^\/v1\/refunds$/, handle: (c) => createRefund(c.store, c.params) },
  {
    method: 'GET',
    pattern: /^\/v1\/refunds$/,
    handle: (c) => ({ object: 'list', data: listRefunds(c.store, c.params), has_more: false, url: '/v1/refunds' }),
  },
  { method: 'GET', pattern: new RegExp(`^/v1/refunds/${ID}$`), handle: (c) => c.store.get('refund', c.id, 'refund') },
  { method: 'GET', pattern: new RegExp(`^/v1/charges/${ID}$`), handle: (c) => c.store.get('charge', c.id, 'charge') },
];

/**
 * Runs the route for `method` + `path` and returns the JSON to send (expanded as asked).
 * @throws StripeApiFailure for Stripe-shaped errors (unknown URL, bad parameters, unknown ids).
 */
export function dispatch(
  store: Store,
  method: string,
  path: string,
  params: FormObject,
  livemode: boolean,
): StripeJson {
  for (const route of STRIPE_ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const result = route.handle({ store, params, id: match[1] ?? '', livemode });
    const expand = params.expand;
    const paths = Array.isArray(expand) ? expand.filter((p): p is string => typeof p === 'string') : [];
    if (isStored(result)) return expandObject(store, result, paths);
    return result;
  }
  throw new StripeApiFailure(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). The Stripe emulator supports PaymentIntents, Checkout Sessions and Refunds.`,
  });
}

function isStored(value: EmulatedObject | StripeJson): value is EmulatedObject {
  return typeof value.id === 'string' && typeof value.object === 'string' && value.object !== 'list';
}
