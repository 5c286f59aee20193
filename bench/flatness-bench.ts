/**
 * Flatness: the same work on a database with a small history and on one with a large history (10k vs 1M orders,
 * each with its attempt, journal row and outbox row; 10k vs 100k in quick mode), in interleaved rounds, both
 * SQLite files from `createKyselyFromUrl` (WAL, `synchronous=FULL`). Both hold the same small backlog (open orders,
 * pending attempts and notifications: what the scans are meant to find), so only the history differs. A read or
 * write whose cost grows with the table (a sort of every match, a scan) shows as a ratio far below 1; B-tree
 * lookups one level deeper do not. Measured: webhook apply (`handleWebhook`, Stripe, as in the apply bench) and the
 * `ORDER BY … LIMIT` reads — the expiry scan (`listExpirable`), the reconcile scan (`listPending`), the dispatcher's
 * `outbox.claim` and the operator's `outbox.list` (pending, and every status, whose matches include the history) —
 * and a Stripe attempt found by its charge id (what a refund webhook carries).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createPaymentFactory, createPaymentService, type PaymentService } from '../src/index.js';
import type { PaymentRepositories } from '../src/persistence/ports.js';
import { createKyselyRepositories, migrateToLatest } from '../src/kysely/index.js';
import { createStripeProvider } from '../src/stripe/index.js';
import { fillPaymentHistory } from '../test/helpers/payment-history.js';
import { openSqlite, type BenchDatabase } from './databases.js';
import { interleaved, throughput, type Comparison } from './measure.js';
import { BENCH_WEBHOOK_SECRET, signDeliveries, type BenchPayment, type SignedEvent } from './stripe-events.js';

/** What to run. */
export interface FlatnessPlan {
  /** Orders of history in the small and the large database. */
  small: number;
  large: number;
  rounds: number;
  /** Webhooks per side per round; reads run `batch` times per round. */
  batch: number;
}

/** One measure: the large database (subject) against the small one (baseline), in operations per second. */
export interface FlatnessResult {
  measure: string;
  comparison: Comparison;
}

interface Side {
  database: BenchDatabase;
  repositories: PaymentRepositories;
  service: PaymentService;
}

const id = () => randomBytes(16).toString('hex');

async function open(orders: number, now: Date): Promise<{ side: Side; fillSeconds: number }> {
  const database = await openSqlite();
  if (database.dialect !== 'sqlite') throw new Error('flatness runs on SQLite');
  await migrateToLatest(database.db);
  const started = Date.now();
  // The fill's own connection keeps more pages in memory; the measured connection keeps SQLite's default.
  database.raw.pragma('cache_size = -262144');
  await fillPaymentHistory(database.db, 'sqlite', { orders, backlog: 200, now, batch: 20_000, sqlite: database.raw });
  database.raw.pragma('wal_checkpoint(TRUNCATE)');
  const repositories = createKyselyRepositories(database.db);
  const stripe = createStripeProvider({ secretKey: 'sk_test_bench', webhookSecret: BENCH_WEBHOOK_SECRET });
  const service = createPaymentService({ factory: createPaymentFactory({ providers: [stripe] }), repositories });
  return { side: { database, repositories, service }, fillSeconds: (Date.now() - started) / 1000 };
}

/** Orders with one pending Stripe attempt each (untimed). */
async function payments(repositories: PaymentRepositories, n: number): Promise<BenchPayment[]> {
  const list = Array.from({ length: n }, () => ({ orderId: id(), attemptId: id(), amount: 1999 }));
  await repositories.transaction(async (tx) => {
    for (const p of list) {
      const userId = `user_${p.orderId.slice(0, 12)}`;
      const common = { userId, productId: 'course_ts_advanced', currency: 'USD' } as const;
      await tx.orders.create({ ...common, orderId: p.orderId, payableAmount: p.amount, status: 'pending' });
      await tx.attempts.create({
        ...common,
        attemptId: p.attemptId,
        orderId: p.orderId,
        providerKind: 'stripe',
        channel: 'payment_intent',
        amount: p.amount,
      });
    }
  });
  return list;
}

/** Runs the flatness comparisons; `log` hears progress (the fill of the large database takes a while). */
export async function flatnessBench(plan: FlatnessPlan, log: (line: string) => void): Promise<FlatnessResult[]> {
  const now = new Date();
  const small = await open(plan.small, now);
  log(`bench: flatness: ${plan.small.toLocaleString('en-US')} orders of history in ${small.fillSeconds.toFixed(1)} s`);
  const large = await open(plan.large, now);
  log(`bench: flatness: ${plan.large.toLocaleString('en-US')} orders of history in ${large.fillSeconds.toFixed(1)} s`);
  try {
    const apply = (side: Side) => async (round: number) => {
      const deliveries = signDeliveries(await payments(side.repositories, plan.batch), `flat${round}`);
      return throughput(deliveries, 1, async (d: SignedEvent) => {
        const result = await side.service.handleWebhook({ provider: 'stripe', rawBody: d.rawBody, headers: d.headers });
        if (result.outcome !== 'applied') throw new Error(`bench: flatness webhook answered ${result.outcome}`);
      });
    };
    const times = Array.from({ length: plan.batch }, (_, i) => i);
    const read = (side: Side, work: (r: PaymentRepositories) => Promise<unknown[]>, expectRows: boolean) => async () =>
      throughput(times, 1, async () => {
        const rows = await work(side.repositories);
        if (expectRows && rows.length === 0) throw new Error('bench: flatness read found no backlog');
      });
    const reads: Array<[string, (r: PaymentRepositories) => Promise<unknown[]>, boolean]> = [
      ['expiry scan (`listExpirable`, 100)', (r) => r.orders.listExpirable({ createdBefore: now, limit: 100 }), true],
      ['reconcile scan (`listPending`, 100)', (r) => r.attempts.listPending({ createdBefore: now, limit: 100 }), true],
      // A lease of 1 ms: the rows are due again at once, so every round claims the same backlog.
      [
        'outbox claim (10)',
        (r) => r.outbox!.claim({ owner: 'flat', limit: 10, leaseMs: 1, types: ['order.paid'] }),
        false,
      ],
      ['outbox list (pending, 50)', (r) => r.outbox!.list({ status: 'pending', limit: 50 }), true],
      // Every status: the delivered history is among the matches, so a sort of the matches would sort all of it.
      ['outbox list (every status, 50)', (r) => r.outbox!.list({ limit: 50 }), true],
      // A refund webhook names the charge: found by `latest_charge_id` among every Stripe attempt.
      [
        'Stripe attempt by charge id',
        async (r) => [await r.attempts.findByProviderReference('stripe', 'ch_none')],
        false,
      ],
    ];
    // Warm-up, unrecorded: JIT, prepared statements, page cache.
    await apply(small.side)(-1);
    await apply(large.side)(-2);
    const results: FlatnessResult[] = [];
    const label = `${(plan.large / 1000).toLocaleString('en-US')}k vs ${(plan.small / 1000).toLocaleString('en-US')}k orders`;
    results.push({
      measure: `webhook apply, ${label}`,
      comparison: await interleaved(plan.rounds, apply(large.side), apply(small.side)),
    });
    for (const [name, work, expectRows] of reads) {
      results.push({
        measure: `${name}, ${label}`,
        comparison: await interleaved(
          plan.rounds,
          read(large.side, work, expectRows),
          read(small.side, work, expectRows),
        ),
      });
    }
    return results;
  } finally {
    await small.side.database.close();
    await large.side.database.close();
  }
}
