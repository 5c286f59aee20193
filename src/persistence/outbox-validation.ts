/**
 * Input checks shared by every outbox implementation, so they refuse the same inputs the same way.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import { randomHex } from '../core/web-crypto.js';
import type {
  NewOutboxMessage,
  OutboxClaimInput,
  OutboxPruneInput,
  OutboxRecord,
  OutboxReleaseInput,
} from './outbox-port.js';
import { assertId, optionalString, toJsonValue } from './record-validation.js';

/**
 * The type of sweep claim rows (`claimSweepWork`, exported as `SWEEP_TYPE`): coordination between app
 * instances, not notifications. `stats` and `list` leave them out; `prune` removes them once their hold is over.
 */
export const OUTBOX_SWEEP_TYPE = 'payment.sweep';

/** The longest `lastError` stored; longer ones are cut. */
export const OUTBOX_ERROR_MAX = 255;

/** A validated new row as the implementations store it. */
export function newOutboxRecord(input: NewOutboxMessage, now: Date): OutboxRecord {
  assertId(input.key, 'key');
  assertId(input.type, 'type');
  const orderId = optionalString(input.orderId, 'orderId');
  const availableAt = input.availableAt ?? now;
  assertDate(availableAt, 'availableAt');
  return {
    key: input.key,
    type: input.type,
    payload: toJsonValue(input.payload),
    orderId,
    status: 'pending',
    attempts: 0,
    availableAt,
    claimToken: null,
    leaseUntil: null,
    deliveredTo: [],
    lastError: null,
    createdAt: now,
    updatedAt: now,
    deliveredAt: null,
  };
}

/** Checks a claim request. */
export function assertClaimInput(input: OutboxClaimInput): void {
  assertId(input.owner, 'owner');
  if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > 1000) {
    throw new ValidationError('limit must be an integer from 1 to 1000.', { field: 'limit' });
  }
  if (!Number.isSafeInteger(input.leaseMs) || input.leaseMs < 1) {
    throw new ValidationError('leaseMs must be a positive integer.', { field: 'leaseMs' });
  }
  for (const type of input.types ?? []) assertId(type, 'types');
  for (const key of input.keys ?? []) assertId(key, 'keys');
}

/** Checks a prune request. */
export function assertPruneInput(input: OutboxPruneInput): void {
  if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > 1000) {
    throw new ValidationError('limit must be an integer from 1 to 1000.', { field: 'limit' });
  }
  assertDate(input.deliveredBefore, 'deliveredBefore');
  assertDate(input.sweepsBefore, 'sweepsBefore');
}

/** Checks a release request and cuts `lastError` to {@link OUTBOX_ERROR_MAX}. */
export function releaseInput(input: OutboxReleaseInput): OutboxReleaseInput {
  assertId(input.key, 'key');
  assertId(input.claimToken, 'claimToken');
  if (input.status !== 'pending' && input.status !== 'dead') {
    throw new ValidationError('status must be pending or dead.', { field: 'status', code: 'INVALID_STATUS' });
  }
  assertDate(input.availableAt, 'availableAt');
  return { ...input, deliveredTo: consumerList(input.deliveredTo), lastError: cut(input.lastError) };
}

/** Checks a consumer-name list (each a non-empty string); returns a sorted copy without repeats. */
export function consumerList(names: readonly string[]): string[] {
  if (!Array.isArray(names)) throw new ValidationError('deliveredTo must be an array.', { field: 'deliveredTo' });
  for (const name of names) assertId(name, 'deliveredTo');
  return [...new Set(names)].sort();
}

/** A claim token: the owner and a random part, so tokens of one owner differ per claim. */
export function newClaimToken(owner: string): string {
  return `${owner.slice(0, 200)}/${randomHex(8)}`;
}

function cut(text: string | null): string | null {
  if (text === null || text === undefined) return null;
  return text.length > OUTBOX_ERROR_MAX ? `${text.slice(0, OUTBOX_ERROR_MAX - 1)}…` : text;
}

function assertDate(value: unknown, field: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(`${field} must be a valid Date.`, { field });
  }
}
