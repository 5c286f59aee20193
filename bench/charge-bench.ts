/**
 * `createCharge` latency vs the bare SDK call it wraps, all against the same Stripe emulator, in rounds that rotate
 * the order of three sides:
 *
 * - the library: `service.createCharge` on a database from `createKyselyFromUrl` (SQLite: WAL +
 *   `synchronous=FULL`, so the attempt is durable before the provider is called, and the answer after);
 * - the bare call: `stripe.paymentIntents.create` with the adapter's parameters and an idempotency key, on an SDK
 *   client configured as the adapter's (no retries, the SDK's keep-alive agent, no telemetry);
 * - the floor: the same durable work written by hand on the raw driver (`hand-written-charge.ts`): two commits
 *   and the call. Its ratio to the bare call is the best any library can do on this disk.
 *
 * Orders are created untimed before each round; each side's value is the median latency of its round.
 * @module
 */
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { createPaymentFactory, createPaymentService } from '../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../src/kysely/index.js';
import { createStripeProvider } from '../src/stripe/index.js';
import { startStripeEmulator } from '../src/testing/stripe-testing.js';
import type { BenchDatabase } from './databases.js';
import { handWrittenCharge, intentParams } from './hand-written-charge.js';
import { medianLatency, sample, type Comparison } from './measure.js';

const SECRET_KEY = 'sk_test_bench_charge';

/** Values are milliseconds per call: the library and the hand-written floor, each against the bare call. */
export interface ChargeComparison {
  library: Comparison;
  floor: Comparison;
}

/** Runs the comparison on a fresh database from `open`. */
export async function chargeBench(
  plan: { rounds: number; batch: number },
  open: () => Promise<BenchDatabase>,
): Promise<ChargeComparison> {
  const emulator = await startStripeEmulator({ webhookSecret: 'whsec_bench' });
  const database = await open();
  try {
    await migrateToLatest(database.db);
    const provider = createStripeProvider({
      secretKey: SECRET_KEY,
      webhookSecret: 'whsec_bench',
      maxNetworkRetries: 0,
      ...emulator.sdkOptions,
    });
    const service = createPaymentService({
      factory: createPaymentFactory({ providers: [provider] }),
      repositories: createKyselyRepositories(database.db),
    });
    const sdk = new Stripe(SECRET_KEY, { maxNetworkRetries: 0, ...emulator.sdkOptions });
    const hand = handWrittenCharge(database, sdk);
    const orders = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i += 1) {
        const order = await service.initOrder({
          userId: `user_${randomBytes(6).toString('hex')}`,
          productId: 'course_ts_advanced',
          payableAmount: 1999,
          currency: 'USD',
        });
        ids.push(order.orderId);
      }
      return ids;
    };
    const sides = [
      async () =>
        medianLatency(await orders(plan.batch), (orderId) =>
          service.createCharge({ orderId, paymentChannel: 'stripe' }),
        ),
      async () => medianLatency(await orders(plan.batch), hand),
      async () =>
        medianLatency(
          Array.from({ length: plan.batch }, () => randomBytes(16).toString('hex')),
          (attemptId) =>
            sdk.paymentIntents.create(intentParams(randomBytes(16).toString('hex'), attemptId, 'user_1', 'course'), {
              idempotencyKey: `pf-pi-${attemptId}`,
            }),
        ),
    ] as const;
    for (const side of sides) await side(); // warm-up
    const values: [number[], number[], number[]] = [[], [], []];
    for (let round = 0; round < plan.rounds; round += 1) {
      // Each round starts with another side, so drift on a shared machine hits all three alike.
      for (let k = 0; k < sides.length; k += 1) {
        const i = (round + k) % sides.length;
        values[i as 0 | 1 | 2].push(await sides[i as 0 | 1 | 2]());
      }
    }
    const [library, floor, bare] = values.map(sample) as [
      ReturnType<typeof sample>,
      ReturnType<typeof sample>,
      ReturnType<typeof sample>,
    ];
    return { library: { subject: library, baseline: bare }, floor: { subject: floor, baseline: bare } };
  } finally {
    await database.close();
    await emulator.close();
  }
}
