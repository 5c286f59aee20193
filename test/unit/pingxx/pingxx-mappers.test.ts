import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isPaymentError, type PaymentErrorName } from '../../../src/core/errors.js';
import type { PaymentEventType, PaymentStatus, RefundStatus } from '../../../src/core/types.js';
import { mapPingxxError, type PingxxFailureContext } from '../../../src/pingxx/pingxx-errors.js';
import {
  mapPingxxEventType,
  mapPingxxRefundStatus,
  PINGXX_CHARGE_STATUS,
  PINGXX_EVENT_TYPES,
  PINGXX_EXPIRY_GRACE_SECONDS,
  PINGXX_HTTP_STATUS_ERRORS,
  PINGXX_REFUND_STATUS,
  PINGXX_SDK_ERRORS,
  PINGXX_STATUS_OVERRIDES,
  pingxxChargeState,
  type PingxxChargeState,
  type PingxxErrorOutcome,
  type PingxxSdkErrorType,
} from '../../../src/pingxx/pingxx-mappers.js';
import type { PingxxCharge, PingxxRefundStatus } from '../../../src/pingxx/pingxx-types.js';
import { pingxxCharge } from './fixtures.js';

/** The SDK's own error classes (`pingpp/lib/Error.js`), so the rows are tested against what it throws. */
type SdkErrorClass = new (raw: Record<string, unknown>) => Error & { type: string };
const SdkError = createRequire(import.meta.url)('pingpp/lib/Error') as Record<string, SdkErrorClass> & {
  PingppError: { generate(raw: Record<string, unknown>): Error & { type: string } };
};

