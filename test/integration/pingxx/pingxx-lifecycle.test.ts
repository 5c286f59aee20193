import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import type { PaymentEvent } from '../../../src/core/types.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { startPingxxEmulator } from '../../../src/testing/pingxx-testing.js';
import { requestMaker, useEmulatedPingxx } from './harness.js';

const pingxx = useEmulatedPingxx({ timeoutMs: 5_000 });
const nextRequest = requestMaker('life', {
  amount: 9900,
  currency: 'cny',
  channel: 'wx_pub_qr',
  subject: 'Python 进阶课',
  clientIp: '203.0.113.7',
  userId: 'user1',
  productId: 'course42',
});

describe('a Ping++ payment from creation to refund', () => {
  it('creates, is paid, and is reported by a verified charge.succeeded webhook', async () => {
    const request = nextRequest();
    const created = await pingxx.provider.createPayment(request);
    expect(created.status).toBe('requires_action');
    expect(await pingxx.provider.retrievePayment({ providerReference: created.providerReference })).toMatchObject({
      status: 'requires_action',
      paidAt: null,
    });

    pingxx.emulator.controls.payCharge(created.providerReference);
    const snapshot = await pingxx.provider.retrievePayment({
      providerReference: created.providerReference,
      attemptId: request.attemptId,
    });
    expect(snapshot).toMatchObject({
      provider: 'pingxx',
      channel: 'wx_pub_qr',
      attemptId: request.attemptId,
      providerReference: created.providerReference,
      status: 'succeeded',
      amount: 9900,
      currency: 'CNY',
      amountRefunded: 0,
      refunds: [],
      livemode: false,
    });
    expect(snapshot.paidAt).toBeInstanceOf(Date);

    const { rawBody, headers, event } = pingxx.emulator.controls.eventFor(
      created.providerReference,
      'charge.succeeded',
    );
    const normalized = await pingxx.provider.verifyWebhook({ rawBody, headers });
    expect(normalized).toMatchObject({
      eventId: event.id,
      type: 'payment.succeeded',
      attemptId: request.attemptId,
      orderId: request.orderId,
      providerReference: created.providerReference,
      amount: 9900,
      currency: 'CNY',
      livemode: false,
    });
  });

  it('refunds in parts, reports each refund, and recognises a retried refund id', async () => {
    const request = nextRequest({ channel: 'alipay_qr' });
    const created = await pingxx.provider.createPayment(request);
    pingxx.emulator.controls.payCharge(created.providerReference);
    const refund = (refundId: string, amount: number) =>
      pingxx.provider.refundPayment({
        refundId,
        attemptId: request.attemptId,
        providerReference: created.providerReference,
        amount,
        currency: 'CNY',
        reason: '课程取消\n部分退款',
      });

    const first = await refund('refund1', 4000);
    expect(first).toMatchObject({
      provider: 'pingxx',
      refundId: 'refund1',
      status: 'succeeded',
      amount: 4000,
      currency: 'CNY',
    });
    expect(first.providerRefundId).toMatch(/^re_/);
    expect((await refund('refund1', 4000)).providerRefundId).toBe(first.providerRefundId);
    const second = await refund('refund2', 5900);
    expect(second.providerRefundId).not.toBe(first.providerRefundId);

    const sent = pingxx.emulator.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/refunds'));
    expect(sent.map((r) => r.body)).toEqual([
      { amount: 4000, description: '课程取消 部分退款', metadata: { refund_bid: 'refund1' } },
      { amount: 5900, description: '课程取消 部分退款', metadata: { refund_bid: 'refund2' } },
    ]);
    const snapshot = await pingxx.provider.retrievePayment({ providerReference: created.providerReference });
    expect(snapshot.amountRefunded).toBe(9900);
    expect(snapshot.refunds.map((r) => [r.refundId, r.amount, r.status])).toEqual([
      ['refund2', 5900, 'succeeded'],
      ['refund1', 4000, 'succeeded'],
    ]);

    const { rawBody, headers } = pingxx.emulator.controls.eventFor(created.providerReference, 'refund.succeeded', {
      refundId: first.providerRefundId,
    });
    expect(await pingxx.provider.verifyWebhook({ rawBody, headers })).toMatchObject({
      type: 'refund.succeeded',
      attemptId: request.attemptId,
      providerReference: created.providerReference,
      amount: 4000,
      refunds: [{ providerRefundId: first.providerRefundId, refundId: 'refund1', status: 'succeeded' }],
    });
  });

  it('finds a retried refund beyond the first page of refunds', async () => {
    const request = nextRequest({ channel: 'alipay_qr', amount: 200 });
    const created = await pingxx.provider.createPayment(request);
    pingxx.emulator.controls.payCharge(created.providerReference);
    const refund = (refundId: string) =>
      pingxx.provider.refundPayment({
        refundId,
        attemptId: request.attemptId,
        providerReference: created.providerReference,
        amount: 1,
        currency: 'CNY',
      });
    const oldest = await refund('r0');
    for (let i = 1; i <= 120; i += 1) await refund(`r${i}`);
    expect((await refund('r0')).providerRefundId).toBe(oldest.providerRefundId);
    expect(pingxx.emulator.controls.getCharge(created.providerReference)!.refunds!.data).toHaveLength(121);
  });

  it('reports pending refunds until the channel settles them', async () => {
    const pendingEmulator = await startPingxxEmulator({ refunds: 'pending' });
    try {
      const pendingProvider = createPingxxProvider({ ...pendingEmulator.providerOptions });
      const request = nextRequest();
      const created = await pendingProvider.createPayment(request);
      pendingEmulator.controls.payCharge(created.providerReference);
      const refund = await pendingProvider.refundPayment({
        refundId: 'slow1',
        attemptId: request.attemptId,
        providerReference: created.providerReference,
        amount: 9900,
        currency: 'CNY',
      });
      expect(refund.status).toBe('pending');
      expect(
        (await pendingProvider.retrievePayment({ providerReference: created.providerReference })).amountRefunded,
      ).toBe(0);
      pendingEmulator.controls.settleRefund(created.providerReference, refund.providerRefundId, 'failed');
      const snapshot = await pendingProvider.retrievePayment({ providerReference: created.providerReference });
      expect(snapshot.refunds[0]).toMatchObject({ refundId: 'slow1', status: 'failed' });
    } finally {
      await pendingEmulator.close();
    }
  });

  it('reports a failed charge as failed', async () => {
    const created = await pingxx.provider.createPayment(nextRequest());
    pingxx.emulator.controls.failCharge(created.providerReference, { code: 'USER_CANCELLED' });
    expect((await pingxx.provider.retrievePayment({ providerReference: created.providerReference })).status).toBe(
      'failed',
    );
  });

  it('refuses a snapshot whose charge belongs to another attempt', async () => {
    const created = await pingxx.provider.createPayment(nextRequest());
    const error: unknown = await pingxx.provider
      .retrievePayment({ providerReference: created.providerReference, attemptId: 'someoneelse' })
      .catch((e: unknown) => e);
    expect(isPaymentError(error, 'IntegrityError')).toBe(true);
  });
});

