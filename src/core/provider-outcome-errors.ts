/**
 * The last step shared by the adapters written on HTTP (native Alipay, WeChat Pay): a provider's answer or
 * transport failure, already mapped to an outcome by the adapter's own tables, becomes the library's error.
 * @module
 */
import {
  ConfigurationError,
  IndeterminateOutcomeError,
  IntegrityError,
  NotFoundError,
  type PaymentError,
  ProviderDeclinedError,
  ProviderUnavailableError,
  ValidationError,
} from './errors.js';

/** What a provider's failure means for the caller (each adapter's mapping tables answer one of these). */
export type ProviderErrorOutcome =
  'validation' | 'configuration' | 'declined' | 'integrity' | 'not_found' | 'unavailable' | 'uncertain';

/** Whether a call changes anything at the provider: a failed write may have acted, a failed read did not. */
export type ProviderCallKind = 'write' | 'read';

/** Connection-level failures that happen before a request is written (so nothing reached the provider). */
export function failedBeforeSending(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)
    ) {
      return true;
    }
    if (e.name === 'ConnectTimeoutError') return true;
  }
  return false;
}

/** The library's error for an outcome: an uncertain write is indeterminate, an uncertain read only unavailable. */
export function errorForOutcome(
  outcome: ProviderErrorOutcome,
  kind: ProviderCallKind,
  message: string,
  options: { code: string; provider: string; cause?: unknown; details?: Record<string, unknown> },
): PaymentError {
  switch (outcome) {
    case 'validation':
      return new ValidationError(message, options);
    case 'configuration':
      return new ConfigurationError(message, options);
    case 'declined':
      return new ProviderDeclinedError(message, options);
    case 'integrity':
      return new IntegrityError(message, options);
    case 'not_found':
      return new NotFoundError(message, options);
    case 'unavailable':
      return new ProviderUnavailableError(message, options);
    case 'uncertain':
      return kind === 'write'
        ? new IndeterminateOutcomeError(message, options)
        : new ProviderUnavailableError(message, options);
  }
}
