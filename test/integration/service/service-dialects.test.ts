/**
 * The payment service on every database of the matrix (SQLite always; PostgreSQL and MySQL when their URLs
 * are set): exactly-once under concurrent deliveries, transactional hooks writing host tables in the same
 * commit, a real database error mid-transaction, out-of-order sequences and refunds.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  type PaymentAnomaly,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { createFakeProvider, type FakeProvider } from '../../../src/testing/fake-provider.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

for (const dialect of testDialects()) {
  describe(`payment service on ${dialect.name}`, () => {
    let t: TestDatabase;
    let db: Kysely<any>;
    let fake: FakeProvider;
    let service: PaymentService<unknown>;
    let paidHookCalls = 0;
    let failNextGrant: 'sql' | null = null;
    const anomalies: PaymentAnomaly[] = [];
    const notified: string[] = [];

    beforeAll(async () => {
      t = await dialect.open();
      db = t.db;
      await migrateToLatest(db);
      await db.schema
        .createTable('host_enrolments')
        .addColumn('order_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .execute();
      fake = createFakeProvider();
      service = createPaymentService({
        factory: createPaymentFactory({ providers: [fake] }),
        repositories: createKyselyRepositories(db),
        notificationDelivery: 'inline', // the hooks' calls are asserted right after each call
        hooks: {
          onOrderPaid: async ({ handle, order }) => {
            paidHookCalls += 1;
            const trx = handle;
            await trx
              .insertInto('host_enrolments')
              .values({ order_id: order.orderId, user_id: order.userId })
              .execute();
            if (failNextGrant === 'sql') {
              failNextGrant = null;
              // A real database error inside the transaction (PostgreSQL aborts the whole transaction).
              await sql`select * from table_that_does_not_exist`.execute(trx);
            }
          },
          afterCommit: (n) => {
            notified.push(`${n.type}:${n.order.orderId}`);
          },
          onAnomaly: (a) => {
            anomalies.push(a);
          },
        },
      });
    });

    afterAll(async () => {
      await t?.destroy();
    });

    async function charged(userId: string, amount = 1999) {
      const order = await service.initOrder({ userId, productId: 'course-1', payableAmount: amount, currency: 'CNY' });
      const dto = await service.createCharge({ orderId: order.orderId, clientIp: '10.0.0.1' });
      return { order, attemptId: dto.paymentPayload!.attemptId };
    }

    const enrolments = async (orderId: string) =>
      (await db.selectFrom('host_enrolments').selectAll().where('order_id', '=', orderId).execute()).length;

    it('pays an order and writes the host table in the same commit', async () => {
      const { order, attemptId } = await charged('u-pay');
      const w = fake.webhook(attemptId);
      await expect(service.handleWebhook({ provider: 'fake', ...w })).resolves.toMatchObject({ outcome: 'applied' });
      expect(await service.getOrder(order.orderId)).toMatchObject({
        status: 'paid',
        paidAmount: 1999,
        currency: 'CNY',
      });
      expect(await enrolments(order.orderId)).toBe(1);
      expect(notified).toContain(`order.paid:${order.orderId}`);
    });

    it('shares one attempt between 10 concurrent charges of one order', async () => {
      const order = await service.initOrder({
        userId: 'u-click',
        productId: 'course-1',
        payableAmount: 1999,
        currency: 'CNY',
      });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => service.createCharge({ orderId: order.orderId, clientIp: '10.0.0.1' })),
      );
      expect(new Set(results.map((r) => r.paymentPayload?.attemptId)).size).toBe(1);
      expect(await service.repositories.attempts.listByOrder(order.orderId)).toHaveLength(1);
    });

    it('applies 50 concurrent deliveries of one success exactly once', async () => {
      const { order, attemptId } = await charged('u-race');
      const w = fake.webhook(attemptId);
      const before = paidHookCalls;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => service.handleWebhook({ provider: 'fake', ...w })),
      );
      const outcomes = results.map((r) => r.outcome);
      expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(49);
      expect(paidHookCalls - before).toBe(1);
      expect(await enrolments(order.orderId)).toBe(1);
      const journal = await db
        .selectFrom('order_payment_events')
        .selectAll()
        .where('event_id', '=', w.eventId)
        .execute();
      expect(journal).toHaveLength(1);
    });

    it('applies 20 concurrent different success events for one payment once (row lock on the attempt)', async () => {
      const { order, attemptId } = await charged('u-race2');
      const before = paidHookCalls;
      const webhooks = Array.from({ length: 20 }, () => fake.webhook(attemptId));
      const results = await Promise.all(webhooks.map((w) => service.handleWebhook({ provider: 'fake', ...w })));
      expect(results.filter((r) => r.outcome === 'applied')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'ignored')).toHaveLength(19);
      expect(paidHookCalls - before).toBe(1);
      expect(await enrolments(order.orderId)).toBe(1);
    });

    it('leaves nothing half-written after a database error mid-transaction, answers 5xx, and the redelivery succeeds', async () => {
      const { order, attemptId } = await charged('u-dberr');
      const w = fake.webhook(attemptId);
      const handle = createWebhookHandler(service);
      failNextGrant = 'sql';
      const first = await handle(
        new Request('http://host/webhooks/fake', { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'pending', paidAmount: 0 });
      expect(await enrolments(order.orderId)).toBe(0);
      expect(
        await db.selectFrom('order_payment_events').selectAll().where('event_id', '=', w.eventId).execute(),
      ).toHaveLength(0);
      const again = await handle(
        new Request('http://host/webhooks/fake', { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ received: true, outcome: 'applied' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid' });
      expect(await enrolments(order.orderId)).toBe(1);
    });

    it('rejects an amount mismatch and reports it', async () => {
      const { order, attemptId } = await charged('u-amount');
      const result = await service.handleWebhook({
        provider: 'fake',
        ...fake.webhook(attemptId, 'payment.succeeded', { amount: 1 }),
      });
      expect(result.outcome).toBe('rejected');
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'pending' });
      expect(anomalies.at(-1)).toMatchObject({
        kind: 'amount_mismatch',
        orderId: order.orderId,
        expected: 1999,
        actual: 1,
      });
    });

    it('handles out-of-order sequences: failed after paid, refund before paid, succeeded after refunded', async () => {
      const { order, attemptId } = await charged('u-order');
      fake.pay(attemptId);
      const reference = [...fake.payments.values()].find((p) => p.attemptId === attemptId)!.id;
      await fake.refundPayment({
        refundId: `dash-${attemptId}`,
        attemptId,
        providerReference: reference,
        amount: 1999,
        currency: 'CNY',
      });
      const success = fake.webhook(attemptId);
      const refundEvent = fake.webhook(attemptId, 'refund.succeeded');
      await expect(service.handleWebhook({ provider: 'fake', ...refundEvent })).rejects.toMatchObject({
        code: 'EVENT_OUT_OF_ORDER',
      });
      await expect(service.handleWebhook({ provider: 'fake', ...success })).resolves.toMatchObject({
        outcome: 'applied',
      });
      await expect(
        service.handleWebhook({ provider: 'fake', ...fake.webhook(attemptId, 'payment.failed') }),
      ).resolves.toMatchObject({
        outcome: 'ignored',
      });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'paid' });
      await expect(service.handleWebhook({ provider: 'fake', ...refundEvent })).resolves.toMatchObject({
        outcome: 'applied',
      });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'refunded' });
      await expect(service.handleWebhook({ provider: 'fake', ...fake.webhook(attemptId) })).resolves.toMatchObject({
        outcome: 'ignored',
      });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'refunded' });
    });

    it('refunds partially then fully, and refuses over-refunds before calling the provider', async () => {
      const { order, attemptId } = await charged('u-refund', 1000);
      fake.pay(attemptId);
      await service.handleWebhook({ provider: 'fake', ...fake.webhook(attemptId) });
      await expect(service.refund({ orderId: order.orderId, amount: 400 })).resolves.toMatchObject({ remaining: 600 });
      const calls = fake.calls.length;
      await expect(service.refund({ orderId: order.orderId, amount: 601 })).rejects.toMatchObject({
        code: 'REFUND_EXCEEDS_REMAINDER',
      });
      expect(fake.calls.length).toBe(calls);
      await expect(service.refund({ orderId: order.orderId, amount: 600 })).resolves.toMatchObject({
        order: { status: 'refunded' },
      });
      const ledger = await db.selectFrom('order_refunds').selectAll().where('order_bid', '=', order.orderId).execute();
      expect(ledger).toHaveLength(2);
    });

    it('runs concurrent refunds of one order without over-refunding (row lock on the order)', async () => {
      const { order, attemptId } = await charged('u-refund-race', 1000);
      fake.pay(attemptId);
      await service.handleWebhook({ provider: 'fake', ...fake.webhook(attemptId) });
      const settled = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          service.refund({ orderId: order.orderId, amount: 300, refundId: `race-${i}` }),
        ),
      );
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(3);
      const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      expect(rejected.map((r) => (r.reason as { code: string }).code)).toEqual(
        Array(5).fill('REFUND_EXCEEDS_REMAINDER'),
      );
      const ledger = await db.selectFrom('order_refunds').selectAll().where('order_bid', '=', order.orderId).execute();
      expect(ledger).toHaveLength(3);
      expect(
        fake.payments.get([...fake.payments.values()].find((p) => p.attemptId === attemptId)!.id)!.refunds,
      ).toHaveLength(3);
    });

    it('joins identical refund requests without an id while the first is in flight (a double click refunds once)', async () => {
      const { order, attemptId } = await charged('u-refund-click', 1000);
      fake.pay(attemptId);
      await service.handleWebhook({ provider: 'fake', ...fake.webhook(attemptId) });
      // Hold the first provider call open, as a slow provider would, while the other clicks arrive.
      const original = fake.refundPayment.bind(fake);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inFlight = new Promise<void>((resolve) => (entered = resolve));
      fake.refundPayment = async (request) => {
        entered();
        await gate;
        return original(request);
      };
      try {
        const first = service.refund({ orderId: order.orderId, amount: 300 });
        await inFlight;
        const clicks = await Promise.all(
          Array.from({ length: 5 }, () => service.refund({ orderId: order.orderId, amount: 300 })),
        );
        release();
        const results = [await first, ...clicks];
        expect(new Set(results.map((r) => r.refund.refundId)).size).toBe(1);
        expect(clicks.map((r) => r.refund.status)).toEqual(Array(5).fill('pending'));
        expect((await first).refund.status).toBe('succeeded');
      } finally {
        fake.refundPayment = original;
      }
      const ledger = await db.selectFrom('order_refunds').selectAll().where('order_bid', '=', order.orderId).execute();
      expect(ledger).toHaveLength(1);
      expect(
        fake.payments.get([...fake.payments.values()].find((p) => p.attemptId === attemptId)!.id)!.refunds,
      ).toHaveLength(1);
    });
  });
}
