/**
 * Demo plumbing shared by the examples — not something to copy. It starts what a real deployment gets from
 * elsewhere: local Stripe, Ping++, Alipay and WeChat Pay emulators (the real `stripe`, `pingpp` and `alipay-sdk`, and
 * the WeChat Pay adapter, talk to them over HTTP),
 * an SQLite database in memory with the payment tables, and a payment service wired to all of them. Each example adds the part worth
 * copying: how its framework hands the raw webhook body to the service.
 * @module
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createPaymentFactory,
  createPaymentService,
  fromMinorUnits,
  type OrderRecord,
  type PaymentHooks,
  type PaymentLogger,
  type PaymentRepositories,
  type PaymentService,
} from '@org/payment-factory';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '@org/payment-factory/kysely';
import { createStripeProvider } from '@org/payment-factory/stripe';
import { createPingxxProvider } from '@org/payment-factory/pingxx';
import { createAlipayProvider } from '@org/payment-factory/alipay';
import {
  startAlipayEmulator,
  startPingxxEmulator,
  startStripeEmulator,
  startWechatPayEmulator,
  type AlipayEmulator,
  type PingxxEmulator,
  type StripeEmulator,
  type WechatPayEmulator,
} from '@org/payment-factory/testing';
import { createWechatPayProvider } from '@org/payment-factory/wechatpay';

/** The Stripe endpoint secret the emulator signs with and the adapter verifies with. */
export const DEMO_WEBHOOK_SECRET = 'whsec_demo_examples';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Repositories to use. @default Kysely over an in-memory SQLite database, migrated */
  repositories?: PaymentRepositories;
  hooks?: PaymentHooks;
  /** @default a logger that prints warnings and errors */
  logger?: PaymentLogger;
  /** Service clock (the reconcile example moves time forward). @default () => new Date() */
  clock?: () => Date;
}

/** A provider the demo runs: Stripe Checkout, Ping++ Alipay QR, native Alipay QR, or native WeChat Pay Native (QR). */
export type DemoProvider = 'stripe' | 'pingxx' | 'alipay' | 'wechatpay';

/** A running demo stack. */
export interface Demo {
  service: PaymentService;
  /** The Stripe emulator. */
  emulator: StripeEmulator;
  /** The Ping++ emulator. */
  pingxx: PingxxEmulator;
  /** The Alipay emulator (native Alipay, no Ping++ in front). */
  alipay: AlipayEmulator;
  /** The WeChat Pay API v3 emulator (native WeChat Pay). */
  wechatpay: WechatPayEmulator;
  /**
   * Creates an order and a payment for it: a Stripe Checkout Session (19.99 USD by default), a Ping++
   * `alipay_qr` charge or a native Alipay `alipay_qr` trade (99.00 CNY by default). `reference` is the session
   * id, the charge id, or the trade's `out_trade_no`.
   */
  checkout(input?: {
    provider?: DemoProvider;
    userId?: string;
    productId?: string;
    amount?: number;
    currency?: string;
  }): Promise<{ orderId: string; provider: DemoProvider; reference: string }>;
  /** The payer pays at the (emulated) provider. */
  pay(reference: string): void;
  /**
   * The provider delivers its signed success event (`checkout.session.completed`, `charge.succeeded`, Alipay's
   * form-encoded `TRADE_SUCCESS` notification) to
   * `url`, the same bytes on every call as a provider's retries are; returns the endpoint's answer.
   */
  deliver(url: string, reference: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Starts both emulators, the database and the service. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const emulator = await startStripeEmulator({ webhookSecret: DEMO_WEBHOOK_SECRET });
  const pingxx = await startPingxxEmulator();
  const alipay = await startAlipayEmulator();
  const wechatpay = await startWechatPayEmulator();
  const db = options.repositories ? null : await createKyselyFromUrl(':memory:');
  if (db) await migrateToLatest(db);
  const repositories = options.repositories ?? createKyselyRepositories(db!);
  const stripe = createStripeProvider({
    secretKey: 'sk_test_demo_examples',
    webhookSecret: DEMO_WEBHOOK_SECRET,
    successUrl: 'https://shop.example/paid',
    cancelUrl: 'https://shop.example/cart',
    defaultMode: 'checkout_session',
    ...emulator.sdkOptions,
  });
  const service = createPaymentService({
    // Ping++ and native Alipay side by side, as during a migration: a bare `alipay_qr` goes to native Alipay,
    // `pingxx:alipay_qr` still reaches Ping++.
    factory: createPaymentFactory({
      providers: [
        stripe,
        createPingxxProvider(pingxx.providerOptions),
        createAlipayProvider(alipay.providerOptions),
        createWechatPayProvider(wechatpay.providerOptions),
      ],
    }),
    repositories,
    hooks: options.hooks ?? {},
    logger: options.logger ?? quietLogger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const providerOf = new Map<string, DemoProvider>();
  const deliveries = new Map<string, { rawBody: string; headers: Record<string, string> }>();
  return {
    service,
    emulator,
    pingxx,
    alipay,
    wechatpay,
    async checkout(input = {}) {
      const provider = input.provider ?? 'stripe';
      const order = await service.initOrder({
        userId: input.userId ?? 'user_42',
        productId: input.productId ?? 'course_ts_101',
        payableAmount: input.amount ?? (provider === 'stripe' ? 1999 : 9900),
        currency: input.currency ?? (provider === 'stripe' ? 'USD' : 'CNY'),
      });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: CHANNELS[provider],
        clientIp: '203.0.113.7',
      });
      const attempt = await service.repositories.attempts.findById(dto.paymentPayload!.attemptId);
      const reference = attempt!.providerReference!;
      providerOf.set(reference, provider);
      return { orderId: order.orderId, provider, reference };
    },
    pay(reference) {
      const provider = providerOf.get(reference);
      if (provider === 'pingxx') pingxx.controls.payCharge(reference);
      else if (provider === 'alipay') alipay.controls.pay(reference);
      else if (provider === 'wechatpay') wechatpay.controls.pay(reference);
      else emulator.succeedPayment(reference);
    },
    async deliver(url, reference) {
      const provider = providerOf.get(reference);
      let delivery = deliveries.get(reference);
      if (!delivery) {
        delivery =
          provider === 'pingxx'
            ? pingxx.controls.eventFor(reference, 'charge.succeeded')
            : provider === 'alipay'
              ? alipay.controls.notificationFor(reference) // form-encoded, its own content-type header
              : provider === 'wechatpay'
                ? wechatpay.controls.notificationFor(reference) // signed headers, AES-GCM resource
                : emulator.webhookFor(reference, 'checkout.session.completed');
        deliveries.set(reference, delivery);
      }
      const body = delivery.rawBody;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...delivery.headers },
        body,
      });
      return { status: response.status, body: await response.text() };
    },
    async close() {
      await emulator.close();
      await pingxx.close();
      await alipay.close();
      await wechatpay.close();
      await db?.destroy();
    },
  };
}

