/**
 * Shape guards for the provider port's requests, run by the factory before it routes and by every built-in
 * adapter before it builds provider parameters. A host may call either directly with what an HTTP handler
 * or a job queue handed it, so `null`, a primitive or a wrongly typed field is a `ValidationError` naming
 * the field — never a `TypeError` from deep inside an adapter, and never a request sent first.
 *
 * They check shape only (types, presence, length). Money rules (integer minor units, positive amounts,
 * known currencies), routing and each provider's own limits stay with `money.ts`, the factory and the
 * adapters.
 * @module
 */
import { ValidationError } from './errors.js';
import {
  MAX_ID_LENGTH,
  MAX_REFERENCE_LENGTH,
  inputObject,
  optionalDate,
  optionalId,
  optionalObject,
  optionalString,
  optionalStringArray,
  requireId,
} from './input-guards.js';

/**
 * Guards a payment request (`createPayment`, `validatePayment`), routable or already routed: ids present,
 * hints, text, `metadata`, `extra` and dates of the right type. `amount` and `currency` are left to the
 * money helpers, which name them too; `subject` may be absent here (a PaymentIntent needs none).
 * @throws ValidationError naming the field.
 */
export function guardPaymentRequest(value: unknown, method: string): Record<string, unknown> {
  const input = inputObject(value, method);
  requireId(input, 'orderId', method, MAX_REFERENCE_LENGTH);
  requireId(input, 'attemptId', method, MAX_REFERENCE_LENGTH);
  for (const hint of ['provider', 'paymentChannel', 'channel']) optionalString(input, hint, method, MAX_ID_LENGTH);
  optionalString(input, 'subject', method);
  optionalString(input, 'body', method);
  optionalString(input, 'clientIp', method, MAX_ID_LENGTH);
  optionalId(input, 'userId', method, MAX_REFERENCE_LENGTH);
  optionalId(input, 'productId', method, MAX_REFERENCE_LENGTH);
  optionalObject(input, 'metadata', method);
  optionalObject(input, 'extra', method);
  optionalDate(input, 'expiresAt', method);
  optionalDate(input, 'orderExpiresAt', method);
  return input;
}

/**
 * Guards a `retrievePayment` / `cancelPayment` request: a `providerReference`, and an `attemptId`, a
 * `channel` and `refundIds` (an array of strings) of the right type when given.
 * @throws ValidationError naming the field.
 */
export function guardRetrieveRequest(value: unknown, method: string): Record<string, unknown> {
  const input = inputObject(value, method);
  requireId(input, 'providerReference', method, MAX_REFERENCE_LENGTH);
  optionalId(input, 'attemptId', method, MAX_REFERENCE_LENGTH);
  optionalString(input, 'channel', method, MAX_ID_LENGTH);
  optionalStringArray(input, 'refundIds', method);
  return input;
}

/**
 * Guards a `refundPayment` request: the ids present, `amount` a number (its rules are the money helpers'),
 * the optional fields of the right type.
 * @throws ValidationError naming the field.
 */
export function guardRefundRequest(value: unknown, method: string): Record<string, unknown> {
  const input = inputObject(value, method);
  requireId(input, 'refundId', method, MAX_REFERENCE_LENGTH);
  requireId(input, 'providerReference', method, MAX_REFERENCE_LENGTH);
  optionalId(input, 'attemptId', method, MAX_REFERENCE_LENGTH);
  optionalString(input, 'channel', method, MAX_ID_LENGTH);
  optionalString(input, 'reason', method);
  optionalObject(input, 'metadata', method);
  for (const field of ['amount', 'paymentAmount', 'alreadyRefunded']) {
    const amount = input[field];
    if ((field === 'amount' || amount !== undefined) && typeof amount !== 'number') {
      throw new ValidationError(`${method}: ${field} must be a number of minor units.`, {
        field,
        code: amount === undefined || amount === null ? 'MISSING_FIELD' : 'INVALID_FIELD',
      });
    }
  }
  return input;
}

/**
 * Guards a `verifyWebhook` input: an object whose `headers` (when given) are `Headers` or a record, and
 * whose `receivedAt` (when given) is a valid `Date`. The body itself is the verifier's to check
 * (`RawBodyRequiredError` when it is not the raw bytes).
 * @throws ValidationError naming the field.
 */
export function guardWebhookInput(value: unknown, method: string): Record<string, unknown> {
  const input = inputObject(value, method);
  optionalObject(input, 'headers', method);
  optionalDate(input, 'receivedAt', method);
  return input;
}
