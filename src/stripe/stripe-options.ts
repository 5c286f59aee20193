/**
 * Options of `createStripeProvider`, and their validation into a resolved config. Every problem is
 * reported at once in one `ConfigurationError`, and no message ever contains a key's value.
 * @module
 */
import type Stripe from 'stripe';
import { ConfigurationError } from '../core/errors.js';
import { normalizeCurrency } from '../core/money.js';
import { originsOf, readRedirectOriginsOption } from '../core/redirect-origins.js';
import { requireProviderOptions } from '../core/require-provider-options.js';

/** The two ways the adapter takes a payment (its channels). */
export type StripeMode = 'payment_intent' | 'checkout_session';

/** Payment method types the adapter is known to work with; Stripe accepts more, passed through as given. */
export type StripePaymentMethodType = 'card' | 'alipay' | 'wechat_pay' | (string & {});

/** Options of `createStripeProvider`. Keys mirror the environment variables of `loadPaymentConfig`. */
export interface StripeProviderOptions {
  /** Instance name (registry key); use another for a second account. @default 'stripe' */
  name?: string;
  /** `STRIPE_SECRET_KEY` (`sk_…` or a restricted `rk_…`). Required unless `stripe` is given. */
  secretKey?: string;
  /** `STRIPE_PUBLISHABLE_KEY`, returned with PaymentIntent client secrets for Stripe.js. */
  publishableKey?: string;
  /**
   * `STRIPE_WEBHOOK_SECRET` (`whsec_…`). Several during rotation: each is tried in order, so the old and
   * the new endpoint secret both verify until the old one is removed.
   */
  webhookSecret: string | readonly string[];
  /**
   * `STRIPE_API_VERSION`. Also decides the payment-method parameter name (`allowed_payment_method_types`
   * from `2026-09-30.endive`, `payment_method_types` before); set it with a pre-built `stripe` client pinned
   * to an older version. @default the SDK's pinned version
   */
  apiVersion?: string;
  /** `STRIPE_DEFAULT_CURRENCY`, used when a request carries no currency. */
  defaultCurrency?: string;
  /** Channel used when only "stripe" is asked for. @default 'payment_intent' */
  defaultMode?: StripeMode;
  /** `STRIPE_SUCCESS_URL`: Checkout success page; `?order_id=<orderId>` is added. `{CHECKOUT_SESSION_ID}` is kept for Stripe to fill. */
  successUrl?: string;
  /** `STRIPE_CANCEL_URL`: Checkout cancel page; `?order_id=<orderId>` is added. */
  cancelUrl?: string;
  /**
   * `PAYMENT_REDIRECT_ORIGINS`: origins a per-request `extra.successUrl` / `extra.cancelUrl` may point to; any
   * other is refused with `ValidationError` `REDIRECT_URL_NOT_ALLOWED` before anything is sent (and, through the
   * service, before anything is written). Bare origins only (`https://shop.example`).
   * @default the origins of `successUrl` and `cancelUrl` (none configured: no per-request URL is accepted)
   */
  allowedRedirectOrigins?: readonly string[];
  /** Payment method types to offer. @default Stripe's automatic payment methods (dashboard settings) */
  paymentMethodTypes?: readonly StripePaymentMethodType[];
  /** Maximum webhook signature age, in seconds; 0 disables the check. @default 300 */
  webhookTolerance?: number;
  /** Per-request timeout in milliseconds. @default the SDK's (80 000) */
  timeoutMs?: number;
  /** SDK automatic retries (always with our idempotency keys). @default the SDK's */
  maxNetworkRetries?: number;
  /** API host, for emulators (`startStripeEmulator().sdkOptions`). */
  host?: string;
  /** API port, for emulators. */
  port?: number | string;
  /** API protocol, for emulators. */
  protocol?: 'http' | 'https';
  /** A pre-built SDK client to use instead of building one (then `secretKey`, `apiVersion`, `host`… are ignored). */
  stripe?: Stripe;
}

/** Options after validation. */
export interface ResolvedStripeOptions {
  name: string;
  publishableKey: string | undefined;
  webhookSecrets: readonly string[];
  defaultCurrency: string | undefined;
  defaultMode: StripeMode;
  successUrl: string | undefined;
  cancelUrl: string | undefined;
  /** Origins per-request redirect URLs may point to. */
  allowedRedirectOrigins: readonly string[];
  paymentMethodTypes: readonly string[] | undefined;
  /** The pinned API version, when one is configured. */
  apiVersion: string | undefined;
  webhookTolerance: number;
  /** Values scrubbed from error messages. */
  secrets: readonly string[];
}

