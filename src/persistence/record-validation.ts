/**
 * Input checks and normalisation shared by every repository implementation, so the in-memory and Kysely
 * implementations refuse the same inputs with the same errors and store the same values. Attempts have
 * their own file, `attempt-validation.ts`.
 * @module
 */
import { NotFoundError, ValidationError } from '../core/errors.js';
import { MERCHANT_ID_MAX_LENGTH } from '../core/merchant-account-port.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import {
  ATTEMPT_STATUSES,
  EVENT_OUTCOMES,
  ORDER_STATUSES,
  REFUND_STATUSES,
  type AttemptStatus,
  type EventOutcome,
  type JsonValue,
  type NewOrder,
  type NewPaymentEvent,
  type NewRefund,
  type OrderPatch,
  type OrderRecord,
  type OrderStatus,
  type PaymentEventRecord,
  type RefundPatch,
  type RefundRecord,
  type RefundStatus,
} from './records.js';

/** Stores `value` as JSON would: `undefined` → `null`, `Date` → ISO string, functions dropped. */
export function toJsonValue(value: unknown): JsonValue | null {
  const text = toJsonText(value);
  if (text === null) return null;
  const parsed = JSON.parse(text) as JsonValue;
  // Remembered so that writing this (fresh, never shared) copy does not serialise it again.
  if (typeof parsed === 'object' && parsed !== null) serialized.set(parsed, text);
  return parsed;
}

/** JSON text of values made by {@link toJsonValue}. */
const serialized = new WeakMap<object, string>();

/**
 * A value as JSON text, or `null` for `null` / `undefined` (and what JSON cannot represent at top level).
 * @throws ValidationError code `INVALID_JSON` for what `JSON.stringify` refuses (cycles, BigInt).
 */
export function toJsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') {
    const known = serialized.get(value);
    if (known !== undefined) return known;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new ValidationError('Value is not serialisable as JSON.', { code: 'INVALID_JSON', cause });
  }
  return text ?? null;
}

/** Checks a non-empty string id (≤ 255 chars). */
export function assertId(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw new ValidationError(`${field} must be a non-empty string of at most 255 characters.`, {
      field,
      code: 'INVALID_ID',
    });
  }
}

function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`${field} must be one of ${allowed.join(', ')}.`, { field, code: 'INVALID_STATUS' });
  }
}

/** Checks an order status against its union. */
export function assertOrderStatus(value: unknown, field = 'status'): asserts value is OrderStatus {
  assertOneOf(value, ORDER_STATUSES, field);
}

/** Checks an attempt status against its union. */
export function assertAttemptStatus(value: unknown, field = 'status'): asserts value is AttemptStatus {
  assertOneOf(value, ATTEMPT_STATUSES, field);
}

/** Checks a refund status against its union. */
export function assertRefundStatus(value: unknown, field = 'status'): asserts value is RefundStatus {
  assertOneOf(value, REFUND_STATUSES, field);
}

/** Checks an event outcome against its union. */
export function assertEventOutcome(value: unknown, field = 'outcome'): asserts value is EventOutcome {
  assertOneOf(value, EVENT_OUTCOMES, field);
}

/** Checks the `from`/`to` of a guarded update. */
export function assertGuard<T extends string>(from: readonly T[], to: T, check: (v: unknown, f: string) => void): void {
  if (!Array.isArray(from) || from.length === 0) {
    throw new ValidationError('from must list at least one status.', { field: 'from', code: 'INVALID_STATUS' });
  }
  for (const status of from) check(status, 'from');
  check(to, 'to');
}

