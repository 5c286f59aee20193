/**
 * End-to-end demo, offline: `npm run demo`.
 *
 * Migrates an SQLite file, starts the local Stripe, Ping++ and Alipay emulators (the real `stripe`, `pingpp` and
 * `alipay-sdk` talk to them over HTTP) and a webhook endpoint, then takes one order through Stripe Checkout, one
 * through Ping++ `alipay_qr`, one through native Alipay `alipay_qr` and one through native WeChat Pay `wx_pub_qr`
 * (API v3 against its emulator; Ping++ and the native providers enabled side by side, as during a migration): the
 * emulators "pay" and deliver signed webhooks to the endpoint, and the final state is read back from the
 * database. Exits 0 only if every order ends `paid`.
 *
 * With STRIPE_SECRET_KEY (a test-mode key) and STRIPE_WEBHOOK_SECRET set, the Stripe half uses the real
 * Stripe API instead: it prints the Checkout URL, you pay with card 4242 4242 4242 4242, and the demo polls
 * Stripe (`syncPayment`) until the order is paid, since Stripe cannot reach a webhook on your laptop.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync } from 'node:fs';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  fromMinorUnits,
  toNodeHandler,
  type PaymentProvider,
} from '@org/payment-factory';
import { loadPaymentConfig, type StripeConfig } from '@org/payment-factory/config';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '@org/payment-factory/kysely';
import { createPingxxProvider } from '@org/payment-factory/pingxx';
import { createStripeProvider } from '@org/payment-factory/stripe';
import { createAlipayProvider } from '@org/payment-factory/alipay';
import {
  startAlipayEmulator,
  startPingxxEmulator,
  startStripeEmulator,
  startWechatPayEmulator,
  type StripeEmulator,
} from '@org/payment-factory/testing';
import { createWechatPayProvider } from '@org/payment-factory/wechatpay';

/** The real-Stripe configuration, when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set (parsed by loadPaymentConfig). */
function realStripeConfig(env: Record<string, string | undefined>): StripeConfig | null {
  if (!env.STRIPE_SECRET_KEY || !env.STRIPE_WEBHOOK_SECRET) return null;
  const stripeKeys = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('STRIPE_')));
  return loadPaymentConfig({ ...stripeKeys, PAYMENT_CHANNELS_ENABLED: 'stripe' }).stripe;
}

