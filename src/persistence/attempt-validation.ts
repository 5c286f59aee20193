/**
 * Input checks and normalisation for payment attempts, shared by every repository implementation: which
 * fields each provider kind stores, how a patch is normalised, which timestamp a status move stamps.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import {
  assertAttemptStatus,
  assertId,
  optionalDate,
  optionalMerchantId,
  optionalString,
  toJsonValue,
} from './record-validation.js';
import {
  NATIVE_ATTEMPT_FIELDS,
  NATIVE_ATTEMPT_KINDS,
  PINGXX_ATTEMPT_FIELDS,
  STRIPE_ATTEMPT_FIELDS,
  type AttemptPatch,
  type AttemptRecord,
  type AttemptStatus,
  type MerchantAccountSnapshot,
  type NewAttempt,
} from './records.js';

function merchantAccountOf(value: unknown): MerchantAccountSnapshot | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('merchantAccount must be { sellerId, versionId } or null.', { field: 'merchantAccount' });
  }
  const { sellerId, versionId } = value as Partial<MerchantAccountSnapshot>;
  return {
    sellerId: optionalMerchantId(sellerId ?? null, 'merchantAccount.sellerId'),
    versionId: optionalMerchantId(versionId ?? null, 'merchantAccount.versionId'),
  };
}

function metadataOf(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('metadata must be an object of strings.', { field: 'metadata' });
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ValidationError(`metadata.${key} must be a string.`, { field: 'metadata' });
  }
  return { ...(value as Record<string, string>) };
}

const STRING_FIELDS = [
  'userId',
  'productId',
  'providerReference',
  'clientIp',
  'failureCode',
  'failureMessage',
  ...STRIPE_ATTEMPT_FIELDS,
  ...PINGXX_ATTEMPT_FIELDS,
  'transactionId',
  'rawStatus',
] as const;
/** Longest failure message stored; longer ones are cut. */
export const MAX_FAILURE_MESSAGE = 255;
const DATE_FIELDS = ['expiresAt', 'paidAt', 'refundedAt', 'closedAt', 'failedAt'] as const;
const JSON_FIELDS = ['result', 'raw', 'extra', 'rawRequest', 'rawNotification'] as const;

/** The attempt fields a patch has set, validated and normalised (JSON fields as stored). */
export type NormalizedAttemptPatch = Partial<
  Omit<AttemptRecord, 'attemptId' | 'orderId' | 'providerKind' | 'provider' | 'channel' | 'amount' | 'currency'>
>;

/**
 * Validates an attempt patch for an attempt of `providerKind`; returns only the fields it sets.
 * @throws ValidationError for a kind-specific field of another kind, or a badly typed value.
 */
export function attemptPatch(providerKind: string, patch: AttemptPatch | undefined): NormalizedAttemptPatch {
  const out: Record<string, unknown> = {};
  if (!patch) return out;
  const foreign = foreignFields(providerKind);
  for (const field of foreign) {
    if (patch[field] !== undefined && patch[field] !== null) {
      throw new ValidationError(`${field} is not stored for ${providerKind} attempts.`, {
        field,
        code: 'FIELD_NOT_STORED',
      });
    }
  }
  for (const field of STRING_FIELDS) if (patch[field] !== undefined) out[field] = optionalString(patch[field], field);
  // Provider failure messages are prose of unbounded length; the original column is VARCHAR(255), and a
  // too-long value would fail the whole webhook transaction on PostgreSQL and strict MySQL.
  if (typeof out['failureMessage'] === 'string')
    out['failureMessage'] = out['failureMessage'].slice(0, MAX_FAILURE_MESSAGE);
  for (const field of DATE_FIELDS) if (patch[field] !== undefined) out[field] = optionalDate(patch[field], field);
  for (const field of JSON_FIELDS) if (patch[field] !== undefined) out[field] = toJsonValue(patch[field]);
  if (patch.metadata !== undefined) out['metadata'] = metadataOf(patch.metadata);
  if (patch.merchantAccount !== undefined) out['merchantAccount'] = merchantAccountOf(patch.merchantAccount);
  if (patch.livemode !== undefined) {
    if (patch.livemode !== null && typeof patch.livemode !== 'boolean') {
      throw new ValidationError('livemode must be a boolean.', { field: 'livemode' });
    }
    out['livemode'] = patch.livemode;
  }
  for (const field of foreign) delete out[field];
  return out;
}

