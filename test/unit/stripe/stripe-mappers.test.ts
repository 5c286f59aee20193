import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { isPaymentError, type PaymentErrorName } from '../../../src/core/errors.js';
import { fromStripeAmount, toStripeAmount } from '../../../src/stripe/stripe-amounts.js';
import { connectionPhase, mapStripeError, redact } from '../../../src/stripe/stripe-errors.js';
import { normalizeStripeEvent } from '../../../src/stripe/stripe-events.js';
import {
  CHECKOUT_SESSION_STATUS_TABLE,
  checkoutSessionStatus,
  PAYMENT_INTENT_STATUS_TABLE,
  paymentIntentStatus,
  REFUND_EVENT_BY_STATUS,
  REFUND_STATUS_TABLE,
  refundStatus,
  STRIPE_CURRENCY_RULES,
  STRIPE_ERROR_TABLE,
  STRIPE_EVENT_TABLE,
  type StripeErrorOutcome,
  type StripeErrorRow,
  stripeEventType,
} from '../../../src/stripe/stripe-mappers.js';

describe('PaymentIntent status table', () => {
  it.each(PAYMENT_INTENT_STATUS_TABLE)('maps $status (lastPaymentError: $lastPaymentError) to $maps', (row) => {
    const intent = { status: row.status, last_payment_error: row.lastPaymentError ? { code: 'card_declined' } : null };
    expect(paymentIntentStatus(intent)).toBe(row.maps);
  });

  it('maps an unknown status to pending, never to a success', () => {
    expect(paymentIntentStatus({ status: 'some_future_status' })).toBe('pending');
  });
});

describe('Checkout Session status table', () => {
  it.each(CHECKOUT_SESSION_STATUS_TABLE)('maps $status / $paymentStatus to $maps', (row) => {
    expect(checkoutSessionStatus({ status: row.status, payment_status: row.paymentStatus ?? 'unpaid' })).toBe(row.maps);
  });

  it('reads a completed unpaid session as failed when its PaymentIntent failed', () => {
    const session = { status: 'complete', payment_status: 'unpaid' };
    const intent = { status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } };
    expect(checkoutSessionStatus(session, intent)).toBe('failed');
  });

  it('does not let a PaymentIntent turn an unpaid session into a success', () => {
    expect(checkoutSessionStatus({ status: 'complete', payment_status: 'unpaid' }, { status: 'succeeded' })).toBe(
      'processing',
    );
  });
});

describe('Refund status table', () => {
  it.each(Object.entries(REFUND_STATUS_TABLE))('maps %s to %s', (status, ours) => {
    expect(refundStatus(status)).toBe(ours);
  });

  it('maps a missing or unknown status to pending', () => {
    expect(refundStatus(null)).toBe('pending');
    expect(refundStatus('mystery')).toBe('pending');
  });
});

