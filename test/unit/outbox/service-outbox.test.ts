/**
 * The service writes every announcing change to the outbox in the change's own transaction, and hands it to
 * the hooks after commit in the background (default), inline, or not at all (a worker does).
 */
import { describe, expect, it, vi } from 'vitest';
import {
  createOutboxDispatcher,
  createPaymentService,
  hookConsumers,
  pruneOutbox,
  startPaymentWorker,
  SWEEP_TYPE,
} from '../../../src/index.js';
import { createHarness, deliver, orderWithCharge } from '../service/harness.js';

const types = (h: ReturnType<typeof createHarness>) =>
  h.repositories
    .snapshot()
    .outbox.map((r) => r.type)
    .sort();

describe('outbox writes', () => {
  it('writes order.paid in the transaction that pays the order, once for any number of redeliveries', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    await deliver(h, h.fake.webhook(attemptId));
    await deliver(h, h.fake.webhook(attemptId));
    const rows = h.repositories.snapshot().outbox;
    expect(rows).toMatchObject([{ key: `order.paid:${order.orderId}`, type: 'order.paid', orderId: order.orderId }]);
    const payload = rows[0]!.payload as { order: { status: string; paidAmount: number }; attempt: { raw: null } };
    expect(payload.order).toMatchObject({ status: 'paid', paidAmount: 1999 });
    expect(payload.attempt.raw).toBeNull(); // provider objects (client secrets) stay in the attempt row
    expect(h.notifications).toHaveLength(1);
  });

  it('writes nothing when the transaction rolls back (a throwing onOrderPaid)', async () => {
    const h = createHarness({
      hooks: {
        onOrderPaid: () => {
          throw new Error('grant failed');
        },
      },
    });
    const { attemptId } = await orderWithCharge(h);
    await expect(deliver(h, h.fake.webhook(attemptId))).rejects.toThrow('grant failed');
    expect(h.repositories.snapshot().outbox).toEqual([]);
    expect(h.notifications).toEqual([]);
  });

  it('writes payment.failed, order.refunded and payment.anomaly rows', async () => {
    const h = createHarness();
    const failed = await orderWithCharge(h);
    h.fake.fail(failed.attemptId);
    await deliver(h, h.fake.webhook(failed.attemptId, 'payment.failed'));
    const mismatch = await orderWithCharge(h, 500);
    await deliver(h, h.fake.webhook(mismatch.attemptId, 'payment.succeeded', { amount: 1 }));
    const paid = await orderWithCharge(h, 700);
    h.fake.pay(paid.attemptId);
    await deliver(h, h.fake.webhook(paid.attemptId));
    await h.service.refund({ orderId: paid.order.orderId, amount: 300 });
    expect(types(h)).toEqual(['order.paid', 'order.refunded', 'payment.anomaly', 'payment.failed']);
    expect(h.repositories.snapshot().outbox.every((r) => r.status === 'delivered')).toBe(true);
    expect(h.anomalies.map((a) => a.kind)).toEqual(['amount_mismatch']);
  });
});

