/**
 * Renamed tables: migrations and repositories use the names given, and never touch the defaults.
 */
import { describe, expect, it } from 'vitest';
import { createKyselyRepositories, migrateToLatest, type TableNames } from '../../../src/kysely/index.js';
import { testDialects, useTestDatabase } from '../../helpers/databases.js';

const tables: TableNames = {
  orders: 'shop_orders',
  pingxxAttempts: 'shop_pingxx_charges',
  stripeAttempts: 'shop_stripe_payments',
  alipayAttempts: 'shop_alipay_trades',
  wechatpayAttempts: 'shop_wechatpay_trades',
  attempts: 'shop_attempts',
  events: 'shop_payment_events',
  refunds: 'shop_refunds',
  outbox: 'shop_payment_outbox',
};

for (const dialect of testDialects()) {
  describe(`custom table names on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it('creates and uses only the named tables', async () => {
      const t = database();
      await migrateToLatest(t.db, { tables });
      const repositories = createKyselyRepositories(t.db, { tables });
      await repositories.orders.create({
        orderId: 'o',
        userId: 'u',
        productId: 'p',
        payableAmount: 500,
        currency: 'JPY',
      });
      for (const [providerKind, channel] of [
        ['pingxx', 'alipay_qr'],
        ['stripe', 'payment_intent'],
        ['alipay', 'alipay_qr'],
        ['wechatpay', 'wx_pub_qr'],
        ['fake', 'card'],
      ] as const) {
        await repositories.attempts.create({
          attemptId: `a-${providerKind}`,
          orderId: 'o',
          providerKind,
          channel,
          amount: 500,
          currency: 'JPY',
        });
      }
      expect(
        await repositories.events.insert({
          provider: 'stripe',
          eventId: 'e',
          type: 'payment.succeeded',
          providerEventType: 'x',
          orderId: 'o',
        }),
      ).toBe('inserted');
      expect(
        await repositories.refunds.create({
          refundId: 'r',
          orderId: 'o',
          attemptId: 'a-stripe',
          provider: 'stripe',
          amount: 1,
          currency: 'JPY',
        }),
      ).toBe('inserted');

      expect(await repositories.outbox?.insert({ key: 'k', type: 'order.paid', payload: {}, orderId: 'o' })).toBe(
        'inserted',
      );

      const names = await t.tables();
      expect(names).toEqual(expect.arrayContaining(Object.values(tables)));
      expect(names.filter((n) => n.startsWith('order_'))).toEqual([]);
      expect((await repositories.attempts.listByOrder('o')).map((a) => a.attemptId).sort()).toEqual([
        'a-alipay',
        'a-fake',
        'a-pingxx',
        'a-stripe',
        'a-wechatpay',
      ]);
    });
  });
}
