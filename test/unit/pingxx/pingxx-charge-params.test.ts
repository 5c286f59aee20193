import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import type { PaymentRequest } from '../../../src/core/types.js';
import {
  buildPingxxChargeParams,
  resolvePingxxClientIp,
  type ChargeParamsContext,
} from '../../../src/pingxx/pingxx-charge-params.js';
import { PINGXX_CHANNEL_IDS, PINGXX_CHANNELS, type PingxxChannel } from '../../../src/pingxx/pingxx-channels.js';
import { cleanPingxxText } from '../../../src/pingxx/pingxx-text.js';
import { thrown } from './fixtures.js';

const NOW = new Date('2025-03-01T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const CONTEXT: ChargeParamsContext = {
  appId: 'app_test',
  channels: new Set(PINGXX_CHANNEL_IDS),
  clientIpFallback: undefined,
  allowedRedirectOrigins: ['https://shop.test'],
  now: NOW,
  provider: 'pingxx',
};
/** Every extra any channel requires, so each channel's base request is valid. */
const FULL_EXTRA = {
  openId: 'o7xEMsySBFG3MVHI',
  productId: 'p1',
  successUrl: 'https://shop.test/ok',
  resultUrl: 'https://shop.test/result',
};

function request(overrides: Partial<PaymentRequest> = {}): PaymentRequest {
  return {
    orderId: 'order1',
    attemptId: '0123456789abcdef0123456789abcdef',
    amount: 990,
    currency: 'CNY',
    channel: 'alipay_qr',
    subject: 'Python course',
    clientIp: '203.0.113.7',
    extra: FULL_EXTRA,
    ...overrides,
  };
}

const refusal = (fn: () => unknown): ValidationError => thrown(fn, ValidationError);

describe('cleanPingxxText', () => {
  it.each([
    ['replaces newlines and tabs with single spaces', 'Python\r\n课程\t进阶', 32, 'Python 课程 进阶'],
    ['drops characters outside the BMP and emoji glue', '🎉 课程 👩‍💻 ❤️ 进阶', 32, '课程 ❤ 进阶'],
    ['drops control characters and lone surrogates', 'a\u0000b\u0085c\ud800d', 32, 'ab cd'],
    ['truncates by characters, not UTF-16 units or bytes', '一二三四五六七八九十', 4, '一二三四'],
    ['trims the result', '  subject  ', 32, 'subject'],
  ])('%s', (_why, input, max, expected) => {
    expect(cleanPingxxText(input, max)).toBe(expected);
  });

  it('truncates to a byte limit without splitting a character', () => {
    const cleaned = cleanPingxxText('一二三四五六七八九十一二', 32, 32);
    expect(cleaned).toBe('一二三四五六七八九十');
    expect(Buffer.byteLength(cleaned)).toBeLessThanOrEqual(32);
  });
});

describe('resolvePingxxClientIp', () => {
  it.each([
    ['203.0.113.7', undefined, '203.0.113.7'],
    [' 203.0.113.7 ', undefined, '203.0.113.7'],
    ['::ffff:203.0.113.7', undefined, '203.0.113.7'],
    ['2001:db8::1', '127.0.0.1', '127.0.0.1'],
    [undefined, '127.0.0.1', '127.0.0.1'],
  ])('sends %j (fallback %j) as %j', (ip, fallback, expected) => {
    expect(resolvePingxxClientIp(ip, fallback, 'pingxx')).toBe(expected);
  });

  it.each([['2001:db8::1'], [undefined], [''], ['not-an-ip'], ['300.1.1.1']])('refuses %j without a fallback', (ip) => {
    expect(refusal(() => resolvePingxxClientIp(ip, undefined, 'pingxx')).field).toBe('clientIp');
  });
});

