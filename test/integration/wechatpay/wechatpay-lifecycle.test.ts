import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPaymentError, type PaymentErrorName } from '../../../src/core/errors.js';
import type { PaymentRequest } from '../../../src/core/types.js';
import {
  generateWechatPayTestKeyPair,
  startWechatPayEmulator,
  type WechatPayEmulator,
} from '../../../src/testing/wechatpay-testing.js';
import {
  createWechatPayProvider,
  wechatpayAcknowledgement,
  type WechatPayProvider,
} from '../../../src/wechatpay/index.js';
import { rsaVerify } from '../../../src/wechatpay/wechatpay-signature.js';

let emulator: WechatPayEmulator;
let wechatpay: WechatPayProvider;
let seq = 0;

beforeAll(async () => {
  emulator = await startWechatPayEmulator();
  wechatpay = createWechatPayProvider({ ...emulator.providerOptions, timeoutMs: 2_000 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => emulator.controls.reset());

const request = (patch: Partial<PaymentRequest> = {}): PaymentRequest => {
  seq += 1;
  const id = `${Date.now().toString(16)}${String(seq).padStart(6, '0')}`.padEnd(32, '0');
  return {
    orderId: `order-${seq}`,
    attemptId: id,
    amount: 1999,
    currency: 'CNY',
    channel: 'wx_pub_qr',
    subject: '课程',
    ...patch,
  };
};

async function rejection(
  promise: Promise<unknown>,
): Promise<{ name: PaymentErrorName; code: string; retryable: boolean; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isPaymentError(error))
      return { name: error.name, code: error.code, retryable: error.retryable, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('WeChat Pay adapter against the emulator', () => {
  it('creates a Native order with the attempt id as out_trade_no, the order id as attach and time_expire', async () => {
    const req = request({ expiresAt: new Date(Date.now() + 30 * 60_000) });
    const result = await wechatpay.createPayment(req);
    expect(result.nextAction).toMatchObject({
      type: 'qr_code',
      content: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=/),
    });
    expect(result.qrUrl).toBe((result.nextAction as { content: string }).content);
    const order = emulator.controls.getOrder(req.attemptId)!;
    expect(order).toMatchObject({ outTradeNo: req.attemptId, attach: req.orderId, total: 1999, tradeType: 'NATIVE' });
    expect(order.timeExpire?.getTime()).toBe(Math.floor(req.expiresAt!.getTime() / 1000) * 1000);
    expect(emulator.requests.at(-1)?.signature).toBe('valid');
  });

  it('signs JSAPI client parameters the payer page can use', async () => {
    const result = await wechatpay.createPayment(
      request({ channel: 'wx_pub', extra: { openId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } }),
    );
    expect(result.nextAction.type).toBe('wechat_jsapi');
    const params = (result.nextAction as { params: Record<string, string> }).params;
    expect(params['package']).toMatch(/^prepay_id=wx\d+$/);
    const message = `${params['appId']}\n${params['timeStamp']}\n${params['nonceStr']}\n${params['package']}\n`;
    expect(rsaVerify(message, params['paySign']!, createPublicKey(emulator.merchantKeyPair.publicKey))).toBe(true);
    expect(result.public).not.toHaveProperty('raw');
  });

  it('sends the H5 payer back to an allowed result page through redirect_url', async () => {
    const provider = createWechatPayProvider({
      ...emulator.providerOptions,
      allowedRedirectOrigins: ['https://shop.example'],
    });
    const result = await provider.createPayment(
      request({ channel: 'wx_wap', clientIp: '203.0.113.7', extra: { resultUrl: 'https://shop.example/paid?o=1' } }),
    );
    expect(result.nextAction.type).toBe('redirect');
    expect((result.nextAction as { url: string }).url).toMatch(
      /&redirect_url=https%3A%2F%2Fshop\.example%2Fpaid%3Fo%3D1$/,
    );
  });

  it('answers a retried create after payment with the payment, not a new order', async () => {
    const req = request();
    await wechatpay.createPayment(req);
    emulator.controls.pay(req.attemptId);
    const again = await wechatpay.createPayment(req);
    expect(again).toMatchObject({ status: 'succeeded', nextAction: { type: 'none' }, amount: 1999 });
  });

  it('cancels an unpaid order at WeChat Pay (close) and reports it canceled', async () => {
    const req = request();
    await wechatpay.createPayment(req);
    const snapshot = await wechatpay.cancelPayment!({ providerReference: req.attemptId, attemptId: req.attemptId });
    expect(snapshot.status).toBe('canceled');
    expect(emulator.controls.getOrder(req.attemptId)?.tradeState).toBe('CLOSED');
    expect(() => emulator.controls.pay(req.attemptId)).toThrow(/CLOSED/);
  });

  it('reports a payment that raced the close as succeeded', async () => {
    const req = request();
    await wechatpay.createPayment(req);
    emulator.controls.pay(req.attemptId);
    expect(await wechatpay.closeOrder(req.attemptId)).toBe('paid');
    const snapshot = await wechatpay.cancelPayment!({ providerReference: req.attemptId });
    expect(snapshot).toMatchObject({ status: 'succeeded', amount: 1999 });
    expect(snapshot.paidAt).toBeInstanceOf(Date);
  });

  it('reads an order WeChat Pay never received as unpaid, and cancels it as canceled (nobody can pay it)', async () => {
    const never = 'neverSent00000000000000000000000';
    expect((await wechatpay.retrievePayment({ providerReference: never })).status).toBe('requires_action');
    expect(await wechatpay.closeOrder(never)).toBe('not_found');
    expect((await wechatpay.cancelPayment!({ providerReference: never })).status).toBe('canceled');
  });

  it('reads PAYERROR as failed and USERPAYING as processing', async () => {
    const a = request();
    await wechatpay.createPayment(a);
    emulator.controls.userPaying(a.attemptId);
    expect((await wechatpay.retrievePayment({ providerReference: a.attemptId })).status).toBe('processing');
    emulator.controls.fail(a.attemptId);
    expect((await wechatpay.retrievePayment({ providerReference: a.attemptId })).status).toBe('failed');
  });

  it('refunds: PROCESSING is pending, settled by the REFUND.SUCCESS notification, and readable by refund id', async () => {
    const req = request();
    await wechatpay.createPayment(req);
    emulator.controls.pay(req.attemptId);
    const refund = await wechatpay.refundPayment({
      refundId: 'rf_lifecycle_1',
      attemptId: req.attemptId,
      providerReference: req.attemptId,
      amount: 500,
      currency: 'CNY',
    });
    expect(refund).toMatchObject({ status: 'pending', amount: 500, refundId: 'rf_lifecycle_1' });
    expect(refund.providerRefundId).toMatch(/^50\d+$/);
    emulator.controls.settleRefund('rf_lifecycle_1');
    const { rawBody, headers, url } = emulator.controls.notificationFor(req.attemptId, { refund: 'rf_lifecycle_1' });
    expect(url).toBe(emulator.providerOptions.notifyUrl);
    const event = await wechatpay.verifyWebhook({ rawBody, headers });
    expect(event).toMatchObject({ type: 'refund.succeeded', amount: 500, attemptId: req.attemptId });
    expect(event.refunds[0]).toMatchObject({
      refundId: 'rf_lifecycle_1',
      providerRefundId: refund.providerRefundId,
      status: 'succeeded',
    });
    expect((await wechatpay.retrieveRefund('rf_lifecycle_1')).status).toBe('succeeded');
    // A refund the payer's bank refused reads refund.failed.
    await wechatpay.refundPayment({
      refundId: 'rf_lifecycle_2',
      attemptId: req.attemptId,
      providerReference: req.attemptId,
      amount: 100,
      currency: 'CNY',
      paymentAmount: 1999,
    });
    emulator.controls.settleRefund('rf_lifecycle_2', 'ABNORMAL');
    const abnormal = emulator.controls.notificationFor(req.attemptId, { refund: 'rf_lifecycle_2' });
    expect((await wechatpay.verifyWebhook(abnormal)).type).toBe('refund.failed');
  });

  it('refuses a refund with the same out_refund_no and another amount', async () => {
    const req = request();
    await wechatpay.createPayment(req);
    emulator.controls.pay(req.attemptId);
    const refund = {
      refundId: 'rf_mismatch',
      attemptId: req.attemptId,
      providerReference: req.attemptId,
      currency: 'CNY',
    };
    await wechatpay.refundPayment({ ...refund, amount: 300 });
    expect((await rejection(wechatpay.refundPayment({ ...refund, amount: 400 }))).code).toBe(
      'WECHATPAY_INVALID_REQUEST',
    );
  });
});

describe('WeChat Pay adapter under faults', () => {
  it('makes a 500 on create indeterminate, and the retry finds the same order', async () => {
    const req = request();
    emulator.controls.failNext({ status: 500, code: 'SYSTEM_ERROR', message: '系统错误' });
    expect(await rejection(wechatpay.createPayment(req))).toMatchObject({
      name: 'IndeterminateOutcomeError',
      code: 'WECHATPAY_SYSTEM_ERROR',
      retryable: true,
    });
    const result = await wechatpay.createPayment(req);
    expect(result.status).toBe('requires_action');
  });

  it('makes a dropped connection after acting indeterminate, and the retry answers the same code_url', async () => {
    const req = request();
    emulator.controls.dropConnectionAfterActing();
    expect((await rejection(wechatpay.createPayment(req))).name).toBe('IndeterminateOutcomeError');
    const first = emulator.controls.getOrder(req.attemptId)!;
    const retried = await wechatpay.createPayment(req);
    expect((retried.nextAction as { content: string }).content).toBe(first.codeUrl);
    expect(emulator.controls.orders().filter((o) => o.outTradeNo === req.attemptId)).toHaveLength(1);
  });

  it('makes a timeout on a write indeterminate and on a read unavailable', async () => {
    const slow = createWechatPayProvider({ ...emulator.providerOptions, timeoutMs: 200 });
    const req = request();
    emulator.controls.delayNext(1_000);
    expect((await rejection(slow.createPayment(req))).code).toBe('WECHATPAY_TRANSPORT_ERROR');
    emulator.controls.delayNext(1_000);
    expect(await rejection(slow.retrievePayment({ providerReference: req.attemptId }))).toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'WECHATPAY_TRANSPORT_ERROR',
    });
  });

  it('makes 429 retryable and unavailable', async () => {
    emulator.controls.failNext({ status: 429, code: 'FREQUENCY_LIMITED', message: '频率超限' });
    expect(await rejection(wechatpay.createPayment(request()))).toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'WECHATPAY_RATE_LIMITED',
      retryable: true,
    });
  });

  it('makes a gateway HTML page on a read unavailable', async () => {
    const req = request();
    await wechatpay.createPayment(req);
    emulator.controls.failNext({ status: 502 });
    expect(await rejection(wechatpay.retrievePayment({ providerReference: req.attemptId }))).toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'WECHATPAY_HTTP_ERROR',
    });
  });

  it('refuses an answer whose signature does not verify', async () => {
    emulator.controls.tamperNextResponse();
    expect(await rejection(wechatpay.createPayment(request()))).toMatchObject({
      name: 'IndeterminateOutcomeError',
      code: 'WECHATPAY_RESPONSE_SIGNATURE_INVALID',
    });
  });

  it('refuses answers signed by a key it does not trust', async () => {
    const other = generateWechatPayTestKeyPair('lifecycle-other');
    const wrong = createWechatPayProvider({ ...emulator.providerOptions, wechatpayPublicKey: other.publicKey });
    expect((await rejection(wrong.createPayment(request()))).code).toBe('WECHATPAY_RESPONSE_SIGNATURE_INVALID');
  });

  it('maps a request signed with the wrong merchant key to a configuration error without key material', async () => {
    const other = generateWechatPayTestKeyPair('lifecycle-other');
    const wrong = createWechatPayProvider({ ...emulator.providerOptions, privateKey: other.privateKey });
    const error = await rejection(wrong.createPayment(request()));
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'WECHATPAY_SIGN_ERROR' });
    expect(emulator.requests.at(-1)?.signature).toBe('invalid');
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('honours an abort: before sending nothing happened, after sending a write may have acted', async () => {
    const before = new AbortController();
    before.abort();
    expect(await rejection(wechatpay.createPayment(request(), { signal: before.signal }))).toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'WECHATPAY_ABORTED',
    });
    const during = new AbortController();
    emulator.controls.delayNext(1_000);
    const pending = wechatpay.createPayment(request(), { signal: during.signal });
    setTimeout(() => during.abort(), 50);
    expect(await rejection(pending)).toMatchObject({ name: 'IndeterminateOutcomeError', code: 'WECHATPAY_ABORTED' });
  });

  it('refuses null options with WECHATPAY_NOT_CONFIGURED naming the keys', () => {
    expect(() => createWechatPayProvider(null as never)).toThrow(/WECHATPAY_APP_ID/);
    let caught: unknown;
    try {
      createWechatPayProvider(undefined as never);
    } catch (error) {
      caught = error;
    }
    expect(isPaymentError(caught, 'ConfigurationError') && caught.code).toBe('WECHATPAY_NOT_CONFIGURED');
  });

  it('says unreachable when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const down = createWechatPayProvider({ ...emulator.providerOptions, baseUrl: `http://127.0.0.1:${port}` });
    expect(await rejection(down.createPayment(request()))).toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'WECHATPAY_UNREACHABLE',
    });
  });
});

