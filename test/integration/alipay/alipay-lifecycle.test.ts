/**
 * The Alipay adapter against the emulator, through the real `alipay-sdk` over HTTP: every channel, close,
 * refunds and their retries, and the failures a payment engineer must get right (429, 5xx, timeouts,
 * connections dropped after Alipay acted, badly signed answers, wrong keys).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlipayNotifyVerifier, createAlipayProvider, type AlipayProvider } from '../../../src/alipay/index.js';
import type { PaymentRequest } from '../../../src/core/types.js';
import {
  generateAlipayTestKeyPair,
  signAlipayNotify,
  startAlipayEmulator,
  type AlipayEmulator,
} from '../../../src/testing/alipay-testing.js';

let emulator: AlipayEmulator;
let alipay: AlipayProvider;
let sequence = 0;
const request = (overrides: Partial<PaymentRequest> = {}): PaymentRequest => {
  sequence += 1;
  return {
    orderId: `order${sequence}`,
    attemptId: `life${String(sequence).padStart(28, '0')}`,
    amount: 1000,
    currency: 'CNY',
    channel: 'alipay_qr',
    subject: '生命周期',
    ...overrides,
  };
};

beforeAll(async () => {
  emulator = await startAlipayEmulator();
  alipay = createAlipayProvider({
    ...emulator.providerOptions,
    timeoutMs: 1_000,
    allowedRedirectOrigins: ['https://shop.example'],
  });
});
afterAll(() => emulator?.close());

describe('channels', () => {
  it('creates an app order string the Alipay app accepts, then reads the paid trade', async () => {
    const result = await alipay.createPayment(request({ channel: 'alipay' }));
    expect(result.nextAction).toMatchObject({
      type: 'sdk_credential',
      charge: { channel: 'alipay', orderString: expect.stringContaining('method=alipay.trade.app.pay') },
    });
    expect(result.nextAction.type === 'sdk_credential' && result.nextAction.charge['orderString']).toBe(result.qrUrl);
    const trade = emulator.controls.openAppOrder(result.qrUrl!);
    expect(trade).toMatchObject({ outTradeNo: result.attemptId, totalAmount: 1000, status: 'WAIT_BUYER_PAY' });
    emulator.controls.pay(result.attemptId);
    const snapshot = await alipay.retrievePayment({
      providerReference: result.providerReference,
      attemptId: result.attemptId,
    });
    expect(snapshot).toMatchObject({ status: 'succeeded', amount: 1000, currency: 'CNY', livemode: false });
    expect(snapshot.paidAt).toBeInstanceOf(Date);
  });

  it('reports a QR trade nobody scanned as awaiting the payer, then as paid', async () => {
    const result = await alipay.createPayment(request());
    expect((await alipay.retrievePayment({ providerReference: result.providerReference })).status).toBe(
      'requires_action',
    );
    emulator.controls.scan(result.attemptId);
    expect((await alipay.retrievePayment({ providerReference: result.providerReference })).status).toBe(
      'requires_action',
    );
    emulator.controls.pay(result.attemptId);
    expect((await alipay.retrievePayment({ providerReference: result.providerReference })).status).toBe('succeeded');
  });

  it('answers a create retried after payment with the payment, not a new QR code', async () => {
    const req = request();
    await alipay.createPayment(req);
    emulator.controls.pay(req.attemptId);
    const again = await alipay.createPayment(req);
    expect(again).toMatchObject({ status: 'succeeded', nextAction: { type: 'none' }, qrUrl: null });
  });

  it('refuses the same out_trade_no with another amount as an integrity error', async () => {
    const req = request();
    await alipay.createPayment(req);
    await expect(alipay.createPayment({ ...req, amount: 999 })).rejects.toMatchObject({ name: 'IntegrityError' });
  });
});

describe('close', () => {
  it('closes an open trade, says a never-scanned QR trade was not opened, and refuses a paid one', async () => {
    const unscanned = await alipay.createPayment(request());
    expect(await alipay.closeTrade(unscanned.providerReference)).toBe('not_opened');
    const open = await alipay.createPayment(request());
    emulator.controls.scan(open.attemptId);
    expect(await alipay.closeTrade(open.providerReference)).toBe('closed');
    expect((await alipay.retrievePayment({ providerReference: open.providerReference })).status).toBe('canceled');
    const paid = await alipay.createPayment(request());
    emulator.controls.pay(paid.attemptId);
    expect(await alipay.closeTrade(paid.providerReference)).toBe('paid');
  });
});

describe('cancelPayment (reconcile, before timing an attempt out)', () => {
  it('closes an open trade at Alipay and reports it canceled', async () => {
    const open = await alipay.createPayment(request());
    emulator.controls.scan(open.attemptId);
    const snapshot = await alipay.cancelPayment!({
      providerReference: open.providerReference,
      attemptId: open.attemptId,
    });
    expect(snapshot).toMatchObject({ status: 'canceled', attemptId: open.attemptId });
    expect(emulator.controls.getTrade(open.attemptId)?.status).toBe('TRADE_CLOSED');
    const closes = emulator.requests.filter(
      (r) => r.apiMethod === 'alipay.trade.close' && r.params['biz_content']?.includes(open.attemptId),
    );
    expect(closes).toHaveLength(1);
  });

  it('reports a trade paid meanwhile as succeeded, so the money is recorded', async () => {
    const paid = await alipay.createPayment(request({ amount: 1234 }));
    emulator.controls.pay(paid.attemptId);
    const snapshot = await alipay.cancelPayment!({ providerReference: paid.providerReference });
    expect(snapshot).toMatchObject({ status: 'succeeded', amount: 1234 });
    expect(emulator.controls.getTrade(paid.attemptId)?.status).toBe('TRADE_SUCCESS');
  });

  it('reports a QR trade nobody opened as canceled (its time_expire has passed)', async () => {
    const unscanned = await alipay.createPayment(request());
    const snapshot = await alipay.cancelPayment!({ providerReference: unscanned.providerReference });
    expect(snapshot.status).toBe('canceled');
  });
});

describe('abort signal', () => {
  it('refuses to send when the signal is already aborted (nothing sent, retryable)', async () => {
    const before = emulator.requestCount;
    await expect(alipay.createPayment(request(), { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'ALIPAY_ABORTED',
      retryable: true,
    });
    expect(emulator.requestCount).toBe(before);
  });

  it('reports a write aborted while waiting as indeterminate, a read as unavailable', async () => {
    const req = request();
    emulator.controls.delayNext(400);
    const controller = new AbortController();
    const pending = alipay.createPayment(req, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'IndeterminateOutcomeError', code: 'ALIPAY_ABORTED' });
    emulator.controls.delayNext(400);
    const reader = new AbortController();
    const read = alipay.retrievePayment({ providerReference: req.attemptId }, { signal: reader.signal });
    setTimeout(() => reader.abort(), 50);
    await expect(read).rejects.toMatchObject({ name: 'ProviderUnavailableError', code: 'ALIPAY_ABORTED' });
  });
});

describe('refunds', () => {
  it('refunds once per refund id even when the answer is lost after Alipay acted', async () => {
    const result = await alipay.createPayment(request({ amount: 3000 }));
    emulator.controls.pay(result.attemptId);
    const refund = {
      refundId: `r${result.attemptId.slice(-10)}`,
      attemptId: result.attemptId,
      providerReference: result.providerReference,
      amount: 1200,
      currency: 'CNY',
    };
    // urllib (under alipay-sdk) re-sends once after a socket error; out_request_no makes that safe, and a
    // second loss surfaces as indeterminate.
    const sent = () => emulator.requests.filter((r) => r.apiMethod === 'alipay.trade.refund').length;
    const before = sent();
    emulator.controls.dropConnectionAfterActing({ count: 2 });
    await expect(alipay.refundPayment(refund)).rejects.toMatchObject({
      name: 'IndeterminateOutcomeError',
      retryable: true,
    });
    expect(sent() - before).toBe(2);
    expect(emulator.controls.getTrade(result.attemptId)?.refunds).toHaveLength(1);
    const retried = await alipay.refundPayment(refund);
    expect(retried).toMatchObject({ status: 'succeeded', amount: 1200, providerRefundId: refund.refundId });
    expect(emulator.controls.getTrade(result.attemptId)?.refunds).toHaveLength(1);
    await expect(alipay.refundPayment({ ...refund, amount: 1300 })).rejects.toMatchObject({
      name: 'IntegrityError',
      code: 'ALIPAY_REFUND_MISMATCH',
    });
  });

  it('refuses a refund beyond the paid amount as final', async () => {
    const result = await alipay.createPayment(request({ amount: 500 }));
    emulator.controls.pay(result.attemptId);
    await expect(
      alipay.refundPayment({
        refundId: 'rtoomuch1',
        attemptId: result.attemptId,
        providerReference: result.providerReference,
        amount: 501,
        currency: 'CNY',
      }),
    ).rejects.toMatchObject({
      name: 'ProviderDeclinedError',
      code: 'ALIPAY_ACQ_REFUND_AMT_NOT_EQUAL_TOTAL',
      retryable: false,
    });
  });
});

describe('failures', () => {
  it('429: nothing was done, retry later (no trade exists)', async () => {
    const req = request();
    emulator.controls.failNext({ status: 429 });
    await expect(alipay.createPayment(req)).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'ALIPAY_RATE_LIMITED',
      retryable: true,
    });
    expect(emulator.controls.getTrade(req.attemptId)).toBeUndefined();
  });

  it('5xx on a create is indeterminate; on a read it is unavailable', async () => {
    emulator.controls.failNext({ status: 502 });
    await expect(alipay.createPayment(request())).rejects.toMatchObject({ name: 'IndeterminateOutcomeError' });
    emulator.controls.failNext({ status: 500 });
    await expect(alipay.retrievePayment({ providerReference: 'missing1' })).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
    });
  });

  it('a timeout after Alipay acted is indeterminate, and the retry returns the same QR code', async () => {
    const req = request();
    emulator.controls.delayNext(1_500);
    await expect(alipay.createPayment(req)).rejects.toMatchObject({
      name: 'IndeterminateOutcomeError',
      code: 'ALIPAY_TRANSPORT_ERROR',
    });
    expect(emulator.controls.getTrade(req.attemptId)).toBeDefined();
    const retried = await alipay.createPayment(req);
    expect(retried.nextAction.type).toBe('qr_code');
  });

  it('ACQ.SYSTEM_ERROR is indeterminate on a write and unavailable on a read', async () => {
    emulator.controls.refuseNext({ subCode: 'ACQ.SYSTEM_ERROR', code: '20000' });
    await expect(alipay.createPayment(request())).rejects.toMatchObject({
      name: 'IndeterminateOutcomeError',
      code: 'ALIPAY_ACQ_SYSTEM_ERROR',
    });
    emulator.controls.refuseNext({ subCode: 'ACQ.SYSTEM_ERROR', code: '20000' });
    await expect(alipay.retrievePayment({ providerReference: 'x1' })).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
    });
  });

  it('an unreachable gateway is unavailable', async () => {
    const offline = createAlipayProvider({ ...emulator.providerOptions, gatewayUrl: 'http://127.0.0.1:9/gateway.do' });
    await expect(offline.createPayment(request())).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'ALIPAY_UNREACHABLE',
    });
  });

  it('never trusts an answer signed with another key', async () => {
    const impostor = await startAlipayEmulator({
      appId: emulator.appId,
      alipayKeyPair: generateAlipayTestKeyPair('impostor'),
    });
    try {
      const fooled = createAlipayProvider({ ...emulator.providerOptions, gatewayUrl: impostor.gatewayUrl });
      await expect(fooled.createPayment(request())).rejects.toMatchObject({
        name: 'IndeterminateOutcomeError',
        code: 'ALIPAY_RESPONSE_SIGNATURE_INVALID',
      });
    } finally {
      await impostor.close();
    }
  });

  it('a request signed with the wrong application key is a configuration error', async () => {
    const wrongKey = createAlipayProvider({
      ...emulator.providerOptions,
      privateKey: generateAlipayTestKeyPair('other-app').privateKey,
    });
    await expect(wrongKey.createPayment(request())).rejects.toMatchObject({
      name: 'ConfigurationError',
      code: 'ALIPAY_ISV_INVALID_SIGNATURE',
    });
  });
});

describe('notifications', () => {
  it('refuses another app, a weaker signature type and a JSON body; verifies bare base64 keys standalone', async () => {
    const result = await alipay.createPayment(request());
    emulator.controls.pay(result.attemptId);
    const bareKey = emulator.alipayKeyPair.publicKey.replace(/-----[^-]+-----|\s/g, '');
    const verify = createAlipayNotifyVerifier({ appId: emulator.appId, alipayPublicKey: bareKey, livemode: false });
    const good = emulator.controls.notificationFor(result.attemptId);
    await expect(verify(good)).resolves.toMatchObject({
      type: 'payment.succeeded',
      amount: 1000,
      attemptId: result.attemptId,
    });
    const otherApp = signAlipayNotify(
      { ...good.params, app_id: '2021999999999999' },
      emulator.alipayKeyPair.privateKey,
    );
    await expect(verify(otherApp)).rejects.toMatchObject({ code: 'ALIPAY_APP_ID_MISMATCH' });
    const rsa1 = { ...good, rawBody: good.rawBody.replace('sign_type=RSA2', 'sign_type=RSA') };
    await expect(verify(rsa1)).rejects.toMatchObject({ code: 'ALIPAY_SIGN_TYPE_UNSUPPORTED' });
    await expect(verify({ rawBody: JSON.stringify(good.params), headers: {} })).rejects.toMatchObject({
      name: 'WebhookVerificationError',
      code: 'ALIPAY_NOTIFICATION_MALFORMED',
    });
  });

  it('reports a second partial refund with its own amount (looked up), not the cumulative refund_fee', async () => {
    const result = await alipay.createPayment(request({ amount: 1000 }));
    emulator.controls.pay(result.attemptId);
    const base = { attemptId: result.attemptId, providerReference: result.providerReference, currency: 'CNY' };
    await alipay.refundPayment({ ...base, refundId: 'rpart1', amount: 300 });
    await alipay.refundPayment({ ...base, refundId: 'rpart2', amount: 200 });
    const event = await alipay.verifyWebhook(emulator.controls.notificationFor(result.attemptId, { refund: 'rpart2' }));
    expect(event).toMatchObject({
      type: 'refund.succeeded',
      refunds: [{ refundId: 'rpart2', providerRefundId: 'rpart2', amount: 200, status: 'succeeded' }],
    });
  });

  it('normalises a closed trade to payment.canceled', async () => {
    const result = await alipay.createPayment(request());
    emulator.controls.scan(result.attemptId);
    emulator.controls.fail(result.attemptId);
    const event = await alipay.verifyWebhook(emulator.controls.notificationFor(result.attemptId));
    expect(event).toMatchObject({ type: 'payment.canceled', providerEventType: 'TRADE_CLOSED' });
  });
});
