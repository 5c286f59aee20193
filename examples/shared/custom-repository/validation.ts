/**
 * Input rules of the repository ports, as the host's adapter enforces them before writing. The conformance
 * kit checks every one (bad amounts, unknown currencies and statuses, another provider's fields), so an
 * adapter that skips them fails certification rather than storing garbage. Money checks and the status lists
 * (`ORDER_STATUSES`, …) come from the library; everything else is a few lines per rule.
 * @module
 */
import {
  assertMinorUnits,
  MERCHANT_ID_MAX_LENGTH,
  normalizeCurrency,
  ValidationError,
  type AttemptPatch,
  type AttemptStatus,
} from '@org/payment-factory';

/** Attempt fields only Stripe attempts store. */
export const STRIPE_ONLY = [
  'paymentIntentId',
  'checkoutSessionId',
  'latestChargeId',
  'receiptUrl',
  'paymentMethod',
] as const;
/** Attempt fields only Ping++ attempts store. */
export const PINGXX_ONLY = ['chargeId', 'appId'] as const;
/** Attempt fields only native Alipay and WeChat Pay attempts store. */
export const NATIVE_ONLY = ['transactionId', 'rawStatus', 'rawRequest', 'rawNotification'] as const;

/** A non-empty id of at most 255 characters. */
export function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw new ValidationError(`${field} must be a non-empty string of at most 255 characters.`, {
      field,
      code: 'INVALID_ID',
    });
  }
  return value;
}

/**
 * A seller or merchant account version id: at most 36 characters (`MERCHANT_ID_MAX_LENGTH`, the width the
 * original tables give `creator_bid` / `payment_integration_bid`), so a payment's snapshot means the same in any
 * store it may move to.
 */
export function checkMerchantId(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > MERCHANT_ID_MAX_LENGTH) {
    throw new ValidationError(`${field} must be a non-empty string of at most ${MERCHANT_ID_MAX_LENGTH} characters.`, {
      field,
      code: 'INVALID_ID',
    });
  }
  return value;
}

/** Any string (possibly empty). */
export function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string.`, { field });
  return value;
}

/** Integer minor units ≥ 0 (the library's own check). */
export function checkAmount(value: unknown, field: string): number {
  assertMinorUnits(value, field);
  return value;
}

/** An ISO 4217 code, upper-cased (the library's own check). */
export function checkCurrency(value: string): string {
  return normalizeCurrency(value);
}

/** One of `allowed`. */
export function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`${field} must be one of ${allowed.join(', ')}.`, { field, code: 'INVALID_STATUS' });
  }
  return value as T;
}

/** The `from`/`to` of a guarded update: a non-empty guard of known statuses. */
export function checkGuard<T extends string>(from: readonly T[], to: T, allowed: readonly T[]): void {
  if (!Array.isArray(from) || from.length === 0) {
    throw new ValidationError('from must list at least one status.', { field: 'from', code: 'INVALID_STATUS' });
  }
  for (const status of from) checkOneOf(status, allowed, 'from');
  checkOneOf(to, allowed, 'to');
}

/** A `limit` for list queries. */
export function checkLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new ValidationError('limit must be a non-negative integer.', { field: 'limit' });
  }
  return limit;
}

/**
 * Checks an attempt patch against the attempt's provider kind: another kind's fields are refused (not
 * silently dropped), dates must be valid, metadata must be strings.
 */
export function checkAttemptPatch(providerKind: string, patch: AttemptPatch): AttemptPatch {
  const own: readonly string[] =
    providerKind === 'stripe'
      ? STRIPE_ONLY
      : providerKind === 'pingxx'
        ? PINGXX_ONLY
        : providerKind === 'alipay' || providerKind === 'wechatpay'
          ? NATIVE_ONLY
          : [];
  const foreign = [...STRIPE_ONLY, ...PINGXX_ONLY, ...NATIVE_ONLY].filter((field) => !own.includes(field));
  for (const field of foreign) {
    if (patch[field] !== undefined && patch[field] !== null) {
      throw new ValidationError(`${field} is not stored for ${providerKind} attempts.`, {
        field,
        code: 'FIELD_NOT_STORED',
      });
    }
  }
  for (const field of ['expiresAt', 'paidAt', 'refundedAt', 'closedAt', 'failedAt'] as const) {
    const value = patch[field];
    if (value !== undefined && value !== null && !(value instanceof Date && !Number.isNaN(value.getTime()))) {
      throw new ValidationError(`${field} must be a valid Date.`, { field });
    }
  }
  if (patch.metadata) {
    for (const [key, value] of Object.entries(patch.metadata)) {
      if (typeof value !== 'string')
        throw new ValidationError(`metadata.${key} must be a string.`, { field: 'metadata' });
    }
  }
  if (patch.merchantAccount) {
    checkMerchantId(patch.merchantAccount.sellerId ?? null, 'merchantAccount.sellerId');
    checkMerchantId(patch.merchantAccount.versionId ?? null, 'merchantAccount.versionId');
  }
  if (patch.livemode !== undefined && patch.livemode !== null && typeof patch.livemode !== 'boolean') {
    throw new ValidationError('livemode must be a boolean.', { field: 'livemode' });
  }
  const clean: Record<string, unknown> = { ...patch };
  for (const field of foreign) delete clean[field];
  return clean;
}

/** The column a move to `status` stamps with the current time, unless the patch sets it. */
export function statusTimestamp(status: AttemptStatus): 'paidAt' | 'refundedAt' | 'closedAt' | 'failedAt' | null {
  return status === 'paid'
    ? 'paidAt'
    : status === 'refunded'
      ? 'refundedAt'
      : status === 'closed'
        ? 'closedAt'
        : status === 'failed'
          ? 'failedAt'
          : null;
}
