/**
 * Native Alipay refunds and expiry through the whole service, on every database of the matrix, with the real
 * `alipay-sdk` talking to the emulator: what is refused before anything is written, and refunds under faults (a
 * timeout or a dropped connection after Alipay refunded, 5xx, 429, a refund still processing, refunds made in
 * Alipay's portal, a refund query that fails) — each refunds exactly once, and the ledger, read with plain SQL,
 * holds each refund's own amount.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAlipayProvider } from '../../../src/alipay/index.js';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { refundStatusFromCode } from '../../../src/kysely/status-codes.js';
import { REFUND_CALL_LEASE_MS } from '../../../src/service/refund.js';
import { startAlipayEmulator, type AlipayEmulator } from '../../../src/testing/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

const DAY_SECONDS = 86_400;
/** The adapter's timeout. */
const TIMEOUT_MS = 3_000;

for (const dialect of testDialects()) {
  describe(`native Alipay refunds and expiry through the service on ${dialect.name}`, () => {
    let t: TestDatabase;
    const refundedHooks: string[] = [];
    let emulator: AlipayEmulator;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;
    let userSequence = 0;
    // One clock for the service and the emulator, moved past the refund-call lease to retry a refund.
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    const afterLease = () => (offset += REFUND_CALL_LEASE_MS + 1_000);

    beforeAll(async () => {
      t = await dialect.open();
      await migrateToLatest(t.db);
      emulator = await startAlipayEmulator({ clock });
      service = createPaymentService({
        factory: createPaymentFactory({
          providers: [createAlipayProvider({ ...emulator.providerOptions, timeoutMs: TIMEOUT_MS })],
          enabled: ['alipay'],
        }),
        repositories: createKyselyRepositories(t.db),
        // Orders stay payable for 30 days: longer than Alipay's 15-day time_expire.
        orderExpireSeconds: 30 * DAY_SECONDS,
        clock,
        notificationDelivery: 'inline',
        hooks: { onOrderRefunded: ({ order }) => void refundedHooks.push(order.orderId) },
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
    /** The ledger as plain SQL reads it: `refund id amount status`, sorted. */
    const refundRows = async (orderId: string) =>
      (
        await sql<{
          refund_bid: string;
          amount: number | string;
          status: number | string;
        }>`select refund_bid, amount, status from order_refunds where order_bid = ${orderId}`.execute(t.db)
      ).rows
        .map((r) => `${r.refund_bid} ${Number(r.amount)} ${refundStatusFromCode(Number(r.status))}`)
        .sort();
    /** What the emulator's trade holds: `out_request_no amount status`, in order. */
    const tradeRefunds = (attemptId: string) =>
      emulator.controls.getTrade(attemptId)!.refunds.map((r) => `${r.outRequestNo} ${r.amount} ${r.status}`);
    /** How many alipay.trade.refund calls named this out_request_no. */
    const refundCalls = (refundId: string) =>
      emulator.requests.filter(
        (r) => r.apiMethod === 'alipay.trade.refund' && r.params['biz_content']?.includes(`"${refundId}"`),
      ).length;
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
      expect(tradeRefunds(attemptId)).toEqual([]);
      // The order is untouched: the same refund under a valid id goes through.
      const ok = await service.refund({ orderId, amount: 500, refundId: 'r_valid_after_uuid' });
      expect(ok.refund).toMatchObject({ status: 'succeeded', amount: 500 });
    });

    it('refunds once when the answer times out after Alipay refunded, and the retry settles the same refund', async () => {
      const { orderId, attemptId } = await paidOrder(3000);
      // Alipay refunds at once and answers after the client gave up. (The emulator runs in this process: the timeout is
      // generous so a loaded machine still delivers the request before the client stops waiting.)
      emulator.controls.delayNext(TIMEOUT_MS + 1_500, { method: 'alipay.trade.refund' });
      await expect(service.refund({ orderId, amount: 3000, refundId: 'r_timeout' })).rejects.toMatchObject({
        name: 'IndeterminateOutcomeError',
        retryable: true,
      });
      await vi.waitFor(() => expect(tradeRefunds(attemptId)).toEqual(['r_timeout 3000 succeeded'])); // Alipay refunded
      expect(await refundRows(orderId)).toEqual(['r_timeout 3000 pending']); // we do not know yet
      // Within the lease nobody calls Alipay again for this refund.
      expect((await service.refund({ orderId, refundId: 'r_timeout' })).refund.status).toBe('pending');
      expect(refundCalls('r_timeout')).toBe(1);
      afterLease();
      const retried = await service.refund({ orderId, refundId: 'r_timeout' });
      expect(retried.refund).toMatchObject({ status: 'succeeded', amount: 3000 });
      expect(retried.order.status).toBe('refunded');
      expect(refundCalls('r_timeout')).toBe(2); // the same out_request_no: fund_change N, no second refund
      expect(tradeRefunds(attemptId)).toEqual(['r_timeout 3000 succeeded']);
      // Alipay's notification of that refund changes nothing more.
      expect(await post(emulator.controls.notificationFor(attemptId, { refund: 'r_timeout' }))).toEqual([
        200,
        'success',
      ]);
      expect(await refundRows(orderId)).toEqual(['r_timeout 3000 succeeded']);
      expect(refundedHooks.filter((id) => id === orderId)).toHaveLength(1);
    });

    it('refunds once when the connection drops after Alipay refunded (and urllib re-sent it)', async () => {
      const { orderId, attemptId } = await paidOrder(1000);
      emulator.controls.dropConnectionAfterActing({ count: 2, method: 'alipay.trade.refund' });
      await expect(service.refund({ orderId, amount: 400, refundId: 'r_drop' })).rejects.toMatchObject({
        name: 'IndeterminateOutcomeError',
      });
      expect(tradeRefunds(attemptId)).toEqual(['r_drop 400 succeeded']);
      afterLease();
      expect((await service.refund({ orderId, refundId: 'r_drop' })).refund).toMatchObject({
        status: 'succeeded',
        amount: 400,
      });
      expect(tradeRefunds(attemptId)).toEqual(['r_drop 400 succeeded']);
      expect(await refundRows(orderId)).toEqual(['r_drop 400 succeeded']);
    });

    it('keeps a refund pending on 5xx and 429 (Alipay did nothing), and the retry refunds it once', async () => {
      const { orderId, attemptId } = await paidOrder(1000);
      emulator.controls.failNext({ status: 502, method: 'alipay.trade.refund' });
      await expect(service.refund({ orderId, amount: 600, refundId: 'r_5xx' })).rejects.toMatchObject({
        name: 'IndeterminateOutcomeError',
      });
      expect(tradeRefunds(attemptId)).toEqual([]);
      afterLease();
      emulator.controls.failNext({ status: 429, method: 'alipay.trade.refund' });
      await expect(service.refund({ orderId, refundId: 'r_5xx' })).rejects.toMatchObject({
        name: 'ProviderUnavailableError',
        code: 'ALIPAY_RATE_LIMITED',
        retryable: true,
      });
      expect(await refundRows(orderId)).toEqual(['r_5xx 600 pending']);
      afterLease();
      expect((await service.refund({ orderId, refundId: 'r_5xx' })).refund.status).toBe('succeeded');
      expect(tradeRefunds(attemptId)).toEqual(['r_5xx 600 succeeded']);
      // What is left is still refundable, exactly.
      expect((await service.refund({ orderId, refundId: 'r_rest' })).refund).toMatchObject({ amount: 400 });
      expect(await refundRows(orderId)).toEqual(['r_5xx 600 succeeded', 'r_rest 400 succeeded']);
    });

    it('keeps a refund Alipay is still processing pending until its notification says it succeeded', async () => {
      const { orderId, attemptId } = await paidOrder(800);
      emulator.controls.setRefundMode('pending');
      try {
        const accepted = await service.refund({ orderId, amount: 800, refundId: 'r_processing' });
        expect(accepted.refund.status).toBe('pending');
        expect(accepted.order.status).toBe('paid');
      } finally {
        emulator.controls.setRefundMode('succeeded');
      }
      expect(tradeRefunds(attemptId)).toEqual(['r_processing 800 pending']);
      expect(() => emulator.controls.notificationFor(attemptId, { refund: 'r_processing' })).toThrow(/notifies/);
      emulator.controls.settleRefund(attemptId, 'r_processing', 'succeeded');
      expect(await post(emulator.controls.notificationFor(attemptId, { refund: 'r_processing' }))).toEqual([
        200,
        'success',
      ]);
      expect(await refundRows(orderId)).toEqual(['r_processing 800 succeeded']);
      expect(await service.getOrder(orderId)).toMatchObject({ status: 'refunded' });
    });

    it('settles a refund whose notification was lost by syncPayment (alipay.trade.fastpay.refund.query)', async () => {
      const { orderId, attemptId } = await paidOrder(900);
      emulator.controls.setRefundMode('pending');
      try {
        expect((await service.refund({ orderId, amount: 400, refundId: 'r_sync_lost' })).refund.status).toBe('pending');
      } finally {
        emulator.controls.setRefundMode('succeeded');
      }
      const queries = () =>
        emulator.requests.filter(
          (r) =>
            r.apiMethod === 'alipay.trade.fastpay.refund.query' && r.params['biz_content']?.includes('"r_sync_lost"'),
        ).length;
      const asked = queries();
      // Still processing at Alipay: a sync asks about it and changes nothing.
      expect((await service.syncPayment({ orderId })).changed).toBe(false);
      expect(queries()).toBe(asked + 1);
      expect(await refundRows(orderId)).toEqual(['r_sync_lost 400 pending']);
      emulator.controls.settleRefund(attemptId, 'r_sync_lost', 'succeeded'); // its notification never arrives
      const sync = await service.syncPayment({ orderId });
      expect(sync.changed).toBe(true);
      expect(sync.order.status).toBe('paid'); // 400 of 900
      expect(await refundRows(orderId)).toEqual(['r_sync_lost 400 succeeded']);
      // Settled refunds are not asked about again, and the late notification is a no-op.
      expect((await service.syncPayment({ orderId })).changed).toBe(false);
      expect(queries()).toBe(asked + 2);
      expect(await post(emulator.controls.notificationFor(attemptId, { refund: 'r_sync_lost' }))).toEqual([
        200,
        'success',
      ]);
      expect(await refundRows(orderId)).toEqual(['r_sync_lost 400 succeeded']);
    });

    it('settles a full refund whose notification was lost on reconcile, refunding the order', async () => {
      const { orderId, attemptId } = await paidOrder(700);
      emulator.controls.setRefundMode('pending');
      try {
        expect((await service.refund({ orderId, refundId: 'r_reconcile_lost' })).refund.status).toBe('pending');
      } finally {
        emulator.controls.setRefundMode('succeeded');
      }
      const cutoff = () => new Date(clock().getTime() + 1_000);
      expect((await service.reconcile({ olderThan: cutoff(), limit: 500 })).details).toContainEqual({
        attemptId,
        orderId,
        outcome: 'pending',
      });
      emulator.controls.settleRefund(attemptId, 'r_reconcile_lost', 'succeeded');
      const report = await service.reconcile({ olderThan: cutoff(), limit: 500 });
      expect(report.details).toContainEqual({ attemptId, orderId, outcome: 'changed' });
      expect(await refundRows(orderId)).toEqual(['r_reconcile_lost 700 succeeded']);
      expect(await service.getOrder(orderId)).toMatchObject({ status: 'refunded' });
      expect(refundedHooks).toContain(orderId);
    });

    it("records refunds made in Alipay's portal with their own amounts, not the cumulative refund_fee", async () => {
      const { orderId, attemptId } = await paidOrder(1000);
      await service.refund({ orderId, amount: 300, refundId: 'r_ours' });
      const portal = emulator.controls.refund(attemptId, { amount: 200 });
      const second = emulator.controls.notificationFor(attemptId, { refund: portal.outRequestNo });
      expect(second.params['refund_fee']).toBe('5.00'); // 3.00 + 2.00: the trade's running total
      // Alipay's query does not answer at first: the notification is refused for a redelivery, nothing recorded.
      emulator.controls.failNext({ status: 503, method: 'alipay.trade.fastpay.refund.query' });
      expect(await post(second)).toEqual([503, 'failure']);
      expect(await refundRows(orderId)).toEqual(['r_ours 300 succeeded']);
      expect(await post(second)).toEqual([200, 'success']);
      expect(await refundRows(orderId)).toEqual([`${portal.outRequestNo} 200 succeeded`, 'r_ours 300 succeeded']);
      expect(await service.getOrder(orderId)).toMatchObject({ status: 'paid' });
      const rest = emulator.controls.refund(attemptId); // the remaining 5.00
      expect(await post(emulator.controls.notificationFor(attemptId, { refund: rest.outRequestNo }))).toEqual([
        200,
        'success',
      ]);
      expect(await refundRows(orderId)).toEqual(
        [`${portal.outRequestNo} 200 succeeded`, `${rest.outRequestNo} 500 succeeded`, 'r_ours 300 succeeded'].sort(),
      );
      expect(await service.getOrder(orderId)).toMatchObject({ status: 'refunded' });
    });

    it('asks for a redelivery of a refund notification Alipay cannot show, recording nothing', async () => {
      const { orderId, attemptId } = await paidOrder(1000);
      emulator.controls.refund(attemptId, { amount: 100, outRequestNo: 'portal_known' });
      const unknown = emulator.controls.notificationFor(attemptId, {
        refund: 'portal_known',
        overrides: { out_biz_no: 'portal_unknown' },
      });
      expect(await post(unknown)).toEqual([503, 'failure']);
      expect(await refundRows(orderId)).toEqual([]);
    });
  });
}
