/**
 * Validates a `PaymentRequest` for Stripe and builds the PaymentIntent / Checkout Session parameters.
 * Everything here is local and deterministic: the same request always yields the same parameters, so an
 * application retry with the same attempt id (and so the same idempotency key) is a replay, not a conflict.
 * @module
 */
import type Stripe from 'stripe';
import { ValidationError } from '../core/errors.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import { echo } from '../core/input-guards.js';
import { guardPaymentRequest } from '../core/provider-input.js';
import { assertRedirectUrlAllowed } from '../core/redirect-origins.js';
import type { PaymentRequest } from '../core/types.js';
import { toStripeAmount } from './stripe-amounts.js';
import { STRIPE_METADATA_KEYS } from './stripe-mappers.js';
import { isHttpUrl, type ResolvedStripeOptions, type StripeMode } from './stripe-options.js';

/** Channel names (and aliases) accepted in `PaymentRequest.channel`. */
export const STRIPE_CHANNEL_ALIASES: Readonly<Record<string, StripeMode>> = {
  intent: 'payment_intent',
  checkout: 'checkout_session',
};

/** A request checked and translated for Stripe. */
export interface PreparedStripePayment {
  mode: StripeMode;
  /** Upper-case ISO code. */
  currency: string;
  /** Stripe units (see `toStripeAmount`). */
  stripeAmount: number;
  metadata: Record<string, string>;
  /** Idempotency key of the create call. */
  idempotencyKey: string;
  params: Stripe.PaymentIntentCreateParams | Stripe.Checkout.SessionCreateParams;
}

// Stripe's limits: https://docs.stripe.com/metadata (50 keys, 40-char keys, 500-char values, no brackets).
const MAX_METADATA_KEYS = 50;
const MAX_KEY_LENGTH = 40;
const MAX_VALUE_LENGTH = 500;
const MAX_ID_LENGTH = 200;
const KEY_ID = /^[\x21-\x7e]{1,200}$/;

/** Builds the `ValidationError` for a bad field. */
export type Fail = (message: string, field: string, code?: string) => ValidationError;

/**
 * Checks a request and builds its Stripe parameters.
 * @throws ValidationError for anything Stripe would refuse or we could not match later.
 */
export function preparePayment(request: PaymentRequest, config: ResolvedStripeOptions): PreparedStripePayment {
  const provider = config.name;
  const fail: Fail = (message, field, code = 'INVALID_PAYMENT_REQUEST') =>
    new ValidationError(message, { field, code, provider });
  guardPaymentRequest(request, 'createPayment');
  requireId(request.orderId, 'orderId', fail);
  requireKeyId(request.attemptId, 'attemptId', fail);
  const mode = resolveMode(request.channel, config.defaultMode);
  if (!mode) throw fail(`Unknown Stripe channel "${echo(request.channel)}".`, 'channel', 'UNSUPPORTED_CHANNEL');
  assertMinorUnits(request.amount);
  if (request.amount === 0) throw fail('Stripe cannot charge a zero amount.', 'amount', 'INVALID_AMOUNT');
  const rawCurrency = request.currency || config.defaultCurrency;
  if (!rawCurrency)
    throw fail('A currency is required (or set STRIPE_DEFAULT_CURRENCY).', 'currency', 'CURRENCY_REQUIRED');
  const currency = normalizeCurrency(rawCurrency);
  const stripeAmount = toStripeAmount(request.amount, currency, provider);
  const metadata = buildMetadata(request, fail);
  const description = nonEmpty(request.body) ?? nonEmpty(request.subject);

  if (mode === 'payment_intent') {
    const params: Stripe.PaymentIntentCreateParams = {
      amount: stripeAmount,
      currency: currency.toLowerCase(),
      metadata,
      ...(description === undefined ? {} : { description }),
      ...paymentMethodTypesParam(config),
    };
    return { mode, currency, stripeAmount, metadata, idempotencyKey: `pf-pi-${request.attemptId}`, params };
  }

  const subject = nonEmpty(request.subject);
  if (!subject) throw fail('A subject (the product name shown by Checkout) is required.', 'subject');
  const successUrl = urlOption(request.extra?.successUrl, config, 'successUrl', fail);
  if (!successUrl) {
    throw fail(
      'Checkout needs a success URL: set STRIPE_SUCCESS_URL or extra.successUrl.',
      'extra.successUrl',
      'SUCCESS_URL_REQUIRED',
    );
  }
  const cancelUrl = urlOption(request.extra?.cancelUrl, config, 'cancelUrl', fail);
  const productDescription = nonEmpty(request.body);
  const types = config.paymentMethodTypes;
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: currency.toLowerCase(),
          unit_amount: stripeAmount,
          product_data: {
            name: subject,
            ...(productDescription !== undefined && productDescription !== subject
              ? { description: productDescription }
              : {}),
          },
        },
      },
    ],
    success_url: withOrderId(successUrl, request.orderId),
    ...(cancelUrl ? { cancel_url: withOrderId(cancelUrl, request.orderId) } : {}),
    client_reference_id: request.attemptId,
    metadata,
    payment_intent_data: { metadata, ...(description === undefined ? {} : { description }) },
    ...paymentMethodTypesParam(config),
    // Checkout refuses WeChat Pay without the client it will run in.
    ...(types?.includes('wechat_pay') ? { payment_method_options: { wechat_pay: { client: 'web' } } } : {}),
    ...(request.expiresAt !== undefined
      ? { expires_at: checkoutExpiry(request.expiresAt, fail) }
      : orderCheckoutExpiry(request.orderExpiresAt)),
  };
  return { mode, currency, stripeAmount, metadata, idempotencyKey: `pf-cs-${request.attemptId}`, params };
}

