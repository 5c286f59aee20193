/**
 * Demo plumbing shared by the examples — not something to copy. It starts what a real deployment gets from
 * elsewhere: local Stripe and Ping++ emulators (the real `stripe` and `pingpp` SDKs talk to them over HTTP),
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
import {
  startPingxxEmulator,
  startStripeEmulator,
  type PingxxEmulator,
  type StripeEmulator,
} from '@org/payment-factory/testing';

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

/** A provider the demo runs: Stripe Checkout or Ping++ Alipay QR. */
export type DemoProvider = 'stripe' | 'pingxx';

/** A running demo stack. */
export interface Demo {
  service: PaymentService;
  /** The Stripe emulator. */
  emulator: StripeEmulator;
  /** The Ping++ emulator. */
  pingxx: PingxxEmulator;
  /**
   * Creates an order and a payment for it: a Stripe Checkout Session (19.99 USD by default) or a Ping++
   * `alipay_qr` charge (99.00 CNY by default). `reference` is the session or charge id.
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
   * The provider delivers its signed success event (`checkout.session.completed`, `charge.succeeded`) to
   * `url`, the same bytes on every call as a provider's retries are; returns the endpoint's answer.
   */
  deliver(url: string, reference: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Starts both emulators, the database and the service. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const emulator = await startStripeEmulator({ webhookSecret: DEMO_WEBHOOK_SECRET });
  const pingxx = await startPingxxEmulator();
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
    factory: createPaymentFactory({ providers: [stripe, createPingxxProvider(pingxx.providerOptions)] }),
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
        channel: provider === 'stripe' ? 'stripe:checkout_session' : 'pingxx:alipay_qr',
        clientIp: '203.0.113.7',
      });
      const attempt = await service.repositories.attempts.findById(dto.paymentPayload!.attemptId);
      const reference = attempt!.providerReference!;
      providerOf.set(reference, provider);
      return { orderId: order.orderId, provider, reference };
    },
    pay(reference) {
      if (providerOf.get(reference) === 'pingxx') pingxx.controls.payCharge(reference);
      else emulator.succeedPayment(reference);
    },
    async deliver(url, reference) {
      const isPingxx = providerOf.get(reference) === 'pingxx';
      let delivery = deliveries.get(reference);
      if (!delivery) {
        delivery = isPingxx
          ? pingxx.controls.eventFor(reference, 'charge.succeeded')
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
      await db?.destroy();
    },
  };
}

/** What {@link runPaidFlow} observed for one provider. */
export interface PaidFlowReport {
  provider: DemoProvider;
  orderId: string;
  /** The endpoint's answer to the first delivery (expect 200 `applied`). */
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
  for (const provider of ['stripe', 'pingxx'] as const) {
    const { orderId, reference } = await demo.checkout({ provider });
    const url = `${webhooksBaseUrl}/${provider}`;
    print(
      `[${provider}] order ${orderId}: ${provider === 'stripe' ? 'Checkout Session' : 'alipay_qr charge'} ${reference}`,
    );
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
