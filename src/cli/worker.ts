/**
 * `payment-factory worker`: runs `startPaymentWorker` against `DATABASE_URL` until SIGTERM / SIGINT, printing
 * a health line every `--health-every` seconds and a last one on the way out.
 *
 * What it delivers to: the consumers of a host module (`--module ./worker-setup.js` exporting `service` —
 * whose hooks become consumers — and/or `consumers`), else the consumers the environment configures
 * (`loadOutboxConfig`, keys in docs/configuration.md): `PAYMENT_OUTBOX_FORWARD_URL` (+ `PAYMENT_OUTBOX_FORWARD_SECRET`)
 * an HTTP forwarder, `FEISHU_WEBHOOK_URL` (+ `FEISHU_WEBHOOK_SECRET`) the Feishu notifier. Delivered rows older than
 * `PAYMENT_OUTBOX_RETENTION_DAYS` (7) are pruned hourly. The reconcile sweep runs when the module's service or the
 * payment configuration (`loadPaymentConfig`) names providers.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { createPaymentFactory } from '../core/factory.js';
import { loadPaymentConfig } from '../core/config.js';
import { loadOutboxConfig, type OutboxConfig } from '../core/config-outbox.js';
import type { PaymentProvider } from '../core/provider.js';
import { createKyselyFromUrl } from '../kysely/create-kysely-from-url.js';
import { createKyselyRepositories } from '../kysely/create-kysely-repositories.js';
import { createFeishuNotifier } from '../notifiers/feishu-notifier.js';
import { createHttpForwarder } from '../outbox/http-forwarder.js';
import { notificationConsumer, type OutboxConsumer } from '../outbox/outbox-consumer.js';
import { startPaymentWorker, type PaymentWorkerHealth } from '../outbox/payment-worker.js';
import { createPaymentService, type PaymentService } from '../service/payment-service.js';

/** Options of {@link runWorker}. */
export interface WorkerCommandOptions {
  /** Host module exporting `service` (a PaymentService) and/or `consumers` (OutboxConsumer[]). */
  module?: string | undefined;
  /** Seconds between health lines. @default 30 */
  healthEverySeconds?: number | undefined;
  /** Turn the reconcile sweep off. */
  noReconcile?: boolean | undefined;
  /** Stops the worker when aborted. @default SIGTERM or SIGINT */
  signal?: AbortSignal | undefined;
}

/** One health line: `payment-factory worker: {json}`. Counts only, never a URL or a secret. */
export function healthLine(health: PaymentWorkerHealth): string {
  return `payment-factory worker: ${JSON.stringify(health)}\n`;
}

/**
 * Runs the worker until `signal` (or SIGTERM / SIGINT), then lets the work in hand finish. Returns the exit
 * code: 0 after a clean stop, 1 when it cannot start.
 */
export async function runWorker(
  env: NodeJS.ProcessEnv,
  out: { stdout(text: string): void; stderr(text: string): void },
  options: WorkerCommandOptions = {},
): Promise<number> {
  const url = env['DATABASE_URL'];
  if (!url || url.trim() === '') {
    out.stderr('DATABASE_URL is not set. Set it to a SQLite file path, postgres://… or mysql://… and run again.\n');
    return 1;
  }
  // The outbox keys are checked first, before a database is opened: a bad URL is a clear error, never a
  // consumer that fails on every row.
  const outboxConfig = loadOutboxConfig(env);
  const hostModule = options.module ? await loadHostModule(options.module) : {};
  const db = hostModule.service ? null : await createKyselyFromUrl(url);
  try {
    let service = hostModule.service;
    let reconcile = !options.noReconcile;
    if (!service) {
      const providers = await providersFromEnv(env);
      if (providers.length === 0) reconcile = false;
      service = createPaymentService({
        factory: createPaymentFactory({ providers }),
        repositories: createKyselyRepositories(db as NonNullable<typeof db>),
        logger: consoleLogger(out),
        notificationDelivery: 'worker',
      });
    }
    const consumers = [...(hostModule.service ? service.hookConsumers : []), ...(hostModule.consumers ?? [])];
    if (!options.module) consumers.push(...consumersFromConfig(outboxConfig, consoleLogger(out)));
    if (consumers.length === 0) {
      throw new ConfigurationError(
        'The worker has no consumer: set PAYMENT_OUTBOX_FORWARD_URL or FEISHU_WEBHOOK_URL, or pass --module with a service or consumers.',
        { code: 'OUTBOX_NO_CONSUMERS' },
      );
    }
    const worker = startPaymentWorker({
      service,
      consumers,
      reconcile: reconcile ? {} : false,
      prune: outboxConfig.retentionDays === 0 ? false : { retentionMs: outboxConfig.retentionDays * 86_400_000 },
      healthEveryMs: (options.healthEverySeconds ?? 30) * 1000,
      onHealth: (health) => out.stdout(healthLine(health)),
    });
    out.stdout(
      `payment-factory worker: started ${worker.owner} (${consumers.map((c) => c.name).join(', ')}; reconcile ${reconcile ? 'on' : 'off'}; ` +
        `prune ${outboxConfig.retentionDays === 0 ? 'off' : `after ${outboxConfig.retentionDays} days`})\n`,
    );
    await untilStopped(options.signal);
    out.stdout('payment-factory worker: stopping (finishing the work in hand)\n');
    await worker.stop();
    out.stdout(healthLine(await worker.health()));
    return 0;
  } finally {
    await db?.destroy().catch(() => undefined);
  }
}

