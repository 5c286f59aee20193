/**
 * Every mapping between Ping++ and the normalised model, as data: charge state → payment status,
 * refund status, event type, SDK error type and HTTP status → error class. The place to look first
 * when a Ping++ payment misbehaves; each row is tested on its own.
 * @module
 */
import type { PaymentEventType, PaymentStatus, RefundStatus } from '../core/types.js';
import type { PingxxCharge, PingxxRefund, PingxxRefundStatus } from './pingxx-types.js';

/** Where a charge is in its life; derived from its booleans because Ping++ charges have no status field. */
export type PingxxChargeState = 'paid' | 'reversed' | 'failed' | 'expired' | 'open';

/** Charge state → normalised payment status. A refunded charge is still `succeeded` (see `amountRefunded`). */
export const PINGXX_CHARGE_STATUS: Readonly<Record<PingxxChargeState, PaymentStatus>> = {
  paid: 'succeeded',
  reversed: 'canceled',
  failed: 'failed',
  expired: 'canceled',
  open: 'requires_action',
};

/**
 * An unpaid charge counts as expired only this long after `time_expire`: the channel may have taken the
 * money at the last second and not yet told Ping++.
 */
export const PINGXX_EXPIRY_GRACE_SECONDS = 300;

/** Derives the {@link PingxxChargeState} of `charge` at `now`. Paid wins over everything. */
export function pingxxChargeState(charge: PingxxCharge, now: Date): PingxxChargeState {
  if (charge.paid) return 'paid';
  if (charge.reversed === true) return 'reversed';
  if (charge.failure_code) return 'failed';
  const expire = charge.time_expire;
  if (typeof expire === 'number' && (expire + PINGXX_EXPIRY_GRACE_SECONDS) * 1000 < now.getTime()) return 'expired';
  return 'open';
}

/** Ping++ refund status → normalised refund status. */
export const PINGXX_REFUND_STATUS: Readonly<Record<PingxxRefundStatus, RefundStatus>> = {
  pending: 'pending',
  succeeded: 'succeeded',
  failed: 'failed',
};

/** Maps a refund's status; an unknown status falls back to the legacy `succeed` flag, else `pending`. */
export function mapPingxxRefundStatus(refund: Pick<PingxxRefund, 'status' | 'succeed'>): RefundStatus {
  if (Object.prototype.hasOwnProperty.call(PINGXX_REFUND_STATUS, refund.status)) {
    return PINGXX_REFUND_STATUS[refund.status as PingxxRefundStatus];
  }
  return refund.succeed === true ? 'succeeded' : 'pending';
}

/** Ping++ webhook event type → normalised event type. Every other type is `unsupported`. */
export const PINGXX_EVENT_TYPES: Readonly<Record<string, PaymentEventType>> = {
  'charge.succeeded': 'payment.succeeded',
  'refund.succeeded': 'refund.succeeded',
};

/** Maps a Ping++ event type, `unsupported` when unknown. */
export function mapPingxxEventType(type: string): PaymentEventType {
  return Object.prototype.hasOwnProperty.call(PINGXX_EVENT_TYPES, type)
    ? (PINGXX_EVENT_TYPES[type] as PaymentEventType)
    : 'unsupported';
}

/** The API calls the adapter makes, and whether each one changes anything at Ping++. */
export type PingxxOperation =
  'create_charge' | 'retrieve_charge' | 'reverse_charge' | 'create_refund' | 'list_refunds' | 'retrieve_refund';

/** Operation → label for messages, and whether a lost response leaves the outcome unknown. */
export const PINGXX_OPERATIONS: Readonly<Record<PingxxOperation, { label: string; mutating: boolean }>> = {
  create_charge: { label: 'create charge', mutating: true },
  retrieve_charge: { label: 'retrieve charge', mutating: false },
  reverse_charge: { label: 'reverse charge', mutating: true },
  create_refund: { label: 'create refund', mutating: true },
  list_refunds: { label: 'list refunds', mutating: false },
  retrieve_refund: { label: 'retrieve refund', mutating: false },
};

