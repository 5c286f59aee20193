import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import type { PaymentRequest } from '../../../src/core/types.js';
import { resolveStripeOptions } from '../../../src/stripe/stripe-options.js';
import {
  paymentMethodTypesParam,
  preparePayment,
  resolveMode,
  withOrderId,
} from '../../../src/stripe/stripe-payment-params.js';

const config = resolveStripeOptions({
  secretKey: 'sk_test_1',
  webhookSecret: 'whsec_1',
  successUrl: 'https://shop.test/ok',
});
const request: PaymentRequest = {
  orderId: 'order-1',
  attemptId: 'attempt-1',
  amount: 1999,
  currency: 'usd',
  channel: 'payment_intent',
  subject: 'Course',
};

describe('withOrderId', () => {
  it.each([
    ['https://shop.test/ok', 'https://shop.test/ok?order_id=o%201'],
    ['https://shop.test/ok?a=1', 'https://shop.test/ok?a=1&order_id=o%201'],
    ['https://shop.test/ok?', 'https://shop.test/ok?order_id=o%201'],
    ['https://shop.test/ok#top', 'https://shop.test/ok?order_id=o%201#top'],
    [
      'https://shop.test/ok?session_id={CHECKOUT_SESSION_ID}',
      'https://shop.test/ok?session_id={CHECKOUT_SESSION_ID}&order_id=o%201',
    ],
    ['https://shop.test/ok?order_id=kept', 'https://shop.test/ok?order_id=kept'],
  ])('turns %s into %s', (url, expected) => {
    expect(withOrderId(url, 'o 1')).toBe(expected);
  });
});

describe('resolveMode', () => {
  it.each([
    ['payment_intent', 'payment_intent'],
    ['checkout_session', 'checkout_session'],
    ['intent', 'payment_intent'],
    ['checkout', 'checkout_session'],
    ['', 'checkout_session'],
    ['stripe', 'checkout_session'],
    ['wx_pub_qr', undefined],
  ])('resolves %s to %s', (channel, mode) => {
    expect(resolveMode(channel, 'checkout_session')).toBe(mode);
  });
});

