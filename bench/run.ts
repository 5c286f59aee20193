/**
 * `npm run bench`: every measure is the library (subject) against an equivalent, equally durable baseline,
 * in interleaved rounds on this machine (see `measure.ts`), reported as median (min..max) per side and the
 * ratio of medians. Targets are ratios, so they hold on slower or faster machines; the exit code is non-zero
 * when one is missed.
 *
 * - Webhook apply: `handleWebhook` vs the hand-written handler (`hand-written.ts`): SQLite file (both WAL +
 *   `synchronous=FULL`) at concurrency 1; PostgreSQL and MySQL (when their URLs are set, see `databases.ts`)
 *   at concurrency 1, 8 and 32, pools of 10 on both sides.
 * - Duplicate delivery vs a raw duplicate (verify + journal conflict), concurrency 1.
 * - `createCharge` vs the bare `paymentIntents.create`, same Stripe emulator, on SQLite and the servers whose URLs
 *   are set, with the hand-written floor (the same two durable commits by hand) beside it (`charge-bench.ts`).
 * - Root import vs `node -e 0` (`import-bench.ts`).
 * - Verify + normalise vs the SDK / `crypto` call alone (`verify-bench.ts`).
 * - Heap growth across the applied webhooks (a leak grows with the count).
 * - Flatness: webhook apply and the `ORDER BY … LIMIT` reads on 1M vs 10k orders of history (100k vs 10k in quick
 *   mode), SQLite (`flatness-bench.ts`): the large side within 1.5× the cost of the small one (ratio ≥ 0.67).
 *
 * `PF_BENCH_QUICK=1` (CI) runs fewer, smaller rounds and checks each target with the margin in `QUICK_SLACK`
 * (a short run on a shared machine is noisy), and does not fail on the targets listed in `OPEN` (known misses,
 * reported as such); a full run fails on every missed target, open or not, and rewrites the
 * results table in `docs/benchmarks.md` (`PF_BENCH_WRITE_DOCS=0` to skip). `PF_BENCH_ONLY=sqlite,postgres`
 * runs some sections only (verify, import, createCharge, sqlite, postgresql, mysql, flatness) and writes the docs
 * only with `PF_BENCH_WRITE_DOCS=1` (the table then names the sections it holds).
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chargeBench } from './charge-bench.js';
import { flatnessBench } from './flatness-bench.js';
import { openMysql, openPostgres, openSqlite, serverUrls, type BenchDatabase } from './databases.js';
import { importBench } from './import-bench.js';
import { formatSample, type Comparison } from './measure.js';
import { verifyBench } from './verify-bench.js';
import { webhookBench } from './webhook-bench.js';

const quick = process.env['PF_BENCH_QUICK'] === '1';
/** In quick mode a ratio target `≥ t` is checked as `≥ t × QUICK_SLACK`, a `≤` target as `≤ t / QUICK_SLACK`. */
const QUICK_SLACK = 0.8;
const gc = (globalThis as { gc?: () => void }).gc;

interface Row {
  measure: string;
  library: string;
  baseline: string;
  ratio: string;
  target: string;
  ok: boolean;
  /** Why a target is known to be missed still (issue #13); a quick run does not fail on it, a full run does. */
  open?: string;
}

/** Targets known to be open, and why (see docs/benchmarks.md), by the start of the measure's name. */
const OPEN: ReadonlyArray<readonly [prefix: string, why: string]> = [
  [
    '`createCharge` latency',
    'two durable commits (attempt before the call, answer after) cost more than the call here: see the floor rows',
  ],
  [
    'webhook apply',
    'per-webhook JavaScript over the 6 statements; below target on a quiet machine (docs/benchmarks.md)',
  ],
  ['duplicate delivery', "on the servers: 3 statements and a rollback against the raw duplicate's one insert"],
  ['root import (ESM)', 'zod is gone from the root; ~400 KB of the service and core still load (docs/benchmarks.md)'],
  ['Ping++ verify', 'swings 0.78–0.94 between runs; not yet profiled on a quiet machine'],
];

/** The large history's throughput over the small one's: its cost at most 1.5× (1 / 1.5). */
const FLAT_MIN = 0.67;

