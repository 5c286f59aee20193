/**
 * Benchmarks, each with its baseline measured in the same run, on this machine:
 *
 * 1. money: `toMinorUnits` (exact, decimal-string based) vs the naive `Math.round(parseFloat(x) * 100)`.
 * 2. webhook path: `service.handleWebhook` on SQLite (HMAC verify + journal insert + attempt/order row
 *    updates + hooks, one transaction) vs the floor: one raw better-sqlite3 transaction doing the same
 *    journal insert and two updates with prepared statements.
 * 3. replay path: a duplicate delivery (verify + journal conflict) vs the same floor.
 * 4. memory: heap growth over many webhooks after GC (a leak would grow with the count).
 *
 * Targets are ratios to the baseline, so they hold on slower or faster machines. `PF_BENCH_QUICK=1` runs
 * fewer iterations (a CI smoke run) and still checks the targets with wider margins.
 * Run: `npm run bench`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createPaymentFactory, createPaymentService, toMinorUnits } from '../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../src/kysely/index.js';
import { createFakeProvider } from '../src/testing/index.js';

const quick = process.env.PF_BENCH_QUICK === '1';
const gc = (globalThis as { gc?: () => void }).gc;

interface Row {
  bench: string;
  subject: string;
  baseline: string;
  ratio: string;
  target: string;
  ok: boolean;
}

async function opsPerSecond(fn: () => unknown, iterations: number): Promise<number> {
  for (let i = 0; i < Math.min(200, iterations); i += 1) await fn(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return iterations / seconds;
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} ops/s`;

async function moneyBench(): Promise<Row> {
  const inputs = ['19.99', '0.01', '1234567.89', '500', '3.5'];
  let i = 0;
  const n = quick ? 200_000 : 2_000_000;
  const exact = await opsPerSecond(() => toMinorUnits(inputs[i++ % 5]!, 'USD'), n);
  i = 0;
  const naive = await opsPerSecond(() => Math.round(parseFloat(inputs[i++ % 5]!) * 100), n);
  const ratio = exact / naive;
  const target = quick ? 0.02 : 0.05;
  return {
    bench: 'toMinorUnits',
    subject: fmt(exact),
    baseline: `${fmt(naive)} (parseFloat×100)`,
    ratio: ratio.toFixed(3),
    target: `≥ ${target}`,
    ok: ratio >= target,
  };
}

async function webhookBench(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pf-bench-'));
  const database = new Database(join(dir, 'bench.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  await migrateToLatest(db);
  const fake = createFakeProvider();
  const service = createPaymentService({
    factory: createPaymentFactory({ providers: [fake] }),
    repositories: createKyselyRepositories(db),
  });
  const count = quick ? 300 : 3000;

  // Prepare `count` orders with an open charge each, then one signed success webhook per order.
  const webhooks: Array<{ rawBody: string; headers: Record<string, string> }> = [];
  for (let i = 0; i < count; i += 1) {
    const order = await service.initOrder({ userId: `u${i}`, productId: 'p', payableAmount: 1999, currency: 'USD' });
    const dto = await service.createCharge({ orderId: order.orderId });
    webhooks.push(fake.webhook(dto.paymentPayload!.attemptId));
  }
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  for (const w of webhooks) await service.handleWebhook({ provider: 'fake', ...w });
  const applied = count / (Number(process.hrtime.bigint() - start) / 1e9);
  gc?.();
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  let next = 0;
  const replay = await opsPerSecond(
    () => service.handleWebhook({ provider: 'fake', ...webhooks[next++ % count]! }),
    count,
  );

  // The floor: the same three writes, prepared, in one raw transaction.
  database.exec('create table floor_events (provider text, event_id text, unique(provider, event_id))');
  database.exec('create table floor_rows (id integer primary key, status integer)');
  const insert = database.prepare('insert into floor_events (provider, event_id) values (?, ?) on conflict do nothing');
  const update = database.prepare('update floor_rows set status = ? where id = ?');
  const ensure = database.prepare('insert or ignore into floor_rows (id, status) values (?, 0)');
  for (let i = 0; i < count; i += 1) ensure.run(i);
  let k = 0;
  const floorTx = database.transaction((i: number) => {
    insert.run('fake', `evt_${i}`);
    update.run(1, i % count);
    update.run(2, (i + 1) % count);
  });
  const floor = await opsPerSecond(() => floorTx(k++), count);
  await db.destroy();

  const appliedTarget = quick ? 0.004 : 0.008;
  const replayTarget = quick ? 0.04 : 0.08;
  const memoryTarget = quick ? 64 : 32;
  return [
    {
      bench: 'handleWebhook (apply)',
      subject: fmt(applied),
      baseline: `${fmt(floor)} (raw SQL floor)`,
      ratio: (applied / floor).toFixed(4),
      target: `≥ ${appliedTarget}`,
      ok: applied / floor >= appliedTarget,
    },
    {
      bench: 'handleWebhook (replay)',
      subject: fmt(replay),
      baseline: `${fmt(floor)} (raw SQL floor)`,
      ratio: (replay / floor).toFixed(4),
      target: `≥ ${replayTarget}`,
      ok: replay / floor >= replayTarget,
    },
    {
      bench: `heap growth, ${count} webhooks`,
      subject: gc ? `${heapGrowthMb.toFixed(1)} MB` : 'n/a (run with --expose-gc)',
      baseline: '0 MB (no retained state)',
      ratio: '-',
      target: `< ${memoryTarget} MB`,
      ok: !gc || heapGrowthMb < memoryTarget,
    },
  ];
}

async function main(): Promise<void> {
  const rows = [await moneyBench(), ...(await webhookBench())];
  console.log(`payment-factory benchmarks (${quick ? 'quick' : 'full'} run, Node ${process.version})`);
  console.table(rows.map(({ ok, ...r }) => ({ ...r, result: ok ? 'ok' : 'MISSED' })));
  if (rows.some((r) => !r.ok)) {
    console.error('A benchmark target was missed.');
    process.exitCode = 1;
  }
}

await main();
