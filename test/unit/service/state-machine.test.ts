import { describe, expect, it } from 'vitest';
import { ATTEMPT_TRANSITIONS, decideAttempt, decideOrder, ORDER_TRANSITIONS } from '../../../src/index.js';

describe('order state machine', () => {
  it.each([
    ['init', 'start', 'pending'],
    ['init', 'paid', 'paid'],
    ['init', 'timeout', 'timeout'],
    ['pending', 'paid', 'paid'],
    ['pending', 'timeout', 'timeout'],
    ['paid', 'refunded', 'refunded'],
    ['timeout', 'paid', 'paid'],
  ] as const)('%s + %s → %s', (from, signal, to) => {
    expect(decideOrder(from, signal).to).toBe(to);
  });

  it.each([
    ['pending', 'start'],
    ['paid', 'paid'],
    ['refunded', 'refunded'],
    ['timeout', 'timeout'],
  ] as const)('same state is a no-op: %s + %s', (from, signal) => {
    expect(decideOrder(from, signal)).toEqual({ to: null });
  });

  it('keeps refunded terminal', () => {
    for (const signal of ['start', 'paid', 'failed', 'canceled', 'refunded', 'timeout'] as const) {
      expect(decideOrder('refunded', signal).to).toBeNull();
    }
  });

  it('never lets a late failure, cancel or timeout undo paid', () => {
    for (const signal of ['failed', 'canceled', 'timeout'] as const) expect(decideOrder('paid', signal).to).toBeNull();
  });

  it('records a success after timeout and flags it', () => {
    expect(decideOrder('timeout', 'paid')).toMatchObject({ to: 'paid', anomaly: expect.stringContaining('timed out') });
  });

  it('refuses charging a paid, refunded or timed-out order', () => {
    for (const status of ['paid', 'refunded', 'timeout'] as const)
      expect(decideOrder(status, 'start').refuse).toBe('invalid');
  });

  it('asks for redelivery of a refund that arrives before the payment', () => {
    for (const status of ['init', 'pending', 'timeout'] as const)
      expect(decideOrder(status, 'refunded').refuse).toBe('retry');
  });

  it('covers every status × signal', () => {
    for (const row of Object.values(ORDER_TRANSITIONS))
      expect(Object.keys(row).sort()).toEqual(['canceled', 'failed', 'paid', 'refunded', 'start', 'timeout']);
  });
});

describe('attempt state machine', () => {
  it.each([
    ['pending', 'paid', 'paid'],
    ['pending', 'failed', 'failed'],
    ['pending', 'canceled', 'closed'],
    ['paid', 'refunded', 'refunded'],
    ['failed', 'paid', 'paid'],
    ['closed', 'paid', 'paid'],
  ] as const)('%s + %s → %s', (from, signal, to) => {
    expect(decideAttempt(from, signal).to).toBe(to);
  });

  it('records a success after a failure as a retry, and flags one for a closed attempt', () => {
    expect(decideAttempt('failed', 'paid')).toEqual({ to: 'paid' });
    expect(decideAttempt('closed', 'paid').anomaly).toBeTruthy();
    expect(decideAttempt('pending', 'paid').anomaly).toBeUndefined();
  });

  it('never regresses a paid or refunded attempt', () => {
    for (const signal of ['failed', 'canceled', 'paid'] as const) {
      expect(decideAttempt('paid', signal).to).toBeNull();
      expect(decideAttempt('refunded', signal).to).toBeNull();
    }
    expect(decideAttempt('refunded', 'refunded').to).toBeNull();
  });

  it('covers every status × signal', () => {
    for (const row of Object.values(ATTEMPT_TRANSITIONS))
      expect(Object.keys(row).sort()).toEqual(['canceled', 'failed', 'paid', 'refunded']);
  });
});
