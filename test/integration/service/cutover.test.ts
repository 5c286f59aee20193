/**
 * Cutover from the original system, on every database of the matrix (issue 10, point 5): its tables as its
 * SQLAlchemy models create them, rows as its Python code writes them (discounted, free, Stripe USD paid, Stripe
 * Checkout pending, Ping++ pending and paid, refunded, timed out; `str()` / Python `repr` payloads, `json.dumps`
 * envelopes, `''` and placeholder timestamps), the provider-side objects those rows name created at the emulators,
 * then `migrateToLatest` and every flow through the service: charge (with the legacy answer), webhook, duplicate,
 * refund, dashboard refund (Stripe and Ping++), reconcile, expiry and timeout. Afterwards the original keeps writing
 * rows (a side-by-side cutover) and acts on ours. Every row is read back through {@link originalRead}, plain SQL
 * that reads the columns with the original's meanings and shares nothing with the repositories.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  toLegacyBuyRecord,
  type PaymentProvider,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import {
  startPingxxEmulator,
  startStripeEmulator,
  type PingxxEmulator,
  type StripeEmulator,
} from '../../../src/testing/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';
import { createOriginalTables, originalDefaults } from '../persistence/original-tables.js';
import { pingppStr, pyJsonDumps, pyRepr } from '../persistence/python-text.js';

/** `YYYY-MM-DD HH:MM:SS` (UTC), `minutes` from now, as the original's DATETIME columns hold it. */
const at = (minutes: number): string =>
  new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');

/** DECIMAL text → cents without floats: the original's `int(paid_price * 100)`. */
const cents = (v: unknown): number => {
  const [whole = '0', fraction = ''] = String(v).split('.');
  return Number(whole + fraction.padEnd(2, '0').slice(0, 2));
};

type Row = Record<string, unknown>;

/** The original's attempt ids were 32 hex digits (`uuid4().hex`); one per name here, so the cases can name them. */
const att = (name: string): string => createHash('md5').update(name).digest('hex');

/** What a JSON-or-not TEXT column holds: the parsed object's `object`, `'{}'`, or `'python'` for a literal. */
function objectKind(text: unknown): string | null {
  if (typeof text !== 'string' || text === '') return null;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return Object.keys(parsed).length === 0 ? '{}' : String(parsed['object']);
  } catch {
    return 'python';
  }
}

/**
 * The rows of an order as the original's code reads them: its own filters (`deleted = 0`, attempts of
 * `biz_domain = 'order'`, latest last), statuses as its integer codes, `paid_price` as what it charges, currencies
 * as written.
 */
async function originalRead(db: Kysely<UntypedDatabase>, orderBid: string) {
  const [order] = (await sql<Row>`select * from order_orders where order_bid = ${orderBid} and deleted = 0`.execute(db))
    .rows;
  if (!order) return null;
  const attempts = async (table: string, idColumn: string) =>
    (
      await sql<Row>`select * from ${sql.table(table)} where order_bid = ${orderBid} and biz_domain = 'order'
        and deleted = 0 order by id`.execute(db)
    ).rows.map((r) => ({
      id: String(r[idColumn]),
      status: Number(r['status']),
      amount: Number(r['amount']),
      currency: r['currency'],
      user: r['user_bid'],
      shifu: r['shifu_bid'],
      object:
        table === 'order_pingxx_orders'
          ? objectKind(r['charge_object'])
          : objectKind(r[r['checkout_session_id'] ? 'checkout_session_object' : 'payment_intent_object']),
    }));
  return {
    status: Number(order['status']),
    list: cents(order['payable_price']),
    charged: cents(order['paid_price']),
    channel: order['payment_channel'],
    pingxx: await attempts('order_pingxx_orders', 'pingxx_order_bid'),
    stripe: await attempts('order_stripe_orders', 'stripe_order_bid'),
  };
}

