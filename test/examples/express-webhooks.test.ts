import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawBodyRequiredBody, silentLogger } from '@org/payment-factory';
import { createExpressApp, createMisconfiguredExpressApp } from '../../examples/express-webhooks.js';
import { serveLocally, startDemo, type Demo, type LocalServer } from '../../examples/shared/demo-stack.js';

describe('examples/express-webhooks', () => {
  let demo: Demo;
  let good: LocalServer;
  let bad: LocalServer;
  beforeAll(async () => {
    demo = await startDemo({ logger: silentLogger });
    good = await serveLocally(createExpressApp(demo.service));
    bad = await serveLocally(createMisconfiguredExpressApp(demo.service));
  });
  afterAll(async () => {
    await good.close();
    await bad.close();
    await demo.close();
  });

  it('applies a signed Stripe webhook received through express.raw and answers its redelivery as a duplicate', async () => {
    const { orderId, reference } = await demo.checkout();
    demo.pay(reference);
    const first = await demo.deliver(`${good.url}/webhooks/stripe`, reference);
    const again = await demo.deliver(`${good.url}/webhooks/stripe`, reference);
    expect(first).toEqual({ status: 200, body: JSON.stringify({ received: true, outcome: 'applied' }) });
    expect(again).toEqual({ status: 200, body: JSON.stringify({ received: true, outcome: 'duplicate' }) });
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('serves Ping++ on the same route: an RSA-signed charge.succeeded verifies over the raw Buffer', async () => {
    const { orderId, reference } = await demo.checkout({ provider: 'pingxx' });
    demo.pay(reference);
    const first = await demo.deliver(`${good.url}/webhooks/pingxx`, reference);
    expect([first.status, JSON.parse(first.body)]).toEqual([200, { received: true, outcome: 'applied' }]);
    expect(await demo.service.getOrder(orderId)).toMatchObject({ status: 'paid', paidAmount: 9900, currency: 'CNY' });
  });

  it('serves native Alipay on the same route: a form-encoded notification through express.raw, answered success', async () => {
    const { orderId, reference } = await demo.checkout({ provider: 'alipay' });
    demo.pay(reference);
    const first = await demo.deliver(`${good.url}/webhooks/alipay`, reference);
    const again = await demo.deliver(`${good.url}/webhooks/alipay`, reference);
    expect([first, again]).toEqual([
      { status: 200, body: 'success' },
      { status: 200, body: 'success' },
    ]);
    expect(await demo.service.getOrder(orderId)).toMatchObject({ status: 'paid', paidAmount: 9900, currency: 'CNY' });
    // It went to native Alipay (bare alipay_qr, native first), not to Ping++.
    expect(demo.alipay.controls.getTrade(reference)?.status).toBe('TRADE_SUCCESS');
  });

  it('serves native WeChat Pay on the same route: a signed notification is applied and answered {"code":"SUCCESS"}', async () => {
    const { orderId, reference } = await demo.checkout({ provider: 'wechatpay' });
    demo.pay(reference);
    const first = await demo.deliver(`${good.url}/webhooks/wechatpay`, reference);
    const again = await demo.deliver(`${good.url}/webhooks/wechatpay`, reference);
    expect([first, again]).toEqual([
      { status: 200, body: '{"code":"SUCCESS"}' },
      { status: 200, body: '{"code":"SUCCESS"}' },
    ]);
    expect(await demo.service.getOrder(orderId)).toMatchObject({ status: 'paid', paidAmount: 9900, currency: 'CNY' });
    // It went to native WeChat Pay (bare wx_pub_qr, native first), not to Ping++.
    expect(demo.wechatpay.controls.getOrder(reference)?.tradeState).toBe('SUCCESS');
  });

  it('answers 400 RAW_BODY_REQUIRED behind a global express.json() and leaves the order unpaid for the retry', async () => {
    const { orderId, reference } = await demo.checkout({ userId: 'user_parser' });
    demo.pay(reference);
    const refused = await demo.deliver(`${bad.url}/webhooks/stripe`, reference);
    expect(refused.status).toBe(400);
    // The body carries the fix: Stripe shows it in the endpoint's delivery log.
    expect(JSON.parse(refused.body)).toEqual(rawBodyRequiredBody('express'));
    expect(JSON.parse(refused.body)).toMatchObject({
      framework: 'express',
      fix: expect.stringContaining('express.raw('),
    });
    expect((await demo.service.getOrder(orderId))?.status).toBe('pending');

    const retried = await demo.deliver(`${good.url}/webhooks/stripe`, reference);
    expect(JSON.parse(retried.body)).toMatchObject({ outcome: 'applied' });
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('refuses a body changed after signing with 400 and changes nothing', async () => {
    const { orderId, reference } = await demo.checkout({ userId: 'user_tamper' });
    demo.pay(reference);
    const webhook = demo.emulator.webhookFor(reference, 'checkout.session.completed');
    const tampered = { ...webhook, rawBody: webhook.rawBody.replace('"amount_total": 1999', '"amount_total": 1') };
    expect(tampered.rawBody).not.toBe(webhook.rawBody);
    const response = await demo.emulator.deliverWebhook(`${good.url}/webhooks/stripe`, tampered);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'WEBHOOK_SIGNATURE_MISMATCH' });
    expect((await demo.service.getOrder(orderId))?.status).toBe('pending');
  });

  it('answers 404 for a provider the service does not know', async () => {
    const response = await fetch(`${good.url}/webhooks/paypal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'UNKNOWN_PROVIDER' });
  });

  it('keeps ordinary JSON routes working after the webhook route', async () => {
    const { orderId } = await demo.checkout({ userId: 'user_json' });
    const response = await fetch(`${good.url}/orders/${orderId}`);
    expect(await response.json()).toMatchObject({ orderId, status: 'pending', currency: 'USD' });
  });
});