describe('charge requests', () => {
  it('returns the same charge when a create is retried with the same attempt', async () => {
    const request = nextRequest();
    const first = await pingxx.provider.createPayment(request);
    const again = await pingxx.provider.createPayment({ ...request });
    expect(again.providerReference).toBe(first.providerReference);
  });

  it('sends time_expire and reports it, clamped to what WeChat accepts', async () => {
    const now = Date.now();
    const asked = await pingxx.provider.createPayment(nextRequest({ expiresAt: new Date(now + 30 * 60_000) }));
    expect(Math.abs(asked.expiresAt!.getTime() - (now + 30 * 60_000))).toBeLessThan(1_000);
    expect(asked.nextAction).toMatchObject({ type: 'qr_code', expiresAt: asked.expiresAt });
    const clamped = await pingxx.provider.createPayment(nextRequest({ expiresAt: new Date(now + 86_400_000) }));
    expect(clamped.expiresAt!.getTime()).toBeLessThanOrEqual(now + 2 * 3_600_000);
  });

  it('unwraps an IPv4-mapped IPv6 client address', async () => {
    await pingxx.provider.createPayment(nextRequest({ clientIp: '::ffff:198.51.100.4' }));
    expect(pingxx.emulator.requests.at(-1)!.body).toMatchObject({ client_ip: '198.51.100.4' });
  });

  it('sends the fallback address for an IPv6 payer when configured', async () => {
    const withFallback = createPingxxProvider({ ...pingxx.emulator.providerOptions, clientIpFallback: '192.0.2.1' });
    await withFallback.createPayment(nextRequest({ clientIp: '2001:db8::7' }));
    expect(pingxx.emulator.requests.at(-1)!.body).toMatchObject({ client_ip: '192.0.2.1' });
  });

  it('carries livemode from Ping++', async () => {
    const live = await startPingxxEmulator({ livemode: true });
    try {
      const liveProvider = createPingxxProvider({ ...live.providerOptions });
      const created = await liveProvider.createPayment(nextRequest());
      expect(created.livemode).toBe(true);
      live.controls.payCharge(created.providerReference);
      const { rawBody, headers } = live.controls.eventFor(created.providerReference, 'charge.succeeded');
      expect((await liveProvider.verifyWebhook({ rawBody, headers })).livemode).toBe(true);
    } finally {
      await live.close();
    }
  });
});