/** The kind-specific fields an attempt of `providerKind` does not store. */
function foreignFields(providerKind: string): readonly (keyof AttemptPatch)[] {
  const own: readonly (keyof AttemptPatch)[] =
    providerKind === 'stripe'
      ? STRIPE_ATTEMPT_FIELDS
      : providerKind === 'pingxx'
        ? PINGXX_ATTEMPT_FIELDS
        : NATIVE_ATTEMPT_KINDS.includes(providerKind)
          ? NATIVE_ATTEMPT_FIELDS
          : [];
  return [...STRIPE_ATTEMPT_FIELDS, ...PINGXX_ATTEMPT_FIELDS, ...NATIVE_ATTEMPT_FIELDS].filter((f) => !own.includes(f));
}

/** The timestamp a move to `status` sets, if any. */
export function statusTimestampField(status: AttemptStatus): 'paidAt' | 'refundedAt' | 'closedAt' | 'failedAt' | null {
  switch (status) {
    case 'paid':
      return 'paidAt';
    case 'refunded':
      return 'refundedAt';
    case 'closed':
      return 'closedAt';
    case 'failed':
      return 'failedAt';
    default:
      return null;
  }
}

/** The patch of a guarded attempt update, with the status timestamp defaulted to `now`. */
export function attemptStatusPatch(
  providerKind: string,
  to: AttemptStatus,
  patch: AttemptPatch | undefined,
  now: Date,
): NormalizedAttemptPatch {
  const out = attemptPatch(providerKind, patch);
  const stamp = statusTimestampField(to);
  if (stamp && out[stamp] === undefined) out[stamp] = now;
  return out;
}

/** Validates and completes a new attempt. */
export function newAttemptRecord(input: NewAttempt, now: Date): AttemptRecord {
  assertId(input.attemptId, 'attemptId');
  assertId(input.orderId, 'orderId');
  assertId(input.providerKind, 'providerKind');
  if (input.provider !== undefined) assertId(input.provider, 'provider');
  assertId(input.channel, 'channel');
  assertMinorUnits(input.amount, 'amount');
  const status = input.status ?? 'pending';
  assertAttemptStatus(status);
  const createdAt = optionalDate(input.createdAt, 'createdAt') ?? now;
  const base: AttemptRecord = {
    attemptId: input.attemptId,
    orderId: input.orderId,
    providerKind: input.providerKind,
    provider: input.provider ?? input.providerKind,
    channel: input.channel,
    userId: null,
    productId: null,
    providerReference: null,
    amount: input.amount,
    currency: normalizeCurrency(input.currency),
    status,
    clientIp: null,
    expiresAt: null,
    livemode: null,
    result: null,
    raw: null,
    metadata: null,
    extra: null,
    failureCode: null,
    failureMessage: null,
    paymentIntentId: null,
    checkoutSessionId: null,
    latestChargeId: null,
    receiptUrl: null,
    paymentMethod: null,
    chargeId: null,
    appId: null,
    transactionId: null,
    rawStatus: null,
    rawRequest: null,
    rawNotification: null,
    merchantAccount: null,
    createdAt,
    updatedAt: createdAt,
    paidAt: null,
    refundedAt: null,
    closedAt: null,
    failedAt: null,
  };
  return { ...base, ...attemptPatch(input.providerKind, input) };
}

/**
 * The reference an attempt reads as: the stored one, else (rows adopted from the original tables) the
 * kind's natural id.
 */
export function effectiveReference(record: AttemptRecord): string | null {
  if (record.providerReference !== null) return record.providerReference;
  if (record.providerKind === 'pingxx') return record.chargeId;
  if (record.providerKind === 'stripe') {
    return record.channel === 'checkout_session' ? record.checkoutSessionId : record.paymentIntentId;
  }
  return null;
}

/**
 * Whether `reference` names the attempt: its reference, Ping++ charge id, Stripe PaymentIntent id, Checkout
 * Session id, latest Stripe charge id (a dashboard refund names the charge), or Alipay / WeChat Pay
 * transaction id.
 */
export function attemptMatchesReference(record: AttemptRecord, reference: string): boolean {
  return (
    record.providerReference === reference ||
    record.transactionId === reference ||
    record.chargeId === reference ||
    record.paymentIntentId === reference ||
    record.checkoutSessionId === reference ||
    record.latestChargeId === reference
  );
}
