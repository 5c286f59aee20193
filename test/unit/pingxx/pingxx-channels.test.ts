import { describe, expect, it } from 'vitest';
import { PINGXX_CHANNELS, type PingxxChannel, type PingxxNextActionKind } from '../../../src/pingxx/pingxx-channels.js';
import { pingxxNextAction } from '../../../src/pingxx/pingxx-next-action.js';
import type { PingxxCharge } from '../../../src/pingxx/pingxx-types.js';
import { pingxxCharge } from './fixtures.js';

/** The contract of issue 5 and the Ping++ reference, restated independently of the table. */
const WX_OPTIONAL = ['limitPay→limit_pay', 'goodsTag→goods_tag'];
const EXPECTED: Record<PingxxChannel, { required: string[]; optional: string[]; nextAction: PingxxNextActionKind }> = {
  alipay: { required: [], optional: [], nextAction: 'sdk_credential' },
  alipay_wap: {
    required: ['successUrl→success_url'],
    optional: ['cancelUrl→cancel_url'],
    nextAction: 'sdk_credential',
  },
  alipay_pc_direct: { required: ['successUrl→success_url'], optional: [], nextAction: 'sdk_credential' },
  alipay_qr: { required: [], optional: [], nextAction: 'qr_code' },
  wx: { required: [], optional: WX_OPTIONAL, nextAction: 'sdk_credential' },
  wx_pub: { required: ['openId→open_id'], optional: WX_OPTIONAL, nextAction: 'wechat_jsapi' },
  wx_pub_qr: { required: ['productId→product_id'], optional: WX_OPTIONAL, nextAction: 'qr_code' },
  wx_lite: { required: ['openId→open_id'], optional: WX_OPTIONAL, nextAction: 'wechat_jsapi' },
  wx_wap: { required: [], optional: ['resultUrl→result_url', 'goodsTag→goods_tag'], nextAction: 'redirect' },
  upacp: { required: [], optional: [], nextAction: 'sdk_credential' },
  upacp_wap: { required: ['resultUrl→result_url'], optional: [], nextAction: 'sdk_credential' },
  upacp_pc: { required: ['resultUrl→result_url'], optional: [], nextAction: 'sdk_credential' },
};

function charge(channel: string, credential: unknown): PingxxCharge {
  return pingxxCharge({ channel, credential: { object: 'credential', [channel]: credential } });
}

const JSAPI = {
  appId: 'wx1',
  timeStamp: 1700000000,
  nonceStr: 'n',
  package: 'prepay_id=1',
  signType: 'MD5',
  paySign: 'S',
};

describe('PINGXX_CHANNELS', () => {
  it('lists exactly the channels of the contract', () => {
    expect(Object.keys(PINGXX_CHANNELS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))(
    '%s takes the documented extra fields and yields the documented next action',
    (channel, expected) => {
      const spec = PINGXX_CHANNELS[channel as PingxxChannel];
      const fields = (required: boolean): string[] =>
        spec.extra.filter((f) => f.required === required).map((f) => `${f.from}→${f.to}`);
      expect(spec.channel).toBe(channel);
      expect(fields(true)).toEqual(expected.required);
      expect(fields(false)).toEqual(expected.optional);
      expect(spec.nextAction).toBe(expected.nextAction);
    },
  );

  it('keeps a 32-hex attempt id within every channel order_no limit', () => {
    for (const spec of Object.values(PINGXX_CHANNELS)) {
      expect(spec.orderNoLength.min).toBeLessThanOrEqual(32);
      expect(spec.orderNoLength.max).toBeGreaterThanOrEqual(32);
    }
  });
});

describe('pingxxNextAction', () => {
  it('turns a QR channel credential into qr_code and qrUrl', () => {
    const expiresAt = new Date(100_000);
    expect(
      pingxxNextAction(charge('wx_pub_qr', 'weixin://wxpay/bizpayurl?pr=x'), PINGXX_CHANNELS.wx_pub_qr, expiresAt),
    ).toEqual({
      nextAction: { type: 'qr_code', content: 'weixin://wxpay/bizpayurl?pr=x', expiresAt },
      qrUrl: 'weixin://wxpay/bizpayurl?pr=x',
    });
  });

  it('turns a JSAPI credential into string parameters for WeixinJSBridge', () => {
    expect(pingxxNextAction(charge('wx_lite', JSAPI), PINGXX_CHANNELS.wx_lite, null)).toEqual({
      nextAction: { type: 'wechat_jsapi', params: { ...JSAPI, timeStamp: '1700000000' } },
      qrUrl: null,
    });
  });

  it('turns the wx_wap URL into a redirect', () => {
    const url = 'https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=1';
    expect(pingxxNextAction(charge('wx_wap', url), PINGXX_CHANNELS.wx_wap, null)).toEqual({
      nextAction: { type: 'redirect', url },
      qrUrl: url,
    });
  });

  it('hands form channels to pingpp-js with a browser-safe copy of the charge', () => {
    const credential = { channel_url: 'https://openapi.alipay.com/gateway.do', sign: 'x' };
    const action = pingxxNextAction(charge('alipay_wap', credential), PINGXX_CHANNELS.alipay_wap, null);
    expect(action?.nextAction.type).toBe('sdk_credential');
    const shared = (action?.nextAction as { charge: Record<string, unknown> }).charge;
    expect(shared.credential).toEqual({ object: 'credential', alipay_wap: credential });
    expect(shared.id).toBe('ch_1');
    expect(shared).not.toHaveProperty('metadata');
    expect(shared).not.toHaveProperty('client_ip');
  });

  it('redirects when a form channel returns a plain URL credential', () => {
    const action = pingxxNextAction(charge('upacp_pc', 'https://gateway.95516.com/x'), PINGXX_CHANNELS.upacp_pc, null);
    expect(action?.nextAction).toEqual({ type: 'redirect', url: 'https://gateway.95516.com/x' });
  });

  it.each<[PingxxChannel, unknown]>([
    ['alipay_qr', undefined],
    ['alipay_qr', { not: 'a string' }],
    ['wx_pub', { ...JSAPI, paySign: undefined }],
    ['wx_pub', 'prepay'],
    ['upacp', null],
  ])('reports an unusable %s credential %j as null', (channel, credential) => {
    expect(pingxxNextAction(charge(channel, credential), PINGXX_CHANNELS[channel], null)).toBeNull();
  });
});