interface HostModule {
  service?: PaymentService;
  consumers?: OutboxConsumer[];
}

async function loadHostModule(path: string): Promise<HostModule> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  const service = (mod['service'] ?? (mod['default'] as Record<string, unknown> | undefined)?.['service']) as
    PaymentService | undefined;
  const consumers = (mod['consumers'] ?? (mod['default'] as Record<string, unknown> | undefined)?.['consumers']) as
    OutboxConsumer[] | undefined;
  if (!service && !consumers) {
    throw new ConfigurationError(`${path} exports neither "service" nor "consumers".`, { code: 'OUTBOX_NO_CONSUMERS' });
  }
  return { ...(service ? { service } : {}), ...(consumers ? { consumers } : {}) };
}

/**
 * The providers the payment configuration has credentials for (their SDKs load only then), for the reconcile
 * sweep: Stripe, Ping++, native Alipay and native WeChat Pay, each built from its `loadPaymentConfig` section
 * exactly as a host would (`createWechatPayProvider(config.wechatpay)`). A provider configured but left out of
 * `PAYMENT_CHANNELS_ENABLED` is still built: its open attempts still need reconciling.
 */
export async function providersFromEnv(env: NodeJS.ProcessEnv): Promise<PaymentProvider[]> {
  const config = loadPaymentConfig(env);
  const providers: PaymentProvider[] = [];
  if (config.stripe) {
    const { createStripeProvider } = await import('../stripe/stripe-provider.js');
    providers.push(createStripeProvider(config.stripe));
  }
  if (config.pingxx) {
    const { createPingxxProvider } = await import('../pingxx/pingxx-provider.js');
    providers.push(createPingxxProvider(config.pingxx));
  }
  if (config.alipay) {
    const { createAlipayProvider } = await import('../alipay/alipay-provider.js');
    providers.push(createAlipayProvider(config.alipay));
  }
  if (config.wechatpay) {
    const { createWechatPayProvider } = await import('../wechatpay/wechatpay-provider.js');
    providers.push(createWechatPayProvider(config.wechatpay));
  }
  return providers;
}

function consumersFromConfig(config: OutboxConfig, logger: ReturnType<typeof consoleLogger>): OutboxConsumer[] {
  const consumers: OutboxConsumer[] = [];
  if (config.forwardUrl) {
    consumers.push(
      createHttpForwarder({
        url: config.forwardUrl,
        ...(config.forwardSecret ? { secret: config.forwardSecret } : {}),
      }),
    );
  }
  if (config.feishuWebhookUrl) {
    const notifier = createFeishuNotifier({
      webhookUrl: config.feishuWebhookUrl,
      ...(config.feishuSecret ? { secret: config.feishuSecret } : {}),
      types: ['order.paid', 'order.refunded'],
      failures: 'throw',
      logger,
    });
    consumers.push(notificationConsumer('feishu', notifier));
  }
  return consumers;
}

function consoleLogger(out: { stderr(text: string): void }) {
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    out.stderr(`payment-factory worker ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (signal) {
      if (signal.aborted) done();
      else signal.addEventListener('abort', () => done(), { once: true });
      return;
    }
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      done();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