/**
 * What a failure means for the caller:
 * - `validation` → `ValidationError`, `configuration` → `ConfigurationError`, `not_found` → `NotFoundError`,
 *   `declined` → `ProviderDeclinedError`, `unavailable` → `ProviderUnavailableError` (nothing happened);
 * - `uncertain` → `IndeterminateOutcomeError` when the call changes something and its request may have
 *   reached Ping++, `ProviderUnavailableError` otherwise (a read, or the request never left).
 */
export type PingxxErrorOutcome =
  'validation' | 'configuration' | 'not_found' | 'declined' | 'unavailable' | 'uncertain';

/** One row of an error table. */
export interface PingxxErrorRow {
  /** What the adapter throws for it. */
  outcome: PingxxErrorOutcome;
  /** UPPER_SNAKE code carried by the thrown error. */
  code: string;
}

/** `err.type` of the SDK's error classes (`pingpp/lib/Error.js`). */
export type PingxxSdkErrorType =
  | 'PingppInvalidRequest'
  | 'PingppAuthenticationError'
  | 'PingppRateLimitError'
  | 'PingppChannelError'
  | 'PingppAPIError'
  | 'PingppConnectionError';

/**
 * SDK error type → outcome, for errors Ping++ itself reported (a JSON body with an `error` key) and
 * for connection errors. The SDK builds 401 bodies into `PingppAuthenticationError` and 403 bodies into
 * `PingppRateLimitError` whatever their `error.type`.
 */
export const PINGXX_SDK_ERRORS: Readonly<Record<PingxxSdkErrorType, PingxxErrorRow>> = {
  PingppInvalidRequest: { outcome: 'validation', code: 'PINGXX_INVALID_REQUEST' },
  PingppAuthenticationError: { outcome: 'configuration', code: 'PINGXX_AUTHENTICATION_FAILED' },
  PingppRateLimitError: { outcome: 'unavailable', code: 'PINGXX_RATE_LIMITED' },
  PingppChannelError: { outcome: 'declined', code: 'PINGXX_CHANNEL_ERROR' },
  // Ping++ answered with an api_error: it reports that it failed, not that it acted.
  PingppAPIError: { outcome: 'unavailable', code: 'PINGXX_API_ERROR' },
  PingppConnectionError: { outcome: 'uncertain', code: 'PINGXX_CONNECTION_ERROR' },
};

/**
 * HTTP status → outcome, for responses the SDK does not understand: a JSON body without an `error`
 * key (which the SDK resolves as a success), a body that is not JSON, or an unknown `error.type`.
 * Statuses not listed: other 4xx → `validation`, other 5xx → `uncertain`.
 */
export const PINGXX_HTTP_STATUS_ERRORS: Readonly<Record<number, PingxxErrorOutcome>> = {
  400: 'validation',
  401: 'configuration',
  402: 'declined',
  403: 'unavailable',
  404: 'not_found',
  409: 'validation',
  422: 'validation',
  429: 'unavailable',
  500: 'uncertain',
  502: 'uncertain',
  503: 'unavailable',
  504: 'uncertain',
};

/**
 * HTTP statuses whose meaning wins over whatever error body came with them. Ping++ answers a rate limit
 * with 429 and an `invalid_request_error` body, which the SDK builds into `PingppInvalidRequest`: without
 * this table a throttled charge would read as a final refusal and fail the attempt.
 */
export const PINGXX_STATUS_OVERRIDES: Readonly<Record<number, PingxxErrorRow>> = {
  429: { outcome: 'unavailable', code: 'PINGXX_RATE_LIMITED' },
};

/** The row for an HTTP error status (≥ 400). */
export function pingxxHttpStatusRow(status: number): PingxxErrorRow {
  const listed = PINGXX_HTTP_STATUS_ERRORS[status];
  const outcome = listed ?? (status >= 400 && status < 500 ? 'validation' : 'uncertain');
  return { outcome, code: `PINGXX_HTTP_${status}` };
}
