import { describe, expect, it } from 'vitest';
import { currencyExponent, fromMinorUnits, isPaymentError, toMinorUnits, ValidationError } from '../../../src/index.js';

describe('currencyExponent', () => {
  it.each([
    ['USD', 2],
    ['usd', 2],
    ['CNY', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['VND', 0],
    ['CLP', 0],
    ['XOF', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['JOD', 3],
    ['TND', 3],
    ['OMR', 3],
    ['IQD', 3],
    ['LYD', 3],
    ['CLF', 4],
    ['UYW', 4],
  ])('%s has %i decimals', (currency, exponent) => {
    expect(currencyExponent(currency)).toBe(exponent);
  });

  it.each(['XYZ', '', 'US', 'XAU', 'dollars'])('refuses unknown currency %j', (currency) => {
    expect(() => currencyExponent(currency)).toThrow(ValidationError);
  });
});

describe('toMinorUnits', () => {
  it.each([
    ['19.99', 'USD', 1999],
    ['500', 'JPY', 500],
    ['1.234', 'BHD', 1234],
    ['0.01', 'USD', 1],
    ['0', 'USD', 0],
    ['1.50', 'USD', 150],
    ['1.500', 'USD', 150],
    ['500.000', 'JPY', 500],
    ['  12.3 ', 'EUR', 1230],
    ['007.10', 'CNY', 710],
    ['90071992547409.91', 'USD', 9007199254740991],
    [19.99, 'USD', 1999],
    [0.1, 'USD', 10],
    [500, 'JPY', 500],
    [1.005, 'USD', null],
  ] as const)('converts %j %s', (input, currency, expected) => {
    if (expected === null) expect(() => toMinorUnits(input, currency)).toThrow(ValidationError);
    else expect(toMinorUnits(input, currency)).toBe(expected);
  });

  it.each([
    ['0.001', 'USD', 'AMOUNT_TOO_PRECISE'],
    ['1.5', 'JPY', 'AMOUNT_TOO_PRECISE'],
    ['1.2345', 'BHD', 'AMOUNT_TOO_PRECISE'],
    ['-1', 'USD', 'NEGATIVE_AMOUNT'],
    ['-0.01', 'USD', 'NEGATIVE_AMOUNT'],
    ['abc', 'USD', 'INVALID_AMOUNT'],
    ['', 'USD', 'INVALID_AMOUNT'],
    ['1e3', 'USD', 'INVALID_AMOUNT'],
    ['.5', 'USD', 'INVALID_AMOUNT'],
    ['1.', 'USD', 'INVALID_AMOUNT'],
    ['1,00', 'USD', 'INVALID_AMOUNT'],
    ['NaN', 'USD', 'INVALID_AMOUNT'],
    ['Infinity', 'USD', 'INVALID_AMOUNT'],
    ['90071992547409.92', 'USD', 'AMOUNT_TOO_LARGE'],
    ['99999999999999999999', 'JPY', 'AMOUNT_TOO_LARGE'],
  ])('refuses %j %s with %s', (input, currency, code) => {
    try {
      toMinorUnits(input, currency);
      expect.unreachable();
    } catch (error) {
      expect(isPaymentError(error, 'ValidationError')).toBe(true);
      expect((error as ValidationError).code).toBe(code);
    }
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -5, 1e21])('refuses the number %d', (n) => {
    expect(() => toMinorUnits(n, 'USD')).toThrow(ValidationError);
  });

  it('refuses an unknown currency even for a valid amount', () => {
    expect(() => toMinorUnits('1.00', 'ABC')).toThrow(/Unknown currency/);
  });
});

describe('fromMinorUnits', () => {
  it.each([
    [1999, 'USD', '19.99'],
    [1, 'USD', '0.01'],
    [0, 'USD', '0.00'],
    [500, 'JPY', '500'],
    [5, 'BHD', '0.005'],
    [1234, 'BHD', '1.234'],
    [9007199254740991, 'USD', '90071992547409.91'],
  ] as const)('renders %i %s as %s', (amount, currency, expected) => {
    expect(fromMinorUnits(amount, currency)).toBe(expected);
  });

  it('round-trips every exponent exactly', () => {
    for (const currency of ['JPY', 'USD', 'BHD', 'CLF']) {
      for (const amount of [0, 1, 9, 10, 99, 100, 12345, 987654321]) {
        expect(toMinorUnits(fromMinorUnits(amount, currency), currency)).toBe(amount);
      }
    }
  });

  it.each([1.5, -1, Number.NaN, 2 ** 53])('refuses %d', (amount) => {
    expect(() => fromMinorUnits(amount, 'USD')).toThrow(ValidationError);
  });
});
