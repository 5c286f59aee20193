/**
 * Payment webhooks in Hono, served on Node by `@hono/node-server`.
 *
 * Hono speaks Web `Request`/`Response`, and so does `createWebhookHandler`: pass `c.req.raw` straight
 * through. Nothing has read the body yet, so the handler gets the exact bytes the provider signed. Just
 * don't call `c.req.json()` (or a validator middleware that does) before it on the webhook route; if you
 * must look at the body first, use `await c.req.text()` and verify that string.
 *
 * The same app runs unchanged on Bun, Deno and Cloudflare Workers (`export default app`), as long as the
 * provider adapters can run there.
 *
 * Run: `npx tsx examples/hono-webhooks.ts`
 * @module
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createWebhookHandler, type PaymentService } from '@org/payment-factory';
import { isMain, runMain, runPaidFlow, startDemo } from './shared/demo-stack.js';

/** The part to copy: a Hono app whose `POST /webhooks/:provider` is the library's Web handler. */
export function createHonoApp(service: PaymentService): Hono {
  const app = new Hono();
  // The provider name comes from the last path segment: /webhooks/stripe → "stripe". Nothing reads the body
  // before the handler, so its own limit protects the process: a Content-Length over maxBodyBytes is answered
  // 413 unread, a body streaming past it stops being read, and an unsigned request is refused before reading.
  const handle = createWebhookHandler(service, { maxBodyBytes: 1_048_576 });
  app.post('/webhooks/:provider', (c) => handle(c.req.raw));
  app.get('/orders/:orderId', async (c) => {
    const order = await service.getOrder(c.req.param('orderId'));
    return order ? c.json({ orderId: order.orderId, status: order.status }) : c.json({ error: 'NOT_FOUND' }, 404);
  });
  return app;
}

/** Serves `app` on a free local port with `@hono/node-server`. */
export async function serveHono(app: Hono): Promise<{ url: string; close(): Promise<void> }> {
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ server: s, port: info.port }),
    );
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function main(): Promise<void> {
  const demo = await startDemo();
  const server = await serveHono(createHonoApp(demo.service));
  try {
    console.log('Hono on @hono/node-server — c.req.raw passed to createWebhookHandler:');
    await runPaidFlow(demo, `${server.url}/webhooks`);
  } finally {
    await server.close();
    await demo.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
