/**
 * Realistic `charge.credential[channel]` values, shaped like the ones Ping++ returns for each channel
 * (QR links, WeChat JSAPI parameter sets, Alipay / UnionPay form fields, app SDK payloads). The values
 * are random and signed with nothing: they only have to look right to the code that reads them.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { fromMinorUnits } from '../../core/money.js';

/** What a credential is built from. */
export interface CredentialInput {
  channel: string;
  orderNo: string;
  amount: number;
  subject: string;
  body: string;
  extra: Record<string, unknown>;
  /** Unix seconds. */
  created: number;
  timeExpire: number;
  livemode: boolean;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const digits = (length: number): string => Array.from(randomBytes(length), (b) => String(b % 10)).join('');
const fakeSign = (): string => randomBytes(128).toString('base64');
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function jsapi(created: number): Record<string, string> {
  return {
    appId: `wx${hex(8)}`,
    timeStamp: String(created),
    nonceStr: hex(16),
    package: `prepay_id=wx${created}${hex(10)}`,
    signType: 'MD5',
    paySign: hex(16).toUpperCase(),
  };
}

function unionpayForm(input: CredentialInput, channelType: '07' | '08'): Record<string, string> {
  const txnTime = new Date(input.created * 1000).toISOString().replace(/\D/g, '').slice(0, 14);
  return {
    channel_url: 'https://gateway.95516.com/gateway/api/frontTransReq.do',
    version: '5.1.0',
    encoding: 'UTF-8',
    certId: digits(11),
    signMethod: '01',
    txnType: '01',
    txnSubType: '01',
    bizType: '000201',
    channelType,
    accessType: '0',
    merId: digits(15),
    orderId: input.orderNo,
    txnTime,
    txnAmt: String(input.amount),
    currencyCode: '156',
    frontUrl: str(input.extra.result_url),
    backUrl: 'https://notify.pingxx.com/notify/charges/upacp',
    signature: fakeSign(),
  };
}

/** The credential Ping++ returns for `input.channel`. */
export function credentialFor(input: CredentialInput): unknown {
  const { channel, created } = input;
  switch (channel) {
    case 'alipay':
      return {
        orderInfo: `app_id=2016${digits(12)}&biz_content=${encodeURIComponent(
          JSON.stringify({
            out_trade_no: input.orderNo,
            total_amount: fromMinorUnits(input.amount, 'CNY'),
            subject: input.subject,
          }),
        )}&charset=utf-8&method=alipay.trade.app.pay&sign_type=RSA2&timestamp=${created}&version=1.0&sign=${encodeURIComponent(fakeSign())}`,
      };
    case 'alipay_wap':
      return {
        channel_url: 'https://openapi.alipay.com/gateway.do',
        app_id: `2016${digits(12)}`,
        method: 'alipay.trade.wap.pay',
        format: 'JSON',
        charset: 'utf-8',
        sign_type: 'RSA2',
        timestamp: new Date(created * 1000).toISOString(),
        version: '1.0',
        notify_url: 'https://notify.pingxx.com/notify/charges/alipay_wap',
        return_url: str(input.extra.success_url),
        biz_content: JSON.stringify({
          out_trade_no: input.orderNo,
          subject: input.subject,
          product_code: 'QUICK_WAP_WAY',
        }),
        sign: fakeSign(),
      };
    case 'alipay_pc_direct':
      return {
        channel_url: 'https://mapi.alipay.com/gateway.do',
        service: 'create_direct_pay_by_user',
        _input_charset: 'utf-8',
        partner: `2088${digits(12)}`,
        notify_url: 'https://notify.pingxx.com/notify/charges/alipay_pc_direct',
        return_url: str(input.extra.success_url),
        out_trade_no: input.orderNo,
        subject: input.subject,
        body: input.body,
        total_fee: fromMinorUnits(input.amount, 'CNY'),
        payment_type: '1',
        seller_id: `2088${digits(12)}`,
        sign: fakeSign(),
        sign_type: 'RSA',
      };
    case 'alipay_qr':
      return `https://qr.alipay.com/bax0${hex(12)}`;
    case 'wx':
      return {
        appId: `wx${hex(8)}`,
        partnerId: digits(10),
        prepayId: `wx${created}${hex(10)}`,
        nonceStr: hex(16),
        timeStamp: created,
        packageValue: 'Sign=WXPay',
        sign: hex(16).toUpperCase(),
      };
    case 'wx_pub':
    case 'wx_lite':
      return jsapi(created);
    case 'wx_pub_qr':
      return `weixin://wxpay/bizpayurl?pr=${hex(4)}`;
    case 'wx_wap': {
      const redirect = str(input.extra.result_url);
      return `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx${created}${hex(10)}&package=${digits(10)}${
        redirect ? `&redirect_url=${encodeURIComponent(redirect)}` : ''
      }`;
    }
    case 'upacp':
      return { tn: digits(21), mode: input.livemode ? '00' : '01' };
    case 'upacp_wap':
      return unionpayForm(input, '08');
    case 'upacp_pc':
      return unionpayForm(input, '07');
    default:
      return {};
  }
}
