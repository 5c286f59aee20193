/**
 * Demo plumbing shared by the examples — not something to copy. It starts what a real deployment gets from
 * elsewhere: a local Stripe emulator (the real `stripe` SDK talks to it over HTTP), an SQLite database in
 * memory with the payment tables, and a payment service wired to both. Each example adds the part worth
 * copying: how its framework hands the raw webhook body to the service.
 * @module
 */
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
import { startStripeEmulator, type StripeEmulator } from '@org/payment-factory/testing';

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

/** A running demo stack. */
export interface Demo {
  service: PaymentService;
  emulator: StripeEmulator;
  /** Creates an order and a Stripe Checkout Session for it; returns the ids the rest of the flow needs. */
  checkout(input?: {
    userId?: string;
    productId?: string;
    amount?: number;
    currency?: string;
  }): Promise<{ orderId: string; sessionId: string }>;
  /** The payer completes the Checkout Session at the (emulated) Stripe. */
  pay(sessionId: string): void;
  /** Stripe delivers the signed `checkout.session.completed` event to `url`; returns the endpoint's answer. */
  deliver(url: string, sessionId: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Starts the emulator, the database and the service. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const emulator = await startStripeEmulator({ webhookSecret: DEMO_WEBHOOK_SECRET });
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
    factory: createPaymentFactory({ providers: [stripe] }),
    repositories,
    hooks: options.hooks ?? {},
    logger: options.logger ?? quietLogger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const webhooks = new Map<string, ReturnType<StripeEmulator['webhookFor']>>();
  return {
    service,
    emulator,
    async checkout(input = {}) {
      const order = await service.initOrder({
        userId: input.userId ?? 'user_42',
        productId: input.productId ?? 'course_ts_101',
        payableAmount: input.amount ?? 1999,
        currency: input.currency ?? 'USD',
      });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: 'stripe:checkout_session',
        clientIp: '203.0.113.7',
      });
      const attempt = await service.repositories.attempts.findById(dto.paymentPayload!.attemptId);
      return { orderId: order.orderId, sessionId: attempt!.providerReference! };
    },
    pay(sessionId) {
      emulator.succeedPayment(sessionId);
    },
    async deliver(url, sessionId) {
      // The same event (same id, same bytes) on every delivery, as Stripe's retries are.
      let webhook = webhooks.get(sessionId);
      if (!webhook) {
        webhook = emulator.webhookFor(sessionId, 'checkout.session.completed');
        webhooks.set(sessionId, webhook);
      }
      return emulator.deliverWebhook(url, webhook);
    },
    async close() {
      await emulator.close();
      await db?.destroy();
    },
  };
}

/** What {@link runPaidFlow} observed. */
export interface PaidFlowReport {
  orderId: string;
  /** The endpoint's answer to the first delivery (expect 200 `applied`). */
  delivery: { status: number; body: string };
  /** The endpoint's answer to Stripe redelivering the same event (expect 200 `duplicate`). */
  redelivery: { status: number; body: string };
  order: OrderRecord;
}

/**
 * The flow every framework example demonstrates: order → Checkout Session → the payer pays → Stripe delivers
 * the signed webhook to `webhookUrl` (the example's real HTTP endpoint) → and delivers it again.
 */
export async function runPaidFlow(
  demo: Demo,
  webhookUrl: string,
  print: (line: string) => void = console.log,
): Promise<PaidFlowReport> {
  const { orderId, sessionId } = await demo.checkout();
  print(`order ${orderId}: Checkout Session ${sessionId} created`);
  demo.pay(sessionId);
  print('payer completed the Checkout Session at (emulated) Stripe');
  const delivery = await demo.deliver(webhookUrl, sessionId);
  print(`webhook checkout.session.completed → ${delivery.status} ${delivery.body}`);
  const redelivery = await demo.deliver(webhookUrl, sessionId);
  print(`same event redelivered           → ${redelivery.status} ${redelivery.body}`);
  const order = (await demo.service.getOrder(orderId))!;
  print(
    `order ${orderId} is now ${order.status}, paid ${fromMinorUnits(order.paidAmount, order.currency)} ${order.currency}`,
  );
  return { orderId, delivery, redelivery, order };
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
