import { describe, expect, it } from 'vitest';
import { buildAlipayRefundParams, buildAlipayTradeParams } from '../../../src/alipay/alipay-params.js';
import { beijingTime, fenOf, parseBeijingTime, yuan } from '../../../src/alipay/alipay-values.js';
import type { PaymentRequest } from '../../../src/core/types.js';

const NOW = new Date('2026-12-01T14:00:00Z');
const ctx = {
  channels: new Set(['alipay_qr', 'alipay_wap', 'alipay_pc_direct', 'alipay']),
  now: NOW,
  provider: 'alipay',
  allowedRedirectOrigins: ['https://s.example'],
};
const base: PaymentRequest = {
  orderId: 'o1',
  attemptId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  amount: 1999,
  currency: 'cny',
  channel: 'alipay_qr',
  subject: 'Python 进阶课',
};

describe('Alipay values', () => {
  it.each([
    [1, '0.01'],
    [100, '1.00'],
    [1999, '19.99'],
    [10_000_000_000, '100000000.00'],
  ])('%i fen is "%s" yuan and back', (fen, text) => {
    expect(yuan(fen)).toBe(text);
    expect(fenOf(text)).toBe(fen);
  });
  it.each(['19.999', '-1.00', '1e3', '', ' 1.00', '0x10'])('refuses "%s" as a yuan amount', (text) =>
    expect(fenOf(text)).toBeNull(),
  );
  it('writes and reads Beijing time (UTC+8, no DST)', () => {
    expect(beijingTime(new Date('2026-06-30T16:30:05Z'))).toBe('2026-07-01 00:30:05');
    expect(parseBeijingTime('2026-07-01 00:30:05')?.toISOString()).toBe('2026-06-30T16:30:05.000Z');
    expect(parseBeijingTime('2026-07-01T00:30:05')).toBeNull();
  });
});

