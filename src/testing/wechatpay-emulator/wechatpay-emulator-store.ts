/**
 * The WeChat Pay emulator's state: orders by `out_trade_no` and their refunds, with WeChat Pay's rules for
 * creating (the same `out_trade_no` with the same content answers the same order), querying (an unpaid order
 * past `time_expire` reads `CLOSED`), closing, refunding (idempotent per `out_refund_no`, never beyond the
 * paid amount) and refund queries. Every method returns the HTTP answer WeChat Pay would give.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { parseWechatpayTime, wechatpayTime } from '../../wechatpay/wechatpay-values.js';

/** An order, as the emulator keeps it. */
export interface EmulatedWechatPayOrder {
  /** Our attempt id. */
  outTradeNo: string;
  /** The app id the order was made for. */
  appid: string;
  /** The merchant id. */
  mchid: string;
  /** `description` as sent. */
  description: string;
  /** `attach` (our order id), or `null`. */
  attach: string | null;
  /** `notify_url` as sent. */
  notifyUrl: string | null;
  /** `NATIVE`, `JSAPI`, `MWEB` (H5) or `APP`. */
  tradeType: 'NATIVE' | 'JSAPI' | 'MWEB' | 'APP';
  /** Amount in fen. */
  total: number;
  /** Always `CNY`. */
  currency: string;
  /** `time_expire`, or `null`. */
  timeExpire: Date | null;
  /** The payer's OpenID (JSAPI, or set when paid). */
  openid: string | null;
  /** `scene_info.payer_client_ip`, or `null`. */
  payerClientIp: string | null;
  /** The `prepay_id` answered to JSAPI and App creates. */
  prepayId: string;
  /** The `code_url` answered to Native creates. */
  codeUrl: string;
  /** The `h5_url` answered to H5 creates. */
  h5Url: string;
  /** Current `trade_state`. */
  tradeState: 'NOTPAY' | 'USERPAYING' | 'SUCCESS' | 'REFUND' | 'CLOSED' | 'REVOKED' | 'PAYERROR';
  /** Current `trade_state_desc`. */
  tradeStateDesc: string;
  /** WeChat Pay's `transaction_id` once paid, else `null`. */
  transactionId: string | null;
  /** When it was paid. */
  successTime: Date | null;
  /** When it was created. */
  createdAt: Date;
  /** Its refunds, oldest first. */
  refunds: EmulatedWechatPayRefund[];
}

/** A refund, as the emulator keeps it. */
export interface EmulatedWechatPayRefund {
  /** WeChat Pay's `refund_id`. */
  refundId: string;
  /** Our refund id. */
  outRefundNo: string;
  /** The order refunded. */
  outTradeNo: string;
  /** Amount in fen. */
  amount: number;
  /** Current refund status. */
  status: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  /** `reason` as sent. */
  reason: string | null;
  /** Where its notification goes. */
  notifyUrl: string | null;
  /** When it was requested. */
  createdAt: Date;
  /** When it settled `SUCCESS`. */
  successTime: Date | null;
}

/** An HTTP answer. `body` `null` is 204 No Content. */
export interface WechatPayEmulatorAnswer {
  status: number;
  body: Record<string, unknown> | null;
}

/** An error answer. */
export function wechatpayFailure(status: number, code: string, message: string): WechatPayEmulatorAnswer {
  return { status, body: { code, message } };
}

const ENDPOINT_TRADE_TYPES = { native: 'NATIVE', jsapi: 'JSAPI', h5: 'MWEB', app: 'APP' } as const;

/** The emulator's orders and refunds. */
export class WechatPayEmulatorStore {
  private readonly orders = new Map<string, EmulatedWechatPayOrder>();
  private readonly refundsByNo = new Map<string, EmulatedWechatPayRefund>();

  constructor(
    private readonly clock: () => Date,
    private readonly mchid: string,
    private readonly baseUrl: () => string,
    private readonly refundStatus: () => 'SUCCESS' | 'PROCESSING',
  ) {}

