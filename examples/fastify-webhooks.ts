/**
 * Payment webhooks in Fastify 5, with a raw-body content-type parser scoped to the webhook routes.
 *
 * Fastify parses `application/json` into an object by default, which destroys the bytes a webhook
 * signature covers. Register the webhook routes in their own plugin (an encapsulated context) and
 * override the JSON parser there with `parseAs: 'buffer'`: the rest of the API keeps Fastify's JSON
 * parsing, the webhook routes get a `Buffer`.
 *
 * Run: `npx tsx examples/fastify-webhooks.ts`
 * @module
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { createWebhookHandler, DEFAULT_MAX_WEBHOOK_BODY_BYTES, type PaymentService } from '@org/payment-factory';
import { isMain, runMain, runPaidFlow, startDemo } from './shared/demo-stack.js';

/**
 * The part to copy: a Fastify plugin serving `POST /webhooks/:provider`. Inside the plugin, JSON bodies
 * stay raw bytes; outside it, nothing changes.
 */
export function paymentWebhooks(service: PaymentService): FastifyPluginAsync {
  // The provider name comes from the last path segment: /webhooks/stripe → "stripe".
  const handle = createWebhookHandler(service, { maxBodyBytes: DEFAULT_MAX_WEBHOOK_BODY_BYTES });
  return async (scope) => {
    // Only this plugin's routes see the override (Fastify encapsulation). The parser reads the body before the
    // handler does, so its bodyLimit is the one that protects the process: keep it equal to maxBodyBytes (1 MiB).
    // A larger body is answered 413 by Fastify, by Content-Length before reading or as soon as it streams past.
    // JSON for Stripe and Ping++; forms for native Alipay, which Fastify has no parser for by default (it would
    // answer 415).
    scope.removeContentTypeParser('application/json');
    for (const type of ['application/json', 'application/x-www-form-urlencoded']) {
      scope.addContentTypeParser(
        type,
        { parseAs: 'buffer', bodyLimit: DEFAULT_MAX_WEBHOOK_BODY_BYTES },
        (_req, body, done) => done(null, body),
      );
    }

    scope.post<{ Body: Buffer }>('/webhooks/:provider', async (req, reply) => {
      // Hand the service a Web Request with the untouched bytes, and send back what it answers.
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(key, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(key, v);
      }
      const response = await handle(
        new Request(`http://${req.host}${req.url}`, { method: 'POST', headers, body: new Uint8Array(req.body) }),
      );
      return reply
        .code(response.status)
        .header('content-type', response.headers.get('content-type') ?? 'application/json')
        .send(await response.text());
    });
  };
}

/** A Fastify app: the webhook plugin plus an ordinary JSON route that keeps the default parser. */
export async function createFastifyApp(service: PaymentService): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(paymentWebhooks(service));
  app.post<{ Body: { orderId?: unknown } }>('/orders/status', async (req, reply) => {
    // Parsed by Fastify's JSON parser: the webhook plugin's override does not leak out here.
    const orderId = typeof req.body.orderId === 'string' ? req.body.orderId : '';
    const order = await service.getOrder(orderId);
    return order ? { orderId, status: order.status } : reply.code(404).send({ error: 'NOT_FOUND' });
  });
  return app;
}

async function main(): Promise<void> {
  const demo = await startDemo();
  const app = await createFastifyApp(demo.service);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    console.log('Fastify 5 — buffer parser scoped to the webhook plugin:');
    const [report] = await runPaidFlow(demo, `${url}/webhooks`);
    const status = await fetch(`${url}/orders/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: report!.orderId }),
    });
    console.log(`POST /orders/status (ordinary JSON route) → ${status.status} ${await status.text()}`);
  } finally {
    await app.close();
    await demo.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
