import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookHandler, toNodeHandler } from '../../../src/index.js';
import { createHarness, orderWithCharge } from './harness.js';

function post(url: string, webhook: { rawBody: string; headers: Record<string, string> }): Request {
  return new Request(url, { method: 'POST', body: webhook.rawBody, headers: webhook.headers });
}

describe('createWebhookHandler', () => {
  it('answers 200 for applied and duplicate outcomes, with the provider from the route', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const handle = createWebhookHandler(h.service);
    const webhook = h.fake.webhook(attemptId);
    const first = await handle(post('https://shop.example/webhooks/fake', webhook));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: 'applied' });
    const again = await handle(post('https://shop.example/hooks?provider=fake', webhook));
    expect(await again.json()).toEqual({ received: true, outcome: 'duplicate' });
  });

  it('answers 200 for rejected events so the provider stops retrying', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const res = await createWebhookHandler(h.service, { provider: 'fake' })(
      post('https://x/any', h.fake.webhook(attemptId, 'payment.succeeded', { amount: 5 })),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'rejected' });
  });

  it('answers 400 for a bad signature without echoing details', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const webhook = h.fake.webhook(attemptId);
    const res = await createWebhookHandler(h.service)(
      post('https://x/webhooks/fake', { ...webhook, rawBody: webhook.rawBody.replace('1999', '1') }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'WEBHOOK_VERIFICATION_FAILED' });
  });

  it('answers 400 RAW_BODY_REQUIRED when the body was already read, on every retry', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const handle = createWebhookHandler(h.service);
    for (let i = 0; i < 2; i += 1) {
      const request = post('https://x/webhooks/fake', h.fake.webhook(attemptId));
      await request.json();
      const res = await handle(request);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'RAW_BODY_REQUIRED' });
    }
  });

  it('answers 404 for an unknown provider and 405 for GET', async () => {
    const h = createHarness();
    const handle = createWebhookHandler(h.service);
    expect((await handle(new Request('https://x/webhooks/paypal', { method: 'POST', body: '{}' }))).status).toBe(404);
    expect((await handle(new Request('https://x/webhooks/fake'))).status).toBe(405);
  });

  it('answers 5xx with no internal text when a transactional hook fails, so the provider retries', async () => {
    const h = createHarness({
      hooks: { onOrderPaid: () => Promise.reject(new Error('SELECT secret FROM users failed')) },
    });
    const { attemptId } = await orderWithCharge(h);
    const res = await createWebhookHandler(h.service)(post('https://x/webhooks/fake', h.fake.webhook(attemptId)));
    expect(res.status).toBeGreaterThanOrEqual(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toEqual({ error: 'INTERNAL_ERROR' });
  });
});

describe('toNodeHandler', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const created = createServer(handler);
    server = created;
    await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
    const address = created.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  it('reads the raw body from node:http and applies the webhook', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    const url = await listen(toNodeHandler(createWebhookHandler(h.service)));
    const webhook = h.fake.webhook(attemptId);
    const res = await fetch(`${url}/webhooks/fake`, {
      method: 'POST',
      body: webhook.rawBody,
      headers: webhook.headers,
    });
    expect(res.status).toBe(200);
    expect((await h.service.getOrder(order.orderId))?.status).toBe('paid');
  });

  it('answers 400 RAW_BODY_REQUIRED when a JSON body parser consumed the body', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const node = toNodeHandler(createWebhookHandler(h.service));
    const url = await listen((req, res) => {
      // What express.json() does: consume the stream, leave an object behind.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        Object.assign(req, { body: JSON.parse(Buffer.concat(chunks).toString()) as unknown });
        node(req, res);
      });
    });
    const webhook = h.fake.webhook(attemptId);
    const res = await fetch(`${url}/webhooks/fake`, {
      method: 'POST',
      body: webhook.rawBody,
      headers: webhook.headers,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'RAW_BODY_REQUIRED' });
  });
});
