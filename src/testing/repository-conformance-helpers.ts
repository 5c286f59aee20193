/**
 * Small helpers shared by the conformance case files.
 * @module
 */
import assert from 'node:assert/strict';
import { isPaymentError, type PaymentErrorName } from '../core/errors.js';
import type { PaymentRepositories } from '../persistence/ports.js';
import type { NewOrder, OrderRecord } from '../persistence/records.js';
import type { ConformanceContext } from './repository-conformance.js';

/** Asserts that `promise` rejects with a library error of class `name` (and `code`, when given). */
export async function rejectsWith(promise: Promise<unknown>, name: PaymentErrorName, code?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isPaymentError(error, name), `expected ${name}, got ${String(error)}`);
    if (code !== undefined) assert.equal(error.code, code);
    return true;
  });
}

/** Creates an order with unique ids; `overrides` win. */
export async function createOrder(
  ctx: ConformanceContext,
  repositories: PaymentRepositories<unknown>,
  overrides: Partial<NewOrder> = {},
): Promise<OrderRecord> {
  return repositories.orders.create({
    orderId: ctx.id('order'),
    userId: ctx.id('user'),
    productId: ctx.id('product'),
    payableAmount: 1999,
    currency: 'USD',
    ...overrides,
  });
}

/** Starts `n` calls at once (none waits for another) and waits for all of them. */
export function parallel<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

/** How many of `results` equal `value`. */
export function count<T>(results: readonly T[], value: T): number {
  return results.filter((r) => r === value).length;
}

/** Asserts stored text is JSON equal to `expected`. */
export function assertJsonText(text: string | null, expected: unknown): void {
  assert.notEqual(text, null, 'expected stored JSON, found nothing');
  let parsed: unknown;
  assert.doesNotThrow(
    () => {
      parsed = JSON.parse(text as string);
    },
    `stored value is not JSON: ${String(text)}`,
  );
  assert.deepEqual(parsed, expected);
}
