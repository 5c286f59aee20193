/**
 * The baseline every webhook benchmark compares with: the same work written by hand. The Stripe SDK's
 * `constructEvent` verifies the signature, then ONE transaction on the raw driver journals the event with its
 * 2 KB payload and its SHA-256 (unique per provider + event id, the outcome written with it; a taken id is
 * told apart as a duplicate or, with another hash, a conflicting redelivery, as the library does), reads the attempt (locked on
 * the servers), moves it to paid with a guarded UPDATE storing the PaymentIntent, moves the order to
 * paid with a guarded UPDATE, and writes the `order.paid` notification to the outbox (as the library does for
 * its after-commit consumers and workers). It writes what the library writes, to the same tables, with the same
 * durability, on its own rows.
 * @module
 */
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import type { BenchDatabase } from './databases.js';
import type { SignedEvent } from './stripe-events.js';

/** What one delivery did. */
export type HandOutcome = 'applied' | 'duplicate' | 'conflict' | 'ignored';

const EVENTS = 'order_payment_events';
const ATTEMPTS = 'order_stripe_orders';
const ORDERS = 'order_orders';

const INSERT_EVENT_COLUMNS =
  'provider, event_id, type, provider_event_type, attempt_bid, order_bid, outcome, detail, payload, payload_hash, received_at, processed_at';
const SELECT_EVENT_HASH = `select payload_hash from ${EVENTS} where provider = ? and event_id = ?`;
const SELECT_ATTEMPT = `select stripe_order_bid, order_bid, amount, currency, status from ${ATTEMPTS} where stripe_order_bid = ?`;
const UPDATE_ATTEMPT = `update ${ATTEMPTS} set status = 1, paid_at = ?, payment_intent_id = ?, payment_intent_object = ?, livemode = ?, updated_at = ? where stripe_order_bid = ? and status = 0`;
const OUTBOX = 'order_payment_outbox';
const INSERT_OUTBOX = `insert into ${OUTBOX} (message_key, type, order_bid, payload, status, attempts, available_at, created_at, updated_at) values (?, 'order.paid', ?, ?, 0, 0, ?, ?, ?)`;
const UPDATE_ORDER = `update ${ORDERS} set status = 502, captured_price = ?, payment_channel = 'stripe', updated_at = ? where order_bid = ? and status in (501, 504) and deleted = 0`;

/** Plain values a transaction writes, from the verified event. */
interface Facts {
  event: Stripe.Event;
  intent: Stripe.PaymentIntent;
  attemptId: string;
  orderId: string;
  rawBody: string;
  /** SHA-256 of the raw body (the bench's redeliveries are byte for byte). */
  hash: string;
}

const verifier = Stripe.webhooks;

function verify(delivery: SignedEvent, secret: string): Facts {
  const event = verifier.constructEvent(delivery.rawBody, delivery.headers['stripe-signature'], secret);
  const intent = event.data.object as Stripe.PaymentIntent;
  return {
    event,
    intent,
    attemptId: intent.metadata['stripe_order_bid']!,
    orderId: intent.metadata['order_bid']!,
    rawBody: delivery.rawBody,
    hash: `sha256:${createHash('sha256').update(delivery.rawBody).digest('hex')}`,
  };
}

const eventValues = (f: Facts, now: Date | string) => [
  'stripe',
  f.event.id,
  'payment.succeeded',
  f.event.type,
  f.attemptId,
  f.orderId,
  'applied',
  null,
  f.rawBody,
  f.hash,
  now,
  now,
];

/** A taken event id: the same body is a duplicate, another body a conflicting redelivery. */
const taken = (f: Facts, stored: { payload_hash: string | null } | undefined): HandOutcome =>
  stored?.payload_hash === f.hash ? 'duplicate' : 'conflict';

const capture = (amount: number) => (amount / 100).toFixed(2);

/** The outbox row of the order's payment: the order and attempt as they now are (no provider objects). */
const outboxValues = (f: Facts, amount: number, now: Date | string) => [
  `order.paid:${f.orderId}`,
  f.orderId,
  JSON.stringify({
    type: 'order.paid',
    order: { orderId: f.orderId, status: 'paid', paidAmount: amount, currency: f.intent.currency, paidAt: now },
    attempt: {
      attemptId: f.attemptId,
      orderId: f.orderId,
      providerKind: 'stripe',
      status: 'paid',
      amount,
      currency: f.intent.currency,
      providerReference: f.intent.id,
      paidAt: new Date(f.event.created * 1000),
    },
    source: 'webhook',
    eventId: f.event.id,
  }),
  now,
  now,
  now,
];