type Kind = { unit: '/s'; min: number } | { unit: 'ms'; maxRatio: number } | { unit: 'ms'; maxExtra: number };

function row(measure: string, c: Comparison, kind: Kind, baselineName: string): Row {
  const r = measuredRow(measure, c, kind, baselineName);
  const open = OPEN.find(([prefix]) => measure.startsWith(prefix));
  return open === undefined ? r : { ...r, open: open[1] };
}

function measuredRow(measure: string, c: Comparison, kind: Kind, baselineName: string): Row {
  const library = formatSample(c.subject, kind.unit);
  const baseline = `${formatSample(c.baseline, kind.unit)} ${baselineName}`.trim();
  const slack = quick ? QUICK_SLACK : 1;
  if ('min' in kind) {
    const ratio = c.subject.median / c.baseline.median;
    return {
      measure,
      library,
      baseline,
      ratio: ratio.toFixed(2),
      target: `≥ ${kind.min}`,
      ok: ratio >= kind.min * slack,
    };
  }
  if ('maxRatio' in kind) {
    const ratio = c.subject.median / c.baseline.median;
    return {
      measure,
      library,
      baseline,
      ratio: `${ratio.toFixed(2)}×`,
      target: `≤ ${kind.maxRatio}×`,
      ok: ratio <= kind.maxRatio / slack,
    };
  }
  const extra = c.subject.median - c.baseline.median;
  return {
    measure,
    library,
    baseline,
    ratio: `+${extra.toFixed(1)} ms`,
    target: `≤ +${kind.maxExtra} ms`,
    ok: extra <= kind.maxExtra / slack,
  };
}

