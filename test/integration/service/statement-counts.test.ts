/**
 * How many SQL statements a webhook costs, counted at the driver (so `SET TRANSACTION` and driver-issued
 * statements count; `BEGIN` / `COMMIT` do not). Deterministic: the count, not the time, is asserted.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPaymentFactory, createPaymentService } from '../../../src/index.js';
import { sql } from 'kysely';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import { signStripeWebhook } from '../../../src/testing/stripe-signer.js';
import { startStripeEmulator } from '../../../src/testing/stripe-testing.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';
import { createStatementLog } from '../../helpers/statement-log.js';

const SECRET = 'whsec_statement_counts';
const id = () => randomBytes(16).toString('hex');

function succeeded(attemptId: string, orderId: string, eventId = `evt_${id()}`) {
  return signStripeWebhook(
    {
      id: eventId,
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: {
        object: {
          id: `pi_${attemptId.slice(0, 20)}`,
          object: 'payment_intent',
          amount: 1999,
          amount_received: 1999,
          currency: 'usd',
          status: 'succeeded',
          livemode: false,
          latest_charge: `ch_${attemptId.slice(0, 20)}`,
          metadata: { stripe_order_bid: attemptId, order_bid: orderId },
        },
      },
    },
    SECRET,
  );
}

for (const dialect of testDialects()) {
  describe(`statements per webhook, ${dialect.name}`, () => {
    const log = createStatementLog();
    let database: TestDatabase;

    const setUp = async () => {
      database = await dialect.open({ wrapDialect: log.wrap });
      await migrateToLatest(database.db);
      // The test pools' MySQL sessions are READ COMMITTED, as createKyselyFromUrl's are.
      const repositories = createKyselyRepositories(database.db, { mysqlIsolation: 'session' });
      const stripe = createStripeProvider({ secretKey: 'sk_test_counts', webhookSecret: SECRET });
      const service = createPaymentService({ factory: createPaymentFactory({ providers: [stripe] }), repositories });
      const pay = async () => {
        const orderId = id();
        const attemptId = id();
        await repositories.orders.create({
          orderId,
          userId: 'u1',
          productId: 'p1',
          payableAmount: 1999,
          currency: 'USD',
          status: 'pending',
        });
        await repositories.attempts.create({
          attemptId,
          orderId,
          providerKind: 'stripe',
          channel: 'payment_intent',
          amount: 1999,
          currency: 'USD',
        });
        return { orderId, attemptId, repositories };
      };
      return { service, pay };
    };

    it('applies a state-changing webhook in at most 6 statements, and a duplicate in at most 3', async () => {
      const { service, pay } = await setUp();
      try {
        const { orderId, attemptId, repositories } = await pay();
        const delivery = succeeded(attemptId, orderId);
        log.reset();
        expect((await service.handleWebhook({ provider: 'stripe', ...delivery })).outcome).toBe('applied');
        const applied = log.work();
        log.reset();
        expect((await service.handleWebhook({ provider: 'stripe', ...delivery })).outcome).toBe('duplicate');
        const duplicate = log.work();
        expect(
          { applied: applied.length, duplicate: duplicate.length },
          [...applied, '--', ...duplicate].join('\n'),
        ).toSatisfy(({ applied: a, duplicate: d }: { applied: number; duplicate: number }) => a <= 6 && d <= 3);
        expect(applied.some((s) => /set transaction/i.test(s))).toBe(false);
        // The statements did the work: the order is paid, the attempt too, the journal says applied.
        expect((await repositories.orders.findById(orderId))?.status).toBe('paid');
        expect((await repositories.attempts.findById(attemptId))?.status).toBe('paid');
        expect((await repositories.events.find('stripe', JSON.parse(delivery.rawBody).id))?.outcome).toBe('applied');
      } finally {
        await database.destroy();
      }
    });
  });
}

for (const dialect of testDialects()) {
  describe(`statements per createCharge, ${dialect.name}`, () => {
    it('records the attempt, calls Stripe and stores its answer in at most 7 statements and two commits', async () => {
      const log = createStatementLog();
      const database = await dialect.open({ wrapDialect: log.wrap });
      const emulator = await startStripeEmulator({ webhookSecret: SECRET });
      try {
        await migrateToLatest(database.db);
        const stripe = createStripeProvider({
          secretKey: 'sk_test_counts',
          webhookSecret: SECRET,
          maxNetworkRetries: 0,
          ...emulator.sdkOptions,
        });
        const repositories = createKyselyRepositories(database.db, { mysqlIsolation: 'session' });
        const service = createPaymentService({ factory: createPaymentFactory({ providers: [stripe] }), repositories });
        const order = await service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: 1999, currency: 'USD' });
        log.reset();
        const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe' });
        const work = log.work();
        // Order read; in one transaction: order (locked), open attempts of the kind, id check, attempt insert, order
        // update; then the provider's answer in one UPDATE (an init order has no attempt to reuse: no read before).
        expect(work.length, work.join('\n')).toBeLessThanOrEqual(7);
        // Exactly two durable commits: the transaction before the call, the answer's autocommit UPDATE after it.
        const commit = log.all.findIndex((s) => /^\s*commit\b/i.test(s));
        expect(log.all.filter((s) => /^\s*commit\b/i.test(s))).toHaveLength(1);
        expect(log.all.slice(commit + 1).filter((s) => /^\s*(insert|update|delete)\b/i.test(s))).toHaveLength(1);
        expect(dto.qrUrl).toMatch(/_secret_/);
        const attempt = await repositories.attempts.findLatestByOrder(order.orderId);
        expect(attempt).toMatchObject({ status: 'pending', providerReference: expect.stringMatching(/^pi_/) });
        expect((await repositories.orders.findById(order.orderId))?.status).toBe('pending');
      } finally {
        await emulator.close();
        await database.destroy();
      }
    });
  });
}

for (const dialect of testDialects().filter((d) => d.name === 'mysql')) {
  describe('MySQL sessions from createKyselyFromUrl', () => {
    it('are READ COMMITTED, so repositories send no SET TRANSACTION', async () => {
      const database = await dialect.open();
      const db = await createKyselyFromUrl(database.url);
      try {
        const isolation = async () => {
          const { rows } = await sql<{ level: string }>`select @@session.tx_isolation as level`
            .execute(db)
            .catch(() => sql<{ level: string }>`select @@session.transaction_isolation as level`.execute(db));
          return rows[0]?.level;
        };
        expect(await isolation()).toBe('READ-COMMITTED');
        await createKyselyRepositories(db).transaction(async (tx) => {
          const { rows } = await sql<{ level: string }>`select @@session.tx_isolation as level`
            .execute(tx.handle)
            .catch(() => sql<{ level: string }>`select @@session.transaction_isolation as level`.execute(tx.handle));
          expect(rows[0]?.level).toBe('READ-COMMITTED');
        });
      } finally {
        await db.destroy();
        await database.destroy();
      }
    });
  });
}
