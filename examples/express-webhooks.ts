/**
 * Payment webhooks in Express 5, with the raw body done right.
 *
 * Webhook signatures are computed over the exact bytes the provider sent. `express.json()` replaces them
 * with a parsed object, and re-serialising that object never reproduces the bytes (key order, spacing,
 * unicode escapes), so the signature check can only fail. Two correct shapes:
 *
 * 1. `express.raw({ type: [...] })` on the webhook route only, for JSON (Stripe, Ping++) and forms (native
 *    Alipay posts `application/x-www-form-urlencoded`): `req.body` is a `Buffer`, which
 *    `toNodeHandler` passes through untouched.
 * 2. No body parser on the route at all: `toNodeHandler` reads the stream itself.
 *
 * Either way, mount the webhook route **before** any global `app.use(express.json())`. If a JSON parser
 * does run first, the endpoint answers `400 {"error":"RAW_BODY_REQUIRED","framework":"express","fix":…}` —
 * the fix shows in the provider's delivery log — and logs it too, instead of losing the webhook silently.
 *
 * Run: `npx tsx examples/express-webhooks.ts`
 * @module
 */
import express, { type Express } from 'express';
import { createWebhookHandler, toNodeHandler, type PaymentService } from '@org/payment-factory';
import { isMain, runMain, runPaidFlow, serveLocally, startDemo } from './shared/demo-stack.js';

/** Webhook bodies: JSON (Stripe, Ping++) and form-encoded (native Alipay notifications). */
const WEBHOOK_CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/**
 * The part to copy: an Express app whose `POST /webhooks/:provider` verifies and applies provider webhooks
 * (`/webhooks/stripe`, `/webhooks/pingxx`, `/webhooks/alipay`, `/webhooks/wechatpay`), before the JSON and form
 * parsers the rest of the API uses. Native Alipay is answered with the plain text `success` it expects, native WeChat
 * Pay with `{"code":"SUCCESS"}` (each adapter's `acknowledgeWebhook`).
 */
export function createExpressApp(service: PaymentService): Express {
  const app = express();
  const webhooks = toNodeHandler(createWebhookHandler(service), { logger: service.logger });

  // Raw bytes for this route only; the provider comes from the last path segment. `limit: '1mb'` matches the
  // handler's maxBodyBytes (1 MiB): express.raw reads the body first, so its limit is the one that protects
  // the process (its default, 100kb, is also too small for a large Stripe event).
  app.post('/webhooks/:provider', express.raw({ type: WEBHOOK_CONTENT_TYPES, limit: '1mb' }), webhooks);

  // Everything else may parse JSON and forms as usual: they are registered after the webhook route.
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.get('/orders/:orderId', async (req, res) => {
    const order = await service.getOrder(req.params.orderId);
    if (!order) res.status(404).json({ error: 'NOT_FOUND' });
    else
      res.json({
        orderId: order.orderId,
        status: order.status,
        paidAmount: order.paidAmount,
        currency: order.currency,
      });
  });
  return app;
}

/**
 * The mistake, kept runnable so you can see what it does: a global `express.json()` in front of the
 * webhook route. The endpoint refuses with 400 `RAW_BODY_REQUIRED` (the provider will retry, and the log
 * says how to fix the app) rather than pretending the webhook was handled.
 */
export function createMisconfiguredExpressApp(service: PaymentService): Express {
  const app = express();
  app.use(express.json()); // ← consumes and parses the body before the webhook route sees it
  app.post('/webhooks/:provider', toNodeHandler(createWebhookHandler(service), { logger: service.logger }));
  return app;
}

async function main(): Promise<void> {
  const demo = await startDemo();
  const good = await serveLocally(createExpressApp(demo.service));
  const bad = await serveLocally(createMisconfiguredExpressApp(demo.service));
  try {
    console.log('Express 5 — express.raw() on the webhook route:');
    await runPaidFlow(demo, `${good.url}/webhooks`);

    console.log('\nExpress 5 — a global express.json() in front of the webhook route:');
    const { orderId, reference } = await demo.checkout({ userId: 'user_43' });
    demo.pay(reference);
    const refused = await demo.deliver(`${bad.url}/webhooks/stripe`, reference);
    console.log(`webhook → ${refused.status} ${refused.body}   (Stripe will retry; fix the parser order)`);
    if (refused.status !== 400 || !refused.body.includes('RAW_BODY_REQUIRED'))
      throw new Error('expected 400 RAW_BODY_REQUIRED');
    const retried = await demo.deliver(`${good.url}/webhooks/stripe`, reference);
    console.log(`Stripe's retry to the fixed app → ${retried.status} ${retried.body}`);
    console.log(`order ${orderId} is now ${(await demo.service.getOrder(orderId))!.status}`);
  } finally {
    await good.close();
    await bad.close();
    await demo.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
