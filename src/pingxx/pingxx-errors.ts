/**
 * Turns whatever a `pingpp` call produced (an SDK error, an error status behind a "successful"
 * response, a timeout, an abort) into one error of the library's hierarchy, using the tables of
 * `pingxx-mappers.ts` and the call's trace (did the request leave? what status came back?).
 * @module
 */
import {
  ConfigurationError,
  IndeterminateOutcomeError,
  NotFoundError,
  type PaymentError,
  ProviderDeclinedError,
  ProviderUnavailableError,
  ValidationError,
} from '../core/errors.js';
import { scrubSecrets } from '../core/secret-scrubber.js';
import {
  PINGXX_OPERATIONS,
  PINGXX_SDK_ERRORS,
  PINGXX_STATUS_OVERRIDES,
  pingxxHttpStatusRow,
  type PingxxErrorRow,
  type PingxxOperation,
  type PingxxSdkErrorType,
} from './pingxx-mappers.js';

/** What the mapper knows about the failed call. */
export interface PingxxFailureContext {
  operation: PingxxOperation;
  provider: string;
  /** HTTP status received, if a response arrived. */
  status: number | undefined;
  /** Whether the request may have reached Ping++. */
  sent: boolean;
  timedOut: boolean;
  aborted: boolean;
}

/** The fields of an SDK error (`pingpp/lib/Error.js`) the mapper reads. */
interface SdkErrorFacts {
  type: string | undefined;
  /** `error.type` of Ping++'s body (`invalid_request_error`, `api_error`, `channel_error`, …). */
  rawType: string | undefined;
  code: string | undefined;
  param: string | undefined;
  message: string | undefined;
}

/**
 * Maps a failed `pingpp` call. Pass `error: undefined` for a response the SDK resolved although its
 * status was ≥ 400 (a body without an `error` key).
 *
 * @example
 * ```ts
 * mapPingxxError(sdkError, { operation: 'create_charge', provider: 'pingxx', status: 400, sent: true, timedOut: false, aborted: false })
 * // → ValidationError (code PINGXX_INVALID_REQUEST)
 * ```
 */
export function mapPingxxError(error: unknown, context: PingxxFailureContext): PaymentError {
  const facts = sdkFacts(error);
  return build(rowFor(facts, error === undefined, context), facts, context, error);
}

/** The error for a 2xx response whose body is not the object the operation returns. */
export function unexpectedPingxxResponse(context: PingxxFailureContext, cause?: unknown): PaymentError {
  return build({ outcome: 'uncertain', code: 'PINGXX_UNEXPECTED_RESPONSE' }, sdkFacts(undefined), context, cause);
}

function rowFor(facts: SdkErrorFacts, statusOnly: boolean, context: PingxxFailureContext): PingxxErrorRow {
  const { status } = context;
  if (context.aborted) return { outcome: 'uncertain', code: 'PINGXX_REQUEST_ABORTED' };
  if (context.timedOut) return { outcome: 'uncertain', code: 'PINGXX_TIMEOUT' };
  if (statusOnly) return pingxxHttpStatusRow(status ?? 500);
  const override = status === undefined ? undefined : PINGXX_STATUS_OVERRIDES[status];
  if (override) return override;
  const row =
    facts.type !== undefined && Object.prototype.hasOwnProperty.call(PINGXX_SDK_ERRORS, facts.type)
      ? PINGXX_SDK_ERRORS[facts.type as PingxxSdkErrorType]
      : undefined;
  if (row?.code === 'PINGXX_API_ERROR' && facts.rawType === undefined) {
    // The SDK's "Invalid JSON received": not Ping++ speaking, maybe a proxy. Judge by the status.
    return status !== undefined && status >= 400
      ? pingxxHttpStatusRow(status)
      : { outcome: 'uncertain', code: 'PINGXX_INVALID_RESPONSE' };
  }
  if (row?.outcome === 'validation' && status === 404) return { outcome: 'not_found', code: 'PINGXX_NOT_FOUND' };
  if (row) return row;
  // An unknown `error.type` (the SDK's "Generic" error) or a non-SDK error.
  if (status !== undefined && status >= 400) return pingxxHttpStatusRow(status);
  return { outcome: 'uncertain', code: 'PINGXX_UNEXPECTED_ERROR' };
}

function build(row: PingxxErrorRow, facts: SdkErrorFacts, context: PingxxFailureContext, cause: unknown): PaymentError {
  const { label, mutating } = PINGXX_OPERATIONS[context.operation];
  const details: Record<string, unknown> = { operation: context.operation, sent: context.sent };
  if (context.status !== undefined) details.status = context.status;
  if (facts.rawType !== undefined) details.pingxxType = facts.rawType;
  if (facts.code !== undefined) details.pingxxCode = facts.code;
  if (facts.param !== undefined) details.param = facts.param;
  if (facts.message !== undefined) details.providerMessage = redact(facts.message);
  const options = { code: row.code, provider: context.provider, details, ...(cause === undefined ? {} : { cause }) };
  const why = facts.code ?? facts.rawType ?? (context.status === undefined ? row.code : `HTTP ${context.status}`);
  switch (row.outcome) {
    case 'validation':
      return new ValidationError(
        `Ping++ refused ${label} as invalid (${why}${facts.param ? `, param ${facts.param}` : ''}).`,
        {
          ...options,
          ...(facts.param === undefined ? {} : { field: facts.param }),
        },
      );
    case 'configuration':
      return new ConfigurationError(
        `Ping++ refused the credentials for ${label} (secret key, app id or request signing key).`,
        options,
      );
    case 'not_found':
      return new NotFoundError(`Ping++ has no such object (${label}).`, options);
    case 'declined':
      return new ProviderDeclinedError(`The payment channel declined ${label} (${why}).`, {
        ...options,
        ...(facts.code === undefined ? {} : { declineCode: facts.code }),
      });
    case 'unavailable':
      return new ProviderUnavailableError(
        `Ping++ did not complete ${label} (${why}); nothing was done, retrying is safe.`,
        options,
      );
    case 'uncertain':
      if (mutating && context.sent) {
        return new IndeterminateOutcomeError(
          `Ping++ may have acted on ${label} (${why}); reconcile before assuming it failed.`,
          options,
        );
      }
      return new ProviderUnavailableError(
        `Ping++ ${label} failed before Ping++ acted (${why}); retrying is safe.`,
        options,
      );
  }
}

function sdkFacts(error: unknown): SdkErrorFacts {
  const e = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    type: str(e.type),
    rawType: str(e.rawType),
    code: str(e.code),
    param: str(e.param),
    message: str(e.message),
  };
}

/** Ping++ messages are not secret, but never let a key that a server echoed reach a log: the one scrubber. */
function redact(message: string): string {
  return scrubSecrets(message.replace(/\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]+/g, '[redacted key]')).slice(0, 500);
}
