import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_STATUS_CODES,
  ORDER_STATUS_CODES,
  REFUND_STATUS_CODES,
  OUTBOX_STATUS_CODES,
  attemptStatusFromCode,
  outboxStatusFromCode,
  orderStatusFromCode,
  refundStatusFromCode,
} from '../../../src/kysely/status-codes.js';
import { mysqlHasSkipLocked } from '../../../src/kysely/outbox-repository.js';
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

describe('outbox status codes', () => {
  it.each([
    ['pending', 0],
    ['delivered', 1],
    ['dead', 2],
  ] as const)('%s is %i and back', (status, code) => {
    expect(OUTBOX_STATUS_CODES[status]).toBe(code);
    expect(outboxStatusFromCode(code)).toBe(status);
    expect(outboxStatusFromCode(String(code))).toBe(status);
  });

  it('covers every status', () => {
    expect(Object.keys(OUTBOX_STATUS_CODES).sort()).toEqual(['dead', 'delivered', 'pending']);
  });
});

describe('which MySQL / MariaDB servers have FOR UPDATE SKIP LOCKED', () => {
  it.each([
    ['8.0.36', true],
    ['8.0.1', true],
    ['8.0.0-dmr', false],
    ['8.4.3', true],
    ['9.1.0', true],
    ['5.7.44-log', false],
    ['10.11.6-MariaDB-0+deb12u1', true],
    ['10.6.0-MariaDB', true],
    ['10.5.23-MariaDB', false],
    ['11.4.2-MariaDB', true],
    ['5.5.5-10.11.6-MariaDB', true],
    ['garbage', false],
  ] as const)('%s → %s', (version, expected) => {
    expect(mysqlHasSkipLocked(version)).toBe(expected);
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