describe('webhook delivery to a host endpoint', () => {
  let server: Server;
  let url: string;
  const received: Array<PaymentEvent | string> = [];

  beforeAll(async () => {
    // A minimal host endpoint: raw bytes in, 200 for verified events, 400 for refused ones.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        pingxx.provider
          .verifyWebhook({ rawBody: Buffer.concat(chunks), headers: req.headers })
          .then((event) => {
            received.push(event);
            res.writeHead(200).end('ok');
          })
          .catch((error: unknown) => {
            received.push(isPaymentError(error) ? error.code : 'unknown');
            res.writeHead(400).end('refused');
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/pingxx`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a delivered event, and refuses a tampered or unsigned one', async () => {
    const created = await pingxx.provider.createPayment(nextRequest());
    pingxx.emulator.controls.payCharge(created.providerReference);
    const delivery = pingxx.emulator.controls.eventFor(created.providerReference, 'charge.succeeded');

    expect((await pingxx.emulator.controls.deliverEvent(url, delivery)).status).toBe(200);
    const tampered = { ...delivery, rawBody: delivery.rawBody.replace('"amount":9900', '"amount":9') };
    expect((await pingxx.emulator.controls.deliverEvent(url, tampered)).status).toBe(400);
    const unsigned = { ...delivery, headers: {} as typeof delivery.headers };
    expect((await pingxx.emulator.controls.deliverEvent(url, unsigned)).status).toBe(400);

    expect(received).toEqual([
      expect.objectContaining({ type: 'payment.succeeded', providerReference: created.providerReference }),
      'WEBHOOK_SIGNATURE_INVALID',
      'WEBHOOK_SIGNATURE_MISSING',
    ]);
  });

  it('normalises an event type it does not handle to unsupported', async () => {
    const created = await pingxx.provider.createPayment(nextRequest());
    const delivery = pingxx.emulator.controls.eventFor(created.providerReference, 'charge.reversed');
    expect((await pingxx.emulator.controls.deliverEvent(url, delivery)).status).toBe(200);
    expect(received.at(-1)).toMatchObject({ type: 'unsupported', providerEventType: 'charge.reversed' });
  });
});
