/**
 * Money helpers. Amounts are integers in the currency's minor unit, always paired with an ISO 4217
 * code. Conversion is done on decimal strings, digit by digit, so nothing is ever rounded: input more
 * precise than the currency allows is refused.
 * @module
 */
import { CURRENCY_EXPONENTS } from './currencies.js';
import { ValidationError } from './errors.js';
import { echo } from './input-guards.js';

/** An amount of money: integer minor units plus an upper-case ISO 4217 code. */
export interface Money {
  /** Integer amount in minor units (cents, fen, yen, fils). */
  readonly amount: number;
  /** Upper-case ISO 4217 code. */
  readonly currency: string;
}

/**
 * Normalises and checks a currency code (case-insensitive) and returns it upper-case.
 * @throws ValidationError for an unknown code.
 */
export function normalizeCurrency(currency: string): string {
  if (typeof currency !== 'string')
    throw new ValidationError('Currency must be a string.', { field: 'currency', code: 'INVALID_CURRENCY' });
  const code = currency.trim().toUpperCase();
  if (!CURRENCY_EXPONENTS.has(code)) {
    throw new ValidationError(`Unknown currency "${echo(currency)}".`, { field: 'currency', code: 'UNKNOWN_CURRENCY' });
  }
  return code;
}

/**
 * Number of decimal places in the minor unit of `currency` (ISO 4217).
 *
 * @example
 * ```ts
 * currencyExponent('USD') // 2
 * currencyExponent('jpy') // 0
 * currencyExponent('BHD') // 3
 * ```
 * @throws ValidationError for an unknown currency.
 */
export function currencyExponent(currency: string): number {
  return CURRENCY_EXPONENTS.get(normalizeCurrency(currency)) as number;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Converts a decimal amount in major units to integer minor units, exactly.
 *
 * Accepts a decimal string (`'19.99'`, `'500'`, `'.5'` is refused) or a finite number (converted through
 * its shortest decimal representation). Trailing zeros beyond the exponent are fine (`'1.50'` JPY is
 * refused, `'1.500'` USD is 150), any non-zero digit beyond it is refused, never rounded.
 *
 * @example
 * ```ts
 * toMinorUnits('19.99', 'USD') // 1999
 * toMinorUnits('500', 'JPY')   // 500
 * toMinorUnits('1.234', 'BHD') // 1234
 * toMinorUnits('0.001', 'USD') // throws ValidationError (over-precise)
 * ```
 * @throws ValidationError for negative, non-numeric, over-precise or unsafe (> 2^53-1) amounts and unknown currencies.
 */
export function toMinorUnits(amount: string | number, currency: string): number {
  const exponent = currencyExponent(currency);
  let text: string;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) throw invalid(`Amount must be a finite number.`);
    text = String(amount);
    if (/e/i.test(text)) throw invalid('Amount is too large or too small to convert exactly; pass a decimal string.');
  } else if (typeof amount === 'string') {
    text = amount.trim();
  } else {
    throw invalid('Amount must be a decimal string or a number.');
  }
  if (text.startsWith('-')) throw invalid('Amount must not be negative.', 'NEGATIVE_AMOUNT');
  if (text.startsWith('+')) text = text.slice(1);
  const match = DECIMAL.exec(text);
  if (!match) throw invalid(`Amount "${String(amount)}" is not a decimal number.`);
  const whole = match[1] as string;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    throw invalid(
      `Amount "${String(amount)}" has more decimal places than ${normalizeCurrency(currency)} allows (${exponent}).`,
      'AMOUNT_TOO_PRECISE',
    );
  }
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  const value = Number(digits);
  if (!Number.isSafeInteger(value))
    throw invalid(`Amount "${String(amount)}" exceeds the safe integer range.`, 'AMOUNT_TOO_LARGE');
  return value;
}

/**
 * Converts integer minor units to a decimal string in major units, exactly.
 *
 * @example
 * ```ts
 * fromMinorUnits(1999, 'USD') // '19.99'
 * fromMinorUnits(500, 'JPY')  // '500'
 * fromMinorUnits(5, 'BHD')    // '0.005'
 * ```
 * @throws ValidationError when `amount` is not a non-negative safe integer or the currency is unknown.
 */
export function fromMinorUnits(amount: number, currency: string): string {
  assertMinorUnits(amount);
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(amount);
  const digits = String(amount).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * Asserts that `amount` is a non-negative safe integer (a valid minor-unit amount).
 * @throws ValidationError otherwise.
 */
export function assertMinorUnits(amount: unknown, field = 'amount'): asserts amount is number {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
    throw new ValidationError(`${field} must be an integer number of minor units.`, { field, code: 'INVALID_AMOUNT' });
  }
  if (amount < 0) throw new ValidationError(`${field} must not be negative.`, { field, code: 'NEGATIVE_AMOUNT' });
}

function invalid(message: string, code = 'INVALID_AMOUNT'): ValidationError {
  return new ValidationError(message, { field: 'amount', code });
}