describe('event table', () => {
  const objects = {
    payment_intent: {
      id: 'pi_1',
      object: 'payment_intent',
      amount: 1999,
      amount_received: 1999,
      currency: 'usd',
      status: 'succeeded',
      last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Declined' },
      metadata: { order_bid: 'order-1', stripe_order_bid: 'attempt-1' },
    },
    'checkout.session': {
      id: 'cs_test_1',
      object: 'checkout.session',
      amount_total: 1999,
      currency: 'usd',
      status: 'complete',
      payment_status: 'paid',
      client_reference_id: 'attempt-1',
      payment_intent: 'pi_1',
      metadata: { order_bid: 'order-1', stripe_order_bid: 'attempt-1' },
    },
    charge: {
      id: 'ch_1',
      object: 'charge',
      amount: 1999,
      amount_refunded: 500,
      currency: 'usd',
      payment_intent: 'pi_1',
      metadata: { order_bid: 'order-1', stripe_order_bid: 'attempt-1' },
      refunds: {
        object: 'list',
        data: [
          {
            id: 're_1',
            object: 'refund',
            amount: 500,
            currency: 'usd',
            status: 'succeeded',
            reason: null,
            metadata: { refund_bid: 'refund-1' },
          },
        ],
      },
    },
    refund: {
      id: 're_1',
      object: 'refund',
      amount: 500,
      currency: 'usd',
      status: 'succeeded',
      charge: 'ch_1',
      payment_intent: 'pi_1',
      reason: null,
      metadata: { refund_bid: 'refund-1', stripe_order_bid: 'attempt-1', order_bid: 'order-1' },
    },
  } as const;

  const eventOf = (type: string, object: object): Stripe.Event =>
    ({
      id: 'evt_1',
      object: 'event',
      type,
      created: 1_700_000_000,
      livemode: false,
      api_version: '2026-10-28.endive',
      data: { object },
    }) as unknown as Stripe.Event;

  it.each(Object.entries(STRIPE_EVENT_TABLE))('normalises %s', (type, row) => {
    const event = normalizeStripeEvent(eventOf(type, objects[row.object]), 'stripe');
    const expected =
      row.type === 'by-refund-status' ? REFUND_EVENT_BY_STATUS[objects.refund.status] : (row.type as string);
    expect(event.type).toBe(expected);
    expect(event.providerEventType).toBe(type);
    expect(event.eventId).toBe('evt_1');
    expect(event.attemptId).toBe('attempt-1');
    expect(event.orderId).toBe('order-1');
    expect(event.currency).toBe('USD');
    expect(event.occurredAt).toEqual(new Date(1_700_000_000_000));
    expect(event.providerReference).toBe(row.object === 'checkout.session' ? 'cs_test_1' : 'pi_1');
    if (row.object === 'charge' || row.object === 'refund') {
      expect(event.amount).toBe(500);
      expect(event.refunds).toEqual([
        expect.objectContaining({ providerRefundId: 're_1', refundId: 'refund-1', amount: 500, currency: 'USD' }),
      ]);
    } else {
      expect(event.amount).toBe(1999);
      expect(event.refunds).toEqual([]);
    }
  });

  it('makes checkout.session.completed a success only when payment_status is paid', () => {
    expect(stripeEventType('checkout.session.completed', { payment_status: 'paid' })).toBe('payment.succeeded');
    expect(stripeEventType('checkout.session.completed', { payment_status: 'unpaid' })).toBe('payment.pending');
    expect(stripeEventType('checkout.session.completed', { payment_status: 'no_payment_required' })).toBe(
      'payment.pending',
    );
  });

  it.each(Object.entries(REFUND_EVENT_BY_STATUS))('maps refund.updated with status %s to %s', (status, type) => {
    expect(stripeEventType('refund.updated', { status })).toBe(type);
  });

  it('normalises an unknown event type to unsupported, keeping the ids it carries', () => {
    const event = normalizeStripeEvent(eventOf('customer.created', { id: 'cus_1', object: 'customer' }), 'stripe');
    expect(event).toMatchObject({ type: 'unsupported', providerReference: 'cus_1', amount: null, currency: null });
  });

  it('carries the decline of a failed PaymentIntent', () => {
    const failed = { ...objects.payment_intent, status: 'requires_payment_method' };
    const event = normalizeStripeEvent(eventOf('payment_intent.payment_failed', failed), 'stripe');
    expect(event.failure).toEqual({ code: 'insufficient_funds', message: 'Declined' });
  });
});

