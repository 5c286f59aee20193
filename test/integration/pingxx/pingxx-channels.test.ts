import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import type { PaymentRequest } from '../../../src/core/types.js';
import { PINGXX_CHANNELS, type PingxxChannel } from '../../../src/pingxx/index.js';
import { startPingxxEmulator, type PingxxEmulator } from '../../../src/testing/pingxx-testing.js';
import { requestMaker, useEmulatedPingxx } from './harness.js';

const pingxx = useEmulatedPingxx({ timeoutMs: 5_000, allowedRedirectOrigins: ['https://shop.test'] });
const nextRequest = requestMaker('ch', {
  amount: 9900,
  currency: 'CNY',
  channel: 'alipay',
  subject: 'Python 进阶课\n🎉 限时',
  clientIp: '203.0.113.7',
});

/** Valid values for each of our extra fields. */
const VALUES = {
  openId: 'o7xEMsySBFG3MVHI-9VsAJX-j50W',
  productId: 'course42',
  successUrl: 'https://shop.test/paid',
  cancelUrl: 'https://shop.test/cancelled',
  resultUrl: 'https://shop.test/result',
  limitPay: 'no_credit',
  goodsTag: 'spring',
} as const;

const requestFor = (channel: PingxxChannel, extra: Record<string, string>): PaymentRequest =>
  nextRequest({ channel, extra });

const extraOf = (channel: PingxxChannel, which: 'required' | 'all'): Record<string, string> =>
  Object.fromEntries(
    PINGXX_CHANNELS[channel].extra.filter((f) => which === 'all' || f.required).map((f) => [f.from, VALUES[f.from]]),
  );

describe.each(Object.values(PINGXX_CHANNELS).map((spec) => [spec.channel, spec] as const))(
  'channel %s',
  (channel, spec) => {
    it(`creates a charge through the SDK and yields ${spec.nextAction}`, async () => {
      const request = requestFor(channel, extraOf(channel, 'all'));
      const before = pingxx.emulator.requestCount;
      const result = await pingxx.provider.createPayment(request);

      const sent = pingxx.emulator.requests.at(-1)!;
      expect(pingxx.emulator.requestCount).toBe(before + 1);
      expect(sent.signature).toBe('valid');
      expect(sent.headers.connection).toBe('close');
      expect(sent.body).toMatchObject({
        order_no: request.attemptId,
        channel,
        amount: 9900,
        currency: 'cny',
        client_ip: '203.0.113.7',
        subject: 'Python 进阶课 限时',
        extra: Object.fromEntries(spec.extra.map((f) => [f.to, VALUES[f.from]])),
        metadata: { order_bid: request.orderId },
      });

      expect(result).toMatchObject({
        provider: 'pingxx',
        channel,
        attemptId: request.attemptId,
        status: 'requires_action',
        amount: 9900,
        currency: 'CNY',
        livemode: false,
      });
      expect(result.providerReference).toMatch(/^ch_[0-9A-Za-z]{24}$/);
      const credential = pingxx.emulator.controls.getCharge(result.providerReference)!.credential[channel];
      expect(result.nextAction.type).toBe(spec.nextAction);
      switch (result.nextAction.type) {
        case 'qr_code':
          expect(result.nextAction.content).toBe(credential);
          expect(result.qrUrl).toBe(credential);
          break;
        case 'wechat_jsapi':
          expect(Object.keys(result.nextAction.params).sort()).toEqual([
            'appId',
            'nonceStr',
            'package',
            'paySign',
            'signType',
            'timeStamp',
          ]);
          break;
        case 'redirect':
          expect(result.nextAction.url).toBe(credential);
          break;
        case 'sdk_credential':
          expect(result.nextAction.charge).toMatchObject({
            id: result.providerReference,
            channel,
            credential: { [channel]: credential },
          });
          expect(result.nextAction.charge).not.toHaveProperty('metadata');
          break;
        default:
          throw new Error(`unexpected next action ${result.nextAction.type}`);
      }
      expect(result.public).toEqual({
        provider: 'pingxx',
        channel,
        attemptId: request.attemptId,
        status: 'requires_action',
        amount: 9900,
        currency: 'CNY',
        nextAction: result.nextAction,
        qrUrl: result.qrUrl,
        expiresAt: result.expiresAt,
      });
    });

    const required = spec.extra.filter((f) => f.required);
    if (required.length === 0) {
      it('needs no extra', async () => {
        const result = await pingxx.provider.createPayment(requestFor(channel, {}));
        expect(result.channel).toBe(channel);
      });
    }
    for (const field of required) {
      it(`refuses a request without extra.${field.from} before any request is sent`, async () => {
        const before = pingxx.emulator.requestCount;
        const extra = extraOf(channel, 'all');
        delete extra[field.from];
        const error: unknown = await pingxx.provider.createPayment(requestFor(channel, extra)).catch((e: unknown) => e);
        expect(isPaymentError(error, 'ValidationError'), String(error)).toBe(true);
        expect((error as { field: string }).field).toBe(`extra.${field.from}`);
        expect((error as Error).message).toContain(field.to);
        expect(pingxx.emulator.requestCount).toBe(before);
      });
    }
  },
);

describe('the emulator on its own', () => {
  const post = (target: PingxxEmulator, body: unknown): Promise<Response> =>
    fetch(`${target.url}/v1/charges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses an unsigned request when a merchant key is configured', async () => {
    const response = await post(pingxx.emulator, {});
    expect(response.status).toBe(401);
    expect(pingxx.emulator.requests.at(-1)!.signature).toBe('missing');
  });

  it('refuses a charge without its channel extra, as Ping++ does', async () => {
    const unsigned = await startPingxxEmulator({ merchantPublicKey: null });
    try {
      const response = await post(unsigned, {
        order_no: '0123456789abcdef',
        app: { id: unsigned.appId },
        channel: 'wx_pub',
        amount: 100,
        currency: 'cny',
        client_ip: '203.0.113.7',
        subject: 's',
        body: 'b',
        extra: {},
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { type: 'invalid_request_error', param: 'extra[open_id]' },
      });
    } finally {
      await unsigned.close();
    }
  });
});
