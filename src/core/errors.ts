/**
 * The error hierarchy. Every error the library throws is a {@link PaymentError}; the subclass says what
 * the caller does next (fix config, fix input, show the user a decline, retry, reconcile, …).
 *
 * Detect errors with {@link isPaymentError} rather than `instanceof`: two copies of this package in one
 * process (a hoisting accident, a bundled dependency) have different classes but the same brand.
 *
 * Messages never contain secrets: adapters build messages from codes and field names, not from values.
 * @module
 */

import { scrubSecrets, scrubValue, sealCause } from './secret-scrubber.js';

const BRAND = Symbol.for('@org/payment-factory/PaymentError');

/** The names of every error class, as carried in `error.name` and accepted by {@link isPaymentError}. */
export type PaymentErrorName =
  | 'PaymentError'
  | 'ConfigurationError'
  | 'ValidationError'
  | 'NotFoundError'
  | 'ProviderDeclinedError'
  | 'ProviderUnavailableError'
  | 'IndeterminateOutcomeError'
  | 'WebhookVerificationError'
  | 'RawBodyRequiredError'
  | 'IntegrityError'
  | 'UnsupportedOperationError';

/** Options every error constructor accepts. */
export interface PaymentErrorOptions {
  /** UPPER_SNAKE machine-readable code; each subclass has a default. */
  code?: string;
  /** The provider instance involved, when there is one. */
  provider?: string;
  /** The underlying error (an SDK error, a driver error). Kept for logs; never shown to end users. */
  cause?: unknown;
  /** Extra structured facts (field names, ids). Must not contain secrets. */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error the library throws.
 *
 * @example
 * ```ts
 * try { await service.createCharge(input) }
 * catch (e) { if (isPaymentError(e) && e.retryable) scheduleRetry() else throw e }
 * ```
 */
export class PaymentError extends Error {
  /** UPPER_SNAKE code, stable across versions. */
  readonly code: string;
  /** Whether calling again with the same input may succeed. */
  readonly retryable: boolean;
  /** The provider instance involved, if any. */
  readonly provider: string | undefined;
  /** Structured, secret-free details. */
  readonly details: Record<string, unknown> | undefined;
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name: PaymentErrorName = 'PaymentError';

  constructor(message: string, options: PaymentErrorOptions & { retryable?: boolean } = {}) {
    // Sealed at birth: the message, details and cause go through the one secret scrubber, so neither
    // util.inspect nor JSON.stringify of a thrown error can show a configured secret.
    super(scrubSecrets(message), options.cause === undefined ? undefined : { cause: sealCause(options.cause) });
    this.code = options.code ?? 'PAYMENT_ERROR';
    this.retryable = options.retryable ?? false;
    this.provider = options.provider;
    this.details = options.details === undefined ? undefined : (scrubValue(options.details) as Record<string, unknown>);
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/** Invalid or missing configuration (a key, a credential, an option). Fix the deployment; do not retry. */
export class ConfigurationError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'ConfigurationError';
  /** Every problem found, when several were collected at once (see `loadPaymentConfig`). */
  readonly issues: readonly string[];
  constructor(message: string, options: PaymentErrorOptions & { issues?: readonly string[] } = {}) {
    super(message, { ...options, code: options.code ?? 'CONFIGURATION_ERROR', retryable: false });
    this.issues = (options.issues ?? [message]).map(scrubSecrets);
  }
}

/** Bad input, detected before any network call. Fix the request; do not retry it unchanged. */
export class ValidationError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'ValidationError';
  /** The input field at fault, when one is. */
  readonly field: string | undefined;
  constructor(message: string, options: PaymentErrorOptions & { field?: string } = {}) {
    super(message, { ...options, code: options.code ?? 'VALIDATION_ERROR', retryable: false });
    this.field = options.field;
  }
}

/** A referenced record (order, attempt, refund) does not exist. */
export class NotFoundError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'NotFoundError';
  constructor(message: string, options: PaymentErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'NOT_FOUND', retryable: false });
  }
}

