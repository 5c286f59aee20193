/**
 * Native Alipay through the whole service, on every database of the matrix, with Ping++ enabled beside it
 * (a migration): routing of bare and `provider:` channels, notifications through the web handler
 * (answered with Alipay's plain `success` / `failure`), refunds in parts, a refund notification, and
 * reconcile after a lost notification. The real `alipay-sdk` talks to the emulator over HTTP.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAlipayProvider } from '../../../src/alipay/index.js';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  type PaymentAnomaly,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import {
  startAlipayEmulator,
  startPingxxEmulator,
  type AlipayEmulator,
  type PingxxEmulator,
} from '../../../src/testing/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

for (const dialect of testDialects()) {
  describe(`native Alipay beside Ping++ through the service on ${dialect.name}`, () => {
    let t: TestDatabase;
    let alipayEmulator: AlipayEmulator;
    let pingxxEmulator: PingxxEmulator;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;
    const anomalies: PaymentAnomaly[] = [];

    beforeAll(async () => {
      t = await dialect.open();
      await migrateToLatest(t.db);
      alipayEmulator = await startAlipayEmulator();
      pingxxEmulator = await startPingxxEmulator();
      service = createPaymentService({
        factory: createPaymentFactory({
          providers: [
            createPingxxProvider({ ...pingxxEmulator.providerOptions }),
            createAlipayProvider({
              ...alipayEmulator.providerOptions,
              timeoutMs: 5_000,
              allowedRedirectOrigins: ['https://shop.example'],
            }),
          ],
          enabled: ['pingxx', 'alipay'],
        }),
        repositories: createKyselyRepositories(t.db),
        notificationDelivery: 'inline', // anomalies are asserted right after each webhook answer
        hooks: { onAnomaly: (a) => void anomalies.push(a) },
      });
      handle = createWebhookHandler(service);
    });

    afterAll(async () => {
      await alipayEmulator?.close();
      await pingxxEmulator?.close();
      await t?.destroy();
    });

    const post = (provider: string, w: { rawBody: string; headers: Record<string, string> }) =>
      handle(new Request(`http://host/webhooks/${provider}`, { method: 'POST', body: w.rawBody, headers: w.headers }));
    const attemptOf = async (attemptId: string) => (await service.repositories.attempts.findById(attemptId))!;
    const row = async (attemptId: string) =>
      (
        await sql<
          Record<string, unknown>
        >`select * from order_alipay_orders where alipay_order_bid = ${attemptId}`.execute(t.db)
      ).rows[0];

    it('routes a bare alipay_qr to native Alipay, pays it through a notification answered "success"', async () => {
      const order = await service.initOrder({ userId: 'u1', productId: 'c1', payableAmount: 9900, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'alipay_qr',
        subject: '课程\n🎉 Python',
      });
      expect(dto.paymentChannel).toBe('alipay');
      expect(dto.paymentPayload?.nextAction).toMatchObject({
        type: 'qr_code',
        content: expect.stringMatching(/^https:\/\/qr\.alipay\.com\//),
      });
      const attemptId = dto.paymentPayload!.attemptId;
      expect(await attemptOf(attemptId)).toMatchObject({
        providerKind: 'alipay',
        providerReference: attemptId,
        amount: 9900,
      });
      expect(await row(attemptId)).toMatchObject({
        provider_attempt_id: attemptId,
        channel: 'alipay_qr',
        currency: 'CNY',
      });
      const precreate = alipayEmulator.requests.find((r) => r.apiMethod === 'alipay.trade.precreate')!;
      expect(JSON.parse(precreate.params['biz_content']!)).toMatchObject({
        out_trade_no: attemptId,
        total_amount: '99.00',
        subject: '课程 Python',
      });
      expect(precreate.params['notify_url']).toBe(alipayEmulator.providerOptions.notifyUrl);

      const trade = alipayEmulator.controls.pay(attemptId);
      const notification = alipayEmulator.controls.notificationFor(attemptId);
      const tampered = {
        ...notification,
        rawBody: notification.rawBody.replace('total_amount=99.00', 'total_amount=0.01'),
      };
      const refused = await post('alipay', tampered);
      expect([refused.status, await refused.text()]).toEqual([400, 'failure']);
      const applied = await post('alipay', notification);
      expect([applied.status, applied.headers.get('content-type'), await applied.text()]).toEqual([
        200,
        'text/plain; charset=utf-8',
        'success',
      ]);
      expect(await (await post('alipay', notification)).text()).toBe('success'); // a redelivery is a duplicate
      expect(await service.getOrder(order.orderId)).toMatchObject({
        status: 'paid',
        paidAmount: 9900,
        paymentChannel: 'alipay',
      });
      expect(await attemptOf(attemptId)).toMatchObject({ status: 'paid', transactionId: trade.tradeNo });
      // The notification names only out_trade_no; the journal files it under the attempt's order all the same.
      expect(await service.repositories.events.listByOrder(order.orderId)).toEqual([
        expect.objectContaining({ provider: 'alipay', attemptId, orderId: order.orderId, outcome: 'applied' }),
      ]);
      const stored = await row(attemptId);
      expect(stored).toMatchObject({ transaction_id: trade.tradeNo, raw_status: 'TRADE_SUCCESS' });
      // raw_request: the method and business parameters sent, never the request signature.
      expect(JSON.parse(String(stored!['raw_request']))).toEqual({
        method: 'alipay.trade.precreate',
        biz_content: JSON.parse(precreate.params['biz_content']!),
        notify_url: alipayEmulator.providerOptions.notifyUrl,
      });
      // raw_notification: the verified form fields without `sign`.
      const fields = Object.fromEntries(new URLSearchParams(notification.rawBody));
      const { sign, ...unsigned } = fields;
      expect(sign).toBeTruthy();
      expect(JSON.parse(String(stored!['raw_notification']))).toEqual(unsigned);
    });

    it('still sends pingxx:alipay_qr to Ping++ while native Alipay is enabled', async () => {
      const order = await service.initOrder({ userId: 'u2', productId: 'c2', payableAmount: 100, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'pingxx:alipay_qr',
        clientIp: '203.0.113.9',
      });
      expect(dto.paymentChannel).toBe('pingxx');
      expect(await attemptOf(dto.paymentPayload!.attemptId)).toMatchObject({ providerKind: 'pingxx' });
    });

    it('refunds in two parts, the order becomes refunded, and the refund notification changes nothing more', async () => {
      const order = await service.initOrder({ userId: 'u3', productId: 'c3', payableAmount: 5000, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'alipay' });
      const attemptId = dto.paymentPayload!.attemptId;
      alipayEmulator.controls.pay(dto); // the createCharge DTO names the trade
      expect(await (await post('alipay', alipayEmulator.controls.notificationFor(dto))).text()).toBe('success');
      const first = await service.refund({ orderId: order.orderId, amount: 2000, reason: '部分退款' });
      expect(first.refund).toMatchObject({
        amount: 2000,
        status: 'succeeded',
        providerRefundId: first.refund.refundId,
      });
      const second = await service.refund({ orderId: order.orderId });
      expect(second.refund).toMatchObject({ amount: 3000, status: 'succeeded' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'refunded' });
      expect(alipayEmulator.controls.getTrade(attemptId)?.status).toBe('TRADE_CLOSED');
      const refundNotification = alipayEmulator.controls.notificationFor(attemptId, { refund: first.refund.refundId });
      const answer = await post('alipay', refundNotification);
      expect([answer.status, await answer.text()]).toEqual([200, 'success']);
      const refunds = await service.repositories.refunds.listByOrder(order.orderId);
      expect(refunds.map((r) => r.amount).sort()).toEqual([2000, 3000]);
    });

    it('reconciles a cashier-page payment whose notification was lost', async () => {
      const order = await service.initOrder({ userId: 'u4', productId: 'c4', payableAmount: 4200, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'alipay_pc_direct',
        extra: { successUrl: 'https://shop.example/paid' },
      });
      expect(dto.paymentPayload?.nextAction.type).toBe('redirect');
      const attemptId = dto.paymentPayload!.attemptId;
      if (dto.paymentPayload?.nextAction.type !== 'redirect') throw new Error('expected a redirect');
      await alipayEmulator.controls.openPage(dto.paymentPayload.nextAction.url);
      alipayEmulator.controls.pay(attemptId);
      const report = await service.reconcile({ olderThan: new Date(Date.now() + 1000), limit: 50 });
      expect(report.errors).toEqual([]);
      expect(report.details).toContainEqual({ attemptId, orderId: order.orderId, outcome: 'changed' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid', paidAmount: 4200 });
      const late = await post('alipay', alipayEmulator.controls.notificationFor(attemptId));
      expect(await late.text()).toBe('success');
    });

    it('rejects a signed notification whose amount differs from the attempt, answering success (no redelivery helps)', async () => {
      const order = await service.initOrder({ userId: 'u5', productId: 'c5', payableAmount: 1000, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr' });
      const attemptId = dto.paymentPayload!.attemptId;
      alipayEmulator.controls.pay(attemptId);
      const wrong = alipayEmulator.controls.notificationFor(attemptId, { overrides: { total_amount: '0.01' } });
      expect(await (await post('alipay', wrong)).text()).toBe('success');
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'pending' });
      // Anomalies reach onAnomaly through the outbox in the background, after the answer: wait for it.
      await vi.waitFor(() =>
        expect(anomalies).toContainEqual(expect.objectContaining({ kind: 'amount_mismatch', attemptId })),
      );
    });
  });
}
