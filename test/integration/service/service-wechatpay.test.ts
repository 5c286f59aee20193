/**
 * Native WeChat Pay through the whole service, on every database of the matrix, with Ping++ enabled beside
 * it (a migration): routing of bare and `provider:` channels, notifications through the web handler (answered
 * `{"code":"SUCCESS"}` / `{"code":"FAIL",…}`), refunds that WeChat Pay settles later by notification,
 * reconcile after a lost notification, and a timeout that closes the order at WeChat Pay first. The adapter
 * talks to the emulator over HTTP.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  startPingxxEmulator,
  startWechatPayEmulator,
  type PingxxEmulator,
  type WechatPayEmulator,
} from '../../../src/testing/index.js';
import { createWechatPayProvider } from '../../../src/wechatpay/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

for (const dialect of testDialects()) {
  describe(`native WeChat Pay beside Ping++ through the service on ${dialect.name}`, () => {
    let t: TestDatabase;
    let wechatEmulator: WechatPayEmulator;
    let pingxxEmulator: PingxxEmulator;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;
    let offsetMs = 0;
    const anomalies: PaymentAnomaly[] = [];

    beforeAll(async () => {
      t = await dialect.open();
      await migrateToLatest(t.db);
      wechatEmulator = await startWechatPayEmulator();
      pingxxEmulator = await startPingxxEmulator();
      service = createPaymentService({
        factory: createPaymentFactory({
          providers: [
            createPingxxProvider({ ...pingxxEmulator.providerOptions }),
            createWechatPayProvider({ ...wechatEmulator.providerOptions, timeoutMs: 5_000 }),
          ],
          enabled: ['pingxx', 'wechatpay'],
        }),
        repositories: createKyselyRepositories(t.db),
        hooks: { onAnomaly: (a) => void anomalies.push(a) },
        // The anomaly assertion reads the hook's effect right after the webhook answers.
        notificationDelivery: 'inline',
        clock: () => new Date(Date.now() + offsetMs),
      });
      handle = createWebhookHandler(service);
    });

    afterAll(async () => {
      await wechatEmulator?.close();
      await pingxxEmulator?.close();
      await t?.destroy();
    });

    const post = async (w: { rawBody: string; headers: Record<string, string> }) => {
      const response = await handle(
        new Request('http://host/webhooks/wechatpay', { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      return { status: response.status, body: await response.text() };
    };
    const attemptOf = async (attemptId: string) => (await service.repositories.attempts.findById(attemptId))!;
    const row = async (attemptId: string) =>
      (
        await sql<
          Record<string, unknown>
        >`select * from order_wechatpay_orders where wechatpay_order_bid = ${attemptId}`.execute(t.db)
      ).rows[0];
    const SUCCESS = { status: 200, body: '{"code":"SUCCESS"}' };

    it('routes a bare wx_pub_qr to WeChat Pay and pays it through a notification answered SUCCESS', async () => {
      const order = await service.initOrder({ userId: 'u1', productId: 'c1', payableAmount: 9900, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'wx_pub_qr',
        subject: '课程\n🎉 Python',
      });
      expect(dto.paymentChannel).toBe('wechatpay');
      expect(dto.qrUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
      const attemptId = dto.paymentPayload!.attemptId;
      expect(await attemptOf(attemptId)).toMatchObject({
        providerKind: 'wechatpay',
        providerReference: attemptId,
        amount: 9900,
      });
      expect(await row(attemptId)).toMatchObject({
        provider_attempt_id: attemptId,
        channel: 'wx_pub_qr',
        currency: 'CNY',
      });
      const sent = JSON.parse(wechatEmulator.requests.find((r) => r.url === '/v3/pay/transactions/native')!.body);
      expect(sent).toMatchObject({
        out_trade_no: attemptId,
        attach: order.orderId,
        description: '课程 Python',
        amount: { total: 9900, currency: 'CNY' },
        notify_url: wechatEmulator.providerOptions.notifyUrl,
      });
      expect(sent.time_expire).toMatch(/\+08:00$/);
      // raw_request is the body as sent (the signature travels in a header, never in the row).
      const created = await row(attemptId);
      expect(JSON.parse(String(created!['raw_request']))).toEqual(sent);
      expect(created!['raw_notification']).toBeNull();
      expect(String(created!['raw_request'])).not.toContain(wechatEmulator.apiV3Key);

      const paid = wechatEmulator.controls.pay(attemptId);
      const notification = wechatEmulator.controls.notificationFor(attemptId);
      const tampered = { ...notification, rawBody: notification.rawBody.replace('"id":"', '"id":"x') };
      expect(await post(tampered)).toEqual({ status: 400, body: '{"code":"FAIL","message":"notification refused"}' });
      expect(await post({ rawBody: notification.rawBody, headers: { 'content-type': 'application/json' } })).toEqual({
        status: 400,
        body: '{"code":"FAIL","message":"notification refused"}',
      });
      expect(await post(notification)).toEqual(SUCCESS);
      expect(await post(notification)).toEqual(SUCCESS); // a redelivery is a duplicate
      expect(await service.getOrder(order.orderId)).toMatchObject({
        status: 'paid',
        paidAmount: 9900,
        paymentChannel: 'wechatpay',
      });
      expect(await attemptOf(attemptId)).toMatchObject({ status: 'paid', transactionId: paid.transactionId });
      expect(await service.repositories.events.listByOrder(order.orderId)).toEqual([
        expect.objectContaining({ provider: 'wechatpay', attemptId, orderId: order.orderId, outcome: 'applied' }),
      ]);
      const stored = await row(attemptId);
      expect(stored).toMatchObject({ transaction_id: paid.transactionId, raw_status: 'SUCCESS' });
      // raw_notification is the verified notification's decrypted resource; the ciphertext is not kept.
      expect(JSON.parse(String(stored!['raw_notification']))).toEqual(notification.resource);
      expect(String(stored!['raw_notification'])).not.toContain('ciphertext');
      expect(JSON.parse(String(stored!['raw_request']))).toEqual(sent);
    });

    it('still sends pingxx:wx_pub_qr to Ping++ while native WeChat Pay is enabled', async () => {
      const order = await service.initOrder({ userId: 'u2', productId: 'c2', payableAmount: 100, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'pingxx:wx_pub_qr',
        clientIp: '203.0.113.9',
        extra: { productId: 'c2' },
      });
      expect(dto.paymentChannel).toBe('pingxx');
      expect(await attemptOf(dto.paymentPayload!.attemptId)).toMatchObject({ providerKind: 'pingxx' });
    });

    it('refunds in two parts that WeChat Pay settles later, by refund notifications', async () => {
      const order = await service.initOrder({ userId: 'u3', productId: 'c3', payableAmount: 5000, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'wechatpay' });
      wechatEmulator.controls.pay(dto);
      expect(await post(wechatEmulator.controls.notificationFor(dto))).toEqual(SUCCESS);
      const first = await service.refund({ orderId: order.orderId, amount: 2000, reason: '部分退款' });
      expect(first.refund).toMatchObject({ amount: 2000, status: 'pending' });
      const second = await service.refund({ orderId: order.orderId });
      expect(second.refund).toMatchObject({ amount: 3000, status: 'pending' });
      const sent = JSON.parse(wechatEmulator.requests.filter((r) => r.url === '/v3/refund/domestic/refunds')[0]!.body);
      expect(sent).toMatchObject({
        out_refund_no: first.refund.refundId,
        amount: { refund: 2000, total: 5000, currency: 'CNY' },
      });

      for (const refund of [first.refund, second.refund]) {
        wechatEmulator.controls.settleRefund(refund.refundId);
        expect(await post(wechatEmulator.controls.notificationFor(dto, { refund: refund.refundId }))).toEqual(SUCCESS);
      }
      const refunds = await service.repositories.refunds.listByOrder(order.orderId);
      expect(refunds.map((r) => [r.amount, r.status]).sort()).toEqual([
        [2000, 'succeeded'],
        [3000, 'succeeded'],
      ]);
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'refunded' });
    });

    it('settles a pending refund whose notification was lost by syncPayment (refund query by out_refund_no)', async () => {
      const order = await service.initOrder({ userId: 'u7', productId: 'c7', payableAmount: 3000, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'wechatpay' });
      wechatEmulator.controls.pay(dto);
      expect(await post(wechatEmulator.controls.notificationFor(dto))).toEqual(SUCCESS);
      const { refund } = await service.refund({ orderId: order.orderId });
      expect(refund).toMatchObject({ amount: 3000, status: 'pending' });
      // Still processing at WeChat Pay: a sync changes nothing.
      expect((await service.syncPayment({ orderId: order.orderId })).changed).toBe(false);
      wechatEmulator.controls.settleRefund(refund.refundId); // its notification never arrives
      const sync = await service.syncPayment({ orderId: order.orderId });
      expect(sync.changed).toBe(true);
      expect(wechatEmulator.requests.map((r) => r.url)).toContain(`/v3/refund/domestic/refunds/${refund.refundId}`);
      expect(await service.repositories.refunds.findById(refund.refundId)).toMatchObject({ status: 'succeeded' });
      expect(sync.order).toMatchObject({ status: 'refunded' });
      // The late notification is then a no-op.
      expect(await post(wechatEmulator.controls.notificationFor(dto, { refund: refund.refundId }))).toEqual(SUCCESS);
      expect((await service.syncPayment({ orderId: order.orderId })).changed).toBe(false);
    });

    it('settles a partial refund whose notification was lost on reconcile, asking only about pending refunds', async () => {
      const order = await service.initOrder({ userId: 'u8', productId: 'c8', payableAmount: 3000, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'wechatpay' });
      wechatEmulator.controls.pay(dto);
      expect(await post(wechatEmulator.controls.notificationFor(dto))).toEqual(SUCCESS);
      const attemptId = dto.paymentPayload!.attemptId;
      const { refund } = await service.refund({ orderId: order.orderId, amount: 1000 });
      expect(refund.status).toBe('pending');
      const lookups = () =>
        wechatEmulator.requests.filter((r) => r.url === `/v3/refund/domestic/refunds/${refund.refundId}`).length;
      const cutoff = () => new Date(Date.now() + offsetMs + 1_000);
      const before = await service.reconcile({ olderThan: cutoff(), limit: 500 });
      expect(before.details).toContainEqual({ attemptId, orderId: order.orderId, outcome: 'pending' });
      expect(lookups()).toBe(1);
      wechatEmulator.controls.settleRefund(refund.refundId); // its notification never arrives
      const report = await service.reconcile({ olderThan: cutoff(), limit: 500 });
      expect(report.details).toContainEqual({ attemptId, orderId: order.orderId, outcome: 'changed' });
      expect(await service.repositories.refunds.findById(refund.refundId)).toMatchObject({ status: 'succeeded' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid' });
      // Settled: the next run does not ask about it again.
      const after = await service.reconcile({ olderThan: cutoff(), limit: 500 });
      expect(after.details.map((d) => d.attemptId)).not.toContain(attemptId);
      expect(lookups()).toBe(2);
    });

    it('refuses a refund id WeChat Pay cannot carry as out_refund_no before writing the refund row', async () => {
      const order = await service.initOrder({ userId: 'u9', productId: 'c9', payableAmount: 1200, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'wechatpay' });
      wechatEmulator.controls.pay(dto);
      expect(await post(wechatEmulator.controls.notificationFor(dto))).toEqual(SUCCESS);
      const before = wechatEmulator.requestCount;
      await expect(service.refund({ orderId: order.orderId, refundId: 'refund #1 (bad)' })).rejects.toMatchObject({
        name: 'ValidationError',
        code: 'INVALID_ID',
        field: 'refundId',
      });
      expect(await service.repositories.refunds.listByOrder(order.orderId)).toEqual([]);
      expect(wechatEmulator.requestCount).toBe(before);
    });

    it('records a refund made outside the library (merchant platform) from its refund notification', async () => {
      const order = await service.initOrder({ userId: 'u8', productId: 'c8', payableAmount: 2500, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'wechatpay' });
      const attemptId = dto.paymentPayload!.attemptId;
      wechatEmulator.controls.pay(dto);
      expect(await post(wechatEmulator.controls.notificationFor(dto))).toEqual(SUCCESS);
      // Refunded at WeChat Pay directly, with an out_refund_no the ledger has never seen.
      const outside = `MP${Date.now()}`;
      await service.factory.refundPayment('wechatpay', {
        refundId: outside,
        attemptId,
        providerReference: attemptId,
        amount: 1000,
        currency: 'CNY',
        paymentAmount: 2500,
      });
      wechatEmulator.controls.settleRefund(outside);
      expect(await post(wechatEmulator.controls.notificationFor(dto, { refund: outside }))).toEqual(SUCCESS);
      expect(await service.repositories.refunds.listByOrder(order.orderId)).toEqual([
        expect.objectContaining({ refundId: outside, amount: 1000, status: 'succeeded', attemptId }),
      ]);
      const rest = await service.refund({ orderId: order.orderId });
      expect(rest.refund.amount).toBe(1500); // the outside refund counts against the remainder
    });

    it('reconciles a JSAPI payment whose notification was lost', async () => {
      const order = await service.initOrder({ userId: 'u4', productId: 'c4', payableAmount: 4200, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'wx_pub',
        extra: { openId: 'oUpF8uMuAJO_M2px' },
      });
      expect(dto.paymentPayload?.nextAction.type).toBe('wechat_jsapi');
      const attemptId = dto.paymentPayload!.attemptId;
      wechatEmulator.controls.pay(attemptId);
      const report = await service.reconcile({ olderThan: new Date(Date.now() + 1000), limit: 50 });
      expect(report.errors).toEqual([]);
      expect(report.details).toContainEqual({ attemptId, orderId: order.orderId, outcome: 'changed' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid', paidAmount: 4200 });
      expect(await post(wechatEmulator.controls.notificationFor(attemptId))).toEqual(SUCCESS);
    });

    it('closes an unpaid order at WeChat Pay before timing it out', async () => {
      const order = await service.initOrder({ userId: 'u6', productId: 'c6', payableAmount: 800, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, channel: 'wx_pub_qr' });
      const attemptId = dto.paymentPayload!.attemptId;
      offsetMs = 25 * 3600 * 1000;
      try {
        const report = await service.reconcile({ olderThan: 0, limit: 200 });
        expect(report.errors).toEqual([]);
      } finally {
        offsetMs = 0;
      }
      expect(wechatEmulator.controls.getOrder(attemptId)?.tradeState).toBe('CLOSED');
      expect(
        wechatEmulator.requests.some((r) => r.url === `/v3/pay/transactions/out-trade-no/${attemptId}/close`),
      ).toBe(true);
      expect(await attemptOf(attemptId)).toMatchObject({ status: 'closed' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'timeout' });
    });

    it('rejects a signed notification whose amount differs from the attempt, answering SUCCESS (no redelivery helps)', async () => {
      const order = await service.initOrder({ userId: 'u5', productId: 'c5', payableAmount: 1000, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, channel: 'wx_pub_qr' });
      const attemptId = dto.paymentPayload!.attemptId;
      wechatEmulator.controls.pay(attemptId);
      const wrong = wechatEmulator.controls.notificationFor(attemptId, {
        overrides: { amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } },
      });
      expect(await post(wrong)).toEqual(SUCCESS);
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'pending' });
      expect(anomalies).toContainEqual(expect.objectContaining({ kind: 'amount_mismatch', attemptId }));
    });
  });
}
