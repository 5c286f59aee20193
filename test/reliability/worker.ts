/**
 * One service process of the reliability load: the real payment service on the library's own pool
 * (`createKyselyFromUrl`) behind the real web handler (`createWebhookHandler` through `toNodeHandler`) on
 * a local HTTP port. The runner posts signed webhooks to it, kills its database connections and sometimes
 * the process itself. It installs no `uncaughtException` handler on purpose: a library fault that would
 * crash a host's process crashes this one, and the runner counts it.
 *
 * Started by `run.ts` with its settings in `PF_RELIABILITY_WORKER` (JSON) and an IPC channel.
 * @module
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookHandler, toNodeHandler } from '../../src/index.js';
import { createKyselyFromUrl } from '../../src/kysely/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import { buildService, lineLogger, type EmulatorEndpoints, type SellerAccounts } from './payment-env.js';

/** What the runner passes to a worker. */
export interface WorkerSettings {
  name: string;
  databaseUrl: string;
  endpoints: EmulatorEndpoints;
  env: Record<string, string>;
  /** Log lines are appended here (the secrets scan reads the file). */
  logFile: string;
  /** The sellers' merchant accounts. */
  accounts: SellerAccounts;
}

/** Messages a worker sends to the runner. */
export type WorkerMessage = { type: 'ready'; port: number } | { type: 'stopped' };

async function main(): Promise<void> {
  const settings = JSON.parse(process.env['PF_RELIABILITY_WORKER'] ?? '') as WorkerSettings;
  let buffered: string[] = [];
  const flush = () => {
    if (buffered.length === 0) return;
    appendFileSync(settings.logFile, `${buffered.join('\n')}\n`);
    buffered = [];
  };
  const flusher = setInterval(flush, 250);
  const logger = lineLogger((line) => buffered.push(line));
  const db = await createKyselyFromUrl<UntypedDatabase>(settings.databaseUrl);
  const { service } = buildService({
    env: settings.env,
    endpoints: settings.endpoints,
    db,
    worker: settings.name,
    accounts: settings.accounts,
    logger,
    onAnomaly: (anomaly) => logger.warn('anomaly', { ...anomaly }),
  });
  const server = createServer(toNodeHandler(createWebhookHandler(service), { logger }));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const send = (message: WorkerMessage) => process.send?.(message);
  // The runner is gone (it failed, or was stopped): never outlive it.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'stop') return;
    clearInterval(flusher);
    server.closeAllConnections();
    server.close(() => {
      flush();
      void db.destroy().finally(() => {
        send({ type: 'stopped' });
        process.disconnect?.();
      });
    });
  });
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
}

await main();
