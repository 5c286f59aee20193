/**
 * `expand[]` and webhook events for the emulator.
 * @module
 */
import { refundsWhere } from './refunds.js';
import { clone, type EmulatedObject, type Store, type StripeJson } from './store.js';

/** Returns a copy of `object` with each dotted `expand` path replaced by the object it names. */
export function expandObject(store: Store, object: EmulatedObject, paths: readonly string[]): EmulatedObject {
  const copy = clone(object);
  for (const path of paths) expandPath(store, copy, path.split('.'));
  return copy;
}

function expandPath(store: Store, node: StripeJson, parts: string[]): void {
  const [head, ...rest] = parts;
  if (head === undefined) return;
  let value = node[head];
  if (head === 'refunds' && node.object === 'charge') {
    const data = refundsWhere(store, (r) => r.charge === node.id).map((r) => clone(r));
    value = { object: 'list', data, has_more: false, url: `/v1/refunds?charge=${String(node.id)}` };
  } else if (typeof value === 'string') {
    const found = store.objects.get(value);
    if (found) value = clone(found);
  }
  node[head] = value;
  if (rest.length > 0 && typeof value === 'object' && value !== null) expandPath(store, value as StripeJson, rest);
}

/**
 * Builds a Stripe `event` of `type` about the object `id` names, from the object's current state.
 * The object is resolved from the type's prefix, so a test can name whatever id it holds:
 * `payment_intent.*` accepts a session id (its PaymentIntent), `charge.*` accepts a PaymentIntent or
 * session id (the latest charge).
 */
export function buildEvent(store: Store, id: string, type: string, apiVersion: string): StripeJson {
  const object = eventObject(store, id, type);
  return {
    id: store.newId('evt'),
    object: 'event',
    api_version: apiVersion,
    created: store.now(),
    data: { object: clone(object) },
    livemode: object.livemode === true,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

function eventObject(store: Store, id: string, type: string): EmulatedObject {
  const found = store.objects.get(id);
  if (!found) throw new Error(`The emulator has no object ${id}.`);
  const intentOf = (o: EmulatedObject): EmulatedObject => {
    if (o.object === 'payment_intent') return o;
    if (o.object === 'checkout.session' && typeof o.payment_intent === 'string') {
      return store.get('payment_intent', o.payment_intent);
    }
    throw new Error(`${o.id} has no PaymentIntent yet; pay it first.`);
  };
  if (type.startsWith('payment_intent.')) return intentOf(found);
  if (type.startsWith('charge.refund.') || type.startsWith('refund.')) {
    if (found.object === 'refund') return found;
    throw new Error(`${type} needs a refund id (re_…), got ${id}.`);
  }
  if (type.startsWith('charge.')) {
    if (found.object === 'charge') return found;
    const latest = intentOf(found).latest_charge;
    if (typeof latest !== 'string') throw new Error(`${id} has no charge yet; pay it first.`);
    return store.get('charge', latest);
  }
  return found;
}
