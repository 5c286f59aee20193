/**
 * Converts between our amounts (ISO 4217 minor units) and Stripe's `amount` field, applying
 * {@link STRIPE_CURRENCY_RULES}. For almost every currency the two are the same number.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import { currencyExponent, normalizeCurrency } from '../core/money.js';
import { CURRENCY_EXPONENTS } from '../core/currencies.js';
import { STRIPE_CURRENCY_RULES } from './stripe-mappers.js';

/**
 * Our minor units → Stripe's `amount` for `currency`.
 *
 * @example
 * ```ts
 * toStripeAmount(1999, 'USD') // 1999
 * toStripeAmount(500, 'JPY')  // 500
 * toStripeAmount(5, 'ISK')    // 500 (Stripe's legacy two-decimal ISK)
 * toStripeAmount(1235, 'BHD') // throws ValidationError: Stripe needs a final 0
 * ```
 * @throws ValidationError when Stripe cannot represent the amount exactly (never rounds), or the currency is unknown.
 */
export function toStripeAmount(amount: number, currency: string, provider?: string): number {
  const code = normalizeCurrency(currency);
  const iso = currencyExponent(code);
  const rule = STRIPE_CURRENCY_RULES[code];
  const target = rule?.stripeExponent ?? iso;
  let stripeAmount = amount;
  if (target > iso) {
    stripeAmount = amount * 10 ** (target - iso);
  } else if (target < iso) {
    const factor = 10 ** (iso - target);
    if (amount % factor !== 0) throw unsupported(code, rule?.note, provider);
    stripeAmount = amount / factor;
  }
  if (!Number.isSafeInteger(stripeAmount)) throw unsupported(code, 'The amount is too large.', provider);
  if (rule?.multipleOf !== undefined && stripeAmount % rule.multipleOf !== 0)
    throw unsupported(code, rule.note, provider);
  return stripeAmount;
}

/**
 * Stripe's `amount` → our minor units for `currency` (the inverse of {@link toStripeAmount}). Never
 * throws: webhook normalisation must not fail on a currency this library does not know; such an
 * amount is returned unchanged.
 */
export function fromStripeAmount(stripeAmount: number, currency: string): number {
  const code = currency.toUpperCase();
  const iso = CURRENCY_EXPONENTS.get(code);
  const target = STRIPE_CURRENCY_RULES[code]?.stripeExponent;
  if (iso === undefined || target === undefined || target === iso) return stripeAmount;
  // Stripe guarantees the dropped digits are zero (ISK, UGX are sent as whole units × 10^2), so this is exact.
  return target > iso ? Math.trunc(stripeAmount / 10 ** (target - iso)) : stripeAmount * 10 ** (iso - target);
}

function unsupported(currency: string, note: string | undefined, provider: string | undefined): ValidationError {
  return new ValidationError(`Stripe cannot charge this ${currency} amount exactly. ${note ?? ''}`.trim(), {
    field: 'amount',
    code: 'AMOUNT_NOT_SUPPORTED_BY_STRIPE',
    ...(provider === undefined ? {} : { provider }),
  });
}
