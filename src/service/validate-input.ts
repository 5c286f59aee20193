/**
 * One guard per public service method: the shape of its input, checked before anything is read, written
 * or sent. Business rules (amounts, currencies, routing, states) stay in the flows; these only make sure a
 * flow never meets `null`, a wrong type or an oversized value.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import {
  MAX_ID_LENGTH,
  inputObject,
  optionalDate,
  optionalId,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStringArray,
  requireId,
} from '../core/input-guards.js';

/** Guards `initOrder` input. */
export function validateInitOrderInput(value: unknown): void {
  const input = inputObject(value, 'initOrder');
  requireId(input, 'userId', 'initOrder');
  requireId(input, 'productId', 'initOrder');
  if (typeof input.payableAmount !== 'number') {
    throw new ValidationError('initOrder: payableAmount must be a number of minor units.', {
      field: 'payableAmount',
      code: input.payableAmount === undefined || input.payableAmount === null ? 'MISSING_FIELD' : 'INVALID_FIELD',
    });
  }
  if (typeof input.currency !== 'string') {
    throw new ValidationError('initOrder: currency must be an ISO 4217 code.', {
      field: 'currency',
      code: input.currency === undefined || input.currency === null ? 'MISSING_FIELD' : 'INVALID_FIELD',
    });
  }
  optionalStringArray(input, 'discounts', 'initOrder');
}

/** Guards `createCharge` input (channel hints are ids: routing echoes them). */
export function validateCreateChargeInput(value: unknown): void {
  const input = inputObject(value, 'createCharge');
  requireId(input, 'orderId', 'createCharge');
  optionalString(input, 'channel', 'createCharge', MAX_ID_LENGTH);
  optionalString(input, 'paymentChannel', 'createCharge', MAX_ID_LENGTH);
  optionalString(input, 'clientIp', 'createCharge', MAX_ID_LENGTH);
  optionalObject(input, 'extra', 'createCharge');
  optionalString(input, 'subject', 'createCharge');
  optionalString(input, 'body', 'createCharge');
  optionalObject(input, 'metadata', 'createCharge');
  optionalDate(input, 'expiresAt', 'createCharge');
}

/** Guards `handleWebhook` input (the body itself is checked by the verifier: `RawBodyRequiredError`). */
export function validateHandleWebhookInput(value: unknown): void {
  const input = inputObject(value, 'handleWebhook');
  requireId(input, 'provider', 'handleWebhook');
  if (input.headers !== undefined) optionalObject(input, 'headers', 'handleWebhook');
}

/** Guards `markPaid` input. */
export function validateMarkPaidInput(value: unknown): void {
  const input = inputObject(value, 'markPaid');
  requireId(input, 'orderId', 'markPaid');
  optionalNumber(input, 'amount', 'markPaid');
  if (input.source !== undefined && input.source !== 'manual' && input.source !== 'free') {
    throw new ValidationError('markPaid: source must be "manual" or "free".', {
      field: 'source',
      code: 'INVALID_FIELD',
    });
  }
}

/** Guards `refund` input. */
export function validateRefundInput(value: unknown): void {
  const input = inputObject(value, 'refund');
  requireId(input, 'orderId', 'refund');
  optionalNumber(input, 'amount', 'refund');
  optionalString(input, 'reason', 'refund');
  optionalId(input, 'refundId', 'refund');
  optionalId(input, 'attemptId', 'refund');
}

/** Guards `syncPayment` input. */
export function validateSyncInput(value: unknown): void {
  requireId(inputObject(value, 'syncPayment'), 'orderId', 'syncPayment');
}

/** Guards `reconcile` input (which may be omitted). */
export function validateReconcileInput(value: unknown): void {
  if (value === undefined) return;
  const input = inputObject(value, 'reconcile');
  const olderThan = input.olderThan;
  if (olderThan !== undefined && !(typeof olderThan === 'number' && Number.isFinite(olderThan) && olderThan >= 0)) {
    optionalDate(input, 'olderThan', 'reconcile');
  }
  const limit = input.limit;
  if (limit !== undefined && !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0)) {
    throw new ValidationError('reconcile: limit must be a positive integer.', {
      field: 'limit',
      code: 'INVALID_FIELD',
    });
  }
  const holdMs = input.holdMs;
  if (holdMs !== undefined && !(typeof holdMs === 'number' && Number.isSafeInteger(holdMs) && holdMs >= 0)) {
    throw new ValidationError('reconcile: holdMs must be a non-negative integer.', {
      field: 'holdMs',
      code: 'INVALID_FIELD',
    });
  }
  const owner = input.owner;
  if (owner !== undefined && (typeof owner !== 'string' || owner === '' || owner.length > 200)) {
    throw new ValidationError('reconcile: owner must be a non-empty string of at most 200 characters.', {
      field: 'owner',
      code: 'INVALID_FIELD',
    });
  }
}

/** Guards `getOrder`'s id. */
export function validateOrderId(value: unknown, method: string): void {
  requireId({ orderId: value }, 'orderId', method);
}