describe('preparePayment', () => {
  it('puts our ids in metadata, beside the caller’s own', () => {
    const prepared = preparePayment(
      { ...request, userId: 'user-1', productId: 'shifu-1', metadata: { campaign: 'spring' } },
      config,
    );
    expect(prepared.metadata).toEqual({
      campaign: 'spring',
      order_bid: 'order-1',
      stripe_order_bid: 'attempt-1',
      user_bid: 'user-1',
      shifu_bid: 'shifu-1',
    });
    expect(prepared.idempotencyKey).toBe('pf-pi-attempt-1');
  });

  it('builds identical parameters for the same request, so a retry is a replay', () => {
    const at = new Date(Date.now() + 3_600_000);
    const a = preparePayment({ ...request, channel: 'checkout', expiresAt: at }, config);
    const b = preparePayment({ ...request, channel: 'checkout', expiresAt: new Date(at) }, config);
    expect(JSON.stringify(b.params)).toBe(JSON.stringify(a.params));
    expect(a.idempotencyKey).toBe('pf-cs-attempt-1');
  });

  it.each([
    ['in 10 minutes', 10 * 60_000],
    ['in the past', -60_000],
    ['in 25 hours', 25 * 3_600_000],
  ])('refuses a Checkout expiry %s before calling Stripe', (_when, offset) => {
    expect(() =>
      preparePayment({ ...request, channel: 'checkout', expiresAt: new Date(Date.now() + offset) }, config),
    ).toThrow(/between 30 minutes and 24 hours/);
  });

  it.each([
    ['a reserved metadata key with another value', { metadata: { order_bid: 'other' } }, 'RESERVED_METADATA_KEY'],
    ['a bracket in a metadata key', { metadata: { 'a[b]': 'x' } }, 'INVALID_METADATA'],
    ['a metadata value over 500 characters', { metadata: { a: 'x'.repeat(501) } }, 'INVALID_METADATA'],
    [
      'too many metadata keys',
      { metadata: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) },
      'INVALID_METADATA',
    ],
    ['a zero amount', { amount: 0 }, 'INVALID_AMOUNT'],
    ['an attempt id with spaces', { attemptId: 'a b' }, 'INVALID_PAYMENT_REQUEST'],
    ['an attempt id outside printable ASCII', { attemptId: 'attempt-é' }, 'INVALID_PAYMENT_REQUEST'],
    ['an unknown channel', { channel: 'alipay_qr' }, 'UNSUPPORTED_CHANNEL'],
    ['a BHD amount Stripe cannot take', { currency: 'BHD', amount: 1235 }, 'AMOUNT_NOT_SUPPORTED_BY_STRIPE'],
    ['no currency and no default', { currency: '' }, 'CURRENCY_REQUIRED'],
  ])('refuses %s', (_why, change, code) => {
    const error = thrown(() => preparePayment({ ...request, ...change }, config));
    expect(isPaymentError(error, 'ValidationError')).toBe(true);
    expect((error as { code: string }).code).toBe(code);
  });

  it('uses STRIPE_DEFAULT_CURRENCY when the request has none', () => {
    const withDefault = resolveStripeOptions({ secretKey: 'sk_test_1', webhookSecret: 'w', defaultCurrency: 'eur' });
    expect(preparePayment({ ...request, currency: '' }, withDefault).currency).toBe('EUR');
  });

  it('refuses a Checkout payment without a success URL', () => {
    const noUrl = resolveStripeOptions({ secretKey: 'sk_test_1', webhookSecret: 'w' });
    expect(() => preparePayment({ ...request, channel: 'checkout_session' }, noUrl)).toThrow(
      expect.objectContaining({ code: 'SUCCESS_URL_REQUIRED' }),
    );
  });

  it('prefers a per-request success URL on an allowed origin and adds the order id', () => {
    const prepared = preparePayment(
      { ...request, channel: 'checkout_session', extra: { successUrl: 'https://shop.test/done?x=1' } },
      config,
    );
    expect(prepared.params).toMatchObject({ success_url: 'https://shop.test/done?x=1&order_id=order-1' });
  });

  it.each([
    ['successUrl', 'https://evil.example/phish'],
    ['cancelUrl', 'https://evil.example/phish'],
    ['successUrl', 'https://shop.test.evil.example/x'],
    ['successUrl', 'https://shop.test@evil.example/x'],
    ['successUrl', 'http://shop.test/ok'],
  ])('refuses extra.%s %s: not an allowed redirect origin', (field, url) => {
    const error = thrownBy(() =>
      preparePayment({ ...request, channel: 'checkout_session', extra: { [field]: url } }, config),
    );
    expect(error).toMatchObject({ name: 'ValidationError', code: 'REDIRECT_URL_NOT_ALLOWED', field: `extra.${field}` });
  });

  it('accepts a per-request URL on an origin of allowedRedirectOrigins, and only those', () => {
    const listed = resolveStripeOptions({
      secretKey: 'sk_test_x',
      webhookSecret: 'whsec_x',
      successUrl: 'https://shop.test/ok',
      allowedRedirectOrigins: ['https://app.test'],
    });
    const prepared = preparePayment(
      { ...request, channel: 'checkout_session', extra: { successUrl: 'https://app.test/done' } },
      listed,
    );
    expect(prepared.params).toMatchObject({ success_url: 'https://app.test/done?order_id=order-1' });
    // The list replaces the default: the configured URL's origin is no longer implied.
    expect(() =>
      preparePayment({ ...request, channel: 'checkout_session', extra: { successUrl: 'https://shop.test/x' } }, listed),
    ).toThrow(expect.objectContaining({ code: 'REDIRECT_URL_NOT_ALLOWED' }));
  });

  it('refuses every per-request URL when nothing is configured or allowed', () => {
    const bare = resolveStripeOptions({ secretKey: 'sk_test_x', webhookSecret: 'whsec_x' });
    expect(bare.allowedRedirectOrigins).toEqual([]);
    expect(() =>
      preparePayment({ ...request, channel: 'checkout_session', extra: { successUrl: 'https://shop.test/x' } }, bare),
    ).toThrow(
      expect.objectContaining({
        code: 'REDIRECT_URL_NOT_ALLOWED',
        message: expect.stringContaining('PAYMENT_REDIRECT_ORIGINS'),
      }),
    );
  });
});

describe('paymentMethodTypesParam', () => {
  it('uses allowed_payment_method_types on the pinned (endive) API version', () => {
    expect(paymentMethodTypesParam({ paymentMethodTypes: ['card'], apiVersion: undefined })).toEqual({
      allowed_payment_method_types: ['card'],
    });
  });

  it('uses payment_method_types on an API version before endive', () => {
    expect(paymentMethodTypesParam({ paymentMethodTypes: ['card'], apiVersion: '2026-08-26.dahlia' })).toEqual({
      payment_method_types: ['card'],
    });
  });

  it('sends nothing when no types are configured (automatic payment methods)', () => {
    expect(paymentMethodTypesParam({ paymentMethodTypes: undefined, apiVersion: undefined })).toEqual({});
  });
});

describe('resolveStripeOptions', () => {
  it('lists every problem at once without echoing a value', () => {
    const error = thrown(() =>
      resolveStripeOptions({
        secretKey: 'pk_live_notasecretkey',
        webhookSecret: [],
        defaultCurrency: 'ZZZ',
        successUrl: 'not a url',
        webhookTolerance: -1,
      }),
    );
    expect(isPaymentError(error, 'ConfigurationError')).toBe(true);
    expect((error as { issues: string[] }).issues).toHaveLength(5);
    expect((error as Error).message).not.toContain('pk_live_notasecretkey');
  });

  it('accepts a pre-built client instead of a secret key, and several webhook secrets', () => {
    const resolved = resolveStripeOptions({ stripe: {} as never, webhookSecret: ['whsec_old', 'whsec_new'] });
    expect(resolved.webhookSecrets).toEqual(['whsec_old', 'whsec_new']);
    expect(resolved.webhookTolerance).toBe(300);
  });
});

/** The error `fn` throws; fails the test when it returns instead. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a throw, but the call returned');
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
