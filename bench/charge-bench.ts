/**
 * `createCharge` latency vs the bare SDK call it wraps, both against the same Stripe emulator: the library
 * (SQLite file, WAL + `synchronous=FULL`: the attempt is durable before the provider is called) vs
 * `stripe.paymentIntents.create` with an idempotency key on a bare SDK client. Orders are created untimed
 * before each round; each side's value is the median latency of its round.
 * @module
 */
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { createPaymentFactory, createPaymentService } from '../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../src/kysely/index.js';
import { createStripeProvider } from '../src/stripe/index.js';
import { startStripeEmulator } from '../src/testing/stripe-testing.js';
import { openSqlite } from './databases.js';
import { interleaved, medianLatency, type Comparison } from './measure.js';

const SECRET_KEY = 'sk_test_bench_charge';

/** Runs the comparison; values are milliseconds per call. */
export async function chargeBench(plan: { rounds: number; batch: number }): Promise<Comparison> {
  const emulator = await startStripeEmulator({ webhookSecret: 'whsec_bench' });
  const database = await openSqlite();
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
    const library = async () =>
      medianLatency(await orders(plan.batch), (orderId) => service.createCharge({ orderId, paymentChannel: 'stripe' }));
    const bare = async () =>
      medianLatency(
        Array.from({ length: plan.batch }, () => randomBytes(16).toString('hex')),
        (attemptId) =>
          sdk.paymentIntents.create(
            {
              amount: 1999,
              currency: 'usd',
              description: 'Order',
              metadata: { stripe_order_bid: attemptId, order_bid: attemptId },
            },
            { idempotencyKey: `pf_${attemptId}` },
          ),
      );
    await library(); // warm-up
    await bare();
    return await interleaved(plan.rounds, library, bare);
  } finally {
    await database.close();
    await emulator.close();
  }
}
