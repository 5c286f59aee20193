/**
 * `payment-factory worker` against a SQLite file: delivers the outbox to the consumer the environment names,
 * prints health lines without the URL or the secret, and stops cleanly when told to.
 */
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { hmacHex } from '../../../src/outbox/http-forwarder.js';

const dir = mkdtempSync(join(tmpdir(), 'pf-cli-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('payment-factory worker', () => {
  it('fails without DATABASE_URL', async () => {
    let stderr = '';
    const code = await runCli(['worker'], { stdout: () => {}, stderr: (t) => (stderr += t), env: {} });
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL is not set');
  });

  it('delivers the outbox to PAYMENT_OUTBOX_FORWARD_URL, signed, prints health lines, and stops on its signal', async () => {
    const file = join(dir, 'pay.db');
    const db = await createKyselyFromUrl(file);
    await migrateToLatest(db);
    const outbox = createKyselyRepositories(db).outbox;
    await outbox.insert({ key: 'order.paid:o1', type: 'order.paid', orderId: 'o1', payload: { amount: 1999 } });

    const received: Array<{ body: string; signature: string | undefined; key: string | undefined }> = [];
    let delivered!: () => void;
    const got = new Promise<void>((resolve) => (delivered = resolve));
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({
          body,
          signature: req.headers['x-payment-outbox-signature'] as string | undefined,
          key: req.headers['idempotency-key'] as string | undefined,
        });
        res.end('ok');
        delivered();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const secretPath = '/hooks/s3cr3t-path-token';
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const run = runCli(['worker', '--health-every', '0.05', '--no-reconcile'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: {
        DATABASE_URL: file,
        PAYMENT_OUTBOX_FORWARD_URL: `http://127.0.0.1:${port}${secretPath}`,
        PAYMENT_OUTBOX_FORWARD_SECRET: 'whsec_forward',
      },
      signal: controller.signal,
    });
    try {
      await got;
      controller.abort();
      expect(await run).toBe(0);
    } finally {
      server.close();
    }
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.key).toBe('order.paid:o1');
    expect(JSON.parse(request!.body)).toMatchObject({
      key: 'order.paid:o1',
      type: 'order.paid',
      payload: { amount: 1999 },
    });
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(request!.signature ?? '') ?? [];
    expect(v1).toBe(await hmacHex('whsec_forward', `${t}.${request!.body}`));
    expect(stdout).toMatch(/payment-factory worker: started .* \(http; reconcile off; prune after 7 days\)/);
    expect(stdout).toContain('stopping (finishing the work in hand)');
    const last = stdout.trim().split('\n').at(-1)!;
    expect(JSON.parse(last.replace('payment-factory worker: ', ''))).toMatchObject({
      state: 'stopped',
      delivered: 1,
      outbox: { pending: 0, delivered: 1, dead: 0 },
    });
    expect(stdout + stderr).not.toContain('s3cr3t');
    expect(stdout + stderr).not.toContain('whsec_forward');
    expect((await outbox.find('order.paid:o1'))?.status).toBe('delivered');
    await db.destroy();
  });

  it('refuses a bad consumer URL before opening the database, naming the key, never the value', async () => {
    let stderr = '';
    const code = await runCli(['worker'], {
      stdout: () => {},
      stderr: (t) => (stderr += t),
      env: { DATABASE_URL: join(dir, 'never.db'), FEISHU_WEBHOOK_URL: 'open.feishu.cn/hook/t0ken-abcdef123' },
    });
    expect(code).toBe(1);
    expect(stderr).toContain('INVALID_CONFIG');
    expect(stderr).toContain('FEISHU_WEBHOOK_URL must be an absolute URL (value hidden)');
    expect(stderr).not.toContain('t0ken-abcdef123');
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });
});

describe('payment-factory outbox-prune', () => {
  it('deletes delivered rows past the retention, keeps newer and pending ones, and says how many', async () => {
    const file = join(dir, 'prune.db');
    const db = await createKyselyFromUrl(file);
    await migrateToLatest(db);
    const old = new Date(Date.now() - 10 * 86_400_000);
    // Delivered 10 days ago (the repositories' clock set back), and 1 day ago.
    const then = createKyselyRepositories(db, { now: () => old }).outbox;
    const recent = createKyselyRepositories(db, { now: () => new Date(Date.now() - 86_400_000) }).outbox;
    for (const [outbox, keys] of [
      [then, ['a', 'b', 'c']],
      [recent, ['d']],
    ] as const) {
      for (const key of keys) await outbox.insert({ key, type: 'order.paid', payload: {} });
      for (const row of await outbox.claim({ owner: 'w', limit: 10, leaseMs: 60_000, keys: [...keys] })) {
        await outbox.complete({ key: row.key, claimToken: row.claimToken!, deliveredTo: ['x'] });
      }
    }
    await then.insert({ key: 'e', type: 'order.paid', payload: {} });
    let stdout = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: () => {}, env: { DATABASE_URL: file } };
    expect(await runCli(['outbox-prune'], io)).toBe(0);
    expect(stdout).toContain('deleted 3 rows (delivered more than 7 days ago');
    const left = await createKyselyRepositories(db).outbox.list({ limit: 10 });
    expect(left.map((r) => [r.key, r.status])).toEqual([
      ['e', 'pending'],
      ['d', 'delivered'],
    ]);
    expect(await runCli(['outbox-prune', '--retention-days', '0'], io)).toBe(2);
    stdout = '';
    expect(
      await runCli(['outbox-prune'], { ...io, env: { DATABASE_URL: file, PAYMENT_OUTBOX_RETENTION_DAYS: '0' } }),
    ).toBe(0);
    expect(stdout).toContain('nothing to do');
    await db.destroy();
  });
});
