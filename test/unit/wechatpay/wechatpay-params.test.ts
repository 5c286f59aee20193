import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import type { PaymentRequest } from '../../../src/core/types.js';
import { WECHATPAY_CHANNEL_IDS } from '../../../src/wechatpay/wechatpay-channels.js';
import { buildWechatPayRefund, buildWechatPayTransaction } from '../../../src/wechatpay/wechatpay-params.js';
import {
  appClientParams,
  jsapiClientParams,
  parseAuthorization,
  requestSignMessage,
  rsaVerify,
  signRequest,
} from '../../../src/wechatpay/wechatpay-signature.js';
import { parseWechatpayTime, wechatpayTime } from '../../../src/wechatpay/wechatpay-values.js';

const now = new Date('2026-12-01T10:00:00Z');
const ctx = {
  channels: new Set<string>(WECHATPAY_CHANNEL_IDS),
  appIdFor: (channel: string) => (channel === 'wx_lite' ? 'wx1111111111111111' : 'wx8888888888888888'),
  mchId: '1900000109',
  notifyUrl: 'https://shop.example/webhooks/wechatpay',
  allowedRedirectOrigins: ['https://shop.example'],
  now,
  provider: 'wechatpay',
};
const base: PaymentRequest = {
  orderId: 'order-42',
  attemptId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  amount: 1999,
  currency: 'cny',
  channel: 'wx_pub_qr',
  subject: 'Python 进阶课\n🎉 第二期',
};
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (isPaymentError(error, 'ValidationError')) return error.code;
    throw error;
  }
  return 'passed';
};

describe('buildWechatPayTransaction', () => {
  it('builds a Native order: fen, CNY, cleaned description, attach = order id, notify_url from config', () => {
    const tx = buildWechatPayTransaction({ ...base, extra: { notify_url: 'https://evil.example/n' } }, ctx);
    expect(tx.body).toEqual({
      appid: 'wx8888888888888888',
      mchid: '1900000109',
      description: 'Python 进阶课 第二期',
      out_trade_no: base.attemptId,
      attach: 'order-42',
      notify_url: 'https://shop.example/webhooks/wechatpay',
      amount: { total: 1999, currency: 'CNY' },
    });
    expect(tx.spec.endpoint).toBe('native');
  });

  it('sends the payer for JSAPI with the channel app id, and scene_info with the IP for H5', () => {
    const lite = buildWechatPayTransaction({ ...base, channel: 'wx_lite', extra: { openId: 'oUpF8uMu_A' } }, ctx);
    expect(lite.body['appid']).toBe('wx1111111111111111');
    expect(lite.body['payer']).toEqual({ openid: 'oUpF8uMu_A' });
    const h5 = buildWechatPayTransaction({ ...base, channel: 'wx_wap', clientIp: '203.0.113.7' }, ctx);
    expect(h5.body['scene_info']).toEqual({ payer_client_ip: '203.0.113.7', h5_info: { type: 'Wap' } });
  });

  it('sends time_expire from expiresAt in Beijing time, and the order deadline at least a minute away', () => {
    const at = new Date('2026-12-01T10:30:00Z');
    expect(buildWechatPayTransaction({ ...base, expiresAt: at }, ctx).body['time_expire']).toBe(
      '2026-12-01T18:30:00+08:00',
    );
    expect(buildWechatPayTransaction({ ...base, orderExpiresAt: at }, ctx).body['time_expire']).toBe(
      '2026-12-01T18:30:00+08:00',
    );
    const soon = new Date(now.getTime() + 5_000);
    expect(buildWechatPayTransaction({ ...base, orderExpiresAt: soon }, ctx).body['time_expire']).toBe(
      '2026-12-01T18:01:00+08:00',
    );
    expect(code(() => buildWechatPayTransaction({ ...base, expiresAt: soon }, ctx))).toBe('EXPIRED');
  });

  it.each([
    ['USD', { currency: 'USD' }, 'UNSUPPORTED_CURRENCY'],
    ['0 fen', { amount: 0 }, 'INVALID_AMOUNT'],
    ['an unknown channel', { channel: 'alipay_qr' }, 'UNKNOWN_CHANNEL'],
    ['a 5-character attempt id', { attemptId: 'abcde' }, 'INVALID_ID'],
    ['a subject of emoji only', { subject: '🎉' }, 'MISSING_FIELD'],
    ['wx_pub without openId', { channel: 'wx_pub' }, 'MISSING_EXTRA'],
    ['wx_wap without IP', { channel: 'wx_wap' }, 'MISSING_FIELD'],
    ['an empty orderId', { orderId: '' }, 'MISSING_FIELD'],
  ])('refuses %s', (_why, patch, expected) => {
    expect(code(() => buildWechatPayTransaction({ ...base, ...patch }, ctx))).toBe(expected);
  });

  it('cuts the description to 127 characters', () => {
    const tx = buildWechatPayTransaction({ ...base, subject: '课'.repeat(300) }, ctx);
    expect((tx.body['description'] as string).length).toBe(127);
  });

  it('takes an H5 result URL only from an allowed origin', () => {
    const h5 = { ...base, channel: 'wx_wap', clientIp: '203.0.113.7' };
    expect(
      buildWechatPayTransaction({ ...h5, extra: { resultUrl: 'https://shop.example/done' } }, ctx).redirectUrl,
    ).toBe('https://shop.example/done');
    expect(code(() => buildWechatPayTransaction({ ...h5, extra: { resultUrl: 'https://evil.example/' } }, ctx))).toBe(
      'REDIRECT_URL_NOT_ALLOWED',
    );
  });
});

