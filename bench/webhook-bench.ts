/**
 * Webhook apply and duplicate delivery: `service.handleWebhook` (Stripe verifier, Kysely repositories) vs the
 * hand-written handler (`hand-written.ts`) on the same database, in interleaved rounds. Each round gets fresh
 * orders with an open Stripe attempt (created untimed before the round) and their signed success deliveries;
 * every delivery must come back `applied` (then `duplicate` when replayed), so a side that skips work fails
 * the bench instead of winning it.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createPaymentFactory, createPaymentService } from '../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../src/kysely/index.js';
import { createStripeProvider } from '../src/stripe/index.js';
import type { BenchDatabase } from './databases.js';
import { handWrittenHandler } from './hand-written.js';
import { interleaved, throughput, type Comparison } from './measure.js';
import {
  BENCH_WEBHOOK_SECRET,
  resignDelivery,
  signDeliveries,
  type BenchPayment,
  type SignedEvent,
} from './stripe-events.js';

/** What to run. */
export interface WebhookBenchPlan {
  concurrency: readonly number[];
  rounds: number;
  /** Deliveries per side per round. */
  batch: number;
}

/** Results, per concurrency, plus the duplicate comparison (at concurrency 1). */
export interface WebhookBenchResult {
  apply: Array<{ concurrency: number; comparison: Comparison }>;
  duplicate: Comparison;
}

const id = () => randomBytes(16).toString('hex');

/** Runs the webhook benchmarks on one database. */
export async function webhookBench(database: BenchDatabase, plan: WebhookBenchPlan): Promise<WebhookBenchResult> {
  const { db } = database;
  await migrateToLatest(db);
  const repositories = createKyselyRepositories(db);
  const stripe = createStripeProvider({ secretKey: 'sk_test_bench', webhookSecret: BENCH_WEBHOOK_SECRET });
  const service = createPaymentService({ factory: createPaymentFactory({ providers: [stripe] }), repositories });
  const byHand = handWrittenHandler(database, BENCH_WEBHOOK_SECRET);

  /** Orders with one pending Stripe attempt each, created in one transaction (untimed). */
  const payments = async (n: number): Promise<BenchPayment[]> => {
    const list = Array.from({ length: n }, () => ({ orderId: id(), attemptId: id(), amount: 1999 }));
    for (let i = 0; i < list.length; i += 250) {
      await repositories.transaction(async (tx) => {
        for (const p of list.slice(i, i + 250)) {
          await tx.orders.create({
            orderId: p.orderId,
            userId: `user_${p.orderId.slice(0, 12)}`,
            productId: 'course_ts_advanced',
            payableAmount: p.amount,
            currency: 'USD',
            paymentChannel: 'stripe',
            status: 'pending',
          });
          await tx.attempts.create({
            attemptId: p.attemptId,
            orderId: p.orderId,
            providerKind: 'stripe',
            channel: 'payment_intent',
            amount: p.amount,
            currency: 'USD',
            userId: `user_${p.orderId.slice(0, 12)}`,
            productId: 'course_ts_advanced',
          });
        }
      });
    }
    return list;
  };

  const viaLibrary = (expected: string) => async (d: SignedEvent) => {
    const result = await service.handleWebhook({ provider: 'stripe', rawBody: d.rawBody, headers: d.headers });
    if (result.outcome !== expected) throw new Error(`bench: library answered ${result.outcome}, expected ${expected}`);
  };
  const viaHand = (expected: string) => async (d: SignedEvent) => {
    const outcome = await byHand(d);
    if (outcome !== expected) throw new Error(`bench: hand-written answered ${outcome}, expected ${expected}`);
  };

  // Warm-up (JIT, pools, page cache), unrecorded.
  const warm = await payments(100);
  const warmHand = await payments(100);
  await throughput(signDeliveries(warm, 'warm'), 4, viaLibrary('applied'));
  await throughput(signDeliveries(warmHand, 'warm'), 4, viaHand('applied'));

  // Bodies of the first concurrency level's deliveries, per side and round, for the duplicate leg.
  const delivered: { library: string[][]; hand: string[][] } = { library: [], hand: [] };
  const apply: WebhookBenchResult['apply'] = [];
  for (const concurrency of plan.concurrency) {
    const prefix = `c${concurrency}`;
    const comparison = await interleaved(
      plan.rounds,
      async (round) => {
        const deliveries = signDeliveries(await payments(plan.batch), `${prefix}r${round}`);
        if (concurrency === plan.concurrency[0]) delivered.library.push(deliveries.map((d) => d.rawBody));
        return throughput(deliveries, concurrency, viaLibrary('applied'));
      },
      async (round) => {
        const deliveries = signDeliveries(await payments(plan.batch), `${prefix}r${round}`);
        if (concurrency === plan.concurrency[0]) delivered.hand.push(deliveries.map((d) => d.rawBody));
        return throughput(deliveries, concurrency, viaHand('applied'));
      },
    );
    apply.push({ concurrency, comparison });
  }

  // Duplicates: redeliver the first level's events at concurrency 1 — the same bodies byte for byte (as
  // Stripe redelivers; a different body under a journaled id is a conflict, not a duplicate), freshly signed
  // so the tolerance holds. Both sides' rounds ran in order, so round r replays that side's r-th batch.
  const resign = (bodies: string[]) => bodies.map((body) => resignDelivery(body));
  const duplicate = await interleaved(
    plan.rounds,
    (round) => throughput(resign(delivered.library[round]!), 1, viaLibrary('duplicate')),
    (round) => throughput(resign(delivered.hand[round]!), 1, viaHand('duplicate')),
  );
  return { apply, duplicate };
}