for (const dialect of testDialects()) {
  describe(`cutover from the original system on ${dialect.name}`, () => {
    let t: TestDatabase;
    let db: Kysely<UntypedDatabase>;
    let stripeEmulator: StripeEmulator;
    let pingxxEmulator: PingxxEmulator;
    /** The original's Stripe client (stripe-python stands in: same API, same objects). */
    let pyStripe: Stripe;
    /** The original's pingpp calls (the same API requests; the rows are written as Python wrote them). */
    let pyPingxx: PaymentProvider;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;
    const post = async (provider: string, w: { rawBody: string; headers: Record<string, string> }) =>
      (await (
        await handle(
          new Request(`http://host/webhooks/${provider}`, { method: 'POST', body: w.rawBody, headers: w.headers }),
        )
      ).json()) as { outcome: string };

    // ---- the original system's writes (flaskr/service/order/funs.py) ----

    /** `init_buy_record`: list price, amount due after campaigns and coupons, status 501. */
    const pyOrder = (v: { bid: string; user: string; list: string; due: string; status: number; minutes: number }) =>
      db
        .insertInto('order_orders')
        .values({
          ...originalDefaults('order_orders', at(v.minutes)),
          order_bid: v.bid,
          user_bid: v.user,
          shifu_bid: `shifu-${v.bid}`,
          payable_price: v.list,
          paid_price: v.due,
          status: v.status,
        })
        .execute();
    const setOrder = (bid: string, values: Row) =>
      db.updateTable('order_orders').set(values).where('order_bid', '=', bid).execute();

    /** `_generate_pingxx_charge`: a charge at Ping++, then the row (`str(charge)`, `str(charge["extra"])`). */
    async function pyPingxxCharge(v: {
      bid: string;
      attempt: string;
      channel: 'alipay_qr' | 'wx_pub_qr';
      amount: number;
      minutes: number;
      text: (value: unknown) => string;
    }) {
      const created = await pyPingxx.createPayment({
        orderId: v.bid,
        attemptId: v.attempt,
        amount: v.amount,
        currency: 'CNY',
        channel: v.channel,
        subject: '课程',
        clientIp: '198.51.100.7',
        ...(v.channel === 'wx_pub_qr' ? { extra: { productId: `shifu-${v.bid}` } } : {}),
      });
      const charge = created.raw as Row;
      await db
        .insertInto('order_pingxx_orders')
        .values({
          ...originalDefaults('order_pingxx_orders', at(v.minutes)),
          pingxx_order_bid: v.attempt,
          user_bid: `user-${v.bid}`,
          shifu_bid: `shifu-${v.bid}`,
          order_bid: v.bid,
          transaction_no: charge['order_no'],
          app_id: charge['app'],
          channel: charge['channel'],
          amount: v.amount,
          currency: charge['currency'],
          subject: charge['subject'],
          body: charge['body'],
          client_ip: charge['client_ip'],
          extra: v.text(charge['extra']),
          charge_id: charge['id'],
          status: 0,
          charge_object: v.text(charge),
        })
        .execute();
      await setOrder(v.bid, { status: 504, payment_channel: 'pingxx' });
      return String(charge['id']);
    }

    /** `success_buy_record_from_pingxx`: the attempt (found by charge id) and the order, `json.dumps(body)`. */
    async function pyPingxxSucceeded(chargeId: string) {
      pingxxEmulator.controls.payCharge(chargeId);
      const body = JSON.parse(pingxxEmulator.controls.eventFor(chargeId, 'charge.succeeded').rawBody) as Row;
      const [row] = (
        await sql<Row>`select order_bid from order_pingxx_orders where charge_id = ${chargeId}
          and deleted = 0 and biz_domain = 'order'`.execute(db)
      ).rows;
      await db
        .updateTable('order_pingxx_orders')
        .set({ status: 1, charge_object: pyJsonDumps(body) })
        .where('charge_id', '=', chargeId)
        .execute();
      await db
        .updateTable('order_orders')
        .set({ status: 502 })
        .where('order_bid', '=', String(row?.['order_bid']))
        .where('status', '=', 504)
        .execute();
    }

    /** `_generate_stripe_charge` (PaymentIntent or Checkout Session, `STRIPE_DEFAULT_CURRENCY` = usd). */
    async function pyStripeCharge(v: {
      bid: string;
      attempt: string;
      amount: number;
      minutes: number;
      checkout?: boolean;
    }) {
      const metadata = {
        order_bid: v.bid,
        stripe_order_bid: v.attempt,
        user_bid: `user-${v.bid}`,
        shifu_bid: `shifu-${v.bid}`,
      };
      let intent: Stripe.PaymentIntent | null = null;
      let session: Stripe.Checkout.Session | null = null;
      if (v.checkout) {
        // The original sent no session-level metadata (DESIGN §9).
        session = await pyStripe.checkout.sessions.create({
          mode: 'payment',
          line_items: [
            { price_data: { currency: 'usd', unit_amount: v.amount, product_data: { name: 'Course' } }, quantity: 1 },
          ],
          success_url: `https://shop.example/result?order_id=${v.bid}`,
          cancel_url: `https://shop.example/result?canceled=1&order_id=${v.bid}`,
        });
      } else {
        intent = await pyStripe.paymentIntents.create({ amount: v.amount, currency: 'usd', metadata });
      }
      await db
        .insertInto('order_stripe_orders')
        .values({
          ...originalDefaults('order_stripe_orders', at(v.minutes)),
          stripe_order_bid: v.attempt,
          user_bid: `user-${v.bid}`,
          shifu_bid: `shifu-${v.bid}`,
          order_bid: v.bid,
          payment_intent_id: intent?.id ?? '',
          checkout_session_id: session?.id ?? '',
          amount: v.amount,
          currency: 'usd',
          status: 0,
          metadata_json: pyJsonDumps(metadata),
          payment_intent_object: intent ? pyJsonDumps(intent) : '{}',
          checkout_session_object: session ? pyJsonDumps(session) : '{}',
        })
        .execute();
      await setOrder(v.bid, { status: 504, payment_channel: 'stripe' });
      return (intent?.id ?? session?.id) as string;
    }

    /** `handle_stripe_webhook` for `payment_intent.succeeded`: the PaymentIntent stored, attempt 1, order 502. */
    async function pyStripeSucceeded(attempt: string, intentId: string) {
      stripeEmulator.succeedPayment(intentId);
      const intent = stripeEmulator.get(intentId) as Row;
      await db
        .updateTable('order_stripe_orders')
        .set({
          status: 1,
          latest_charge_id: String(intent['latest_charge']),
          payment_intent_object: pyJsonDumps(intent),
        })
        .where('stripe_order_bid', '=', attempt)
        .execute();
      const [row] = (
        await sql<Row>`select order_bid from order_stripe_orders where stripe_order_bid = ${attempt}`.execute(db)
      ).rows;
      await setOrder(String(row?.['order_bid']), { status: 502 });
    }

    beforeAll(async () => {
      t = await dialect.open();
      db = t.db;
      stripeEmulator = await startStripeEmulator();
      pingxxEmulator = await startPingxxEmulator();
      pyStripe = new Stripe('sk_test_original', { ...stripeEmulator.sdkOptions, maxNetworkRetries: 0 });
      pyPingxx = createPingxxProvider({ ...pingxxEmulator.providerOptions });
      await createOriginalTables(db, dialect.name);

      // Discounted, not yet charged (list 99.00, 59.00 due).
      await pyOrder({
        bid: 'py-discount',
        user: 'user-py-discount',
        list: '99.00',
        due: '59.00',
        status: 501,
        minutes: -1,
      });
      // Free: a 100% coupon, paid at once by generate_charge, no attempt.
      await pyOrder({ bid: 'py-free', user: 'user-py-free', list: '10.00', due: '0.00', status: 502, minutes: -60 });
      // Stripe USD, paid (refunded later through the service, and through the dashboard).
      for (const bid of ['py-stripe-paid', 'py-stripe-dash']) {
        await pyOrder({ bid, user: `user-${bid}`, list: '25.00', due: '19.99', status: 501, minutes: -3 * 24 * 60 });
        const pi = await pyStripeCharge({ bid, attempt: att(`stp-${bid}`), amount: 1999, minutes: -3 * 24 * 60 });
        await pyStripeSucceeded(att(`stp-${bid}`), pi);
      }
      // Stripe Checkout, pending.
      await pyOrder({
        bid: 'py-checkout',
        user: 'user-py-checkout',
        list: '30.00',
        due: '30.00',
        status: 501,
        minutes: -2,
      });
      await pyStripeCharge({
        bid: 'py-checkout',
        attempt: att('stp-py-checkout'),
        amount: 3000,
        minutes: -2,
        checkout: true,
      });
      // Ping++ pending, `str()` of a plain dict (a Python literal) in charge_object and extra.
      await pyOrder({
        bid: 'py-pxx-pending',
        user: 'user-py-pxx-pending',
        list: '49.00',
        due: '39.00',
        status: 501,
        minutes: -2,
      });
      await pyPingxxCharge({
        bid: 'py-pxx-pending',
        attempt: att('pxx-py-pxx-pending'),
        channel: 'wx_pub_qr',
        amount: 3900,
        minutes: -2,
        text: pyRepr,
      });
      // Ping++ paid (refunded later through the service, and outside it), pingpp's own `str()` of its objects.
      for (const bid of ['py-pxx-paid', 'py-pxx-ext']) {
        await pyOrder({ bid, user: `user-${bid}`, list: '88.00', due: '88.00', status: 501, minutes: -24 * 60 });
        const charge = await pyPingxxCharge({
          bid,
          attempt: att(`pxx-${bid}`),
          channel: 'alipay_qr',
          amount: 8800,
          minutes: -24 * 60,
          text: pingppStr,
        });
        await pyPingxxSucceeded(charge);
      }
      // Ping++ pending, unpaid past its window: reconcile expires it.
      await pyOrder({
        bid: 'py-expired',
        user: 'user-py-expired',
        list: '20.00',
        due: '20.00',
        status: 501,
        minutes: -120,
      });
      await pyPingxxCharge({
        bid: 'py-expired',
        attempt: att('pxx-py-expired'),
        channel: 'alipay_qr',
        amount: 2000,
        minutes: -120,
        text: pyRepr,
      });
      // Ping++ pending, opened a minute ago; the payer asks again through the new system.
      await pyOrder({ bid: 'py-fresh', user: 'user-py-fresh', list: '15.00', due: '12.00', status: 501, minutes: -1 });
      await pyPingxxCharge({
        bid: 'py-fresh',
        attempt: att('pxx-py-fresh'),
        channel: 'alipay_qr',
        amount: 1200,
        minutes: -1,
        text: pyRepr,
      });
      // Timed out (the original flips it in init_buy_record), its attempt never paid.
      await pyOrder({
        bid: 'py-timeout',
        user: 'user-py-timeout',
        list: '9.00',
        due: '9.00',
        status: 501,
        minutes: -600,
      });
      await pyPingxxCharge({
        bid: 'py-timeout',
        attempt: att('pxx-py-timeout'),
        channel: 'alipay_qr',
        amount: 900,
        minutes: -600,
        text: pyRepr,
      });
      await setOrder('py-timeout', { status: 505 });
      // Refunded through the original's refund_order_payment (Stripe): attempt 2, order 503, the refund object in
      // payment_intent_object.
      await pyOrder({
        bid: 'py-refunded',
        user: 'user-py-refunded',
        list: '5.00',
        due: '5.00',
        status: 501,
        minutes: -900,
      });
      const refundedPi = await pyStripeCharge({
        bid: 'py-refunded',
        attempt: att('stp-py-refunded'),
        amount: 500,
        minutes: -900,
      });
      await pyStripeSucceeded(att('stp-py-refunded'), refundedPi);
      const refund = await pyStripe.refunds.create({ payment_intent: refundedPi });
      await db
        .updateTable('order_stripe_orders')
        .set({ status: 2, payment_intent_object: pyJsonDumps(refund) })
        .where('stripe_order_bid', '=', att('stp-py-refunded'))
        .execute();
      await setOrder('py-refunded', { status: 503 });
      // An init order past PAY_ORDER_EXPIRE_TIME: the next initOrder for the same user and course times it out.
      await pyOrder({ bid: 'py-stale', user: 'user-py-stale', list: '7.00', due: '6.00', status: 501, minutes: -60 });

      await migrateToLatest(db);
      service = createPaymentService({
        factory: createPaymentFactory({
          providers: [
            createPingxxProvider({ ...pingxxEmulator.providerOptions }),
            createStripeProvider({
              secretKey: 'sk_test_cutover',
              webhookSecret: stripeEmulator.webhookSecret,
              successUrl: 'https://shop.example/ok',
              cancelUrl: 'https://shop.example/cancel',
              ...stripeEmulator.sdkOptions,
            }),
          ],
        }),
        repositories: createKyselyRepositories(db),
      });
      handle = createWebhookHandler(service);
    });

    afterAll(async () => {
      await stripeEmulator?.close();
      await pingxxEmulator?.close();
      await t?.destroy();
    });

    it('reads every adopted order with its original amounts, currency and status', async () => {
      const read = async (bid: string) => {
        const o = await service.getOrder(bid);
        return o && [o.status, o.listAmount, o.payableAmount, o.paidAmount, o.currency, o.paymentChannel];
      };
      expect(await read('py-discount')).toEqual(['init', 9900, 5900, 0, 'CNY', 'pingxx']);
      expect(await read('py-free')).toEqual(['paid', 1000, 0, 0, 'CNY', 'pingxx']);
      expect(await read('py-stripe-paid')).toEqual(['paid', 2500, 1999, 1999, 'USD', 'stripe']);
      expect(await read('py-checkout')).toEqual(['pending', 3000, 3000, 0, 'USD', 'stripe']);
      expect(await read('py-pxx-pending')).toEqual(['pending', 4900, 3900, 0, 'CNY', 'pingxx']);
      expect(await read('py-pxx-paid')).toEqual(['paid', 8800, 8800, 8800, 'CNY', 'pingxx']);
      expect(await read('py-timeout')).toEqual(['timeout', 900, 900, 0, 'CNY', 'pingxx']);
      expect(await read('py-refunded')).toEqual(['refunded', 500, 500, 500, 'USD', 'stripe']);
      expect(await service.repositories.attempts.findById(att('pxx-py-pxx-pending'))).toMatchObject({
        status: 'pending',
        amount: 3900,
        currency: 'CNY',
        userId: 'user-py-pxx-pending',
        extra: `{'product_id': 'shifu-py-pxx-pending'}`, // a Python literal is kept as text, not an error
      });
    });

    it('charges the amount due of an adopted discounted order and answers the legacy client as the original did', async () => {
      const dto = await service.createCharge({ orderId: 'py-discount', channel: 'alipay_qr', clientIp: '203.0.113.9' });
      const charge = pingxxEmulator.controls.findCharge(dto.paymentPayload!.attemptId)!;
      expect(charge.amount).toBe(5900);
      const qr = (charge.credential as Record<string, string>)['alipay_qr'];
      expect(toLegacyBuyRecord(dto)).toEqual({
        order_id: 'py-discount',
        user_id: 'user-py-discount',
        price: '59.00',
        channel: 'alipay_qr',
        qr_url: qr,
        payment_channel: 'pingxx',
        payment_payload: { qr_url: qr, credential: charge.credential },
      });
      pingxxEmulator.controls.payCharge(charge.id);
      const paid = pingxxEmulator.controls.eventFor(charge.id, 'charge.succeeded');
      expect((await post('pingxx', paid)).outcome).toBe('applied');
      expect((await post('pingxx', paid)).outcome).toBe('duplicate');
      expect(await originalRead(db, 'py-discount')).toEqual({
        status: 502,
        list: 9900,
        charged: 5900,
        channel: 'pingxx',
        pingxx: [
          {
            id: dto.paymentPayload!.attemptId,
            status: 1,
            amount: 5900,
            currency: 'cny',
            user: 'user-py-discount',
            shifu: 'shifu-py-discount',
            object: 'charge',
          },
        ],
        stripe: [],
      });
    });

    it('answers an adopted paid order without a provider call, and leaves free, timed-out and refunded orders as they were', async () => {
      const before = [stripeEmulator.requestCount, pingxxEmulator.requestCount];
      const dto = await service.createCharge({ orderId: 'py-stripe-paid', channel: 'stripe' });
      expect(toLegacyBuyRecord(dto)).toEqual({
        order_id: 'py-stripe-paid',
        user_id: 'user-py-stripe-paid',
        price: '19.99',
        channel: 'stripe',
        qr_url: '',
        payment_channel: 'stripe',
        payment_payload: {},
      });
      expect([stripeEmulator.requestCount, pingxxEmulator.requestCount]).toEqual(before);
      expect(await originalRead(db, 'py-free')).toMatchObject({
        status: 502,
        list: 1000,
        charged: 0,
        pingxx: [],
        stripe: [],
      });
      expect(await originalRead(db, 'py-refunded')).toMatchObject({
        status: 503,
        charged: 500,
        stripe: [{ status: 2, currency: 'usd', object: 'refund' }],
      });
    });

    it('settles an adopted Stripe Checkout Session by its webhook, once, and records its dashboard refunds', async () => {
      const session = (await service.repositories.attempts.findById(att('stp-py-checkout')))!.checkoutSessionId!;
      stripeEmulator.succeedPayment(session);
      const completed = stripeEmulator.webhookFor(session, 'checkout.session.completed');
      expect((await post('stripe', completed)).outcome).toBe('applied');
      expect((await post('stripe', completed)).outcome).toBe('duplicate');
      expect(await originalRead(db, 'py-checkout')).toEqual({
        status: 502,
        list: 3000,
        charged: 3000,
        channel: 'stripe',
        pingxx: [],
        stripe: [
          {
            id: att('stp-py-checkout'),
            status: 1,
            amount: 3000,
            currency: 'usd',
            user: 'user-py-checkout',
            shifu: 'shifu-py-checkout',
            object: 'checkout.session',
          },
        ],
      });
      expect(await service.getOrder('py-checkout')).toMatchObject({
        status: 'paid',
        paidAmount: 3000,
        currency: 'USD',
      });
      // Refunded in the dashboard, in two parts: no metadata anywhere (the original sent none on the session), so
      // the charge is found by the ids the rows carry.
      const pi = (await service.repositories.attempts.findById(att('stp-py-checkout')))!.paymentIntentId!;
      const charge = String((stripeEmulator.get(pi) as Row)['latest_charge']);
      expect((stripeEmulator.get(charge) as Row)['metadata']).toEqual({});
      stripeEmulator.createDashboardRefund(pi, 1000);
      expect((await post('stripe', stripeEmulator.webhookFor(charge, 'charge.refunded'))).outcome).toBe('applied');
      expect(await originalRead(db, 'py-checkout')).toMatchObject({ status: 502, stripe: [{ status: 1 }] });
      stripeEmulator.createDashboardRefund(pi);
      expect((await post('stripe', stripeEmulator.webhookFor(charge, 'charge.refunded'))).outcome).toBe('applied');
      expect(await originalRead(db, 'py-checkout')).toMatchObject({ status: 503, stripe: [{ status: 2 }] });
      expect(
        (await service.repositories.refunds.listByOrder('py-checkout')).map((r) => [r.amount, r.currency]).sort(),
      ).toEqual([
        [1000, 'USD'],
        [2000, 'USD'],
      ]);
    });

    it('refunds an adopted Stripe USD payment through the service until the order is refunded', async () => {
      await expect(service.refund({ orderId: 'py-stripe-paid', amount: 999 })).resolves.toMatchObject({
        remaining: 1000,
      });
      await expect(service.refund({ orderId: 'py-stripe-paid' })).resolves.toMatchObject({
        order: { status: 'refunded' },
        remaining: 0,
      });
      const pi = (await service.repositories.attempts.findById(att('stp-py-stripe-paid')))!.paymentIntentId!;
      expect(
        stripeEmulator
          .list('refund')
          .filter((r) => r['payment_intent'] === pi)
          .map((r) => r.amount)
          .sort(),
      ).toEqual([1000, 999].sort());
      expect(await originalRead(db, 'py-stripe-paid')).toMatchObject({
        status: 503,
        list: 2500,
        charged: 1999,
        stripe: [{ status: 2, currency: 'usd' }],
      });
      const ledger =
        await sql<Row>`select amount, currency, status from order_refunds where order_bid = 'py-stripe-paid' order by amount`.execute(
          db,
        );
      expect(ledger.rows.map((r) => [Number(r['amount']), r['currency'], Number(r['status'])])).toEqual([
        [999, 'USD', 1],
        [1000, 'USD', 1],
      ]);
    });

    it('records a Stripe dashboard refund of an adopted payment (found by latest_charge_id) and refunds the order', async () => {
      const pi = (await service.repositories.attempts.findById(att('stp-py-stripe-dash')))!.paymentIntentId!;
      stripeEmulator.createDashboardRefund(pi);
      const charge = String((stripeEmulator.get(pi) as Row)['latest_charge']);
      expect((await post('stripe', stripeEmulator.webhookFor(charge, 'charge.refunded'))).outcome).toBe('applied');
      expect(await originalRead(db, 'py-stripe-dash')).toMatchObject({
        status: 503,
        charged: 1999,
        stripe: [{ status: 2, currency: 'usd' }],
      });
      expect(await service.repositories.refunds.listByOrder('py-stripe-dash')).toMatchObject([
        { amount: 1999, currency: 'USD', status: 'succeeded' },
      ]);
    });

    it('refunds an adopted Ping++ payment through the service, and records one refunded outside it by its webhook', async () => {
      await expect(service.refund({ orderId: 'py-pxx-paid' })).resolves.toMatchObject({
        order: { status: 'refunded' },
      });
      expect(await originalRead(db, 'py-pxx-paid')).toMatchObject({
        status: 503,
        charged: 8800,
        pingxx: [{ status: 2, currency: 'cny' }],
      });

      const attempt = (await service.repositories.attempts.findById(att('pxx-py-pxx-ext')))!;
      const outside = await pyPingxx.refundPayment({
        refundId: 'refund-made-elsewhere',
        attemptId: attempt.attemptId,
        providerReference: attempt.chargeId!,
        amount: 8800,
        currency: 'CNY',
      });
      const event = pingxxEmulator.controls.eventFor(attempt.chargeId!, 'refund.succeeded', {
        refundId: outside.providerRefundId,
      });
      expect((await post('pingxx', event)).outcome).toBe('applied');
      expect((await post('pingxx', event)).outcome).toBe('duplicate');
      expect(await originalRead(db, 'py-pxx-ext')).toMatchObject({
        status: 503,
        pingxx: [{ status: 2, currency: 'cny' }],
      });
      expect(await service.repositories.refunds.listByOrder('py-pxx-ext')).toMatchObject([
        { amount: 8800, currency: 'CNY', status: 'succeeded' },
      ]);
    });

    it('opens a new attempt rather than re-sending one the original opened', async () => {
      const dto = await service.createCharge({ orderId: 'py-fresh', channel: 'alipay_qr', clientIp: '203.0.113.9' });
      expect(dto.paymentPayload!.attemptId).not.toBe(att('pxx-py-fresh'));
      expect(pingxxEmulator.controls.findCharge(dto.paymentPayload!.attemptId)?.amount).toBe(1200);
      const original = await originalRead(db, 'py-fresh');
      expect(original?.pingxx.map((a) => [a.id, a.status, a.amount, a.currency, a.object])).toEqual([
        [att('pxx-py-fresh'), 0, 1200, 'cny', 'python'],
        [dto.paymentPayload!.attemptId, 0, 1200, 'cny', 'charge'],
      ]);
    });

    it('reconciles: settles an adopted pending Ping++ charge paid while its webhook was lost, expires an unpaid one, keeps a timed-out order timed out', async () => {
      pingxxEmulator.controls.payCharge({ attemptId: att('pxx-py-pxx-pending') });
      const report = await service.reconcile({ olderThan: new Date(Date.now() + 1000), limit: 100 });
      expect(report.errors).toEqual([]);
      expect(report.details).toContainEqual({
        attemptId: att('pxx-py-pxx-pending'),
        orderId: 'py-pxx-pending',
        outcome: 'changed',
      });
      expect(report.details).toContainEqual({
        attemptId: att('pxx-py-expired'),
        orderId: 'py-expired',
        outcome: 'closed',
      });
      // The original timed out the order and left its attempt unpaid (0): the charge is stopped at Ping++ and the
      // attempt closed, the order stays timed out.
      expect(report.details).toContainEqual({
        attemptId: att('pxx-py-timeout'),
        orderId: 'py-timeout',
        outcome: 'closed',
      });
      expect(await originalRead(db, 'py-pxx-pending')).toMatchObject({
        status: 502,
        list: 4900,
        charged: 3900,
        pingxx: [{ status: 1, amount: 3900, currency: 'cny', object: 'charge' }],
      });
      expect(await originalRead(db, 'py-expired')).toMatchObject({
        status: 505,
        charged: 2000,
        pingxx: [{ status: 3 }],
      });
      expect(pingxxEmulator.controls.findCharge(att('pxx-py-expired'))).toMatchObject({ paid: false });
      expect(await originalRead(db, 'py-timeout')).toMatchObject({
        status: 505,
        charged: 900,
        pingxx: [{ status: 3 }],
      });
    });

    it('times out an adopted init order past PAY_ORDER_EXPIRE_TIME and opens a new one', async () => {
      const order = await service.initOrder({
        userId: 'user-py-stale',
        productId: 'shifu-py-stale',
        payableAmount: 700,
        currency: 'CNY',
      });
      expect(order.orderId).not.toBe('py-stale');
      expect(await originalRead(db, 'py-stale')).toMatchObject({ status: 505, list: 700, charged: 600 });
    });

    it('side by side: reads rows the original writes after the migration, and the original reads and settles ours', async () => {
      // The original opens a Stripe order after the cutover began (it knows no currency or capture column).
      await pyOrder({ bid: 'py-after', user: 'user-py-after', list: '60.00', due: '45.00', status: 501, minutes: 0 });
      const pi = await pyStripeCharge({ bid: 'py-after', attempt: att('stp-py-after'), amount: 4500, minutes: 0 });
      expect(await service.getOrder('py-after')).toMatchObject({
        status: 'pending',
        listAmount: 6000,
        payableAmount: 4500,
        currency: 'USD',
      });
      stripeEmulator.succeedPayment(pi);
      expect((await post('stripe', stripeEmulator.webhookFor(pi, 'payment_intent.succeeded'))).outcome).toBe('applied');
      expect(await originalRead(db, 'py-after')).toEqual({
        status: 502,
        list: 6000,
        charged: 4500,
        channel: 'stripe',
        pingxx: [],
        stripe: [
          {
            id: att('stp-py-after'),
            status: 1,
            amount: 4500,
            currency: 'usd',
            user: 'user-py-after',
            shifu: 'shifu-py-after',
            object: 'payment_intent',
          },
        ],
      });
      await expect(service.refund({ orderId: 'py-after' })).resolves.toMatchObject({ order: { status: 'refunded' } });
      // And a Ping++ one (a Python literal in charge_object), settled by our webhook.
      await pyOrder({
        bid: 'py-after-pxx',
        user: 'user-py-after-pxx',
        list: '30.00',
        due: '25.00',
        status: 501,
        minutes: 0,
      });
      const charge = await pyPingxxCharge({
        bid: 'py-after-pxx',
        attempt: att('pxx-py-after-pxx'),
        channel: 'wx_pub_qr',
        amount: 2500,
        minutes: 0,
        text: pyRepr,
      });
      pingxxEmulator.controls.payCharge(charge);
      expect((await post('pingxx', pingxxEmulator.controls.eventFor(charge, 'charge.succeeded'))).outcome).toBe(
        'applied',
      );
      expect(await originalRead(db, 'py-after-pxx')).toMatchObject({
        status: 502,
        list: 3000,
        charged: 2500,
        pingxx: [{ id: att('pxx-py-after-pxx'), status: 1, amount: 2500, currency: 'cny', object: 'charge' }],
      });
      expect(await service.getOrder('py-after-pxx')).toMatchObject({ paidAmount: 2500, currency: 'CNY' });

      // We open an order with a discount and charge it; the original's webhook handler settles our attempt.
      const ours = await service.initOrder({
        userId: 'user-ours',
        productId: 'shifu-ours',
        payableAmount: 3000,
        currency: 'CNY',
      });
      await service.repositories.orders.update(ours.orderId, { payableAmount: 2000 });
      const dto = await service.createCharge({
        orderId: ours.orderId,
        channel: 'wx_pub_qr',
        clientIp: '203.0.113.9',
        extra: { productId: 'shifu-ours' },
      });
      const attemptId = dto.paymentPayload!.attemptId;
      expect(await originalRead(db, ours.orderId)).toEqual({
        status: 504,
        list: 3000,
        charged: 2000,
        channel: 'pingxx',
        pingxx: [
          {
            id: attemptId,
            status: 0,
            amount: 2000,
            currency: 'cny',
            user: 'user-ours',
            shifu: 'shifu-ours',
            object: 'charge',
          },
        ],
        stripe: [],
      });
      await pyPingxxSucceeded(pingxxEmulator.controls.findCharge(attemptId)!.id);
      expect(await service.getOrder(ours.orderId)).toMatchObject({
        status: 'paid',
        payableAmount: 2000,
        paidAmount: 2000,
        currency: 'CNY',
      });
      await expect(service.refund({ orderId: ours.orderId })).resolves.toMatchObject({ order: { status: 'refunded' } });
      expect(await originalRead(db, ours.orderId)).toMatchObject({
        status: 503,
        charged: 2000,
        pingxx: [{ status: 2, currency: 'cny' }],
      });
    });

    it('leaves every row of the three tables meaning to the original what it meant', async () => {
      const orders = (await sql<Row>`select * from order_orders`.execute(db)).rows;
      const attempts = [
        ...(await sql<Row>`select * from order_pingxx_orders`.execute(db)).rows.map((r): Row => ({
          ...r,
          kind: 'pingxx',
        })),
        ...(await sql<Row>`select * from order_stripe_orders`.execute(db)).rows.map((r): Row => ({
          ...r,
          kind: 'stripe',
        })),
      ];
      expect(orders.length).toBeGreaterThan(15);
      for (const order of orders) {
        const bid = String(order['order_bid']);
        expect([501, 502, 503, 504, 505], bid).toContain(Number(order['status']));
        expect(['pingxx', 'stripe'], bid).toContain(order['payment_channel']);
        expect(cents(order['paid_price']), bid).toBeLessThanOrEqual(cents(order['payable_price']));
        const own = attempts.filter((a) => a['order_bid'] === bid);
        for (const a of own) {
          expect([a['biz_domain'], Number(a['deleted']), a['user_bid'], a['shifu_bid']], bid).toEqual([
            'order',
            0,
            order['user_bid'],
            order['shifu_bid'],
          ]);
          expect(a['currency'], bid).toBe(a['kind'] === 'pingxx' ? 'cny' : 'usd');
          expect([0, 1, 2, 3, 4], bid).toContain(Number(a['status']));
        }
        // What the original charged (int(paid_price * 100)) is what every attempt of a settled order asked for.
        const settled = own.filter((a) => [1, 2].includes(Number(a['status'])));
        if (Number(order['status']) === 502 || Number(order['status']) === 503) {
          for (const a of settled) expect(Number(a['amount']), bid).toBe(cents(order['paid_price']));
        }
      }
    });
  });
}