/** A hand-written webhook handler on one bench database. */
export function handWrittenHandler(database: BenchDatabase, secret: string): (d: SignedEvent) => Promise<HandOutcome> {
  if (database.dialect === 'sqlite') {
    const raw = database.raw;
    const insert = raw.prepare(
      `insert into ${EVENTS} (${INSERT_EVENT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
    );
    const select = raw.prepare(SELECT_ATTEMPT);
    const selectHash = raw.prepare(SELECT_EVENT_HASH);
    const updateAttempt = raw.prepare(UPDATE_ATTEMPT);
    const updateOrder = raw.prepare(UPDATE_ORDER);
    const insertOutbox = raw.prepare(INSERT_OUTBOX);
    const apply = raw.transaction((f: Facts): HandOutcome => {
      const now = new Date().toISOString();
      if (insert.run(...eventValues(f, now)).changes === 0)
        return taken(f, selectHash.get('stripe', f.event.id) as { payload_hash: string | null } | undefined);
      const attempt = select.get(f.attemptId) as { amount: number; status: number; order_bid: string } | undefined;
      if (!attempt || attempt.amount !== f.intent.amount_received) throw new Error('bench: attempt mismatch');
      if (attempt.status !== 0) return 'ignored';
      const paidAt = new Date(f.event.created * 1000).toISOString();
      updateAttempt.run(paidAt, f.intent.id, JSON.stringify(f.intent), f.event.livemode ? 1 : 0, now, f.attemptId);
      updateOrder.run(capture(attempt.amount), now, attempt.order_bid);
      insertOutbox.run(...outboxValues(f, attempt.amount, now));
      return 'applied';
    });
    return async (d) => apply.immediate(verify(d, secret));
  }
  if (database.dialect === 'postgres') {
    const pool = database.raw;
    const numbered = (text: string) => {
      let n = 0;
      return text.replace(/\?/g, () => `$${++n}`);
    };
    const insert = numbered(
      `insert into ${EVENTS} (${INSERT_EVENT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
    );
    const select = numbered(`${SELECT_ATTEMPT} for update`);
    const selectHash = numbered(SELECT_EVENT_HASH);
    const updateAttempt = numbered(UPDATE_ATTEMPT);
    const updateOrder = numbered(UPDATE_ORDER);
    const insertOutbox = numbered(INSERT_OUTBOX);
    return async (d) => {
      const f = verify(d, secret);
      const client = await pool.connect();
      try {
        await client.query('begin');
        const now = new Date();
        const outcome = await (async (): Promise<HandOutcome> => {
          if ((await client.query(insert, eventValues(f, now))).rowCount === 0)
            return taken(f, (await client.query(selectHash, ['stripe', f.event.id])).rows[0]);
          const attempt = (await client.query(select, [f.attemptId])).rows[0] as
            { amount: string; status: number; order_bid: string } | undefined;
          if (!attempt || Number(attempt.amount) !== f.intent.amount_received)
            throw new Error('bench: attempt mismatch');
          if (attempt.status !== 0) return 'ignored';
          const paidAt = new Date(f.event.created * 1000);
          await client.query(updateAttempt, [
            paidAt,
            f.intent.id,
            JSON.stringify(f.intent),
            f.event.livemode ? 1 : 0,
            now,
            f.attemptId,
          ]);
          await client.query(updateOrder, [capture(Number(attempt.amount)), now, attempt.order_bid]);
          await client.query(insertOutbox, outboxValues(f, Number(attempt.amount), now));
          return 'applied';
        })();
        await client.query('commit');
        return outcome;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    };
  }
  const pool = database.raw;
  const insert = `insert ignore into ${EVENTS} (${INSERT_EVENT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  const select = `${SELECT_ATTEMPT} for update`;
  return async (d) => {
    const f = verify(d, secret);
    const conn = await pool.getConnection();
    try {
      await conn.query('begin');
      const now = new Date();
      const outcome = await (async (): Promise<HandOutcome> => {
        const [inserted] = (await conn.query(insert, eventValues(f, now))) as unknown as [{ affectedRows: number }];
        if (inserted.affectedRows === 0) {
          const [stored] = (await conn.query(SELECT_EVENT_HASH, ['stripe', f.event.id])) as unknown as [
            Array<{ payload_hash: string | null }>,
          ];
          return taken(f, stored[0]);
        }
        const [rows] = (await conn.query(select, [f.attemptId])) as unknown as [
          Array<{ amount: number | string; status: number; order_bid: string }>,
        ];
        const attempt = rows[0];
        if (!attempt || Number(attempt.amount) !== f.intent.amount_received) throw new Error('bench: attempt mismatch');
        if (attempt.status !== 0) return 'ignored';
        const paidAt = new Date(f.event.created * 1000);
        await conn.query(UPDATE_ATTEMPT, [
          paidAt,
          f.intent.id,
          JSON.stringify(f.intent),
          f.event.livemode ? 1 : 0,
          now,
          f.attemptId,
        ]);
        await conn.query(UPDATE_ORDER, [capture(Number(attempt.amount)), now, attempt.order_bid]);
        await conn.query(INSERT_OUTBOX, outboxValues(f, Number(attempt.amount), now));
        return 'applied';
      })();
      await conn.query('commit');
      return outcome;
    } catch (error) {
      await conn.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  };
}
