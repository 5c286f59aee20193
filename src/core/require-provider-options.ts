/**
 * The first check every adapter factory makes: it was given an options object at all. The common way to get
 * this wrong is `createStripeProvider(loadPaymentConfig(env).stripe!)` on a deployment where Stripe is not
 * configured (`config.stripe` is `null`); the answer names the environment keys to set instead of a
 * `TypeError` about reading a property of `null`.
 * @module
 */
import { ConfigurationError } from './errors.js';

/** What {@link requireProviderOptions} says about the adapter whose options are missing. */
export interface ProviderOptionsSubject {
  /** Human name, e.g. `Stripe`. */
  label: string;
  /** The factory that was called, e.g. `createStripeProvider`. */
  factory: string;
  /** Registry kind, used as the error's `provider`. */
  kind: string;
  /** The environment keys that configure the adapter through `loadPaymentConfig`. */
  envKeys: readonly string[];
  /** The `PaymentConfig` field that is `null` while those keys are unset, e.g. `stripe`. */
  configField: string;
  /** Error code for missing options. */
  code: string;
}

/**
 * Returns `options` when it is an object; otherwise throws a `ConfigurationError` that names the keys to set
 * and how to build only the configured providers.
 *
 * @example
 * ```ts
 * const options = requireProviderOptions(input, STRIPE_OPTIONS_SUBJECT);
 * ```
 * @throws ConfigurationError when `options` is `null`, `undefined` or not an object.
 */
export function requireProviderOptions<T extends object>(
  options: T | null | undefined,
  subject: ProviderOptionsSubject,
): T {
  if (typeof options === 'object' && options !== null) return options;
  const got = options === null ? 'null' : typeof options;
  const message =
    `${subject.factory}() needs an options object, got ${got}: ${subject.label} is not configured. ` +
    `Set ${subject.envKeys.join(', ')} (loadPaymentConfig(env).${subject.configField} is null until they are), ` +
    `or build only the providers that are configured: ` +
    `...(config.${subject.configField} ? [${subject.factory}(config.${subject.configField})] : []).`;
  throw new ConfigurationError(message, {
    code: subject.code,
    provider: subject.kind,
    details: { envKeys: [...subject.envKeys] },
  });
}
