import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import { newOrderRecord, toJsonValue } from '../../../src/persistence/record-validation.js';
import {
  attemptPatch,
  effectiveReference,
  newAttemptRecord,
  statusTimestampField,
} from '../../../src/persistence/attempt-validation.js';
import { resolveTableNames, DEFAULT_TABLE_NAMES } from '../../../src/kysely/schema.js';

const now = new Date('2025-01-01T00:00:00Z');
const attempt = (overrides: Record<string, unknown>) =>
  newAttemptRecord(
    {
      attemptId: 'a',
      orderId: 'o',
      providerKind: 'stripe',
      channel: 'payment_intent',
      amount: 1,
      currency: 'usd',
      ...overrides,
    },
    now,
  );

describe('status timestamps', () => {
  it.each([
    ['paid', 'paidAt'],
    ['refunded', 'refundedAt'],
    ['closed', 'closedAt'],
    ['failed', 'failedAt'],
    ['pending', null],
  ] as const)('moving to %s stamps %s', (status, field) => {
    expect(statusTimestampField(status)).toBe(field);
  });
});

describe('the reference an attempt reads as', () => {
  it.each([
    ['the stored reference first', { providerReference: 'ref', paymentIntentId: 'pi' }, 'ref'],
    ['a Stripe PaymentIntent attempt: its PaymentIntent id', { paymentIntentId: 'pi' }, 'pi'],
    [
      'a Stripe Checkout attempt: its session id',
      { channel: 'checkout_session', checkoutSessionId: 'cs', paymentIntentId: 'pi' },
      'cs',
    ],
    ['a Ping++ attempt: its charge id', { providerKind: 'pingxx', channel: 'alipay_qr', chargeId: 'ch' }, 'ch'],
    ['another kind without a reference: none', { providerKind: 'fake' }, null],
  ])('%s', (_label, overrides, expected) => {
    expect(effectiveReference(attempt(overrides))).toBe(expected);
  });
});

describe('attempt patches', () => {
  it.each([
    ['stripe', 'chargeId'],
    ['stripe', 'appId'],
    ['pingxx', 'paymentIntentId'],
    ['pingxx', 'receiptUrl'],
    ['fake', 'checkoutSessionId'],
    ['fake', 'chargeId'],
  ])('refuses %s attempts a %s', (kind, field) => {
    let error: unknown;
    try {
      attemptPatch(kind, { [field]: 'x' });
    } catch (e) {
      error = e;
    }
    expect(isPaymentError(error, 'ValidationError') && error.code).toBe('FIELD_NOT_STORED');
  });

  it('accepts null for another kind’s field (nothing to store)', () => {
    expect(attemptPatch('fake', { chargeId: null })).toEqual({});
  });

  it('normalises JSON fields as stored (Dates become ISO strings)', () => {
    expect(attemptPatch('fake', { raw: { at: new Date('2025-01-01T00:00:00Z'), skip: undefined } })).toEqual({
      raw: { at: '2025-01-01T00:00:00.000Z' },
    });
  });
});

describe('new orders', () => {
  it('defaults to init, unpaid, on pingxx (the original column default), upper-case currency', () => {
    expect(
      newOrderRecord({ orderId: 'o', userId: 'u', productId: 'p', payableAmount: 5, currency: 'cny' }, now),
    ).toMatchObject({
      status: 'init',
      paidAmount: 0,
      paymentChannel: 'pingxx',
      currency: 'CNY',
      createdAt: now,
      updatedAt: now,
    });
  });
});

describe('toJsonValue', () => {
  it('refuses values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => toJsonValue(cyclic)).toThrow(/JSON/);
    expect(() => toJsonValue(10n)).toThrow(/JSON/);
  });
});

describe('table names', () => {
  it('defaults to the original system’s names', () => {
    expect(resolveTableNames()).toEqual(DEFAULT_TABLE_NAMES);
    expect(DEFAULT_TABLE_NAMES.orders).toBe('order_orders');
  });

  it('refuses names that are not plain identifiers, or shared', () => {
    expect(() => resolveTableNames({ orders: 'orders; drop table x' })).toThrow(TypeError);
    expect(() => resolveTableNames({ orders: 'order_refunds' })).toThrow(/own name/);
  });
});

describe('failure messages', () => {
  it('are cut to the column width instead of failing the write', () => {
    expect(attemptPatch('stripe', { failureMessage: 'x'.repeat(400) }).failureMessage).toHaveLength(255);
  });
});