  /** `POST /v3/pay/transactions/{endpoint}`. */
  create(endpoint: keyof typeof ENDPOINT_TRADE_TYPES, body: Record<string, unknown>): WechatPayEmulatorAnswer {
    const amount = (body['amount'] ?? {}) as Record<string, unknown>;
    const payer = (body['payer'] ?? {}) as Record<string, unknown>;
    const scene = (body['scene_info'] ?? {}) as Record<string, unknown>;
    const outTradeNo = body['out_trade_no'];
    const description = body['description'];
    if (body['mchid'] !== this.mchid) return wechatpayFailure(400, 'MCH_NOT_EXISTS', '商户号不存在');
    if (typeof body['appid'] !== 'string' || !/^wx[0-9a-f]{16}$/i.test(body['appid'])) {
      return wechatpayFailure(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    }
    if (typeof outTradeNo !== 'string' || !/^[0-9A-Za-z_\-|*]{6,32}$/.test(outTradeNo)) {
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/body/out_trade_no”映射到字段“商户订单号”格式错误');
    }
    if (typeof description !== 'string' || description.length === 0 || description.length > 127) {
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/body/description”映射到字段“商品描述”长度错误');
    }
    if (/[\u{10000}-\u{10FFFF}]/u.test(description)) {
      return wechatpayFailure(400, 'PARAM_ERROR', '商品描述包含不支持的字符');
    }
    if (typeof amount['total'] !== 'number' || !Number.isSafeInteger(amount['total']) || amount['total'] <= 0) {
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/body/amount/total”映射到字段“总金额”格式错误');
    }
    if ((amount['currency'] ?? 'CNY') !== 'CNY') return wechatpayFailure(400, 'PARAM_ERROR', '币种不支持');
    if (typeof body['notify_url'] !== 'string' || !/^https?:\/\//.test(body['notify_url'])) {
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/body/notify_url”映射到字段“通知地址”格式错误');
    }
    if (endpoint === 'jsapi' && typeof payer['openid'] !== 'string') {
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/body/payer/openid”映射到字段“用户标识”必填性规则校验失败');
    }
    if (endpoint === 'h5' && typeof scene['payer_client_ip'] !== 'string') {
      return wechatpayFailure(
        400,
        'PARAM_ERROR',
        '输入源“/body/scene_info/payer_client_ip”映射到字段“用户终端IP”必填性规则校验失败',
      );
    }
    const timeExpire = body['time_expire'] === undefined ? null : parseWechatpayTime(body['time_expire']);
    if (body['time_expire'] !== undefined && timeExpire === null) {
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/body/time_expire”映射到字段“交易结束时间”格式错误');
    }
    const existing = this.orders.get(outTradeNo);
    if (existing) {
      this.expire(existing);
      if (existing.tradeState === 'SUCCESS' || existing.tradeState === 'REFUND') {
        return wechatpayFailure(400, 'ORDERPAID', '该订单已支付');
      }
      if (existing.tradeState === 'CLOSED' || existing.tradeState === 'REVOKED') {
        return wechatpayFailure(400, 'ORDER_CLOSED', '订单已关闭');
      }
      const same =
        existing.total === amount['total'] &&
        existing.description === description &&
        existing.appid === body['appid'] &&
        existing.tradeType === ENDPOINT_TRADE_TYPES[endpoint];
      if (!same) return wechatpayFailure(400, 'INVALID_REQUEST', '201 商户订单号重复');
      return { status: 200, body: this.createAnswer(existing, endpoint) };
    }
    const prepayId = `wx${randomDigits(30)}`;
    const order: EmulatedWechatPayOrder = {
      outTradeNo,
      appid: body['appid'],
      mchid: this.mchid,
      description,
      attach: typeof body['attach'] === 'string' ? body['attach'] : null,
      notifyUrl: body['notify_url'],
      tradeType: ENDPOINT_TRADE_TYPES[endpoint],
      total: amount['total'],
      currency: 'CNY',
      timeExpire,
      openid: typeof payer['openid'] === 'string' ? payer['openid'] : null,
      payerClientIp: typeof scene['payer_client_ip'] === 'string' ? scene['payer_client_ip'] : null,
      prepayId,
      codeUrl: `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('base64url')}`,
      h5Url: `${this.baseUrl()}/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=${prepayId}&package=${randomDigits(10)}`,
      tradeState: 'NOTPAY',
      tradeStateDesc: '订单未支付',
      transactionId: null,
      successTime: null,
      createdAt: this.clock(),
      refunds: [],
    };
    this.orders.set(outTradeNo, order);
    return { status: 200, body: this.createAnswer(order, endpoint) };
  }

  /** `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`. */
  query(outTradeNo: string, mchid: string | null): WechatPayEmulatorAnswer {
    if (mchid !== this.mchid)
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/query/mchid”映射到字段“商户号”必填性规则校验失败');
    const order = this.orders.get(outTradeNo);
    if (!order) return wechatpayFailure(404, 'ORDER_NOT_EXIST', '订单不存在');
    this.expire(order);
    return { status: 200, body: this.transaction(order) };
  }

  /** `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`. */
  close(outTradeNo: string, body: Record<string, unknown>): WechatPayEmulatorAnswer {
    if (body['mchid'] !== this.mchid) return wechatpayFailure(400, 'PARAM_ERROR', '商户号错误');
    const order = this.orders.get(outTradeNo);
    if (!order) return wechatpayFailure(404, 'ORDER_NOT_EXIST', '订单不存在');
    this.expire(order);
    if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') {
      return wechatpayFailure(400, 'ORDERPAID', '订单已支付');
    }
    this.closeOrder(order);
    return { status: 204, body: null };
  }

