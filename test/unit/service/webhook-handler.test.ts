import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  RAW_BODY_FIXES,
  rawBodyRequiredBody,
  toNodeHandler,
} from '../../../src/index.js';
import { createFakeProvider } from '../../../src/testing/fake-provider.js';
import { createInMemoryRepositories } from '../../../src/testing/in-memory-repositories.js';
import { createHarness, orderWithCharge } from './harness.js';

/** A request body that counts what the handler pulls from it, and never ends on its own. */
function countingBody(
  chunkBytes: number,
  maxChunks = Infinity,
): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let chunks = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (chunks >= maxChunks) return controller.close();
        chunks += 1;
        pulled += chunkBytes;
        controller.enqueue(new Uint8Array(chunkBytes));
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

/** A body with the fake provider's signature header (the value does not matter before the body is read). */
const signedLooking = {
  rawBody: '{"id":"evt_1"}',
  headers: { 'content-type': 'application/json', 'x-fake-signature': 'ab' },
};

function streamed(url: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>): Request {
  return new Request(url, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

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
      // A plain Request does not say which framework read it: the body lists every fix.
      expect(await res.json()).toEqual(rawBodyRequiredBody(null));
    }
  });

  it('names the Next.js fix when a NextRequest was read before the handler', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const request = Object.assign(post('https://x/webhooks/fake', h.fake.webhook(attemptId)), {
      nextUrl: new URL('https://x/webhooks/fake'),
    });
    await request.text();
    const res = await createWebhookHandler(h.service)(request);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'RAW_BODY_REQUIRED',
      message: expect.stringContaining('exact bytes'),
      framework: 'nextjs',
      fix: RAW_BODY_FIXES.nextjs,
    });
  });

  it('lists a fix for every framework when the framework is unknown', () => {
    const { fix } = rawBodyRequiredBody(null);
    for (const [name, text] of [
      ['Express', RAW_BODY_FIXES.express],
      ['Fastify', RAW_BODY_FIXES.fastify],
      ['Next.js', RAW_BODY_FIXES.nextjs],
      ['Hono', RAW_BODY_FIXES.hono],
    ]) {
      expect(fix).toContain(`${name}: ${text}`);
    }
    expect(RAW_BODY_FIXES.express).toContain("express.raw({ type: 'application/json', limit: '1mb' })");
    expect(RAW_BODY_FIXES.fastify).toContain('bodyLimit: 1048576');
    expect(RAW_BODY_FIXES.nextjs).toContain('bodyParser: false');
    expect(RAW_BODY_FIXES.hono).toContain('c.req.raw');
  });

  it('shows the real 400 bodies in docs/webhooks.md and docs/flows.md', () => {
    const read = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');
    expect(read('webhooks.md')).toContain(JSON.stringify(rawBodyRequiredBody('express')));
    for (const name of ['webhooks.md', 'flows.md']) {
      expect(read(name)).toContain('{"error":"PAYLOAD_TOO_LARGE","maxBodyBytes":1048576}');
      expect(read(name)).toContain('{"error":"WEBHOOK_SIGNATURE_MISSING"}');
      expect(read(name)).not.toContain('WEBHOOK_VERIFICATION_FAILED');
    }
  });

  it('warns once on the console about a raw-body mistake when the service has no logger', async () => {
    const fake = createFakeProvider();
    const service = createPaymentService({
      factory: createPaymentFactory({ providers: [fake] }),
      repositories: createInMemoryRepositories(),
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      for (let i = 0; i < 3; i += 1) {
        // A handler per request, as a Next.js route may build it: still one warning per service.
        const request = post('https://x/webhooks/fake', signedLooking);
        await request.json();
        expect((await createWebhookHandler(service)(request)).status).toBe(400);
      }
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('RAW_BODY_REQUIRED');
      expect(String(warn.mock.calls[0]?.[0])).toContain(RAW_BODY_FIXES.express);
    } finally {
      warn.mockRestore();
    }
  });

  it('does not touch the console when the service has a logger; the logger gets the fix', async () => {
    const h = createHarness();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const request = post('https://x/webhooks/fake', signedLooking);
      await request.json();
      await createWebhookHandler(h.service)(request);
      expect(warn).not.toHaveBeenCalled();
      expect(h.logs.find((l) => l.message.includes('raw request bytes'))?.fields).toMatchObject({
        provider: 'fake',
        framework: null,
      });
    } finally {
      warn.mockRestore();
    }
  });

  it('answers 400 WEBHOOK_SIGNATURE_MISSING before reading the body of an unsigned request', async () => {
    const h = createHarness();
    const body = countingBody(64 * 1024);
    const res = await createWebhookHandler(h.service)(
      streamed('https://x/webhooks/fake', body.stream, { 'content-type': 'application/json' }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'WEBHOOK_SIGNATURE_MISSING' });
    expect(body.pulled()).toBe(0);
  });

  it('answers 413 without reading a body whose Content-Length is over the limit', async () => {
    const h = createHarness();
    const body = countingBody(64 * 1024);
    const res = await createWebhookHandler(h.service)(
      streamed('https://x/webhooks/fake', body.stream, {
        'content-length': String(200 * 1024 * 1024),
        'x-fake-signature': 'ab',
      }),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'PAYLOAD_TOO_LARGE', maxBodyBytes: 1_048_576 });
    expect(body.pulled()).toBe(0);
  });

  it('stops reading a streamed body at maxBodyBytes and answers 413', async () => {
    const h = createHarness();
    const body = countingBody(1000);
    const handle = createWebhookHandler(h.service, { maxBodyBytes: 10_000 });
    expect(handle.maxBodyBytes).toBe(10_000);
    const res = await handle(streamed('https://x/webhooks/fake', body.stream, { 'x-fake-signature': 'ab' }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'PAYLOAD_TOO_LARGE', maxBodyBytes: 10_000 });
    expect(body.pulled()).toBe(11_000);
    expect(body.cancelled()).toBe(true);
  });

  it('accepts a body of exactly maxBodyBytes', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const webhook = h.fake.webhook(attemptId);
    const size = new TextEncoder().encode(webhook.rawBody).byteLength;
    const res = await createWebhookHandler(h.service, { maxBodyBytes: size })(post('https://x/webhooks/fake', webhook));
    expect(await res.json()).toEqual({ received: true, outcome: 'applied' });
    const over = await createWebhookHandler(h.service, { maxBodyBytes: size - 1 })(
      post('https://x/webhooks/fake', webhook),
    );
    expect(over.status).toBe(413);
  });

  it('refuses a limit that is not a positive whole number of bytes', () => {
    const h = createHarness();
    for (const maxBodyBytes of [0, -1, 1.5, Number.NaN]) {
      expect(() => createWebhookHandler(h.service, { maxBodyBytes })).toThrow(
        expect.objectContaining({ code: 'INVALID_MAX_BODY_BYTES' }),
      );
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
    // A plain node:http parser leaves no trace of a framework: every fix is listed.
    expect(await res.json()).toEqual(rawBodyRequiredBody(null));
  });

  it('uses a raw Buffer left on req.body (express.raw) without reading the stream again', async () => {
    const h = createHarness();
    const { order, attemptId } = await orderWithCharge(h);
    const node = toNodeHandler(createWebhookHandler(h.service));
    const url = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        Object.assign(req, { body: Buffer.concat(chunks) });
        node(req, res);
      });
    });
    const webhook = h.fake.webhook(attemptId);
    const res = await fetch(`${url}/webhooks/fake`, {
      method: 'POST',
      body: webhook.rawBody,
      headers: webhook.headers,
    });
    expect(await res.json()).toEqual({ received: true, outcome: 'applied' });
    expect((await h.service.getOrder(order.orderId))?.status).toBe('paid');
  });

  it('applies its own maxBodyBytes to the Node stream, whatever handler it feeds', async () => {
    const seen: number[] = [];
    const node = toNodeHandler(
      async (request) => {
        const bytes = await request.arrayBuffer();
        seen.push(bytes.byteLength);
        return new Response('{}');
      },
      { maxBodyBytes: 1000 },
    );
    const url = await listen(node);
    const small = await fetch(`${url}/x`, { method: 'POST', body: 'a'.repeat(1000) });
    expect(small.status).toBe(200);
    const large = await fetch(`${url}/x`, { method: 'POST', body: 'a'.repeat(5000) });
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({ error: 'PAYLOAD_TOO_LARGE', maxBodyBytes: 1000 });
    expect(seen).toEqual([1000]);
  });
});