export async function runQuickstart(
  options: { databaseFile?: string; quiet?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<{ ok: boolean }> {
  const log = options.quiet ? () => undefined : console.log;
  const step = (n: number, text: string) => log(`\n[${n}] ${text}`);
  const realStripe = realStripeConfig(options.env ?? process.env);
  const databaseFile = options.databaseFile ?? '.tmp/quickstart.sqlite';
  mkdirSync('.tmp', { recursive: true });
  rmSync(databaseFile, { force: true });

  step(1, `Migrating SQLite database ${databaseFile}`);
  const db = await createKyselyFromUrl(databaseFile);
  const migration = await migrateToLatest(db);
  log(`    applied: ${(migration.results ?? []).map((r) => r.migrationName).join(', ') || '(already up to date)'}`);

  step(
    2,
    realStripe
      ? 'Stripe: REAL Stripe API (test mode, from STRIPE_SECRET_KEY)'
      : 'Starting the local Stripe, Ping++ and Alipay emulators',
  );
  const stripeEmulator: StripeEmulator | null = realStripe ? null : await startStripeEmulator();
  const pingxxEmulator = await startPingxxEmulator();
  const stripe = stripeEmulator
    ? createStripeProvider({
        secretKey: 'sk_test_quickstart',
        webhookSecret: stripeEmulator.webhookSecret,
        successUrl: 'http://localhost:3000/pay/success',
        cancelUrl: 'http://localhost:3000/pay/cancel',
        ...stripeEmulator.sdkOptions,
      })
    : createStripeProvider({
        successUrl: 'https://example.com/pay/success',
        cancelUrl: 'https://example.com/pay/cancel',
        ...realStripe!,
      });
  const pingxx = createPingxxProvider({ ...pingxxEmulator.providerOptions });
  const alipayEmulator = await startAlipayEmulator();
  const alipay = createAlipayProvider({ ...alipayEmulator.providerOptions });
  if (stripeEmulator) log(`    Stripe emulator  ${stripeEmulator.url}`);
  log(`    Ping++ emulator  ${pingxxEmulator.url}`);
  log(`    Alipay emulator  ${alipayEmulator.gatewayUrl}`);
  const wechatEmulator = await startWechatPayEmulator();
  const wechatpay = createWechatPayProvider({ ...wechatEmulator.providerOptions });
  log(`    WeChat Pay emulator  ${wechatEmulator.url}`);

  const providers: PaymentProvider[] = [pingxx, stripe, alipay, wechatpay];
  const service = createPaymentService({
    factory: createPaymentFactory({ providers }),
    repositories: createKyselyRepositories(db),
    hooks: {
      onOrderPaid: ({ order, source }) => log(`    ✔ onOrderPaid (in the transaction): ${order.orderId} via ${source}`),
      afterCommit: (n) => log(`    ✉ afterCommit: ${n.type} ${n.order.orderId}`),
      onAnomaly: (a) => log(`    ⚠ anomaly: ${a.kind} ${a.message}`),
    },
  });

  step(3, 'Starting the webhook endpoint (POST /webhooks/:provider, raw body, Web-standard handler)');
  const server = createServer(toNodeHandler(createWebhookHandler(service)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  log(`    ${endpoint}/stripe, ${endpoint}/pingxx, ${endpoint}/alipay, ${endpoint}/wechatpay`);

  try {
    step(4, 'Stripe: order for 19.99 USD, charged through a Checkout Session');
    const stripeOrder = await service.initOrder({
      userId: 'user-1',
      productId: 'course-ts',
      payableAmount: 1999,
      currency: 'USD',
    });
    const stripeCharge = await service.createCharge({
      orderId: stripeOrder.orderId,
      channel: 'stripe:checkout_session',
      subject: 'TypeScript course',
    });
    log(`    order ${stripeOrder.orderId} → ${stripeCharge.paymentPayload?.nextAction.type} ${stripeCharge.qrUrl}`);
    if (stripeEmulator) {
      const attempt = await service.repositories.attempts.findById(stripeCharge.paymentPayload!.attemptId);
      const sessionId = attempt!.providerReference!;
      stripeEmulator.succeedPayment(sessionId);
      const webhook = stripeEmulator.webhookFor(sessionId, 'checkout.session.completed');
      const delivered = await stripeEmulator.deliverWebhook(`${endpoint}/stripe`, webhook);
      log(
        `    emulator paid the session and delivered checkout.session.completed → HTTP ${delivered.status} ${delivered.body}`,
      );
      const replay = await stripeEmulator.deliverWebhook(`${endpoint}/stripe`, webhook);
      log(`    the same webhook delivered again → HTTP ${replay.status} ${replay.body}`);
    } else {
      log('    Open the URL above, pay with 4242 4242 4242 4242; polling Stripe every 5 s (10 min max)…');
      for (let i = 0; i < 120; i += 1) {
        const { order } = await service.syncPayment({ orderId: stripeOrder.orderId });
        if (order.status === 'paid') break;
        await new Promise((r) => setTimeout(r, 5000));
      }
    }

    step(5, 'Ping++: order for 99.00 CNY, charged through pingxx:alipay_qr');
    const pingxxOrder = await service.initOrder({
      userId: 'user-2',
      productId: 'course-py',
      payableAmount: 9900,
      currency: 'CNY',
    });
    const pingxxCharge = await service.createCharge({
      orderId: pingxxOrder.orderId,
      channel: 'pingxx:alipay_qr', // with native Alipay enabled, a bare alipay_qr goes to native Alipay
      clientIp: '127.0.0.1',
      subject: 'Python 课程',
    });
    log(`    order ${pingxxOrder.orderId} → ${pingxxCharge.paymentPayload?.nextAction.type} ${pingxxCharge.qrUrl}`);
    const pingxxAttempt = await service.repositories.attempts.findById(pingxxCharge.paymentPayload!.attemptId);
    const chargeId = pingxxAttempt!.providerReference!;
    pingxxEmulator.controls.payCharge(chargeId);
    const event = pingxxEmulator.controls.eventFor(chargeId, 'charge.succeeded');
    const delivered = await pingxxEmulator.controls.deliverEvent(`${endpoint}/pingxx`, event);
    log(
      `    emulator paid the charge and delivered charge.succeeded (RSA-signed) → HTTP ${delivered.status} ${delivered.body}`,
    );

    step(6, 'Native Alipay: order for 49.00 CNY, charged through a bare alipay_qr (native first)');
    const alipayOrder = await service.initOrder({
      userId: 'user-3',
      productId: 'course-go',
      payableAmount: 4900,
      currency: 'CNY',
    });
    const alipayCharge = await service.createCharge({
      orderId: alipayOrder.orderId,
      channel: 'alipay_qr',
      clientIp: '127.0.0.1',
      subject: 'Go 课程',
    });
    log(
      `    order ${alipayOrder.orderId} → ${alipayCharge.paymentPayload?.provider} ${alipayCharge.paymentPayload?.nextAction.type} ${alipayCharge.qrUrl}`,
    );
    alipayEmulator.controls.pay(alipayCharge);
    const notification = alipayEmulator.controls.notificationFor(alipayCharge);
    const notified = await alipayEmulator.controls.deliver(notification, `${endpoint}/alipay`);
    log(
      `    emulator paid the trade and posted its TRADE_SUCCESS notification (form, RSA2) → HTTP ${notified.status} ${notified.body}`,
    );

    step(7, 'Native WeChat Pay (API v3): order for 39.00 CNY, charged through a bare wx_pub_qr (native first)');
    const wechatOrder = await service.initOrder({
      userId: 'user-4',
      productId: 'course-rs',
      payableAmount: 3900,
      currency: 'CNY',
    });
    const wechatCharge = await service.createCharge({
      orderId: wechatOrder.orderId,
      channel: 'wx_pub_qr',
      subject: 'Rust 课程',
    });
    log(
      `    order ${wechatOrder.orderId} → ${wechatCharge.paymentPayload?.provider} ${wechatCharge.paymentPayload?.nextAction.type} ${wechatCharge.qrUrl}`,
    );
    wechatEmulator.controls.pay(wechatCharge);
    const wechatNotification = wechatEmulator.controls.notificationFor(wechatCharge);
    const answered = await wechatEmulator.controls.deliver(wechatNotification, `${endpoint}/wechatpay`);
    log(
      `    emulator paid the order and posted TRANSACTION.SUCCESS (signed headers, AES-GCM resource) → HTTP ${answered.status} ${answered.body}`,
    );

    step(8, 'Reading the final state back from the database');
    const orders = await db
      .selectFrom('order_orders')
      .select(['order_bid', 'payment_channel', 'payable_price', 'paid_price', 'captured_price', 'currency', 'status'])
      .orderBy('id')
      .execute();
    const stripeAttempts = await db
      .selectFrom('order_stripe_orders')
      .select([
        'stripe_order_bid',
        'order_bid',
        'checkout_session_id',
        'payment_intent_id',
        'amount',
        'currency',
        'status',
      ])
      .execute();
    const pingxxAttempts = await db
      .selectFrom('order_pingxx_orders')
      .select(['pingxx_order_bid', 'order_bid', 'charge_id', 'channel', 'amount', 'currency', 'status'])
      .execute();
    const alipayAttempts = await db
      .selectFrom('order_alipay_orders')
      .select([
        'alipay_order_bid',
        'order_bid',
        'provider_attempt_id',
        'transaction_id',
        'amount',
        'currency',
        'status',
      ])
      .execute();
    const wechatAttempts = await db
      .selectFrom('order_wechatpay_orders')
      .select([
        'wechatpay_order_bid',
        'order_bid',
        'provider_attempt_id',
        'transaction_id',
        'amount',
        'currency',
        'status',
      ])
      .execute();
    const events = await db
      .selectFrom('order_payment_events')
      .select(['provider', 'event_id', 'type', 'outcome'])
      .orderBy('id')
      .execute();
    if (!options.quiet) {
      console.log('\norder_orders (status 502 = paid)');
      console.table(orders);
      console.log('order_stripe_orders (status 1 = paid)');
      console.table(stripeAttempts);
      console.log('order_pingxx_orders (status 1 = paid)');
      console.table(pingxxAttempts);
      console.log('order_alipay_orders (status 1 = paid)');
      console.table(alipayAttempts);
      console.log('order_wechatpay_orders (status 1 = paid)');
      console.table(wechatAttempts);
      console.log('order_payment_events');
      console.table(events);
    }
    const final = await Promise.all(
      [stripeOrder, pingxxOrder, alipayOrder, wechatOrder].map((order) => service.getOrder(order.orderId)),
    );
    const ok = final.every((o) => o?.status === 'paid');
    for (const o of final)
      log(`    ${o!.orderId}: ${o!.status}, paid ${fromMinorUnits(o!.paidAmount, o!.currency)} ${o!.currency}`);
    log(ok ? '\nAll four orders are paid. ✔' : '\nNot every order is paid. ✘');
    return { ok };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stripeEmulator?.close();
    await pingxxEmulator.close();
    await alipayEmulator.close();
    await wechatEmulator.close();
    await db.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runQuickstart().then(
    ({ ok }) => {
      process.exitCode = ok ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
