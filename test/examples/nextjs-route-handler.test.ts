import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@org/payment-factory';
import { dynamic, POST, providePaymentService, runtime } from '../../examples/nextjs-route-handler.js';
import { startDemo, type Demo } from '../../examples/shared/demo-stack.js';

describe('examples/nextjs-route-handler', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({ logger: silentLogger });
    providePaymentService(demo.service);
  });
  afterAll(async () => {
    await demo.close();
  });

  const requestFor = (reference: string, path = '/api/webhooks/stripe'): Request => {
    const { rawBody, headers } = demo.emulator.webhookFor(reference, 'checkout.session.completed');
    return new Request(`https://shop.example${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: rawBody,
    });
  };

  it('runs on the Node.js runtime and is never cached', () => {
    expect(runtime).toBe('nodejs');
    expect(dynamic).toBe('force-dynamic');
  });

  it('applies a signed webhook when called as POST(new Request(...))', async () => {
    const { orderId, reference } = await demo.checkout();
    demo.pay(reference);
    const response = await POST(requestFor(reference));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('takes the provider from the route params Next.js passes', async () => {
    const { orderId, reference } = await demo.checkout({ userId: 'user_params' });
    demo.pay(reference);
    // The URL's last segment names no provider (it would answer 404 UNKNOWN_PROVIDER); the [provider] param decides.
    const response = await POST(requestFor(reference, '/api/webhooks/incoming'), {
      params: Promise.resolve({ provider: 'stripe' }),
    });
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('applies a WeChat Pay TRANSACTION.SUCCESS sent to /api/webhooks/wechatpay, answered as WeChat Pay expects', async () => {
    const { orderId, reference } = await demo.checkout({ provider: 'wechatpay' });
    demo.pay(reference);
    const { rawBody, headers } = demo.wechatpay.controls.notificationFor(reference);
    const post = () =>
      POST(new Request('https://shop.example/api/webhooks/wechatpay', { method: 'POST', headers, body: rawBody }), {
        params: Promise.resolve({ provider: 'wechatpay' }),
      });
    const first = await post();
    expect([first.status, await first.text()]).toEqual([200, '{"code":"SUCCESS"}']);
    const again = await post();
    expect([again.status, await again.text()]).toEqual([200, '{"code":"SUCCESS"}']);
    expect(await demo.service.getOrder(orderId)).toMatchObject({ status: 'paid', paidAmount: 9900, currency: 'CNY' });
    const unsigned = await POST(
      new Request('https://shop.example/api/webhooks/wechatpay', { method: 'POST', body: rawBody }),
      { params: Promise.resolve({ provider: 'wechatpay' }) },
    );
    expect([unsigned.status, await unsigned.text()]).toEqual([400, '{"code":"FAIL","message":"notification refused"}']);
  });

  it('applies a Ping++ charge.succeeded sent to /api/webhooks/pingxx', async () => {
    const { orderId, reference } = await demo.checkout({ provider: 'pingxx' });
    demo.pay(reference);
    const { rawBody, headers } = demo.pingxx.controls.eventFor(reference, 'charge.succeeded');
    const response = await POST(
      new Request('https://shop.example/api/webhooks/pingxx', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: rawBody,
      }),
      { params: Promise.resolve({ provider: 'pingxx' }) },
    );
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
    expect((await demo.service.getOrder(orderId))?.status).toBe('paid');
  });

  it('applies a native Alipay notification (a form) sent to /api/webhooks/alipay and answers plain success', async () => {
    const { orderId, reference } = await demo.checkout({ provider: 'alipay' });
    demo.pay(reference);
    const { rawBody, headers } = demo.alipay.controls.notificationFor(reference);
    const post = () =>
      POST(new Request('https://shop.example/api/webhooks/alipay', { method: 'POST', headers, body: rawBody }), {
        params: Promise.resolve({ provider: 'alipay' }),
      });
    const first = await post();
    expect([first.status, first.headers.get('content-type'), await first.text()]).toEqual([
      200,
      'text/plain; charset=utf-8',
      'success',
    ]);
    expect(await demo.service.getOrder(orderId)).toMatchObject({ status: 'paid', paidAmount: 9900, currency: 'CNY' });
    const again = await post(); // Alipay redelivers until it reads `success`: a duplicate is answered the same
    expect([again.status, await again.text()]).toEqual([200, 'success']);
    const tampered = await POST(
      new Request('https://shop.example/api/webhooks/alipay', {
        method: 'POST',
        headers,
        body: rawBody.replace('total_amount=99.00', 'total_amount=0.01'),
      }),
      { params: Promise.resolve({ provider: 'alipay' }) },
    );
    expect([tampered.status, await tampered.text()]).toEqual([400, 'failure']);
  });

  it('answers 400 for a bad signature and 404 for an unknown provider', async () => {
    const { reference } = await demo.checkout({ userId: 'user_bad' });
    demo.pay(reference);
    const good = requestFor(reference);
    const forged = new Request(good.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: await good.text(),
    });
    expect((await POST(forged)).status).toBe(400);
    const unknown = await POST(requestFor(reference), { params: Promise.resolve({ provider: 'adyen' }) });
    expect(unknown.status).toBe(404);
  });
});