describe('provider-shaped acknowledgements', () => {
  it("answers with the provider's own body when it shapes one, for success and failure alike", async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    const seen: unknown[] = [];
    Object.assign(h.fake, {
      acknowledgeWebhook: (ack: { ok: boolean; status: number }) => {
        seen.push(ack);
        return ack.ok
          ? { status: 200, body: 'success', contentType: 'text/plain' }
          : { status: ack.status, body: 'failure', contentType: 'text/plain' };
      },
    });
    const handle = createWebhookHandler(h.service);
    const ok = await handle(post('https://shop.example/webhooks/fake', h.fake.webhook(attemptId)));
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'text/plain', 'success']);
    const bad = await handle(
      post('https://shop.example/webhooks/fake', {
        ...h.fake.webhook(attemptId),
        headers: { 'x-fake-signature': 'no' },
      }),
    );
    expect([bad.status, await bad.text()]).toEqual([400, 'failure']);
    expect(seen).toEqual([
      { ok: true, status: 200, outcome: 'applied' },
      { ok: false, status: 400, code: expect.any(String) },
    ]);
  });

  it('falls back to the default answer when the acknowledgement throws', async () => {
    const h = createHarness();
    const { attemptId } = await orderWithCharge(h);
    Object.assign(h.fake, {
      acknowledgeWebhook: () => {
        throw new Error('boom');
      },
    });
    const res = await createWebhookHandler(h.service)(
      post('https://shop.example/webhooks/fake', h.fake.webhook(attemptId)),
    );
    expect([res.status, await res.json()]).toEqual([200, { received: true, outcome: 'applied' }]);
  });
});