/**
 * The payment method restriction under the parameter name the API version understands: stripe 23's
 * `2026-09-30.endive` replaced `payment_method_types` with `allowed_payment_method_types` on PaymentIntent
 * and Checkout Session creation; an older pinned `apiVersion` still takes the old name.
 */
export function paymentMethodTypesParam(config: Pick<ResolvedStripeOptions, 'paymentMethodTypes' | 'apiVersion'>): {
  allowed_payment_method_types?: Stripe.PaymentIntentCreateParams.AllowedPaymentMethodType[];
} {
  const types = config.paymentMethodTypes;
  if (!types) return {};
  const name = usesAllowedPaymentMethodTypes(config.apiVersion)
    ? 'allowed_payment_method_types'
    : 'payment_method_types';
  // A computed key: the SDK's types only know the pinned version's name.
  return { [name]: [...types] };
}

/** Whether `apiVersion` (undefined: the SDK's pinned one) is `2026-09-30.endive` or later. */
export function usesAllowedPaymentMethodTypes(apiVersion: string | undefined): boolean {
  return apiVersion === undefined || apiVersion.slice(0, 10) >= ENDIVE_DATE;
}

const ENDIVE_DATE = '2026-09-30';

/** The mode a channel names (aliases and `''` → default included), or `undefined` for an unknown channel. */
export function resolveMode(channel: unknown, defaultMode: StripeMode): StripeMode | undefined {
  if (channel === undefined || channel === '' || channel === 'stripe') return defaultMode;
  if (channel === 'payment_intent' || channel === 'checkout_session') return channel;
  return typeof channel === 'string' ? STRIPE_CHANNEL_ALIASES[channel] : undefined;
}

/**
 * Adds `order_id=<orderId>` to a URL's query, keeping its other parameters, its fragment, and Stripe's
 * `{CHECKOUT_SESSION_ID}` template literally (URL parsing would percent-encode the braces and break it).
 *
 * @example
 * ```ts
 * withOrderId('https://shop.test/done?sid={CHECKOUT_SESSION_ID}', 'o1')
 * // 'https://shop.test/done?sid={CHECKOUT_SESSION_ID}&order_id=o1'
 * ```
 */
export function withOrderId(url: string, orderId: string): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  if (/[?&]order_id=/.test(base)) return url;
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}order_id=${encodeURIComponent(orderId)}${hash}`;
}

function buildMetadata(request: PaymentRequest, fail: Fail): Record<string, string> {
  const ours: Record<string, string> = {
    [STRIPE_METADATA_KEYS.orderId]: request.orderId,
    [STRIPE_METADATA_KEYS.attemptId]: request.attemptId,
  };
  if (request.userId !== undefined) ours[STRIPE_METADATA_KEYS.userId] = requireId(request.userId, 'userId', fail);
  if (request.productId !== undefined)
    ours[STRIPE_METADATA_KEYS.productId] = requireId(request.productId, 'productId', fail);
  const extra = request.metadata ?? {};
  if (typeof extra !== 'object' || extra === null) throw fail('metadata must be an object of strings.', 'metadata');
  for (const [key, value] of Object.entries(extra)) {
    const field = `metadata.${key}`;
    if (typeof value !== 'string') throw fail('Metadata values must be strings.', field, 'INVALID_METADATA');
    if (key === '' || key.length > MAX_KEY_LENGTH || /[[\]]/.test(key)) {
      throw fail(`Metadata keys must be 1–${MAX_KEY_LENGTH} characters without brackets.`, field, 'INVALID_METADATA');
    }
    if (value.length > MAX_VALUE_LENGTH)
      throw fail(`Metadata values must be at most ${MAX_VALUE_LENGTH} characters.`, field, 'INVALID_METADATA');
    if (key in ours && ours[key] !== value) {
      throw fail(`Metadata key "${key}" is reserved for the adapter's matching data.`, field, 'RESERVED_METADATA_KEY');
    }
  }
  const metadata = { ...extra, ...ours };
  if (Object.keys(metadata).length > MAX_METADATA_KEYS) {
    throw fail(
      `Stripe accepts at most ${MAX_METADATA_KEYS} metadata keys, ours included.`,
      'metadata',
      'INVALID_METADATA',
    );
  }
  return metadata;
}