describe('after-commit delivery', () => {
  it('background (the default): the webhook answers before a slow hook finishes; the hook then gets it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const h = createHarness({
      options: { notificationDelivery: 'background' },
      hooks: {
        afterCommit: async (n) => {
          await gate; // a Feishu bot that takes its time
          seen.push(n.type);
        },
      },
    });
    const { order, attemptId } = await orderWithCharge(h);
    await expect(deliver(h, h.fake.webhook(attemptId))).resolves.toMatchObject({ outcome: 'applied' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('paid');
    expect(seen).toEqual([]); // answered while the hook still waits
    const [row] = h.repositories.snapshot().outbox;
    expect(row).toMatchObject({ status: 'pending' });
    release();
    await h.repositories.transaction(async () => {}); // let the background delivery's writes run
    for (let i = 0; i < 20 && h.repositories.snapshot().outbox[0]!.status !== 'delivered'; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(seen).toEqual(['order.paid']);
    expect(h.repositories.snapshot().outbox[0]).toMatchObject({ status: 'delivered', deliveredTo: ['afterCommit#0'] });
  });

  it('worker: the service runs no hook; a worker delivers to the same hooks, under the same names', async () => {
    const seen: string[] = [];
    const h = createHarness({
      options: { notificationDelivery: 'worker' },
      hooks: { afterCommit: (n) => void seen.push(`${n.type}:${n.order.orderId}`) },
    });
    const { order, attemptId } = await orderWithCharge(h);
    await deliver(h, h.fake.webhook(attemptId));
    expect(seen).toEqual([]);
    expect(h.service.hookConsumers.map((c) => c.name)).toEqual(['afterCommit#0', 'onAnomaly']);
    const worker = startPaymentWorker({ service: h.service, reconcile: false, clock: () => h.clock.now });
    try {
      // In-memory claims settle within microtasks, before the worker's first timer fires.
      expect(await worker.dispatchOnce()).toMatchObject({ delivered: 1 });
    } finally {
      await worker.stop();
    }
    expect(seen).toEqual([`order.paid:${order.orderId}`]);
    expect(await worker.health()).toMatchObject({ state: 'stopped', outbox: { delivered: 1, pending: 0 } });
  });

  it('revives the notification for afterCommit-style consumers: dates are Dates again', async () => {
    const h = createHarness({ options: { notificationDelivery: 'worker' } });
    const { attemptId } = await orderWithCharge(h);
    await deliver(h, h.fake.webhook(attemptId));
    const got: unknown[] = [];
    const dispatcher = createOutboxDispatcher({
      outbox: h.repositories.outbox,
      consumers: hookConsumers({ afterCommit: (n) => void got.push(n) }),
      clock: () => h.clock.now,
    });
    await dispatcher.dispatchOnce();
    const [n] = got as Array<{ order: { createdAt: unknown }; attempt: { paidAt: unknown } }>;
    expect(n?.order.createdAt).toBeInstanceOf(Date);
    expect(n?.attempt.paidAt).toBeInstanceOf(Date);
  });
});

describe('reconcile across instances', () => {
  it('two instances reconciling at once ask the provider once per attempt, and split the attempts', async () => {
    const h = createHarness();
    const attempts: string[] = [];
    for (let i = 0; i < 12; i += 1) attempts.push((await orderWithCharge(h, 100 + i)).attemptId);
    const asked: string[] = [];
    const provider = h.service.factory.providers.get('fake')!;
    const retrieve = provider.retrievePayment.bind(provider);
    provider.retrievePayment = async (request, options) => {
      asked.push(request.attemptId ?? request.providerReference);
      await new Promise((resolve) => setImmediate(resolve)); // let the other instance run meanwhile
      return retrieve(request, options);
    };
    h.clock.advance(10 * 60_000);
    // Two service instances over one database (the in-memory repositories stand for it).
    const other = createPaymentService<null>({
      factory: h.service.factory,
      repositories: h.repositories,
      clock: () => h.clock.now,
    });
    const [a, b] = await Promise.all([
      h.service.reconcile({ olderThan: 0, holdMs: 60_000 }),
      other.reconcile({ olderThan: 0, holdMs: 60_000 }),
    ]);
    expect(asked.length).toBe(new Set(asked).size); // no attempt asked about twice
    expect(a.checked + b.checked).toBe(12);
    expect(a.claimedElsewhere + b.claimedElsewhere).toBe(12);
  });
});

