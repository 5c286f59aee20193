import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@org/payment-factory';
import { createHonoApp, serveHono } from '../../examples/hono-webhooks.js';
import { startDemo, type Demo } from '../../examples/shared/demo-stack.js';

describe('examples/hono-webhooks', () => {
  let demo: Demo;
  let server: Awaited<ReturnType<typeof serveHono>>;
  beforeAll(async () => {
    demo = await startDemo({ logger: silentLogger });
    server = await serveHono(createHonoApp(demo.service));
  });
  afterAll(async () => {
    await server.close();
    await demo.close();
  });

  it('applies a signed Stripe webhook served by @hono/node-server, once', async () => {
    const { orderId, reference } = await demo.checkout();
    demo.pay(reference);
    const first = await demo.deliver(`${server.url}/webhooks/stripe`, reference);
    const again = await demo.deliver(`${server.url}/webhooks/stripe`, reference);
    expect(JSON.parse(first.body)).toEqual({ received: true, outcome: 'applied' });
    expect(JSON.parse(again.body)).toEqual({ received: true, outcome: 'duplicate' });
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('serves Ping++ on the same route', async () => {
    const { orderId, reference } = await demo.checkout({ provider: 'pingxx' });
    demo.pay(reference);
    const first = await demo.deliver(`${server.url}/webhooks/pingxx`, reference);
    expect(JSON.parse(first.body)).toEqual({ received: true, outcome: 'applied' });
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('handles the same request in-process through app.request (Web Request in, Web Response out)', async () => {
    const app = createHonoApp(demo.service);
    const { orderId, reference } = await demo.checkout({ userId: 'user_inprocess' });
    demo.pay(reference);
    const { rawBody, headers } = demo.emulator.webhookFor(reference, 'checkout.session.completed');
    const response = await app.request('/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: rawBody,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
    expect(await (await app.request(`/orders/${orderId}`)).json()).toEqual({ orderId, status: 'paid' });
  });

  it('answers 400 for a missing signature header and routes only POST to the handler', async () => {
    const app = createHonoApp(demo.service);
    const unsigned = await app.request('/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":"evt_1"}',
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({ error: 'WEBHOOK_SIGNATURE_MISSING' });
    expect((await app.request('/webhooks/stripe')).status).toBe(404); // Hono: no GET route at all
  });
});
