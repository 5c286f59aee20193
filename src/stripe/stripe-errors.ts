/**
 * Turns whatever the Stripe SDK throws into the library's error classes, by {@link STRIPE_ERROR_TABLE},
 * with messages scrubbed of keys and secrets.
 * @module
 */
import { scrubSecrets } from '../core/secret-scrubber.js';
import {
  ConfigurationError,
  IndeterminateOutcomeError,
  isPaymentError,
  NotFoundError,
  type PaymentError,
  ProviderDeclinedError,
  ProviderUnavailableError,
  ValidationError,
} from '../core/errors.js';
import {
  NOT_SENT_ERROR_CODES,
  STRIPE_ERROR_TABLE,
  type StripeConnectionPhase,
  type StripeErrorOutcome,
  type StripeErrorRow,
} from './stripe-mappers.js';

/** The fields of an SDK error the mapping reads (a structural subset of `Stripe.errors.StripeError`). */
export interface StripeErrorLike {
  type?: unknown;
  code?: unknown;
  decline_code?: unknown;
  param?: unknown;
  statusCode?: unknown;
  requestId?: unknown;
  message?: unknown;
  detail?: unknown;
}

/** Context of a failed call. */
export interface StripeErrorContext {
  /** Provider instance name. */
  provider: string;
  /** What we were doing, for the message: `'create PaymentIntent'`. */
  operation: string;
  /** Whether the call may have changed something at Stripe (POST). */
  mutating: boolean;
  /** Secrets to scrub from messages, besides anything shaped like a Stripe key. */
  secrets?: readonly string[];
}

/**
 * Maps an SDK error (or any error thrown during a call) to a {@link PaymentError}. A `PaymentError`
 * passes through unchanged.
 */
export function mapStripeError(error: unknown, context: StripeErrorContext): PaymentError {
  if (isPaymentError(error)) return error;
  const e: StripeErrorLike = typeof error === 'object' && error !== null ? error : {};
  const row = findStripeErrorRow(e);
  let outcome: StripeErrorOutcome = row?.outcome ?? (context.mutating ? 'indeterminate' : 'unavailable');
  if (outcome === 'indeterminate' && !context.mutating) outcome = 'unavailable';
  const code = row?.ourCode ?? 'UNKNOWN_PROVIDER_ERROR';
  const stripeMessage = redact(typeof e.message === 'string' ? e.message : String(error), context.secrets ?? []);
  const message = `Stripe ${context.operation} failed: ${stripeMessage || code}`;
  const details = compact({
    stripeType: e.type,
    stripeCode: e.code,
    declineCode: e.decline_code,
    param: e.param,
    statusCode: e.statusCode,
    requestId: e.requestId,
    networkCode: networkCode(e),
  });
  const options = { code, provider: context.provider, cause: error, details };
  switch (outcome) {
    case 'declined':
      return new ProviderDeclinedError(
        message,
        typeof e.decline_code === 'string' && e.decline_code !== ''
          ? { ...options, declineCode: e.decline_code }
          : options,
      );
    case 'unavailable':
      return new ProviderUnavailableError(message, options);
    case 'indeterminate':
      return new IndeterminateOutcomeError(message, options);
    case 'configuration':
      return new ConfigurationError(message, options);
    case 'not_found':
      return new NotFoundError(message, options);
    case 'validation':
      return new ValidationError(message, typeof e.param === 'string' ? { ...options, field: e.param } : options);
  }
}

/** The first row of {@link STRIPE_ERROR_TABLE} matching `error`, if any. */
export function findStripeErrorRow(error: StripeErrorLike): StripeErrorRow | undefined {
  const phase = connectionPhase(error);
  const hasStatus = typeof error.statusCode === 'number';
  return STRIPE_ERROR_TABLE.find(
    (row) =>
      row.type === error.type &&
      (row.code === undefined || row.code === error.code) &&
      (row.phase === undefined || row.phase === phase) &&
      (row.hasStatus === undefined || row.hasStatus === hasStatus),
  );
}

/**
 * Whether a connection error happened before the request left (`not_sent`), by timeout, or after it may
 * have reached Stripe (`maybe_sent`: reset, hang-up, body cut short).
 */
export function connectionPhase(error: StripeErrorLike): StripeConnectionPhase {
  const code = networkCode(error);
  if (code !== undefined && NOT_SENT_ERROR_CODES.includes(code)) return 'not_sent';
  if (code === 'ETIMEDOUT' || (typeof error.message === 'string' && /timeout/i.test(error.message))) return 'timeout';
  return 'maybe_sent';
}

/**
 * Removes Stripe-shaped keys (`sk_…`, `rk_…`, `pk_…`, `whsec_…`) and the given secrets from a message, then
 * runs it through the library's one scrubber (every configured secret).
 */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return scrubSecrets(out.replace(/\b(?:sk|rk|pk|whsec)_[A-Za-z0-9_*]+/g, '[redacted]')).trim();
}

function networkCode(error: StripeErrorLike): string | undefined {
  const detail = error.detail as { code?: unknown; exception?: { code?: unknown } } | undefined;
  const code = detail?.code ?? detail?.exception?.code;
  return typeof code === 'string' ? code : undefined;
}

function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}
