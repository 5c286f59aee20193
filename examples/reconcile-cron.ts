/**
 * A reconciliation worker: every few minutes, ask the providers about payments still `pending` in our
 * database and apply what they say — the safety net for webhooks that never arrive (endpoint down longer
 * than the provider retries, a misconfigured URL, a firewall change).
 *
 * `service.reconcile` applies provider truth through the same exactly-once path as webhooks, so running it
 * next to webhooks, or from several instances at once, never double-applies anything. The loop below
 * never overlaps itself, logs the drift report (anything it had to fix is a webhook you lost), and on
 * SIGTERM finishes the run in progress before exiting — what Kubernetes, systemd and PM2 expect.
 *
 * Run the demo: `npx tsx examples/reconcile-cron.ts` (a payment whose webhook is lost, fixed by reconcile).
 * @module
 */
import {
  createWebhookHandler,
  toNodeHandler,
  type PaymentLogger,
  type PaymentService,
  type ReconcileReport,
} from '@org/payment-factory';
import { isMain, runMain, serveLocally, startDemo } from './shared/demo-stack.js';

/** Options of {@link startReconcileLoop}. */
export interface ReconcileLoopOptions {
  /** Pause between the end of one run and the start of the next. @default 300_000 (5 minutes) */
  intervalMs?: number;
  /**
   * Only attempts created at least this many milliseconds ago. Leave webhooks time to arrive first: a
   * shorter window only adds provider API calls. @default 600_000 (10 minutes)
   */
  olderThanMs?: number;
  /** At most this many attempts per run (provider API rate limits). @default 200 */
  limit?: number;
  /** @default the service's logger */
  logger?: PaymentLogger;
  /** Called with every report, after it is logged. */
  onReport?: (report: ReconcileReport) => void;
}

/** A running loop. */
export interface ReconcileLoop {
  /** Runs one reconciliation now (waiting for a run in progress first) and returns its report. */
  runOnce(): Promise<ReconcileReport>;
  /** Stops scheduling runs and waits for the one in progress, if any. */
  stop(): Promise<void>;
}

/**
 * The part to copy: starts reconciling immediately, then every `intervalMs` after each run ends.
 *
 * @example
 * ```ts
 * const loop = startReconcileLoop(service, { intervalMs: 5 * 60_000, olderThanMs: 10 * 60_000, logger })
 * process.once('SIGTERM', () => void loop.stop().then(() => process.exit(0)))
 * ```
 */
export function startReconcileLoop(service: PaymentService, options: ReconcileLoopOptions = {}): ReconcileLoop {
  const intervalMs = options.intervalMs ?? 5 * 60_000;
  const olderThan = options.olderThanMs ?? 10 * 60_000;
  const limit = options.limit ?? 200;
  const logger = options.logger ?? service.logger;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReconcileReport> | null = null;

  const run = async (): Promise<ReconcileReport> => {
    while (running) await running.catch(() => undefined); // never two runs at once in this process
    const current = service.reconcile({ olderThan, limit });
    running = current;
    try {
      const report = await current;
      logReconcileReport(report, logger);
      options.onReport?.(report);
      return report;
    } finally {
      running = null;
    }
  };

  const tick = (): void => {
    timer = undefined;
    run().then(
      () => schedule(),
      (error: unknown) => {
        // A database or provider outage: log it and try again at the next tick.
        logger.error('reconcile run failed', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        schedule();
      },
    );
  };
  const schedule = (): void => {
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };

  tick();
  return {
    runOnce: run,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running) await running.catch(() => undefined);
    },
  };
}

/**
 * Logs a drift report: one summary line, a warning per attempt reconcile had to change (each one is a
 * webhook that did not arrive in time — look at your endpoint), an error per attempt it could not check.
 */
export function logReconcileReport(report: ReconcileReport, logger: PaymentLogger): void {
  const summary = {
    checked: report.checked,
    changed: report.changed,
    stillPending: report.stillPending,
    unreferenced: report.unreferenced,
    closed: report.closed,
    errors: report.errors.length,
  };
  if (report.changed > 0 || report.errors.length > 0) logger.warn('reconcile: drift found', summary);
  else logger.info('reconcile: no drift', summary);
  for (const detail of report.details) {
    if (detail.outcome === 'changed') logger.warn('reconcile: applied a missed provider update', { ...detail });
  }
  for (const error of report.errors) logger.error('reconcile: could not check attempt', { ...error });
}

async function main(): Promise<void> {
  const logged: string[] = [];
  const logger: PaymentLogger = {
    info: (message, fields) => logged.push(`  [info] ${message} ${JSON.stringify(fields ?? {})}`),
    warn: (message, fields) => logged.push(`  [warn] ${message} ${JSON.stringify(fields ?? {})}`),
    error: (message, fields) => logged.push(`  [error] ${message} ${JSON.stringify(fields ?? {})}`),
  };
  const demo = await startDemo();
  const { service } = demo;
  const endpoint = await serveLocally(toNodeHandler(createWebhookHandler(service)));
  const webhookUrl = `${endpoint.url}/webhooks/stripe`;
  let loop: ReconcileLoop | undefined;

  try {
    const lost = await demo.checkout({ userId: 'user_lost_webhook' });
    demo.pay(lost.reference);
    const before = (await service.getOrder(lost.orderId))!.status;
    console.log(`order ${lost.orderId}: paid at Stripe, webhook lost → ours says ${before}`);
    const waiting = await demo.checkout({ userId: 'user_still_paying' });
    console.log(`order ${waiting.orderId}: Checkout open, the payer has not paid yet`);

    console.log('\nreconcile loop started (demo: every 60 s, attempts older than 0 ms; production: 5 min, 10 min):');
    let reportReady: (report: ReconcileReport) => void = () => {};
    const firstReport = new Promise<ReconcileReport>((resolve) => (reportReady = resolve));
    loop = startReconcileLoop(service, { intervalMs: 60_000, olderThanMs: 0, logger, onReport: (r) => reportReady(r) });
    const running = loop;
    // What a process manager sends on deploy or shutdown: finish the run in progress, then exit.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => {
        console.log('\nSIGTERM: stopping the reconcile loop after the run in progress');
        void running.stop().then(resolve, resolve);
      });
    });

    const report = await firstReport;
    for (const line of logged.splice(0)) console.log(line);
    console.log(
      `drift report: checked ${report.checked}, changed ${report.changed}, still pending ${report.stillPending}`,
    );
    const fixed = (await service.getOrder(lost.orderId))!.status;
    console.log(`order ${lost.orderId} is now ${fixed}`);
    console.log(`order ${waiting.orderId} is still ${(await service.getOrder(waiting.orderId))!.status}`);
    if (fixed !== 'paid') throw new Error('reconcile did not fix the order');

    const late = await demo.deliver(webhookUrl, lost.reference);
    console.log(`\nthe lost webhook finally arrives → ${late.status} ${late.body} (nothing applied twice)`);

    process.kill(process.pid, 'SIGTERM');
    await stopped;
    console.log('loop stopped; exiting');
  } finally {
    await loop?.stop();
    await endpoint.close();
    await demo.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