describe('buildPingxxChargeParams', () => {
  it('builds the Ping++ charge body', () => {
    const { params } = buildPingxxChargeParams(
      request({
        body: 'Line one\nline two',
        userId: 'u1',
        productId: 'p1',
        metadata: { campaign: 'spring', order_bid: 'spoofed' },
      }),
      CONTEXT,
    );
    expect(params).toEqual({
      order_no: '0123456789abcdef0123456789abcdef',
      app: { id: 'app_test' },
      channel: 'alipay_qr',
      amount: 990,
      client_ip: '203.0.113.7',
      currency: 'cny',
      subject: 'Python course',
      body: 'Line one line two',
      extra: {},
      metadata: { campaign: 'spring', order_bid: 'order1', user_bid: 'u1', shifu_bid: 'p1' },
    });
  });

  it('defaults body to the subject and cuts subject and body to 32 and 128 characters', () => {
    const { params } = buildPingxxChargeParams(request({ subject: '课'.repeat(40) }), CONTEXT);
    expect(params.subject).toBe('课'.repeat(32));
    expect(params.body).toBe('课'.repeat(32));
    expect(buildPingxxChargeParams(request({ body: 'b'.repeat(200) }), CONTEXT).params.body).toHaveLength(128);
  });

  it('limits the subject to 32 bytes on UnionPay channels', () => {
    const { params } = buildPingxxChargeParams(
      request({ channel: 'upacp', subject: '银联支付测试课程名称很长很长' }),
      CONTEXT,
    );
    expect(Buffer.byteLength(params.subject)).toBeLessThanOrEqual(32);
    expect(params.subject).toBe('银联支付测试课程名称');
  });

  it.each<[string, Partial<PaymentRequest>, string, string?]>([
    ['a non-CNY currency', { currency: 'USD' }, 'currency', 'UNSUPPORTED_CURRENCY'],
    ['an unknown currency', { currency: 'QQQ' }, 'currency'],
    ['a zero amount', { amount: 0 }, 'amount'],
    ['a negative amount', { amount: -1 }, 'amount'],
    ['a fractional amount', { amount: 9.9 }, 'amount'],
    ['an unsafe amount', { amount: 2 ** 53 }, 'amount'],
    ['an unknown channel', { channel: 'paypal' }, 'channel', 'UNSUPPORTED_CHANNEL'],
    ['a prototype key as channel', { channel: 'constructor' }, 'channel'],
    ['an empty orderId', { orderId: '' }, 'orderId'],
    ['an empty attemptId', { attemptId: '' }, 'attemptId'],
    ['an attemptId with a dash', { attemptId: '0123-4567' }, 'attemptId'],
    ['an attemptId over 32 characters on WeChat', { channel: 'wx_pub_qr', attemptId: 'a'.repeat(33) }, 'attemptId'],
    ['an attemptId under 8 characters on UnionPay', { channel: 'upacp', attemptId: 'a1b2c3d' }, 'attemptId'],
    ['an attemptId over 64 characters on Alipay', { attemptId: 'a'.repeat(65) }, 'attemptId'],
    ['a subject that is empty once cleaned', { subject: '🎉\n🎉' }, 'subject'],
    ['an IPv6 client without fallback', { clientIp: '2001:db8::1' }, 'clientIp'],
    ['a non-string metadata value', { metadata: { n: 1 as unknown as string } }, 'metadata.n'],
    ['an expiry less than a minute away', { expiresAt: new Date(NOW.getTime() + 30_000) }, 'expiresAt'],
    ['an expiry in the past', { expiresAt: new Date(NOW.getTime() - 1000) }, 'expiresAt'],
    ['an invalid expiry', { expiresAt: new Date(Number.NaN) }, 'expiresAt'],
  ])('refuses %s', (_why, overrides, field, code) => {
    const error = refusal(() => buildPingxxChargeParams(request(overrides), CONTEXT));
    expect(error.field).toBe(field);
    if (code) expect(error.code).toBe(code);
  });

  it('refuses a channel this provider does not enable', () => {
    const error = refusal(() => buildPingxxChargeParams(request(), { ...CONTEXT, channels: new Set(['wx_pub']) }));
    expect(error.field).toBe('channel');
  });

  it('sends time_expire in unix seconds', () => {
    const { params } = buildPingxxChargeParams(request({ expiresAt: new Date(NOW.getTime() + 600_000) }), CONTEXT);
    expect(params.time_expire).toBe(nowSeconds + 600);
  });

  it.each(PINGXX_CHANNEL_IDS.map((c) => [c, PINGXX_CHANNELS[c].maxExpireSeconds] as const))(
    'clamps time_expire on %s to %i seconds (less a minute of clock margin)',
    (channel, max) => {
      const { params } = buildPingxxChargeParams(
        request({ channel, expiresAt: new Date(NOW.getTime() + 30 * 86_400_000) }),
        CONTEXT,
      );
      expect(params.time_expire).toBe(nowSeconds + max - 60);
    },
  );
});