/** The provider refused the payment for good (card declined, insufficient funds). Show the user. */
export class ProviderDeclinedError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'ProviderDeclinedError';
  /** Provider decline code (Stripe `decline_code`, Ping++ error code), if any. */
  readonly declineCode: string | undefined;
  constructor(message: string, options: PaymentErrorOptions & { declineCode?: string } = {}) {
    super(message, { ...options, code: options.code ?? 'PROVIDER_DECLINED', retryable: false });
    this.declineCode = options.declineCode;
  }
}

/**
 * The provider could not be reached or refused to act right now (5xx before acting, 429, connection
 * refused). Nothing happened remotely; retrying with the same idempotency key is safe.
 */
export class ProviderUnavailableError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'ProviderUnavailableError';
  constructor(message: string, options: PaymentErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'PROVIDER_UNAVAILABLE', retryable: true });
  }
}

/**
 * The request may have reached the provider and been acted on (timeout after sending, connection dropped
 * mid-response). Never assume failure: retry with the same idempotency key or reconcile.
 */
export class IndeterminateOutcomeError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'IndeterminateOutcomeError';
  constructor(message: string, options: PaymentErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'INDETERMINATE_OUTCOME', retryable: true });
  }
}

/** A webhook's signature is missing, malformed, stale or wrong. Answer 400; never process it. */
export class WebhookVerificationError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'WebhookVerificationError';
  /** The signature header value received (never a secret). */
  readonly header: string | undefined;
  constructor(message: string, options: PaymentErrorOptions & { header?: string } = {}) {
    super(message, { ...options, code: options.code ?? 'WEBHOOK_VERIFICATION_FAILED', retryable: false });
    this.header = options.header === undefined ? undefined : scrubSecrets(options.header);
  }
}

/** Message appended to every {@link RawBodyRequiredError}: how to get the raw body in common frameworks. */
export const RAW_BODY_HELP =
  'Webhook signatures are computed over the exact bytes the provider sent, so pass the raw body (string, Buffer or Uint8Array), not a parsed object. ' +
  "Express: app.post(path, express.raw({ type: 'application/json' }), handler) and pass req.body (a Buffer). " +
  "Fastify: fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => done(null, body)). " +
  'Next.js App Router: await request.text(). Hono: await c.req.text() (or pass c.req.raw to createWebhookHandler).';

/** A parsed object was passed where the raw request bytes are needed to verify a signature. */
export class RawBodyRequiredError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'RawBodyRequiredError';
  constructor(message = 'Webhook body must be the raw request bytes.', options: PaymentErrorOptions = {}) {
    super(`${message} ${RAW_BODY_HELP}`, { ...options, code: options.code ?? 'RAW_BODY_REQUIRED', retryable: false });
  }
}

/** A provider fact disagrees with ours (amount, currency, live/test mode, attempt ↔ order). */
export class IntegrityError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'IntegrityError';
  constructor(message: string, options: PaymentErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'INTEGRITY_ERROR', retryable: false });
  }
}

/** The adapter does not support this operation or channel (see its capabilities). */
export class UnsupportedOperationError extends PaymentError {
  /** The class name, as `isPaymentError(error, name)` matches it. */
  override readonly name = 'UnsupportedOperationError';
  constructor(message: string, options: PaymentErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'UNSUPPORTED_OPERATION', retryable: false });
  }
}

/**
 * Whether `value` is an error thrown by this library, in this copy of the package or any other.
 * With `name`, also checks the error class (by name, so it works across copies too).
 *
 * @example
 * ```ts
 * if (isPaymentError(err, 'IndeterminateOutcomeError')) await service.syncPayment({ orderId })
 * ```
 */
export function isPaymentError(value: unknown, name?: PaymentErrorName): value is PaymentError {
  if (typeof value !== 'object' || value === null) return false;
  if (!(value as Record<symbol, unknown>)[BRAND]) return false;
  return name === undefined || name === 'PaymentError' || (value as { name?: unknown }).name === name;
}