describe('error table', () => {
  const E = Stripe.errors;
  const sdkErrorFor = (row: StripeErrorRow): Error => {
    const raw = { message: `a ${row.type}`, ...(row.code === undefined ? {} : { code: row.code }), statusCode: 400 };
    switch (row.type) {
      case 'StripeCardError':
        return new E.StripeCardError({ ...raw, statusCode: 402, decline_code: 'insufficient_funds' });
      case 'StripeRateLimitError':
        return new E.StripeRateLimitError({ ...raw, statusCode: 429 });
      case 'StripeConnectionError': {
        const code = row.phase === 'not_sent' ? 'ECONNREFUSED' : row.phase === 'timeout' ? 'ETIMEDOUT' : 'ECONNRESET';
        return new E.StripeConnectionError({ message: 'connection trouble', detail: { code } });
      }
      case 'StripeAPIError':
        return new E.StripeAPIError({ ...raw, statusCode: row.hasStatus === false ? undefined : 500 } as never);
      case 'StripeAuthenticationError':
        return new E.StripeAuthenticationError({ ...raw, statusCode: 401 });
      case 'StripePermissionError':
        return new E.StripePermissionError({ ...raw, statusCode: 403 });
      case 'StripeIdempotencyError':
        return new E.StripeIdempotencyError({ ...raw, type: 'idempotency_error' } as never);
      case 'StripeInvalidRequestError':
        return new E.StripeInvalidRequestError(raw);
      default:
        throw new Error(`no fixture for ${row.type}`);
    }
  };
  const className: Record<StripeErrorOutcome, PaymentErrorName> = {
    declined: 'ProviderDeclinedError',
    unavailable: 'ProviderUnavailableError',
    indeterminate: 'IndeterminateOutcomeError',
    configuration: 'ConfigurationError',
    validation: 'ValidationError',
    not_found: 'NotFoundError',
  };

  it.each(STRIPE_ERROR_TABLE)('maps $type (code $code, phase $phase) to $outcome $ourCode', (row) => {
    const mapped = mapStripeError(sdkErrorFor(row), {
      provider: 'stripe',
      operation: 'create PaymentIntent',
      mutating: true,
    });
    expect(isPaymentError(mapped, className[row.outcome])).toBe(true);
    expect(mapped.code).toBe(row.ourCode);
    expect(mapped.provider).toBe('stripe');
    expect(mapped.retryable).toBe(row.outcome === 'unavailable' || row.outcome === 'indeterminate');
  });

  it('keeps the decline code of a card error', () => {
    const mapped = mapStripeError(new E.StripeCardError({ message: 'Declined', decline_code: 'stolen_card' }), {
      provider: 'stripe',
      operation: 'create PaymentIntent',
      mutating: true,
    });
    expect(mapped).toMatchObject({ name: 'ProviderDeclinedError', declineCode: 'stolen_card' });
  });

  it('makes a lost connection on a read unavailable rather than indeterminate', () => {
    const error = new E.StripeConnectionError({ message: 'reset', detail: { code: 'ECONNRESET' } });
    const mapped = mapStripeError(error, { provider: 'stripe', operation: 'retrieve', mutating: false });
    expect(isPaymentError(mapped, 'ProviderUnavailableError')).toBe(true);
  });

  it('treats an unrecognised error on a mutating call as indeterminate', () => {
    const mapped = mapStripeError(new TypeError('boom'), { provider: 'stripe', operation: 'create', mutating: true });
    expect(isPaymentError(mapped, 'IndeterminateOutcomeError')).toBe(true);
  });

  it('classifies connection failures by phase', () => {
    expect(connectionPhase({ detail: { code: 'ECONNREFUSED' } })).toBe('not_sent');
    expect(connectionPhase({ detail: { code: 'ENOTFOUND' } })).toBe('not_sent');
    expect(connectionPhase({ detail: { code: 'ETIMEDOUT' } })).toBe('timeout');
    expect(connectionPhase({ message: 'Request aborted due to timeout being reached (10ms)' })).toBe('timeout');
    expect(connectionPhase({ detail: { code: 'ECONNRESET' } })).toBe('maybe_sent');
  });

  it('never puts a key or a secret in a message', () => {
    const error = new E.StripeAuthenticationError({
      message: 'Invalid API Key provided: sk_test_abcdef123456',
      statusCode: 401,
    });
    const mapped = mapStripeError(error, {
      provider: 'stripe',
      operation: 'create',
      mutating: true,
      secrets: ['my-very-own-secret'],
    });
    expect(mapped.message).not.toContain('sk_test_abcdef123456');
    expect(redact('leak my-very-own-secret and whsec_abc and rk_live_x', ['my-very-own-secret'])).toBe(
      'leak [redacted] and [redacted] and [redacted]',
    );
  });
});

describe('currency rules', () => {
  const sample: Record<string, { ours: number; stripe: number }> = {
    ISK: { ours: 5, stripe: 500 },
    UGX: { ours: 1000, stripe: 100_000 },
    MGA: { ours: 500, stripe: 5 },
    HUF: { ours: 12_345, stripe: 12_345 },
    TWD: { ours: 12_345, stripe: 12_345 },
    BHD: { ours: 1230, stripe: 1230 },
    JOD: { ours: 1230, stripe: 1230 },
    KWD: { ours: 1230, stripe: 1230 },
    OMR: { ours: 1230, stripe: 1230 },
    TND: { ours: 1230, stripe: 1230 },
  };

  it('has a sample for every rule', () => {
    expect(Object.keys(sample).sort()).toEqual(Object.keys(STRIPE_CURRENCY_RULES).sort());
  });

  it.each(Object.entries(sample))('converts %s both ways exactly', (currency, { ours, stripe }) => {
    expect(toStripeAmount(ours, currency)).toBe(stripe);
    expect(fromStripeAmount(stripe, currency.toLowerCase())).toBe(ours);
  });

  it.each(['BHD', 'JOD', 'KWD', 'OMR', 'TND'])('refuses a %s amount that does not end in 0', (currency) => {
    expect(() => toStripeAmount(1235, currency)).toThrow(
      expect.objectContaining({ code: 'AMOUNT_NOT_SUPPORTED_BY_STRIPE' }),
    );
  });

  it('refuses fractional ariary, which Stripe cannot charge', () => {
    expect(() => toStripeAmount(550, 'MGA')).toThrow(expect.objectContaining({ name: 'ValidationError' }));
  });

  it('leaves ordinary currencies alone: minor units are Stripe units', () => {
    expect(toStripeAmount(1999, 'usd')).toBe(1999);
    expect(toStripeAmount(500, 'JPY')).toBe(500);
    expect(fromStripeAmount(500, 'jpy')).toBe(500);
  });

  it('returns an amount in a currency it does not know unchanged when reading', () => {
    expect(fromStripeAmount(1234, 'zzz')).toBe(1234);
  });
});
