import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_STATUS_CODES,
  ORDER_STATUS_CODES,
  REFUND_STATUS_CODES,
  attemptStatusFromCode,
  orderStatusFromCode,
  refundStatusFromCode,
} from '../../../src/kysely/status-codes.js';
import { ATTEMPT_STATUSES, ORDER_STATUSES, REFUND_STATUSES } from '../../../src/persistence/records.js';

describe('order status codes (the original system’s)', () => {
  it.each([
    ['init', 501],
    ['paid', 502],
    ['refunded', 503],
    ['pending', 504],
    ['timeout', 505],
  ] as const)('%s is %i and back', (status, code) => {
    expect(ORDER_STATUS_CODES[status]).toBe(code);
    expect(orderStatusFromCode(code)).toBe(status);
    expect(orderStatusFromCode(String(code))).toBe(status);
  });

  it('covers every status', () => {
    expect(Object.keys(ORDER_STATUS_CODES).sort()).toEqual([...ORDER_STATUSES].sort());
  });
});

describe('attempt status codes (the original system’s)', () => {
  it.each([
    ['pending', 0],
    ['paid', 1],
    ['refunded', 2],
    ['closed', 3],
    ['failed', 4],
  ] as const)('%s is %i and back', (status, code) => {
    expect(ATTEMPT_STATUS_CODES[status]).toBe(code);
    expect(attemptStatusFromCode(code)).toBe(status);
  });

  it('covers every status', () => {
    expect(Object.keys(ATTEMPT_STATUS_CODES).sort()).toEqual([...ATTEMPT_STATUSES].sort());
  });
});

describe('refund status codes', () => {
  it.each([
    ['pending', 0],
    ['succeeded', 1],
    ['failed', 2],
    ['canceled', 3],
  ] as const)('%s is %i and back', (status, code) => {
    expect(REFUND_STATUS_CODES[status]).toBe(code);
    expect(refundStatusFromCode(code)).toBe(status);
  });

  it('covers every status', () => {
    expect(Object.keys(REFUND_STATUS_CODES).sort()).toEqual([...REFUND_STATUSES].sort());
  });
});

describe('an unknown code read from the database', () => {
  it.each([
    ['order', () => orderStatusFromCode(500)],
    ['attempt', () => attemptStatusFromCode(9)],
    ['refund', () => refundStatusFromCode(null)],
  ])('fails the %s read loudly instead of guessing', (_what, read) => {
    expect(read).toThrow(/Unknown .* status code/);
  });
});