  /** `POST /v3/refund/domestic/refunds`. */
  refund(body: Record<string, unknown>): WechatPayEmulatorAnswer {
    const amount = (body['amount'] ?? {}) as Record<string, unknown>;
    const outRefundNo = body['out_refund_no'];
    if (typeof outRefundNo !== 'string' || !/^[0-9A-Za-z_\-|*@]{1,64}$/.test(outRefundNo)) {
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/body/out_refund_no”映射到字段“商户退款单号”格式错误');
    }
    const refundAmount = amount['refund'];
    if (typeof refundAmount !== 'number' || !Number.isSafeInteger(refundAmount) || refundAmount <= 0) {
      return wechatpayFailure(400, 'PARAM_ERROR', '输入源“/body/amount/refund”映射到字段“退款金额”格式错误');
    }
    if ((amount['currency'] ?? 'CNY') !== 'CNY') return wechatpayFailure(400, 'PARAM_ERROR', '币种不支持');
    const order =
      typeof body['out_trade_no'] === 'string'
        ? this.orders.get(body['out_trade_no'])
        : [...this.orders.values()].find((o) => o.transactionId !== null && o.transactionId === body['transaction_id']);
    if (!order) return wechatpayFailure(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    const existing = this.refundsByNo.get(outRefundNo);
    if (existing) {
      if (existing.outTradeNo !== order.outTradeNo || existing.amount !== refundAmount) {
        return wechatpayFailure(400, 'INVALID_REQUEST', '退款单号已存在，请求参数与原请求不一致');
      }
      return { status: 200, body: this.refundObject(existing, order) };
    }
    if (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND') {
      return wechatpayFailure(400, 'INVALID_REQUEST', '订单状态不正确，不能发起退款');
    }
    if (amount['total'] !== order.total) return wechatpayFailure(400, 'PARAM_ERROR', '订单金额与原订单金额不一致');
    const refunded = order.refunds
      .filter((r) => r.status !== 'CLOSED' && r.status !== 'ABNORMAL')
      .reduce((s, r) => s + r.amount, 0);
    if (refunded + refundAmount > order.total)
      return wechatpayFailure(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const now = this.clock();
    const status = this.refundStatus();
    const refund: EmulatedWechatPayRefund = {
      refundId: `50${randomDigits(27)}`,
      outRefundNo,
      outTradeNo: order.outTradeNo,
      amount: refundAmount,
      status,
      reason: typeof body['reason'] === 'string' ? body['reason'] : null,
      notifyUrl: typeof body['notify_url'] === 'string' ? body['notify_url'] : order.notifyUrl,
      createdAt: now,
      successTime: status === 'SUCCESS' ? now : null,
    };
    order.refunds.push(refund);
    order.tradeState = 'REFUND';
    order.tradeStateDesc = '订单发生过退款';
    this.refundsByNo.set(outRefundNo, refund);
    return { status: 200, body: this.refundObject(refund, order) };
  }

  /** `GET /v3/refund/domestic/refunds/{out_refund_no}`. */
  refundQuery(outRefundNo: string): WechatPayEmulatorAnswer {
    const refund = this.refundsByNo.get(outRefundNo);
    if (!refund) return wechatpayFailure(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    return { status: 200, body: this.refundObject(refund, this.orders.get(refund.outTradeNo)!) };
  }

  get(outTradeNo: string): EmulatedWechatPayOrder | undefined {
    const order = this.orders.get(outTradeNo);
    if (order) this.expire(order);
    return order;
  }

  all(): EmulatedWechatPayOrder[] {
    return [...this.orders.values()];
  }

  refundByNo(outRefundNo: string): EmulatedWechatPayRefund | undefined {
    return this.refundsByNo.get(outRefundNo);
  }

  /** The payer pays (idempotent; a closed order cannot be paid). */
  pay(order: EmulatedWechatPayOrder, openid: string | null): void {
    this.expire(order);
    if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') return;
    if (order.tradeState === 'CLOSED' || order.tradeState === 'REVOKED') {
      throw new Error(`Order ${order.outTradeNo} is ${order.tradeState}; it cannot be paid.`);
    }
    order.tradeState = 'SUCCESS';
    order.tradeStateDesc = '支付成功';
    order.transactionId = `42000${randomDigits(23)}`;
    order.successTime = this.clock();
    order.openid ??= openid ?? `o${randomBytes(14).toString('base64url')}`;
  }

  /** The payment fails (`PAYERROR`, e.g. the bank refused). */
  fail(order: EmulatedWechatPayOrder): void {
    if (order.tradeState !== 'NOTPAY' && order.tradeState !== 'USERPAYING') {
      throw new Error(`Order ${order.outTradeNo} is ${order.tradeState}; it cannot fail.`);
    }
    order.tradeState = 'PAYERROR';
    order.tradeStateDesc = '支付失败，请重新下单支付';
  }

  /** The payer is entering the password (`USERPAYING`). */
  userPaying(order: EmulatedWechatPayOrder): void {
    if (order.tradeState !== 'NOTPAY') throw new Error(`Order ${order.outTradeNo} is ${order.tradeState}.`);
    order.tradeState = 'USERPAYING';
    order.tradeStateDesc = '用户支付中（需要输入密码）';
  }

  closeOrder(order: EmulatedWechatPayOrder): void {
    if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') {
      throw new Error(`Order ${order.outTradeNo} is paid; it cannot be closed.`);
    }
    order.tradeState = 'CLOSED';
    order.tradeStateDesc = '订单已关闭';
  }

  settleRefund(refund: EmulatedWechatPayRefund, status: 'SUCCESS' | 'ABNORMAL' | 'CLOSED'): void {
    refund.status = status;
    refund.successTime = status === 'SUCCESS' ? this.clock() : null;
  }

  /** The transaction object of queries and payment notifications. */
  transaction(order: EmulatedWechatPayOrder): Record<string, unknown> {
    const paid = order.transactionId !== null;
    return {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      ...(paid ? { transaction_id: order.transactionId } : {}),
      trade_type: order.tradeType,
      trade_state: order.tradeState,
      trade_state_desc: order.tradeStateDesc,
      ...(paid ? { bank_type: 'OTHERS', success_time: wechatpayTime(order.successTime!) } : {}),
      attach: order.attach ?? '',
      ...(order.openid && paid ? { payer: { openid: order.openid } } : {}),
      amount: paid
        ? { total: order.total, payer_total: order.total, currency: 'CNY', payer_currency: 'CNY' }
        : { total: order.total, currency: 'CNY', payer_currency: 'CNY' },
    };
  }

  /** The refund object of refund answers and queries. */
  refundObject(refund: EmulatedWechatPayRefund, order: EmulatedWechatPayOrder): Record<string, unknown> {
    return {
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      transaction_id: order.transactionId,
      out_trade_no: order.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(refund.successTime ? { success_time: wechatpayTime(refund.successTime) } : {}),
      create_time: wechatpayTime(refund.createdAt),
      status: refund.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: order.total,
        refund: refund.amount,
        payer_total: order.total,
        payer_refund: refund.amount,
        settlement_refund: refund.amount,
        settlement_total: order.total,
        discount_refund: 0,
        currency: 'CNY',
        refund_fee: 0,
      },
    };
  }

  /** The refund resource of refund notifications. */
  refundResource(refund: EmulatedWechatPayRefund, order: EmulatedWechatPayOrder): Record<string, unknown> {
    return {
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      transaction_id: order.transactionId,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_status: refund.status,
      ...(refund.successTime ? { success_time: wechatpayTime(refund.successTime) } : {}),
      user_received_account: '支付用户零钱',
      amount: { total: order.total, refund: refund.amount, payer_total: order.total, payer_refund: refund.amount },
    };
  }

  private createAnswer(
    order: EmulatedWechatPayOrder,
    endpoint: keyof typeof ENDPOINT_TRADE_TYPES,
  ): Record<string, unknown> {
    if (endpoint === 'native') return { code_url: order.codeUrl };
    if (endpoint === 'h5') return { h5_url: order.h5Url };
    return { prepay_id: order.prepayId };
  }

  /** An unpaid order past its `time_expire` is closed by WeChat Pay. */
  private expire(order: EmulatedWechatPayOrder): void {
    if (
      (order.tradeState === 'NOTPAY' || order.tradeState === 'USERPAYING') &&
      order.timeExpire !== null &&
      order.timeExpire.getTime() <= this.clock().getTime()
    ) {
      order.tradeState = 'CLOSED';
      order.tradeStateDesc = '订单已关闭';
    }
  }
}

function randomDigits(count: number): string {
  let out = '';
  while (out.length < count) out += String(randomBytes(6).readUIntBE(0, 6));
  return out.slice(0, count);
}