async function databaseRows(name: string, open: () => Promise<BenchDatabase>, concurrency: number[]): Promise<Row[]> {
  const database = await open();
  try {
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const plan = quick ? { concurrency, rounds: 3, batch: 40 } : { concurrency, rounds: 7, batch: 200 };
    const result = await webhookBench(database, plan);
    const target = name === 'SQLite' ? 0.6 : 0.7;
    const rows = result.apply.map(({ concurrency: c, comparison }) =>
      row(
        `webhook apply, ${name}${name === 'SQLite' ? ' (WAL, FULL)' : `, concurrency ${c}`}`,
        comparison,
        { unit: '/s', min: target },
        '',
      ),
    );
    rows.push(row(`duplicate delivery, ${name}`, result.duplicate, { unit: '/s', min: 0.6 }, ''));
    if (name === 'SQLite') {
      gc?.();
      const growth = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      const applied = plan.rounds * plan.batch * 2;
      rows.push({
        measure: `heap growth, ${applied.toLocaleString('en-US')} webhooks`,
        library: gc ? `${growth.toFixed(1)} MB` : 'n/a (run with --expose-gc)',
        baseline: '',
        ratio: '',
        target: '< 32 MB',
        ok: !gc || growth < 32,
      });
    }
    return rows;
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const rows: Row[] = [];
  const only = process.env['PF_BENCH_ONLY']?.split(',').map((x) => x.trim().toLowerCase());
  const step = async (label: string, fn: () => Promise<Row[]>) => {
    if (only && !only.includes(label.toLowerCase())) return;
    const t = Date.now();
    rows.push(...(await fn()));
    console.error(`bench: ${label} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  const small = quick ? { rounds: 3, batch: 200 } : { rounds: 7, batch: 2000 };
  await step('verify', async () => {
    const v = await verifyBench(small);
    return [
      row('Stripe verify + normalise', v.stripe, { unit: '/s', min: 0.85 }, '(`constructEvent`)'),
      row('Ping++ verify + normalise', v.pingxx, { unit: '/s', min: 0.85 }, '(`crypto.verify` + `JSON.parse`)'),
    ];
  });
  await step('import', async () => [
    row(
      'root import (ESM)',
      await importBench(quick ? { rounds: 3, batch: 5 } : { rounds: 7, batch: 10 }),
      { unit: 'ms', maxExtra: 20 },
      '(`node -e 0`)',
    ),
  ]);
  const urls = serverUrls();
  await step('createCharge', async () => {
    const plan = quick ? { rounds: 3, batch: 30 } : { rounds: 7, batch: 150 };
    const databases: [string, () => Promise<BenchDatabase>][] = [['SQLite FULL', openSqlite]];
    if (urls.postgres) databases.push(['PostgreSQL', () => openPostgres(urls.postgres!)]);
    if (urls.mysql) databases.push(['MySQL', () => openMysql(urls.mysql!)]);
    const rows: Row[] = [];
    for (const [name, open] of databases) {
      const c = await chargeBench(plan, open);
      rows.push(
        row(`\`createCharge\` latency (${name})`, c.library, { unit: 'ms', maxRatio: 2 }, '(`paymentIntents.create`)'),
      );
      // No targets: the library over the same work written by hand, and that floor over the bare call (the same two
      // durable commits by hand: the best any library can do on this disk).
      rows.push({
        ...measuredRow(
          `\`createCharge\` over the floor (${name})`,
          { subject: c.library.subject, baseline: c.floor.subject },
          { unit: 'ms', maxRatio: 2 },
          '(hand-written)',
        ),
        target: 'info',
        ok: true,
      });
      rows.push({
        ...measuredRow(
          `hand-written charge floor (${name})`,
          c.floor,
          { unit: 'ms', maxRatio: 2 },
          '(`paymentIntents.create`)',
        ),
        target: 'info',
        ok: true,
      });
    }
    return rows;
  });
  await step('SQLite', () => databaseRows('SQLite', openSqlite, [1]));
  await step('flatness', async () => {
    const plan = quick
      ? { small: 10_000, large: 100_000, rounds: 3, batch: 40 }
      : { small: 10_000, large: 1_000_000, rounds: 7, batch: 200 };
    const results = await flatnessBench(plan, (line) => console.error(line));
    // 1.5× the cost of the small database at most: see docs/benchmarks.md (flat from 10k to 1M rows).
    return results.map((r) => row(`flat: ${r.measure}`, r.comparison, { unit: '/s', min: FLAT_MIN }, '(10k)'));
  });
  if (urls.postgres)
    await step('PostgreSQL', () => databaseRows('PostgreSQL', () => openPostgres(urls.postgres!), [1, 8, 32]));
  if (urls.mysql) await step('MySQL', () => databaseRows('MySQL', () => openMysql(urls.mysql!), [1, 8, 32]));

  const title = `payment-factory benchmarks (${quick ? 'quick' : 'full'} run, Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s)`;
  console.log(title);
  console.log(markdown(rows));
  const writeFlag = process.env['PF_BENCH_WRITE_DOCS'];
  // A partial full run (PF_BENCH_ONLY) writes the table only when asked (PF_BENCH_WRITE_DOCS=1), naming its sections.
  if (!quick && (only ? writeFlag === '1' : writeFlag !== '0')) writeDocs(rows, only);
  const missed = rows.filter((r) => !r.ok);
  // A quick run is CI's smoke test on a shared runner: it proves the bench runs and prints the ratios, but a ratio
  // is a speed target, and speed targets never fail a test run. Only the full run fails on a miss.
  const failing = quick ? [] : missed;
  for (const r of missed) console.error(`Missed: ${r.measure}${r.open ? ` (open: ${r.open})` : ''}`);
  if (failing.length > 0) process.exitCode = 1;
}

function markdown(rows: Row[]): string {
  const lines = ['| measure | library | baseline | ratio | target | result |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const result = r.ok ? 'ok' : r.open ? '**missed** (open)' : '**missed**';
    lines.push(`| ${r.measure} | ${r.library} | ${r.baseline} | ${r.ratio} | ${r.target} | ${result} |`);
  }
  return lines.join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function writeDocs(rows: Row[], only: readonly string[] | undefined): void {
  const file = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < 0) throw new Error(`bench: ${file} has no ${START} … ${END} section`);
  const urls = serverUrls();
  const machine = `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, SQLite${urls.postgres ? ', PostgreSQL' : ''}${urls.mysql ? ', MySQL/MariaDB' : ''}`;
  const sections = only ? `, sections ${only.join(', ')} only` : '';
  const body = `${START}\nLast full run (${machine}${sections}); medians over interleaved rounds, (min..max):\n\n${markdown(rows)}\n${END}`;
  writeFileSync(file, text.slice(0, from) + body + text.slice(to + END.length));
}

await main();