function requireId(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_ID_LENGTH || /[\s\p{Cc}]/u.test(value)) {
    throw fail(`${field} must be a non-empty string of at most ${MAX_ID_LENGTH} characters without whitespace.`, field);
  }
  return value;
}

/**
 * Checks an id that becomes part of an `Idempotency-Key` header (attempt and refund ids): 1–200 printable
 * ASCII characters. Node refuses anything else in a header only once the call has begun, which the SDK
 * reports as a lost connection; checked here, it is a plain `ValidationError` before any call.
 */
export function requireKeyId(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || !KEY_ID.test(value)) {
    throw fail(
      `${field} must be 1–${MAX_ID_LENGTH} printable ASCII characters without spaces (it is part of the Idempotency-Key header).`,
      field,
    );
  }
  return value;
}

/** A per-request URL (checked against the allow-list: an open redirect otherwise), else the configured one. */
function urlOption(
  fromRequest: unknown,
  config: Pick<ResolvedStripeOptions, 'successUrl' | 'cancelUrl' | 'allowedRedirectOrigins' | 'name'>,
  name: 'successUrl' | 'cancelUrl',
  fail: Fail,
): string | undefined {
  if (fromRequest === undefined) return config[name];
  if (!isHttpUrl(fromRequest)) throw fail(`extra.${name} must be an absolute http(s) URL.`, `extra.${name}`);
  assertRedirectUrlAllowed(fromRequest, config.allowedRedirectOrigins, `extra.${name}`, config.name);
  return fromRequest;
}

/** Checkout Sessions accept `expires_at` between 30 minutes and 24 hours after creation; check it here, not at Stripe. */
function checkoutExpiry(date: Date, fail: (message: string, field: string) => ValidationError): number {
  const seconds = epochSeconds(date, fail);
  const fromNow = seconds - Math.floor(Date.now() / 1000);
  if (fromNow < 30 * 60 || fromNow > 24 * 60 * 60) {
    throw fail('expiresAt of a Checkout Session must be between 30 minutes and 24 hours from now.', 'expiresAt');
  }
  return seconds;
}

/** Kept inside Stripe's window on both ends, so clock skew between us and Stripe never makes it refuse. */
const CHECKOUT_WINDOW_MARGIN_SECONDS = 60;

/**
 * The order's deadline as a Checkout `expires_at` when it falls inside Stripe's 30 minutes – 24 hours window;
 * outside it nothing is sent (Stripe's default is 24 h) and `reconcile` expires the session once the order times
 * out. Never a refusal: the host did not ask for this expiry, the order's window implies it.
 */
function orderCheckoutExpiry(deadline: Date | undefined): { expires_at?: number } {
  if (!(deadline instanceof Date) || Number.isNaN(deadline.getTime())) return {};
  const seconds = Math.floor(deadline.getTime() / 1000);
  const fromNow = seconds - Math.floor(Date.now() / 1000);
  const inside =
    fromNow >= 30 * 60 + CHECKOUT_WINDOW_MARGIN_SECONDS && fromNow <= 24 * 60 * 60 - CHECKOUT_WINDOW_MARGIN_SECONDS;
  return inside ? { expires_at: seconds } : {};
}

function epochSeconds(date: Date, fail: (message: string, field: string) => ValidationError): number {
  if (!(date instanceof Date) || Number.isNaN(date.getTime()))
    throw fail('expiresAt must be a valid Date.', 'expiresAt');
  return Math.floor(date.getTime() / 1000);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
