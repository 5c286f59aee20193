import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@org/payment-factory';
import { createFastifyApp } from '../../examples/fastify-webhooks.js';
import { startDemo, type Demo } from '../../examples/shared/demo-stack.js';

describe('examples/fastify-webhooks', () => {
  let demo: Demo;
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    demo = await startDemo({ logger: silentLogger });
    app = await createFastifyApp(demo.service);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    await demo.close();
  });

  it('applies a signed Stripe webhook through the scoped buffer parser, once', async () => {
    const { orderId, reference } = await demo.checkout();
    demo.pay(reference);
    const first = await demo.deliver(`${url}/webhooks/stripe`, reference);
    const again = await demo.deliver(`${url}/webhooks/stripe`, reference);
    expect([first.status, JSON.parse(first.body)]).toEqual([200, { received: true, outcome: 'applied' }]);
    expect([again.status, JSON.parse(again.body)]).toEqual([200, { received: true, outcome: 'duplicate' }]);
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('serves Ping++ through the same plugin', async () => {
    const { orderId, reference } = await demo.checkout({ provider: 'pingxx' });
    demo.pay(reference);
    const first = await demo.deliver(`${url}/webhooks/pingxx`, reference);
    expect([first.status, JSON.parse(first.body)]).toEqual([200, { received: true, outcome: 'applied' }]);
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('verifies the exact bytes: a re-serialised body fails the signature with 400', async () => {
    const { orderId, reference } = await demo.checkout({ userId: 'user_reencoded' });
    demo.pay(reference);
    const webhook = demo.emulator.webhookFor(reference, 'checkout.session.completed');
    // What a parse-then-stringify middleware or proxy would forward: same data, other bytes.
    const reencoded = { ...webhook, rawBody: JSON.stringify(JSON.parse(webhook.rawBody)) };
    const response = await demo.emulator.deliverWebhook(`${url}/webhooks/stripe`, reencoded);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'WEBHOOK_SIGNATURE_MISMATCH' });
    expect((await demo.service.getOrder(orderId))?.status).toBe('pending');
  });

  it('leaves the default JSON parser in place outside the webhook plugin', async () => {
    const { orderId } = await demo.checkout({ userId: 'user_json' });
    const response = await app.inject({ method: 'POST', url: '/orders/status', payload: { orderId } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ orderId, status: 'pending' });
  });
});