/** The channel each demo provider charges on. A bare `alipay_qr` routes to native Alipay (native first). */
const CHANNELS: Readonly<Record<DemoProvider, string>> = {
  stripe: 'stripe:checkout_session',
  pingxx: 'pingxx:alipay_qr',
  alipay: 'alipay_qr',
  wechatpay: 'wx_pub_qr', // bare: native WeChat Pay first, beside Ping++
};

/** Labels of what each demo provider creates. */
const PAYMENT_LABELS: Readonly<Record<DemoProvider, string>> = {
  stripe: 'Checkout Session',
  pingxx: 'Ping++ alipay_qr charge',
  alipay: 'native Alipay alipay_qr trade',
  wechatpay: 'native WeChat Pay wx_pub_qr order',
};

/** What {@link runPaidFlow} observed for one provider. */
export interface PaidFlowReport {
  provider: DemoProvider;
  orderId: string;
  /** The endpoint's answer to the first delivery (expect 200 `applied`; Alipay: 200 `success`). */
  delivery: { status: number; body: string };
  /** The endpoint's answer to the provider redelivering the same event (expect 200 `duplicate`). */
  redelivery: { status: number; body: string };
  order: OrderRecord;
}

/**
 * The flow every framework example demonstrates, once per provider: order → payment → the payer pays → the
 * provider delivers the signed webhook to `<webhooksBaseUrl>/<provider>` (the example's real HTTP endpoint)
 * → and delivers it again. Throws unless every order ends `paid`.
 */
export async function runPaidFlow(
  demo: Demo,
  webhooksBaseUrl: string,
  print: (line: string) => void = console.log,
): Promise<PaidFlowReport[]> {
  const reports: PaidFlowReport[] = [];
  for (const provider of ['stripe', 'pingxx', 'alipay'] as const) {
    const { orderId, reference } = await demo.checkout({ provider });
    const url = `${webhooksBaseUrl}/${provider}`;
    print(`[${provider}] order ${orderId}: ${PAYMENT_LABELS[provider]} ${reference}`);
    demo.pay(reference);
    const delivery = await demo.deliver(url, reference);
    print(
      `[${provider}] payer paid; signed webhook → POST ${new URL(url).pathname} → ${delivery.status} ${delivery.body}`,
    );
    const redelivery = await demo.deliver(url, reference);
    print(`[${provider}] same event redelivered → ${redelivery.status} ${redelivery.body}`);
    const order = (await demo.service.getOrder(orderId))!;
    print(
      `[${provider}] order ${orderId} is now ${order.status}, paid ${fromMinorUnits(order.paidAmount, order.currency)} ${order.currency}`,
    );
    if (order.status !== 'paid') throw new Error(`the ${provider} order was not paid`);
    reports.push({ provider, orderId, delivery, redelivery, order });
  }
  return reports;
}

/** A local HTTP server started by {@link serveLocally}. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Stops the server, ending kept-alive connections too (a `fetch` client keeps them open). */
  close(): Promise<void>;
}

/** Serves a Node request listener (an Express app, a `toNodeHandler` handler) on a free local port. */
export async function serveLocally(listener: RequestListener): Promise<LocalServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Prints warnings and errors only, so the demo output stays readable. */
export const quietLogger: PaymentLogger = {
  info() {},
  warn: (message, fields) => console.warn(`  [warn] ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`  [error] ${message}`, fields ?? ''),
};

/** Whether the module at `importMetaUrl` is the script being run (`npx tsx examples/<name>.ts`), not an import. */
export function isMain(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && resolve(entry) === fileURLToPath(importMetaUrl);
}

/** Runs an example's `main`, exiting 1 on failure so CI notices. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