const NOW = new Date('2025-03-01T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

function charge(overrides: Partial<PingxxCharge>): PingxxCharge {
  return pingxxCharge({ created: nowSeconds - 100, time_expire: nowSeconds + 3600, ...overrides });
}

const OUTCOME_CLASS: Record<Exclude<PingxxErrorOutcome, 'uncertain'>, PaymentErrorName> = {
  validation: 'ValidationError',
  configuration: 'ConfigurationError',
  not_found: 'NotFoundError',
  declined: 'ProviderDeclinedError',
  unavailable: 'ProviderUnavailableError',
};

const context = (overrides: Partial<PingxxFailureContext> = {}): PingxxFailureContext => ({
  operation: 'create_charge',
  provider: 'pingxx',
  status: undefined,
  sent: true,
  timedOut: false,
  aborted: false,
  ...overrides,
});

function expectError(error: unknown, name: PaymentErrorName, code?: string): void {
  expect(isPaymentError(error, name), `expected ${name}, got ${String(error)}`).toBe(true);
  if (code !== undefined) expect((error as { code: string }).code).toBe(code);
}

// Every table below is restated here, independently of the code, as docs/providers/pingxx.md documents
// it: a row changed in the code (or added without a test) fails here.

describe('charge status table', () => {
  const EXPECTED: Record<PingxxChargeState, PaymentStatus> = {
    paid: 'succeeded',
    reversed: 'canceled',
    failed: 'failed',
    expired: 'canceled',
    open: 'requires_action',
  };
  const examples: Record<PingxxChargeState, PingxxCharge> = {
    paid: charge({ paid: true, time_paid: nowSeconds }),
    reversed: charge({ reversed: true }),
    failed: charge({ failure_code: 'PAY_FAILED', failure_msg: 'no' }),
    expired: charge({ time_expire: nowSeconds - PINGXX_EXPIRY_GRACE_SECONDS - 1 }),
    open: charge({}),
  };

  it('has exactly the documented rows', () => {
    expect(PINGXX_CHARGE_STATUS).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))('maps a %s charge to %s', (state, status) => {
    const example = examples[state as PingxxChargeState];
    expect(pingxxChargeState(example, NOW)).toBe(state);
    expect(PINGXX_CHARGE_STATUS[pingxxChargeState(example, NOW)]).toBe(status);
  });

  it('reports a paid charge as paid even when it is also refunded or carries a failure code', () => {
    expect(pingxxChargeState(charge({ paid: true, refunded: true, failure_code: 'X' }), NOW)).toBe('paid');
  });

  it('keeps an unpaid charge open during the grace period after time_expire', () => {
    expect(pingxxChargeState(charge({ time_expire: nowSeconds - PINGXX_EXPIRY_GRACE_SECONDS + 1 }), NOW)).toBe('open');
  });
});

describe('refund status table', () => {
  const EXPECTED: Record<PingxxRefundStatus, RefundStatus> = {
    pending: 'pending',
    succeeded: 'succeeded',
    failed: 'failed',
  };

  it('has exactly the documented rows', () => {
    expect(PINGXX_REFUND_STATUS).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))('maps Ping++ refund status %s to %s', (status, expected) => {
    // The legacy flag is set against the status, so only the status can decide.
    expect(mapPingxxRefundStatus({ status, succeed: status !== 'succeeded' })).toBe(expected);
  });

  it('falls back to the legacy succeed flag for an unknown status', () => {
    expect(mapPingxxRefundStatus({ status: 'weird', succeed: true })).toBe('succeeded');
    expect(mapPingxxRefundStatus({ status: 'weird', succeed: false })).toBe('pending');
  });
});

describe('event type table', () => {
  const EXPECTED: Record<string, PaymentEventType> = {
    'charge.succeeded': 'payment.succeeded',
    'refund.succeeded': 'refund.succeeded',
  };

  it('has exactly the documented rows', () => {
    expect(PINGXX_EVENT_TYPES).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))('maps %s to %s', (type, expected) => {
    expect(mapPingxxEventType(type)).toBe(expected);
  });

  it.each(['transfer.succeeded', 'summary.daily.available', 'constructor', '__proto__', ''])(
    'maps %j to unsupported',
    (type) => {
      expect(mapPingxxEventType(type)).toBe('unsupported');
    },
  );
});

describe('SDK error table', () => {
  const raw = { type: 'some_error', message: 'Ping++ said no', code: 'some_code', param: 'amount' };
  const EXPECTED: Record<PingxxSdkErrorType, [PaymentErrorName | 'uncertain', string]> = {
    PingppInvalidRequest: ['ValidationError', 'PINGXX_INVALID_REQUEST'],
    PingppAuthenticationError: ['ConfigurationError', 'PINGXX_AUTHENTICATION_FAILED'],
    PingppRateLimitError: ['ProviderUnavailableError', 'PINGXX_RATE_LIMITED'],
    PingppChannelError: ['ProviderDeclinedError', 'PINGXX_CHANNEL_ERROR'],
    PingppAPIError: ['ProviderUnavailableError', 'PINGXX_API_ERROR'],
    PingppConnectionError: ['uncertain', 'PINGXX_CONNECTION_ERROR'],
  };

  it('has exactly the documented rows', () => {
    expect(
      Object.fromEntries(
        Object.entries(PINGXX_SDK_ERRORS).map(([type, row]) => [
          type,
          [row.outcome === 'uncertain' ? 'uncertain' : OUTCOME_CLASS[row.outcome], row.code],
        ]),
      ),
    ).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED).filter(([, [name]]) => name !== 'uncertain'))(
    'maps %s to %j',
    (type, [name, code]) => {
      // Class names equal their `type`, except PingppInvalidRequestError (type PingppInvalidRequest).
      const className = type === 'PingppInvalidRequest' ? 'PingppInvalidRequestError' : type;
      const error = new SdkError[className]!({ ...raw, type: type === 'PingppAPIError' ? 'api_error' : raw.type });
      expect(error.type).toBe(type as PingxxSdkErrorType);
      expectError(mapPingxxError(error, context({ status: 400 })), name as PaymentErrorName, code);
    },
  );

  it('maps a connection error after sending a charge to IndeterminateOutcomeError', () => {
    const error = new SdkError.PingppConnectionError!({ message: 'An error occurred with our connection to Pingpp' });
    expectError(mapPingxxError(error, context()), 'IndeterminateOutcomeError', 'PINGXX_CONNECTION_ERROR');
  });

  it('maps a connection error before sending to ProviderUnavailableError', () => {
    const error = new SdkError.PingppConnectionError!({ message: 'connect ECONNREFUSED' });
    expectError(mapPingxxError(error, context({ sent: false })), 'ProviderUnavailableError', 'PINGXX_CONNECTION_ERROR');
  });

  it('maps a connection error while reading to ProviderUnavailableError', () => {
    const error = new SdkError.PingppConnectionError!({ message: 'socket hang up' });
    expectError(mapPingxxError(error, context({ operation: 'retrieve_charge' })), 'ProviderUnavailableError');
  });

  it('maps what PingppError.generate builds from each Ping++ error.type', () => {
    const build = (type: string) => SdkError.PingppError.generate({ type, message: 'm' });
    expectError(mapPingxxError(build('invalid_request_error'), context({ status: 400 })), 'ValidationError');
    expectError(mapPingxxError(build('channel_error'), context({ status: 402 })), 'ProviderDeclinedError');
    expectError(mapPingxxError(build('api_error'), context({ status: 500 })), 'ProviderUnavailableError');
    // Unknown types become the SDK's "Generic" error: judged by status.
    expectError(
      mapPingxxError(build('brand_new_error'), context({ status: 409 })),
      'ValidationError',
      'PINGXX_HTTP_409',
    );
  });

  it('maps an invalid request answered with 404 to NotFoundError', () => {
    const error = SdkError.PingppError.generate({ type: 'invalid_request_error', message: 'No such charge' });
    expectError(
      mapPingxxError(error, context({ operation: 'retrieve_charge', status: 404 })),
      'NotFoundError',
      'PINGXX_NOT_FOUND',
    );
  });

  it('carries the Ping++ param as the ValidationError field and the code as declineCode', () => {
    const invalid = mapPingxxError(new SdkError.PingppInvalidRequestError!(raw), context({ status: 400 }));
    expect((invalid as { field?: string }).field).toBe('amount');
    const declined = mapPingxxError(new SdkError.PingppChannelError!(raw), context({ status: 402 }));
    expect((declined as { declineCode?: string }).declineCode).toBe('some_code');
  });

  it.each(Object.entries(PINGXX_STATUS_OVERRIDES))(
    'lets HTTP %s win over any error body (a throttled charge is not an invalid one)',
    (status, row) => {
      for (const error of [
        new SdkError.PingppInvalidRequestError!({ type: 'invalid_request_error', message: 'Too many requests' }),
        new SdkError.PingppAPIError!({ message: 'Invalid JSON received from the Pingpp API', response: '<html>' }),
      ]) {
        const mapped = mapPingxxError(error, context({ status: Number(status) }));
        expectError(mapped, 'ProviderUnavailableError', row.code);
        expect(mapped.retryable).toBe(true);
      }
    },
  );

  it('judges the SDK "Invalid JSON received" error by the HTTP status', () => {
    const invalidJson = new SdkError.PingppAPIError!({
      message: 'Invalid JSON received from the Pingpp API',
      response: '<html>',
    });
    expectError(mapPingxxError(invalidJson, context({ status: 502 })), 'IndeterminateOutcomeError', 'PINGXX_HTTP_502');
    expectError(mapPingxxError(invalidJson, context({ status: 503 })), 'ProviderUnavailableError', 'PINGXX_HTTP_503');
    expectError(
      mapPingxxError(invalidJson, context({ status: 200 })),
      'IndeterminateOutcomeError',
      'PINGXX_INVALID_RESPONSE',
    );
  });

  it('maps a non-SDK error after sending a refund to IndeterminateOutcomeError', () => {
    expectError(
      mapPingxxError(new TypeError('boom'), context({ operation: 'create_refund' })),
      'IndeterminateOutcomeError',
    );
  });
});

describe('HTTP status table (bodies without an error key)', () => {
  const EXPECTED: Record<number, PaymentErrorName | 'uncertain'> = {
    400: 'ValidationError',
    401: 'ConfigurationError',
    402: 'ProviderDeclinedError',
    403: 'ProviderUnavailableError',
    404: 'NotFoundError',
    409: 'ValidationError',
    422: 'ValidationError',
    429: 'ProviderUnavailableError',
    500: 'uncertain',
    502: 'uncertain',
    503: 'ProviderUnavailableError',
    504: 'uncertain',
  };

  it('has exactly the documented rows', () => {
    expect(
      Object.fromEntries(
        Object.entries(PINGXX_HTTP_STATUS_ERRORS).map(([status, outcome]) => [
          status,
          outcome === 'uncertain' ? 'uncertain' : OUTCOME_CLASS[outcome],
        ]),
      ),
    ).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED).filter(([, name]) => name !== 'uncertain'))('maps %s to %s', (status, name) => {
    const mapped = mapPingxxError(undefined, context({ status: Number(status) }));
    expectError(mapped, name as PaymentErrorName, `PINGXX_HTTP_${status}`);
  });

  it.each(Object.entries(EXPECTED).filter(([, name]) => name === 'uncertain'))(
    'maps %s to IndeterminateOutcomeError for a sent charge and ProviderUnavailableError for a read',
    (status) => {
      expectError(mapPingxxError(undefined, context({ status: Number(status) })), 'IndeterminateOutcomeError');
      expectError(
        mapPingxxError(undefined, context({ status: Number(status), operation: 'list_refunds' })),
        'ProviderUnavailableError',
      );
    },
  );

  it('maps unlisted 4xx statuses to ValidationError and unlisted 5xx to the uncertain outcome', () => {
    expectError(mapPingxxError(undefined, context({ status: 418 })), 'ValidationError', 'PINGXX_HTTP_418');
    expectError(mapPingxxError(undefined, context({ status: 599 })), 'IndeterminateOutcomeError', 'PINGXX_HTTP_599');
  });
});

describe('timeouts and aborts', () => {
  const timeout = new SdkError.PingppConnectionError!({
    message: 'Request aborted due to timeout being reached (10ms)',
  });

  it('maps a timeout after sending a charge to IndeterminateOutcomeError', () => {
    expectError(mapPingxxError(timeout, context({ timedOut: true })), 'IndeterminateOutcomeError', 'PINGXX_TIMEOUT');
  });

  it('maps a timeout before anything was sent to ProviderUnavailableError', () => {
    expectError(
      mapPingxxError(timeout, context({ timedOut: true, sent: false })),
      'ProviderUnavailableError',
      'PINGXX_TIMEOUT',
    );
  });

  it('maps an abort after sending a refund to IndeterminateOutcomeError', () => {
    expectError(
      mapPingxxError(timeout, context({ aborted: true, operation: 'create_refund' })),
      'IndeterminateOutcomeError',
      'PINGXX_REQUEST_ABORTED',
    );
  });
});

describe('error messages', () => {
  it('never contain the provider message, and redact keys from it in details', () => {
    const error = new SdkError.PingppAuthenticationError!({
      type: 'invalid_request_error',
      message: 'Invalid API Key: sk_live_abcDEF123',
    });
    const mapped = mapPingxxError(error, context({ status: 401 }));
    expect(mapped.message).not.toContain('sk_live_abcDEF123');
    expect(JSON.stringify(mapped.details)).not.toContain('sk_live_abcDEF123');
    expect(mapped.details?.providerMessage).toBe('Invalid API Key: [redacted key]');
    // The SDK error held the key: the cause kept is a sealed copy (same name and type, scrubbed message).
    expect(mapped.cause).not.toBe(error);
    expect(mapped.cause).toMatchObject({
      name: error.name,
      type: error.type,
      message: 'Invalid API Key: [redacted key]',
    });
    expect(JSON.stringify(mapped)).not.toContain('sk_live_abcDEF123');
  });
});