describe('buildAlipayTradeParams', () => {
  it('builds a precreate biz_content with exact yuan, a cleaned subject and Beijing-time expiry', () => {
    const { bizContent, spec } = buildAlipayTradeParams(
      { ...base, subject: 'Python\n🎉 进阶课', body: 'x'.repeat(200), expiresAt: new Date('2026-12-01T14:30:00Z') },
      ctx,
    );
    expect(spec.method).toBe('alipay.trade.precreate');
    expect(bizContent).toEqual({
      out_trade_no: base.attemptId,
      total_amount: '19.99',
      subject: 'Python 进阶课',
      body: 'x'.repeat(128),
      time_expire: '2026-12-01 22:30:00',
    });
  });
  it("sends the order's deadline as time_expire when no explicit expiry is given (what the service passes)", () => {
    // Without it the trade stays payable at Alipay long after reconcile closed the attempt and timed the order out.
    const deadline = new Date('2026-12-01T14:10:00Z');
    for (const channel of ['alipay_qr', 'alipay_pc_direct', 'alipay']) {
      const extra = channel === 'alipay_pc_direct' ? { successUrl: 'https://s.example/ok' } : undefined;
      const { bizContent } = buildAlipayTradeParams(
        { ...base, channel, orderExpiresAt: deadline, ...(extra ? { extra } : {}) },
        ctx,
      );
      expect(bizContent['time_expire']).toBe('2026-12-01 22:10:00');
    }
    // A deadline already (nearly) reached gets Alipay's shortest window (a minute) plus a minute of clock margin,
    // rather than a refused request.
    const late = buildAlipayTradeParams({ ...base, orderExpiresAt: new Date('2026-12-01T13:59:00Z') }, ctx);
    expect(late.bizContent['time_expire']).toBe('2026-12-01 22:02:00');
    expect(late.expiresAt?.toISOString()).toBe('2026-12-01T14:02:00.000Z');
    // An explicit expiresAt wins.
    const explicit = buildAlipayTradeParams(
      { ...base, orderExpiresAt: deadline, expiresAt: new Date('2026-12-01T14:30:00Z') },
      ctx,
    );
    expect(explicit.bizContent['time_expire']).toBe('2026-12-01 22:30:00');
  });
  it("caps the order's deadline at Alipay's 15 days and says so in expiresAt", () => {
    // An order that stays payable for 30 days: Alipay would refuse a time_expire past 15 days.
    const deadline = new Date(NOW.getTime() + 30 * 86_400_000);
    const { bizContent, expiresAt } = buildAlipayTradeParams({ ...base, orderExpiresAt: deadline }, ctx);
    // 15 days less a minute of clock margin, in whole seconds.
    expect(bizContent['time_expire']).toBe('2026-12-16 21:59:00');
    expect(expiresAt?.toISOString()).toBe('2026-12-16T13:59:00.000Z');
  });
  it('sends an explicit expiry within the window in whole seconds, a little earlier only at the far end', () => {
    const inside = buildAlipayTradeParams({ ...base, expiresAt: new Date('2026-12-01T14:30:00.750Z') }, ctx);
    expect(inside.bizContent['time_expire']).toBe('2026-12-01 22:30:00');
    expect(inside.expiresAt?.toISOString()).toBe('2026-12-01T14:30:00.000Z');
    const fifteenDays = buildAlipayTradeParams({ ...base, expiresAt: new Date(NOW.getTime() + 15 * 86_400_000) }, ctx);
    expect(fifteenDays.bizContent['time_expire']).toBe('2026-12-16 21:59:00');
  });
  it.each<[string, Date, string]>([
    ['past 15 days', new Date(NOW.getTime() + 15 * 86_400_000 + 1000), 'EXPIRY_TOO_FAR'],
    ['a year ahead', new Date('2027-12-01T14:00:00Z'), 'EXPIRY_TOO_FAR'],
    ['under a minute ahead', new Date(NOW.getTime() + 59_000), 'EXPIRY_TOO_SOON'],
    ['not a date', new Date(Number.NaN), 'INVALID_REQUEST'],
  ])('refuses an explicit expiry %s before anything is sent', (_why, expiresAt, code) => {
    expect(() => buildAlipayTradeParams({ ...base, expiresAt }, ctx)).toThrow(
      expect.objectContaining({ name: 'ValidationError', field: 'expiresAt', code }),
    );
  });
  it('cuts the subject to 64 characters', () => {
    const { bizContent } = buildAlipayTradeParams({ ...base, subject: '课'.repeat(100) }, ctx);
    expect(bizContent['subject']).toBe('课'.repeat(64));
  });
  it('sends the product code, return_url and quit_url for WAP', () => {
    const result = buildAlipayTradeParams(
      {
        ...base,
        channel: 'alipay_wap',
        extra: { successUrl: 'https://s.example/ok', cancelUrl: 'https://s.example/no' },
      },
      ctx,
    );
    expect(result.bizContent).toMatchObject({ product_code: 'QUICK_WAP_WAY', quit_url: 'https://s.example/no' });
    expect(result.returnUrl).toBe('https://s.example/ok');
  });
  it.each<[string, Partial<PaymentRequest>, string, string]>([
    [
      'a return_url on another origin',
      { channel: 'alipay_pc_direct', extra: { successUrl: 'https://evil.example/ok' } },
      'extra.successUrl',
      'REDIRECT_URL_NOT_ALLOWED',
    ],
    [
      'a quit_url on another origin',
      { channel: 'alipay_wap', extra: { successUrl: 'https://s.example/ok', cancelUrl: 'https://evil.example/no' } },
      'extra.cancelUrl',
      'REDIRECT_URL_NOT_ALLOWED',
    ],
    [
      'a quit_url that is not an http(s) URL',
      { channel: 'alipay_wap', extra: { successUrl: 'https://s.example/ok', cancelUrl: 'javascript:alert(1)' } },
      'extra.cancelUrl',
      'INVALID_REDIRECT_URL',
    ],
  ])('refuses %s before anything is signed', (_why, overrides, field, code) => {
    expect(() => buildAlipayTradeParams({ ...base, ...overrides }, ctx)).toThrow(
      expect.objectContaining({ name: 'ValidationError', field, code }),
    );
  });
  it('accepts no per-request redirect URL without an allow-list', () => {
    const request = { ...base, channel: 'alipay_pc_direct', extra: { successUrl: 'https://s.example/ok' } };
    expect(() => buildAlipayTradeParams(request, { ...ctx, allowedRedirectOrigins: [] })).toThrow(
      expect.objectContaining({ code: 'REDIRECT_URL_NOT_ALLOWED' }),
    );
    expect(
      buildAlipayTradeParams({ ...base, channel: 'alipay_qr' }, { ...ctx, allowedRedirectOrigins: [] }).spec.method,
    ).toBe('alipay.trade.precreate');
  });
  it('ignores a caller-supplied notify_url', () => {
    const { bizContent } = buildAlipayTradeParams({ ...base, extra: { notify_url: 'https://evil.example/' } }, ctx);
    expect(JSON.stringify(bizContent)).not.toContain('evil');
  });
  it.each<[string, Partial<PaymentRequest>, string]>([
    ['a disabled channel', { channel: 'wx_pub_qr' }, 'UNKNOWN_CHANNEL'],
    ['USD', { currency: 'USD' }, 'UNSUPPORTED_CURRENCY'],
    ['zero', { amount: 0 }, 'INVALID_AMOUNT'],
    ['more than Alipay allows', { amount: 10_000_000_001 }, 'INVALID_AMOUNT'],
    ['a long attempt id', { attemptId: 'a'.repeat(65) }, 'INVALID_ID'],
    ['an emoji-only subject', { subject: '🎉' }, 'MISSING_FIELD'],
    ['a page channel without successUrl', { channel: 'alipay_pc_direct' }, 'MISSING_EXTRA'],
    ['a past expiry', { expiresAt: new Date('2026-12-01T13:59:59Z') }, 'EXPIRED'],
  ])('refuses %s', (_why, overrides, code) => {
    expect(() => buildAlipayTradeParams({ ...base, ...overrides }, ctx)).toThrow(
      expect.objectContaining({ name: 'ValidationError', code }),
    );
  });
});

describe('buildAlipayRefundParams', () => {
  it('uses our refund id as out_request_no', () => {
    expect(
      buildAlipayRefundParams(
        { refundId: 'r1', attemptId: 'a1', providerReference: 'a1', amount: 250, currency: 'CNY', reason: '退\n款' },
        'alipay',
      ),
    ).toEqual({ out_trade_no: 'a1', refund_amount: '2.50', out_request_no: 'r1', refund_reason: '退 款' });
  });
  it('refuses another currency and a refund id Alipay cannot take', () => {
    const refund = { refundId: 'r1', attemptId: 'a1', providerReference: 'a1', amount: 250, currency: 'CNY' };
    expect(() => buildAlipayRefundParams({ ...refund, currency: 'USD' }, 'alipay')).toThrow(/only CNY/);
    expect(() => buildAlipayRefundParams({ ...refund, refundId: 'r-1' }, 'alipay')).toThrow(/out_request_no/);
  });
});