describe('channel extra', () => {
  const rows = PINGXX_CHANNEL_IDS.flatMap((channel) =>
    PINGXX_CHANNELS[channel].extra.map((field) => [channel, field.from, field.to, field.required] as const),
  );

  it.each(rows)('%s sends extra.%s as extra.%s (required: %s)', (channel, from, to) => {
    const value = from === 'limitPay' ? 'no_credit' : from.endsWith('Url') ? 'https://shop.test/x' : 'value1';
    const { params } = buildPingxxChargeParams(request({ channel, extra: { ...FULL_EXTRA, [from]: value } }), CONTEXT);
    expect(params.extra[to]).toBe(value);
  });

  it.each(rows.filter(([, from, , required]) => required && from !== 'productId'))(
    '%s without extra.%s is refused naming the field',
    (channel, from) => {
      const error = refusal(() =>
        buildPingxxChargeParams(request({ channel, extra: { ...FULL_EXTRA, [from]: undefined } }), CONTEXT),
      );
      expect(error.field).toBe(`extra.${from}`);
      expect(error.code).toBe('MISSING_CHANNEL_EXTRA');
    },
  );

  it('wx_pub_qr takes product_id from extra.productId, else from request.productId, else refuses', () => {
    const { productId: _productId, ...noExtra } = FULL_EXTRA;
    const fromExtra = buildPingxxChargeParams(request({ channel: 'wx_pub_qr', productId: 'shifu1' }), CONTEXT);
    expect(fromExtra.params.extra.product_id).toBe('p1');
    const fromRequest = buildPingxxChargeParams(
      request({ channel: 'wx_pub_qr', productId: 'shifu1', extra: noExtra }),
      CONTEXT,
    );
    expect(fromRequest.params.extra.product_id).toBe('shifu1');
    const error = refusal(() => buildPingxxChargeParams(request({ channel: 'wx_pub_qr', extra: noExtra }), CONTEXT));
    expect(error.field).toBe('extra.productId');
  });

  it.each<[PingxxChannel, Record<string, unknown>, string]>([
    ['alipay_wap', { successUrl: 'javascript:alert(1)' }, 'extra.successUrl'],
    ['upacp_wap', { resultUrl: '/relative' }, 'extra.resultUrl'],
    ['wx_pub', { openId: 42 }, 'extra.openId'],
    ['wx_pub_qr', { productId: 'p'.repeat(33) }, 'extra.productId'],
  ])('%s refuses a malformed %j', (channel, extra, field) => {
    const error = refusal(() =>
      buildPingxxChargeParams(request({ channel, extra: { ...FULL_EXTRA, ...extra } }), CONTEXT),
    );
    expect(error.field).toBe(field);
  });

  it.each<[PingxxChannel, 'successUrl' | 'cancelUrl' | 'resultUrl']>([
    ['alipay_wap', 'successUrl'],
    ['alipay_wap', 'cancelUrl'],
    ['alipay_pc_direct', 'successUrl'],
    ['wx_wap', 'resultUrl'],
    ['upacp_wap', 'resultUrl'],
    ['upacp_pc', 'resultUrl'],
  ])('%s refuses extra.%s on an origin outside allowedRedirectOrigins', (channel, field) => {
    const error = refusal(() =>
      buildPingxxChargeParams(
        request({ channel, extra: { ...FULL_EXTRA, [field]: 'https://evil.example/phish' } }),
        CONTEXT,
      ),
    );
    expect(error).toMatchObject({ code: 'REDIRECT_URL_NOT_ALLOWED', field: `extra.${field}` });
  });

  it('refuses every redirect URL when no origin is allowed (the default)', () => {
    const { allowedRedirectOrigins: _, ...noList } = CONTEXT;
    const error = refusal(() => buildPingxxChargeParams(request({ channel: 'alipay_wap' }), noList));
    expect(error).toMatchObject({ code: 'REDIRECT_URL_NOT_ALLOWED', field: 'extra.successUrl' });
  });

  it('never sends a caller-supplied notify URL', () => {
    const { params } = buildPingxxChargeParams(
      request({
        channel: 'alipay_wap',
        extra: { ...FULL_EXTRA, notify_url: 'https://evil.example/n', notifyUrl: 'https://evil.example/n' },
      }),
      CONTEXT,
    );
    expect(JSON.stringify(params)).not.toContain('evil.example');
    expect(params.extra).toEqual({ success_url: 'https://shop.test/ok' });
  });

  it('does not send extras the channel does not take', () => {
    const { params } = buildPingxxChargeParams(
      request({ channel: 'alipay', extra: { ...FULL_EXTRA, limitPay: 'no_credit' } }),
      CONTEXT,
    );
    expect(params.extra).toEqual({});
  });
});
