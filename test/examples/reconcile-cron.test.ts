import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type PaymentService, type ReconcileReport } from '@org/payment-factory';
import { logReconcileReport, startReconcileLoop } from '../../examples/reconcile-cron.js';
import { startDemo, type Demo } from '../../examples/shared/demo-stack.js';
import { recordingLogger } from '../unit/notifiers/recording-logger.js';

/** Resolves with the loop's reports as they come. */
function reportQueue(): { onReport(report: ReconcileReport): void; next(): Promise<ReconcileReport> } {
  const ready: ReconcileReport[] = [];
  const waiting: Array<(report: ReconcileReport) => void> = [];
  return {
    onReport(report) {
      const waiter = waiting.shift();
      if (waiter) waiter(report);
      else ready.push(report);
    },
    next() {
      const report = ready.shift();
      return report ? Promise.resolve(report) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe('examples/reconcile-cron', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({ logger: silentLogger });
  });
  afterAll(async () => {
    await demo.close();
  });

  it('pays an order whose webhook was lost and leaves an unpaid one pending; the late webhook changes nothing', async () => {
    const lost = await demo.checkout({ userId: 'user_lost' });
    demo.pay(lost.reference);
    const unpaid = await demo.checkout({ userId: 'user_unpaid' });
    const logger = recordingLogger();
    const reports = reportQueue();

    const loop = startReconcileLoop(demo.service, {
      intervalMs: 60_000,
      olderThanMs: 0,
      logger,
      onReport: reports.onReport,
    });
    const report = await reports.next();
    await loop.stop();

    expect(report).toMatchObject({ checked: 2, changed: 1, stillPending: 1, errors: [] });
    expect(report.details).toContainEqual({ attemptId: expect.any(String), orderId: lost.orderId, outcome: 'changed' });
    expect((await demo.service.getOrder(lost.orderId))?.status).toBe('paid');
    expect((await demo.service.getOrder(unpaid.orderId))?.status).toBe('pending');
    expect(logger.entries.map((e) => `${e.level} ${e.message}`)).toEqual([
      'warn reconcile: drift found',
      'warn reconcile: applied a missed provider update',
    ]);

    const { rawBody, headers } = demo.emulator.webhookFor(lost.reference, 'checkout.session.completed');
    const late = await demo.service.handleWebhook({ provider: 'stripe', rawBody, headers });
    expect(late.outcome).not.toBe('applied');

    // The unpaid order is paid later: the next run catches that too.
    demo.pay(unpaid.reference);
    const next = reportQueue();
    const second = startReconcileLoop(demo.service, { olderThanMs: 0, logger, onReport: next.onReport });
    const again = await next.next();
    await second.stop();
    expect(again).toMatchObject({ changed: 1, stillPending: 0 });
    expect((await demo.service.getOrder(unpaid.orderId))?.status).toBe('paid');
  });

  it('does not touch attempts younger than olderThanMs', async () => {
    const fresh = await demo.checkout({ userId: 'user_fresh' });
    demo.pay(fresh.reference);
    const loop = startReconcileLoop(demo.service, {
      intervalMs: 60_000,
      olderThanMs: 60 * 60_000,
      logger: recordingLogger(),
    });
    const report = await loop.runOnce();
    await loop.stop();
    expect(report.details.map((d) => d.orderId)).not.toContain(fresh.orderId);
    expect((await demo.service.getOrder(fresh.orderId))?.status).toBe('pending');
  });

  it('logs a failed run and keeps going; stop() schedules no further run', async () => {
    let calls = 0;
    const flaky: PaymentService = {
      ...demo.service,
      reconcile: async (input) => {
        calls += 1;
        if (calls === 1) throw new Error('database unavailable');
        return demo.service.reconcile(input);
      },
    };
    const logger = recordingLogger();
    const reports = reportQueue();
    const loop = startReconcileLoop(flaky, {
      intervalMs: 5,
      olderThanMs: 60 * 60_000,
      logger,
      onReport: reports.onReport,
    });
    await reports.next(); // the second run, after the failed first one
    await loop.stop();
    const callsAtStop = calls;
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(calls).toBe(callsAtStop);
    expect(logger.entries[0]).toMatchObject({
      level: 'error',
      message: 'reconcile run failed',
      fields: { error: 'Error: database unavailable' },
    });
  });

  it('reports attempts it could not check as errors', () => {
    const logger = recordingLogger();
    logReconcileReport(
      {
        checked: 1,
        changed: 0,
        stillPending: 0,
        claimedElsewhere: 0,
        unreferenced: 0,
        closed: 0,
        errors: [{ attemptId: 'att_1', code: 'PROVIDER_UNAVAILABLE', retryable: true }],
        details: [{ attemptId: 'att_1', orderId: 'o_1', outcome: 'error' }],
      },
      logger,
    );
    expect(logger.entries.map((e) => [e.level, e.message, e.fields.code])).toEqual([
      ['warn', 'reconcile: drift found', undefined],
      ['error', 'reconcile: could not check attempt', 'PROVIDER_UNAVAILABLE'],
    ]);
  });
});
