/**
 * `createStripeProvider(config.stripe!)` on a deployment without Stripe keys is the README mistake a
 * newcomer makes first: it must say which keys to set, not `TypeError: Cannot read properties of null`.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, isPaymentError } from '../../../src/core/errors.js';
import { loadPaymentConfig } from '../../../src/core/config.js';
import { createPingxxProvider, type PingxxProviderOptions } from '../../../src/pingxx/index.js';
import { createStripeProvider, type StripeProviderOptions } from '../../../src/stripe/index.js';

function failure(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

const cases = [
  {
    name: 'createStripeProvider',
    build: (options: unknown) => createStripeProvider(options as StripeProviderOptions),
    code: 'STRIPE_NOT_CONFIGURED',
    keys: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
    fromConfig: () => loadPaymentConfig({}).stripe,
  },
  {
    name: 'createPingxxProvider',
    build: (options: unknown) => createPingxxProvider(options as PingxxProviderOptions),
    code: 'PINGXX_NOT_CONFIGURED',
    keys: ['PINGXX_SECRET_KEY', 'PINGXX_APP_ID', 'PINGXX_WEBHOOK_PUBLIC_KEY'],
    fromConfig: () => loadPaymentConfig({}).pingxx,
  },
] as const;

describe.each(cases)('$name without options', ({ name, build, code, keys, fromConfig }) => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'sk_test_123'],
  ])('refuses %s with a ConfigurationError naming the environment keys', (_label, options) => {
    const error = failure(() => build(options));
    expect(isPaymentError(error)).toBe(true);
    expect(error.code).toBe(code);
    for (const key of keys) expect(error.message).toContain(key);
    expect(error.details).toEqual({ envKeys: expect.arrayContaining([expect.stringContaining(keys[0])]) });
    expect(error.message).toContain(`${name}(`);
    expect(error.message).not.toContain('sk_test_123');
  });

  it('refuses what loadPaymentConfig returns for an unconfigured provider, saying how to skip it', () => {
    const options = fromConfig();
    expect(options).toBeNull();
    const error = failure(() => build(options));
    expect(error.message).toMatch(/build only the providers that are configured/);
  });
});
