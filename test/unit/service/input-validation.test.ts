/**
 * Garbage in, `ValidationError` out: null, non-object and wrongly typed input to every public service method
 * is refused naming the field, before anything is read or written; echoed values stay short.
 */
import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/index.js';
import { echo, MAX_ECHO_LENGTH } from '../../../src/core/input-guards.js';
import { createHarness } from './harness.js';

type Call = [method: string, input: unknown, field: string];

const calls: Call[] = [
  ['initOrder', null, 'input'],
  ['initOrder', 'u1', 'input'],
  ['initOrder', [], 'input'],
  ['initOrder', { userId: 7, productId: 'p', payableAmount: 1, currency: 'CNY' }, 'userId'],
  ['initOrder', { userId: 'u', productId: {}, payableAmount: 1, currency: 'CNY' }, 'productId'],
  ['initOrder', { userId: 'u', productId: 'p', payableAmount: '100', currency: 'CNY' }, 'payableAmount'],
  ['initOrder', { userId: 'u', productId: 'p', payableAmount: 100, currency: null }, 'currency'],
  ['initOrder', { userId: 'u', productId: 'p', payableAmount: 100, currency: 'CNY', discounts: 'X' }, 'discounts'],
  ['initOrder', { userId: 'u'.repeat(65), productId: 'p', payableAmount: 100, currency: 'CNY' }, 'userId'],
  ['createCharge', null, 'input'],
  ['createCharge', undefined, 'input'],
  ['createCharge', { orderId: {} }, 'orderId'],
  ['createCharge', { orderId: 'x'.repeat(10_000) }, 'orderId'],
  ['createCharge', { orderId: 'o', channel: 5 }, 'channel'],
  ['createCharge', { orderId: 'o', paymentChannel: ['stripe'] }, 'paymentChannel'],
  ['createCharge', { orderId: 'o', clientIp: 127001 }, 'clientIp'],
  ['createCharge', { orderId: 'o', extra: 'openid' }, 'extra'],
  ['createCharge', { orderId: 'o', metadata: [] }, 'metadata'],
  ['createCharge', { orderId: 'o', expiresAt: '2030-01-01' }, 'expiresAt'],
  ['createCharge', { orderId: 'o', expiresAt: new Date('nope') }, 'expiresAt'],
  ['handleWebhook', undefined, 'input'],
  ['handleWebhook', null, 'input'],
  ['handleWebhook', { provider: null, rawBody: '{}', headers: {} }, 'provider'],
  ['handleWebhook', { provider: 'fake', rawBody: '{}', headers: 'x-sig' }, 'headers'],
  ['handleWebhook', { provider: 'fake', rawBody: '{}', headers: null }, 'headers'],
  ['handleWebhook', { provider: 'p'.repeat(5000), rawBody: '{}', headers: {} }, 'provider'],
  ['markPaid', null, 'input'],
  ['markPaid', { orderId: 1 }, 'orderId'],
  ['markPaid', { orderId: 'o', amount: '10' }, 'amount'],
  ['markPaid', { orderId: 'o', source: 'webhook' }, 'source'],
  ['refund', null, 'input'],
  ['refund', { orderId: 'o', amount: '5' }, 'amount'],
  ['refund', { orderId: 'o', refundId: 42 }, 'refundId'],
  ['refund', { orderId: 'o', attemptId: {} }, 'attemptId'],
  ['refund', { orderId: 'o', reason: { text: 'x' } }, 'reason'],
  ['syncPayment', null, 'input'],
  ['syncPayment', { orderId: null }, 'orderId'],
  ['reconcile', null, 'input'],
  ['reconcile', { limit: -1 }, 'limit'],
  ['reconcile', { limit: '10' }, 'limit'],
  ['reconcile', { olderThan: 'yesterday' }, 'olderThan'],
  ['getOrder', null, 'orderId'],
  ['getOrder', { id: 'o' }, 'orderId'],
];

describe('public service methods refuse malformed input', () => {
  it.each(calls)('%s(%j) → ValidationError on %s, nothing written', async (method, input, field) => {
    const h = createHarness();
    const fn = (h.service as unknown as Record<string, (i: unknown) => Promise<unknown>>)[method]!;
    const error = await fn(input).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isPaymentError(error, 'ValidationError')).toBe(true);
    expect(error).toMatchObject({ field });
    expect((error as Error).message.length).toBeLessThan(200);
    const { orders, attempts, events, refunds } = h.repositories.snapshot();
    expect([orders, attempts, events, refunds].map((rows) => rows.length)).toEqual([0, 0, 0, 0]);
    expect(h.fake.calls).toHaveLength(0);
  });

  it('still serves well-formed input', async () => {
    const h = createHarness();
    const order = await h.service.initOrder({ userId: 'u', productId: 'p', payableAmount: 100, currency: 'CNY' });
    await expect(h.service.getOrder(order.orderId)).resolves.toMatchObject({ status: 'init' });
    await expect(h.service.reconcile()).resolves.toMatchObject({ checked: 0 });
    await expect(h.service.reconcile({ olderThan: new Date(), limit: 5 })).resolves.toMatchObject({ checked: 0 });
  });

  it('caps values repeated in messages', () => {
    expect(echo('a'.repeat(500))).toBe(`${'a'.repeat(MAX_ECHO_LENGTH)}…(500 chars)`);
    expect(echo('line\nbreak')).toBe('line?break');
  });
});
