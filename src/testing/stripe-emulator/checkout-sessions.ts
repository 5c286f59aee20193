/**
 * Emulated Checkout Sessions (mode `payment`): the API calls.
 * @module
 */
import type { FormObject, FormValue } from './form.js';
import { readPaymentMethodTypes } from './payment-intents.js';
import {
  type EmulatedObject,
  invalidRequest,
  metadataParam,
  optionalInteger,
  optionalString,
  requiredCurrency,
  type Store,
} from './store.js';

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

function asObject(value: FormValue | undefined, param: string): FormObject {
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`Invalid object: ${param}`, { param });
  return value;
}