describe('buildWechatPayRefund', () => {
  const refund = {
    refundId: 'rf_0001',
    attemptId: base.attemptId,
    providerReference: base.attemptId,
    amount: 500,
    currency: 'CNY',
  };
  it('uses our refund id as out_refund_no and the configured notify_url', () => {
    expect(
      buildWechatPayRefund({ ...refund, reason: '用户\n申请' }, { notifyUrl: ctx.notifyUrl, provider: 'wechatpay' }),
    ).toEqual({
      outTradeNo: base.attemptId,
      body: { out_trade_no: base.attemptId, out_refund_no: 'rf_0001', reason: '用户 申请', notify_url: ctx.notifyUrl },
    });
  });
  it.each([
    ['USD', { currency: 'USD' }, 'UNSUPPORTED_CURRENCY'],
    ['0', { amount: 0 }, 'INVALID_AMOUNT'],
    ['a refund id with spaces', { refundId: 'r f' }, 'INVALID_ID'],
  ])('refuses %s', (_why, patch, expected) => {
    expect(
      code(() => buildWechatPayRefund({ ...refund, ...patch }, { notifyUrl: ctx.notifyUrl, provider: 'wechatpay' })),
    ).toBe(expected);
  });
});

describe('WeChat Pay signatures and times', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('signs a request over METHOD, path?query, timestamp, nonce and body', () => {
    const header = signRequest({
      method: 'GET',
      pathAndQuery: '/v3/pay/transactions/out-trade-no/abc123?mchid=1900000109',
      body: '',
      mchId: '1900000109',
      serialNo: 'ABC123',
      privateKey,
      now,
      nonce: 'N0NCE',
    });
    expect(header.startsWith('WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="N0NCE",signature="')).toBe(true);
    const auth = parseAuthorization(header)!;
    expect(auth).toMatchObject({
      mchid: '1900000109',
      nonce_str: 'N0NCE',
      timestamp: '1796119200',
      serial_no: 'ABC123',
    });
    const message = requestSignMessage(
      'GET',
      '/v3/pay/transactions/out-trade-no/abc123?mchid=1900000109',
      '1796119200',
      'N0NCE',
      '',
    );
    expect(message).toBe('GET\n/v3/pay/transactions/out-trade-no/abc123?mchid=1900000109\n1796119200\nN0NCE\n\n');
    expect(rsaVerify(message, auth.signature, publicKey)).toBe(true);
    expect(rsaVerify(message.replace('GET', 'POST'), auth.signature, publicKey)).toBe(false);
  });

  it('signs JSAPI parameters over appId, timeStamp, nonceStr and package', () => {
    const params = jsapiClientParams(
      'wx8888888888888888',
      'wx201410272009395522657a690389285100',
      privateKey,
      now,
      'N',
    );
    expect(params).toMatchObject({
      appId: 'wx8888888888888888',
      timeStamp: '1796119200',
      nonceStr: 'N',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
    });
    const message = `wx8888888888888888\n1796119200\nN\nprepay_id=wx201410272009395522657a690389285100\n`;
    expect(rsaVerify(message, params.paySign, createPublicKey(publicKey.export({ format: 'pem', type: 'spki' })))).toBe(
      true,
    );
  });

  it('signs App parameters over appid, timestamp, noncestr and prepayid', () => {
    const params = appClientParams('wx8888888888888888', '1900000109', 'wx2014', privateKey, now, 'N');
    expect(params).toMatchObject({
      partnerid: '1900000109',
      prepayid: 'wx2014',
      package: 'Sign=WXPay',
      timestamp: '1796119200',
    });
    expect(rsaVerify('wx8888888888888888\n1796119200\nN\nwx2014\n', params.sign, publicKey)).toBe(true);
  });

  it('writes and reads RFC 3339 Beijing times', () => {
    expect(wechatpayTime(now)).toBe('2026-12-01T18:00:00+08:00');
    expect(parseWechatpayTime('2026-12-01T18:00:00+08:00')?.toISOString()).toBe(now.toISOString());
    expect(parseWechatpayTime('2026-12-01 18:00:00')).toBeNull();
  });
});