/** Default webhook tolerance, Stripe's own. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Validates options.
 * @throws ConfigurationError `STRIPE_NOT_CONFIGURED` for `null` / `undefined` options (naming the environment
 * keys), otherwise listing every problem (by option name, never by value).
 */
export function resolveStripeOptions(input: StripeProviderOptions): ResolvedStripeOptions {
  const options = requireProviderOptions(input, {
    label: 'Stripe',
    factory: 'createStripeProvider',
    kind: 'stripe',
    envKeys: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
    configField: 'stripe',
    code: 'STRIPE_NOT_CONFIGURED',
  });
  const issues: string[] = [];
  const name = options.name ?? 'stripe';
  if (typeof name !== 'string' || name.trim() === '') issues.push('name must be a non-empty string.');
  if (options.stripe === undefined) {
    if (typeof options.secretKey !== 'string' || !/^(sk|rk)_/.test(options.secretKey)) {
      issues.push('secretKey (STRIPE_SECRET_KEY) is required and must be a secret (sk_…) or restricted (rk_…) key.');
    }
  }
  if (options.publishableKey !== undefined && !/^pk_/.test(options.publishableKey)) {
    issues.push('publishableKey (STRIPE_PUBLISHABLE_KEY) must be a publishable key (pk_…).');
  }
  const secrets =
    typeof options.webhookSecret === 'string' ? [options.webhookSecret] : [...(options.webhookSecret ?? [])];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.trim() === '' || /\s/.test(s))) {
    issues.push('webhookSecret (STRIPE_WEBHOOK_SECRET) must be one or more non-empty secrets without whitespace.');
  }
  let defaultCurrency: string | undefined;
  if (options.defaultCurrency !== undefined) {
    try {
      defaultCurrency = normalizeCurrency(options.defaultCurrency);
    } catch {
      issues.push('defaultCurrency (STRIPE_DEFAULT_CURRENCY) must be an ISO 4217 code.');
    }
  }
  const defaultMode = options.defaultMode ?? 'payment_intent';
  if (defaultMode !== 'payment_intent' && defaultMode !== 'checkout_session') {
    issues.push("defaultMode must be 'payment_intent' or 'checkout_session'.");
  }
  for (const [key, env] of [
    ['successUrl', 'STRIPE_SUCCESS_URL'],
    ['cancelUrl', 'STRIPE_CANCEL_URL'],
  ] as const) {
    const value = options[key];
    if (value !== undefined && !isHttpUrl(value)) issues.push(`${key} (${env}) must be an absolute http(s) URL.`);
  }
  const allowedRedirectOrigins = readRedirectOriginsOption(
    options.allowedRedirectOrigins,
    originsOf([options.successUrl, options.cancelUrl]),
    issues,
  );
  const tolerance = options.webhookTolerance ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    issues.push('webhookTolerance must be a number of seconds >= 0.');
  }
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
    issues.push('timeoutMs must be a positive integer.');
  }
  if (
    options.maxNetworkRetries !== undefined &&
    !(Number.isInteger(options.maxNetworkRetries) && options.maxNetworkRetries >= 0)
  ) {
    issues.push('maxNetworkRetries must be an integer >= 0.');
  }
  if (
    options.paymentMethodTypes !== undefined &&
    (options.paymentMethodTypes.length === 0 ||
      options.paymentMethodTypes.some((t) => typeof t !== 'string' || t === ''))
  ) {
    issues.push('paymentMethodTypes must be a non-empty list of Stripe payment method types.');
  }
  if (issues.length > 0) {
    throw new ConfigurationError(`Invalid Stripe provider options: ${issues.join(' ')}`, {
      code: 'INVALID_STRIPE_OPTIONS',
      provider: typeof name === 'string' ? name : 'stripe',
      issues,
    });
  }
  return {
    name,
    publishableKey: options.publishableKey,
    webhookSecrets: secrets,
    defaultCurrency,
    defaultMode,
    successUrl: options.successUrl,
    cancelUrl: options.cancelUrl,
    allowedRedirectOrigins,
    paymentMethodTypes: options.paymentMethodTypes,
    apiVersion: options.apiVersion,
    webhookTolerance: tolerance,
    secrets: [...(options.secretKey === undefined ? [] : [options.secretKey]), ...secrets],
  };
}

/** Whether `value` is an absolute http(s) URL; Stripe's `{CHECKOUT_SESSION_ID}` template is allowed. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value.replace(/\{CHECKOUT_SESSION_ID\}/g, 'x'));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
