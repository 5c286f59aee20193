/**
 * Payment webhooks as a Next.js App Router route handler.
 *
 * Copy this file to `app/api/webhooks/[provider]/route.ts` (the part above "Demo"), and move
 * `getPaymentService` to a module of its own (e.g. `lib/payments.ts`) that your other routes share. Point
 * Stripe at `https://<your-host>/api/webhooks/stripe`, Ping++ at `…/api/webhooks/pingxx`, and native Alipay's
 * `ALIPAY_WEBHOOK_URL` (its `notify_url`) at `…/api/webhooks/alipay`: Alipay posts a form, which the handler reads
 * raw like any other body, and gets the plain text `success` it expects.
 *
 * Route handlers receive a Web `Request` whose body nobody has read, which is exactly what
 * `createWebhookHandler` needs: never call `request.json()` first (if you must peek, use
 * `await request.text()` and pass that string on). App Router route handlers have no body-size limit of their
 * own, so the handler's `maxBodyBytes` (1 MiB) is the limit: larger bodies are answered 413 without being
 * read whole. (Pages Router: `export const config = { api: { bodyParser: false } }` and
 * `export default toNodeHandler(createWebhookHandler(service))`, which applies the same limit to the stream.) Keep the handler on the Node.js runtime — the Stripe and
 * Ping++ SDKs and the database drivers need Node APIs — and dynamic, so nothing is cached.
 *
 * Run the demo: `npx tsx examples/nextjs-route-handler.ts` (it serves `POST` the way `next dev` would).
 * @module
 */
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  toNodeHandler,
  type PaymentProvider,
  type PaymentService,
} from '@org/payment-factory';
import { loadPaymentConfig } from '@org/payment-factory/config';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '@org/payment-factory/kysely';
import { createPingxxProvider } from '@org/payment-factory/pingxx';
import { createWechatPayProvider } from '@org/payment-factory/wechatpay';
import { createStripeProvider } from '@org/payment-factory/stripe';
import { createAlipayProvider } from '@org/payment-factory/alipay';
import { isMain, runMain, runPaidFlow, serveLocally, startDemo } from './shared/demo-stack.js';

// ─── lib/payments.ts ────────────────────────────────────────────────────────────────────────────────────

/**
 * One payment service per server process, built on first use from the environment (`STRIPE_*`,
 * `PINGXX_*`, `DATABASE_URL`, … — see `.env.example`). Kept on `globalThis` so `next dev` hot reloads do
 * not open a new database pool on every edit.
 */
export function getPaymentService(): Promise<PaymentService> {
  const store = globalThis as typeof globalThis & { __paymentService?: Promise<PaymentService> };
  store.__paymentService ??= createPaymentServiceFromEnv();
  return store.__paymentService;
}

/** Uses `service` instead of building one from the environment: for tests, and for this file's demo. */
export function providePaymentService(service: PaymentService): void {
  (globalThis as typeof globalThis & { __paymentService?: Promise<PaymentService> }).__paymentService =
    Promise.resolve(service);
}

async function createPaymentServiceFromEnv(): Promise<PaymentService> {
  const config = loadPaymentConfig(process.env);
  const providers: PaymentProvider[] = [];
  if (config.stripe) providers.push(createStripeProvider(config.stripe));
  if (config.pingxx) providers.push(createPingxxProvider(config.pingxx));
  if (config.alipay) providers.push(createAlipayProvider(config.alipay));
  if (config.wechatpay) providers.push(createWechatPayProvider(config.wechatpay)); // answers {"code":"SUCCESS"}
  const db = await createKyselyFromUrl(config.databaseUrl ?? 'payments.db');
  await migrateToLatest(db); // or run `npx payment-factory migrate` at deploy time instead
  return createPaymentService({
    factory: createPaymentFactory({ providers, enabled: config.enabledProviders }),
    repositories: createKyselyRepositories(db),
    orderExpireSeconds: config.orderExpireSeconds,
    logger: console,
  });
}

// ─── app/api/webhooks/[provider]/route.ts ───────────────────────────────────────────────────────────────

/** The SDKs and database drivers need Node APIs: not the Edge runtime. */
export const runtime = 'nodejs';
/** A webhook must never be prerendered or cached. */
export const dynamic = 'force-dynamic';

/** What Next.js passes as the second argument (Next 15+: `params` is a promise). */
export interface WebhookRouteContext {
  params: Promise<{ provider: string }>;
}

/**
 * `POST /api/webhooks/[provider]`: verifies the provider's signature over the untouched body, applies the
 * event exactly once, and answers what the provider needs (200 processed, 400 bad signature, 5xx retry).
 * Without a context (a direct call in a test), the provider is the last path segment of the URL.
 */
export async function POST(request: Request, context?: WebhookRouteContext): Promise<Response> {
  const service = await getPaymentService();
  const provider = context ? (await context.params).provider : undefined;
  // maxBodyBytes: the default, spelled out — App Router applies no body limit of its own.
  const handle = createWebhookHandler(service, {
    maxBodyBytes: 1_048_576,
    ...(provider === undefined ? {} : { provider }),
  });
  return handle(request);
}

// ─── Demo ───────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const demo = await startDemo();
  providePaymentService(demo.service);
  // A stand-in for `next dev`: route /api/webhooks/<provider> to POST with the context Next.js would pass.
  const route = toNodeHandler((request) => {
    const provider = new URL(request.url).pathname.split('/').at(-1) ?? '';
    return POST(request, { params: Promise.resolve({ provider }) });
  });
  const server = await serveLocally(route);
  try {
    console.log('Next.js App Router — export async function POST(request: Request):');
    await runPaidFlow(demo, `${server.url}/api/webhooks`);
  } finally {
    await server.close();
    await demo.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
