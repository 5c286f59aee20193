/**
 * The floor under `createCharge`: the same durable work written by hand on the raw driver. One transaction reads
 * the order (locked on the servers) and its open Stripe attempts, inserts the attempt and moves the order to
 * `pending` (guarded); after COMMIT the PaymentIntent is created with the attempt's idempotency key, then one
 * autocommit UPDATE stores it on the attempt. Two durable commits and the SDK call, as the library does, minus
 * everything the library adds (routing, validation, reuse rules, the normalised result).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { ORDER_BIZ_DOMAIN } from '../src/kysely/migrations/table-specs.js';
import type { BenchDatabase } from './databases.js';

const ORDERS = 'order_orders';
const ATTEMPTS = 'order_stripe_orders';
const SELECT_ORDER = `select status, paid_price, currency, user_bid, shifu_bid from ${ORDERS} where order_bid = ? and deleted = 0`;
const SELECT_OPEN = `select stripe_order_bid, status, amount, channel from ${ATTEMPTS} where order_bid = ? and deleted = 0`;
const INSERT_ATTEMPT = `insert into ${ATTEMPTS} (stripe_order_bid, order_bid, deleted, biz_domain, provider_name, channel, amount, currency, user_bid, shifu_bid, status, created_at, updated_at) values (?, ?, 0, '${ORDER_BIZ_DOMAIN}', 'stripe', 'payment_intent', ?, ?, ?, ?, 0, ?, ?)`;
const UPDATE_ORDER = `update ${ORDERS} set status = 504, payment_channel = 'stripe', updated_at = ? where order_bid = ? and status in (501, 504) and deleted = 0`;
const UPDATE_ATTEMPT = `update ${ATTEMPTS} set provider_reference = ?, payment_intent_id = ?, payment_intent_object = ?, livemode = ?, updated_at = ? where stripe_order_bid = ?`;

interface OrderRow {
  status: number;
  paid_price: string | number;
  currency: string;
  user_bid: string;
  shifu_bid: string;
}

/** The PaymentIntent parameters the Stripe adapter sends for an order (same keys, same description). */
export function intentParams(orderId: string, attemptId: string, userId: string, productId: string) {
  return {
    amount: 1999,
    currency: 'usd',
    metadata: { order_bid: orderId, stripe_order_bid: attemptId, user_bid: userId, shifu_bid: productId },
    description: `Order ${orderId}`,
  };
}

/** Statements in one transaction, then the call, then the answer stored: what one hand-written charge does. */
type Exec = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** A hand-written `createCharge` on one bench database, calling Stripe through `sdk`. */
export function handWrittenCharge(database: BenchDatabase, sdk: Stripe): (orderId: string) => Promise<string> {
  const charge = async (
    orderId: string,
    transaction: (work: (exec: Exec) => Promise<void>) => Promise<void>,
    autocommit: Exec,
  ) => {
    const attemptId = randomBytes(16).toString('hex');
    let order: OrderRow | undefined;
    await transaction(async (exec) => {
      order = (await exec(SELECT_ORDER, [orderId]))[0] as OrderRow | undefined;
      if (!order || (order.status !== 501 && order.status !== 504)) throw new Error('bench: order not chargeable');
      await exec(SELECT_OPEN, [orderId]); // open attempts to reuse: none in the bench
      const now = database.dialect === 'sqlite' ? new Date().toISOString() : new Date();
      const amount = Math.round(Number(order.paid_price) * 100);
      await exec(INSERT_ATTEMPT, [attemptId, orderId, amount, 'usd', order.user_bid, order.shifu_bid, now, now]);
      await exec(UPDATE_ORDER, [now, orderId]);
    });
    const intent = await sdk.paymentIntents.create(
      intentParams(orderId, attemptId, order!.user_bid, order!.shifu_bid),
      { idempotencyKey: `pf-pi-${attemptId}` },
    );
    const now = database.dialect === 'sqlite' ? new Date().toISOString() : new Date();
    await autocommit(UPDATE_ATTEMPT, [
      intent.id,
      intent.id,
      JSON.stringify(intent),
      intent.livemode ? 1 : 0,
      now,
      attemptId,
    ]);
    return intent.client_secret ?? '';
  };

  if (database.dialect === 'sqlite') {
    const raw = database.raw;
    const statements = new Map<string, ReturnType<typeof raw.prepare>>();
    const exec: Exec = async (text, params) => {
      let statement = statements.get(text);
      if (!statement) statements.set(text, (statement = raw.prepare(text)));
      if (statement.reader) return statement.all(params) as Record<string, unknown>[];
      statement.run(params);
      return [];
    };
    return (orderId) =>
      charge(
        orderId,
        async (work) => {
          raw.exec('begin immediate');
          try {
            await work(exec);
            raw.exec('commit');
          } catch (error) {
            raw.exec('rollback');
            throw error;
          }
        },
        exec,
      );
  }
  if (database.dialect === 'postgres') {
    const pool = database.raw;
    const numbered = (text: string) => {
      let n = 0;
      return text.replace(/\?/g, () => `$${++n}`);
    };
    const run =
      (client: { query(text: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }): Exec =>
      async (text, params) =>
        (await client.query(numbered(text === SELECT_ORDER ? `${text} for update` : text), params)).rows;
    return (orderId) =>
      charge(
        orderId,
        async (work) => {
          const client = await pool.connect();
          try {
            await client.query('begin');
            await work(run(client));
            await client.query('commit');
          } catch (error) {
            await client.query('rollback').catch(() => undefined);
            throw error;
          } finally {
            client.release();
          }
        },
        run(pool),
      );
  }
  const pool = database.raw;
  const run =
    (conn: { query(text: string, params: unknown[]): Promise<unknown> }): Exec =>
    async (text, params) => {
      const [rows] = (await conn.query(text === SELECT_ORDER ? `${text} for update` : text, params)) as [unknown];
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    };
  return (orderId) =>
    charge(
      orderId,
      async (work) => {
        const conn = await pool.getConnection();
        try {
          await conn.query('begin');
          await work(run(conn));
          await conn.query('commit');
        } catch (error) {
          await conn.query('rollback').catch(() => undefined);
          throw error;
        } finally {
          conn.release();
        }
      },
      run(pool),
    );
}