describe('the order-expiry sweep', () => {
  it('times out expired orders without a pending attempt, once, across two instances; leaves the others to reconcile', async () => {
    const h = createHarness();
    const open: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      open.push(
        (await h.service.initOrder({ userId: `u${i}`, productId: 'p', payableAmount: 100, currency: 'USD' })).orderId,
      );
    }
    const charged = await orderWithCharge(h);
    h.clock.advance(11 * 60_000);
    const other = createPaymentService<null>({
      factory: h.service.factory,
      repositories: h.repositories,
      clock: () => h.clock.now,
    });
    const [a, b] = await Promise.all([h.service.expireOrders(), other.expireOrders()]);
    expect(a.timedOut + b.timedOut).toBe(6);
    for (const orderId of open) expect((await h.service.getOrder(orderId))?.status).toBe('timeout');
    expect((await h.service.getOrder(charged.order.orderId))?.status).toBe('pending');
    expect(a.leftToReconcile + b.leftToReconcile).toBeGreaterThanOrEqual(1);
  });
});

describe('sweep claims and retention', () => {
  it('reconcile leaves no phantom backlog: its sweep claims count nowhere, and a prune removes them after their hold', async () => {
    const h = createHarness({ options: { notificationDelivery: 'worker' } });
    for (let i = 0; i < 3; i += 1) await orderWithCharge(h, 100 + i);
    h.clock.advance(10 * 60_000);
    const report = await h.service.reconcile({ olderThan: 0, holdMs: 30_000 });
    expect(report.checked).toBe(3);
    const sweeps = h.repositories.snapshot().outbox.filter((r) => r.type === SWEEP_TYPE);
    expect(sweeps.map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    expect(await h.repositories.outbox.stats()).toEqual({ pending: 0, delivered: 0, dead: 0, oldestPendingAt: null });
    expect(await h.repositories.outbox.list({ limit: 100 })).toEqual([]);
    const worker = startPaymentWorker({ service: h.service, reconcile: false, prune: false, clock: () => h.clock.now });
    await worker.stop();
    expect((await worker.health()).outbox).toMatchObject({ pending: 0 });

    // Within their hold they stay (another instance must skip those attempts); an hour after it, they go.
    expect((await pruneOutbox(h.repositories.outbox, { clock: () => h.clock.now })).deleted).toBe(0);
    h.clock.advance(2 * 3_600_000);
    expect(await pruneOutbox(h.repositories.outbox, { clock: () => h.clock.now })).toEqual({
      deleted: 3,
      batches: 1,
      more: false,
    });
    expect(h.repositories.snapshot().outbox.filter((r) => r.type === SWEEP_TYPE)).toEqual([]);
  });

  it('the worker prunes delivered rows past the retention, batch by batch, and keeps newer ones', async () => {
    const h = createHarness({ options: { notificationDelivery: 'worker' } });
    for (let i = 0; i < 5; i += 1) {
      const { attemptId } = await orderWithCharge(h, 100 + i);
      await deliver(h, h.fake.webhook(attemptId));
    }
    const dispatcher = createOutboxDispatcher({
      outbox: h.repositories.outbox,
      consumers: h.service.hookConsumers,
      clock: () => h.clock.now,
    });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ delivered: 5 });
    h.clock.advance(2 * 86_400_000);
    const { attemptId } = await orderWithCharge(h, 200);
    await deliver(h, h.fake.webhook(attemptId));
    expect(await dispatcher.dispatchOnce()).toMatchObject({ delivered: 1 });
    const worker = startPaymentWorker({
      service: h.service,
      reconcile: false,
      prune: { retentionMs: 86_400_000, batchSize: 2 },
      clock: () => h.clock.now,
    });
    try {
      await vi.waitFor(async () => expect((await worker.health()).pruned).toBe(5));
    } finally {
      await worker.stop();
    }
    const left = h.repositories.snapshot().outbox.filter((r) => r.type === 'order.paid');
    expect(left.map((r) => r.status)).toEqual(['delivered']);
    expect(left[0]?.deliveredAt?.getTime()).toBe(h.clock.now.getTime());
  });

  it('refuses a retention, batch size or batch count that is not a positive integer', async () => {
    const h = createHarness();
    for (const bad of [{ retentionMs: 0 }, { batchSize: 1001 }, { maxBatches: 1.5 }]) {
      await expect(pruneOutbox(h.repositories.outbox, bad)).rejects.toMatchObject({ name: 'ValidationError' });
    }
  });
});