/** Checks an optional string (`undefined` and `null` read as `null`). */
export function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string.`, { field });
  return value;
}

/** Checks an optional valid `Date`, copied (`undefined` and `null` read as `null`). */
export function optionalDate(value: unknown, field: string): Date | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(`${field} must be a valid Date.`, { field });
  }
  return new Date(value.getTime());
}

/**
 * A seller or merchant account version id (`creator_bid` / `payment_integration_bid`) or `null` (an empty string is
 * refused: the tables read it as "none"): 1–36 characters
 * ({@link MERCHANT_ID_MAX_LENGTH}, the original tables' width), refused before any write rather than cut by a
 * non-strict MySQL or refused by the driver.
 */
export function optionalMerchantId(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > MERCHANT_ID_MAX_LENGTH) {
    throw new ValidationError(`${field} must be a non-empty string of at most ${MERCHANT_ID_MAX_LENGTH} characters.`, {
      field,
      code: 'INVALID_ID',
    });
  }
  return value;
}

/** Validates and completes a new order. */
export function newOrderRecord(input: NewOrder, now: Date): OrderRecord {
  assertId(input.orderId, 'orderId');
  assertId(input.userId, 'userId');
  assertId(input.productId, 'productId');
  assertMinorUnits(input.payableAmount, 'payableAmount');
  const listAmount = input.listAmount ?? input.payableAmount;
  assertMinorUnits(listAmount, 'listAmount');
  const paidAmount = input.paidAmount ?? 0;
  assertMinorUnits(paidAmount, 'paidAmount');
  const status = input.status ?? 'init';
  assertOrderStatus(status);
  const createdAt = optionalDate(input.createdAt, 'createdAt') ?? now;
  return {
    orderId: input.orderId,
    userId: input.userId,
    productId: input.productId,
    listAmount,
    payableAmount: input.payableAmount,
    paidAmount,
    currency: normalizeCurrency(input.currency),
    paymentChannel: optionalString(input.paymentChannel, 'paymentChannel') ?? 'pingxx',
    sellerId: null,
    merchantAccountVersion: null,
    status,
    createdAt,
    updatedAt: createdAt,
  };
}

/** Validates an order patch; returns only the fields it sets, normalised. */
export function orderPatch(patch: OrderPatch | undefined): OrderPatch {
  const out: OrderPatch = {};
  if (!patch) return out;
  if (patch.listAmount !== undefined) {
    assertMinorUnits(patch.listAmount, 'listAmount');
    out.listAmount = patch.listAmount;
  }
  if (patch.payableAmount !== undefined) {
    assertMinorUnits(patch.payableAmount, 'payableAmount');
    out.payableAmount = patch.payableAmount;
  }
  if (patch.paidAmount !== undefined) {
    assertMinorUnits(patch.paidAmount, 'paidAmount');
    out.paidAmount = patch.paidAmount;
  }
  if (patch.currency !== undefined) out.currency = normalizeCurrency(patch.currency);
  if (patch.paymentChannel !== undefined) {
    assertId(patch.paymentChannel, 'paymentChannel');
    out.paymentChannel = patch.paymentChannel;
  }
  if (patch.sellerId !== undefined) out.sellerId = optionalMerchantId(patch.sellerId, 'sellerId');
  if (patch.merchantAccountVersion !== undefined) {
    out.merchantAccountVersion = optionalMerchantId(patch.merchantAccountVersion, 'merchantAccountVersion');
  }
  return out;
}

/** Validates and completes a new journal entry. */
export function newEventRecord(input: NewPaymentEvent, now: Date): PaymentEventRecord {
  assertId(input.provider, 'provider');
  assertId(input.eventId, 'eventId');
  assertId(input.type, 'type');
  if (typeof input.providerEventType !== 'string') {
    throw new ValidationError('providerEventType must be a string.', { field: 'providerEventType' });
  }
  const outcome = input.outcome ?? 'received';
  assertEventOutcome(outcome);
  return {
    provider: input.provider,
    eventId: input.eventId,
    type: input.type,
    providerEventType: input.providerEventType,
    attemptId: optionalString(input.attemptId, 'attemptId'),
    orderId: optionalString(input.orderId, 'orderId'),
    outcome,
    detail: optionalString(input.detail, 'detail'),
    payload: toJsonValue(input.payload),
    payloadHash: optionalString(input.payloadHash, 'payloadHash'),
    receivedAt: optionalDate(input.receivedAt, 'receivedAt') ?? now,
    processedAt: optionalDate(input.processedAt, 'processedAt') ?? null,
  };
}

/** Validates a refund patch; returns only the fields it sets. */
export function refundPatch(patch: RefundPatch | undefined): RefundPatch & { raw?: JsonValue | null } {
  const out: RefundPatch & { raw?: JsonValue | null } = {};
  if (!patch) return out;
  if (patch.providerRefundId !== undefined)
    out.providerRefundId = optionalString(patch.providerRefundId, 'providerRefundId');
  if (patch.reason !== undefined) out.reason = optionalString(patch.reason, 'reason');
  if (patch.raw !== undefined) out.raw = toJsonValue(patch.raw);
  return out;
}

/** Validates and completes a new refund. */
export function newRefundRecord(input: NewRefund, now: Date): RefundRecord {
  assertId(input.refundId, 'refundId');
  assertId(input.orderId, 'orderId');
  assertId(input.attemptId, 'attemptId');
  assertId(input.provider, 'provider');
  assertMinorUnits(input.amount, 'amount');
  if (input.amount === 0) {
    throw new ValidationError('amount must be positive.', { field: 'amount', code: 'INVALID_AMOUNT' });
  }
  const status = input.status ?? 'pending';
  assertRefundStatus(status);
  const createdAt = optionalDate(input.createdAt, 'createdAt') ?? now;
  const patch = refundPatch(input);
  return {
    refundId: input.refundId,
    providerRefundId: patch.providerRefundId ?? null,
    orderId: input.orderId,
    attemptId: input.attemptId,
    provider: input.provider,
    amount: input.amount,
    currency: normalizeCurrency(input.currency),
    status,
    reason: patch.reason ?? null,
    raw: patch.raw ?? null,
    createdAt,
    updatedAt: createdAt,
  };
}

/** The error for a taken unique key. */
export function duplicateError(what: 'order' | 'attempt' | 'providerRefund', id: string): ValidationError {
  const code =
    what === 'order' ? 'DUPLICATE_ORDER' : what === 'attempt' ? 'DUPLICATE_ATTEMPT' : 'DUPLICATE_PROVIDER_REFUND';
  const field = what === 'order' ? 'orderId' : what === 'attempt' ? 'attemptId' : 'providerRefundId';
  return new ValidationError(`A record with this ${field} already exists.`, { code, field, details: { [field]: id } });
}

/** The error for a missing parent order. */
export function orderNotFound(orderId: string): NotFoundError {
  return new NotFoundError('No order with this orderId.', { code: 'ORDER_NOT_FOUND', details: { orderId } });
}

/** Checks a `limit`. */
export function assertLimit(limit: unknown): asserts limit is number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new ValidationError('limit must be a non-negative integer.', { field: 'limit' });
  }
}