describe('WeChat Pay notifications delivered to an endpoint', () => {
  it('is answered 200 {"code":"SUCCESS"}, and 4xx {"code":"FAIL"} without detail when refused', async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        wechatpay.verifyWebhook({ rawBody: Buffer.concat(chunks), headers }).then(
          () => answer(wechatpayAcknowledgement({ ok: true, status: 200 })),
          () => answer(wechatpayAcknowledgement({ ok: false, status: 400 })),
        );
      });
      const answer = (a: { status: number; body: string; contentType?: string }) => {
        res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json' }).end(a.body);
      };
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/wechatpay`;
    try {
      const req = request();
      await wechatpay.createPayment(req);
      emulator.controls.pay(req.attemptId);
      const notification = emulator.controls.notificationFor(req.attemptId);
      expect(await emulator.controls.deliver(notification, url)).toEqual({ status: 200, body: '{"code":"SUCCESS"}' });
      const stale = emulator.controls.notificationFor(req.attemptId, { timestamp: new Date(Date.now() - 10 * 60_000) });
      expect(await emulator.controls.deliver(stale, url)).toEqual({
        status: 400,
        body: '{"code":"FAIL","message":"notification refused"}',
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('answers a retryable failure 5xx so WeChat Pay redelivers', () => {
    expect(wechatpayAcknowledgement({ ok: false, status: 503 })).toEqual({
      status: 503,
      body: '{"code":"FAIL","message":"temporary failure, retry later"}',
      contentType: 'application/json',
    });
  });
});

describe('WeChat Pay secrets', () => {
  it('never shows the APIv3 key or the merchant key in the adapter or its errors', async () => {
    const shown = `${inspect(wechatpay, { depth: 8 })}${JSON.stringify(wechatpay)}`;
    expect(shown).not.toContain(emulator.apiV3Key);
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).toContain('wechatpay');
    const error = await rejection(
      wechatpay.refundPayment({
        refundId: `r ${emulator.apiV3Key}`,
        attemptId: 'x',
        providerReference: 'abcdef',
        amount: 1,
        currency: 'CNY',
      }),
    );
    expect(error.message).not.toContain(emulator.apiV3Key);
  });
});
