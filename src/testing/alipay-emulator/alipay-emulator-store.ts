/**
 * The Alipay emulator's state: trades and their refunds, and the gateway methods the adapter calls
 * (`precreate`, page / WAP / app pay, `query`, `close`, `refund`, `fastpay.refund.query`), answering as
 * Alipay does, business refusals included.
 * @module
 */
import { randomInt } from 'node:crypto';
import type { AlipayTradeStatus } from '../../alipay/alipay-mappers.js';
import { beijingTime, fenOf, parseBeijingTime, yuan } from '../../alipay/alipay-values.js';

/**
 * How the emulator handles a new refund: `succeeded` moves the money at once (`fund_change: "Y"`, Alipay's usual
 * answer); `pending` accepts it without moving money yet (`fund_change: "N"`, the query shows `refund_amount`
 * without `refund_status`) until `settleRefund` settles it.
 */
export type AlipayEmulatorRefundMode = 'succeeded' | 'pending';

/** One refund of a trade. */
export interface EmulatedAlipayRefund {
  /** Our refund id (`out_request_no`), or the one Alipay's portal gave a refund made there. */
  outRequestNo: string;
  /** Amount in fen. */
  amount: number;
  /** `refund_reason`, if sent. */
  reason: string | null;
  /** When it was made (a pending refund: when it was accepted; settled: when the money moved). */
  at: Date;
  /** `succeeded` once the money moved; `pending` while Alipay processes it. */
  status: 'succeeded' | 'pending';
  /** Made through the API (`api`) or in Alipay's merchant portal (`portal`), which our code never called. */
  source: 'api' | 'portal';
}

/** One trade. */
export interface EmulatedAlipayTrade {
  /** Our attempt id. */
  outTradeNo: string;
  /** Alipay's own trade number. */
  tradeNo: string;
  /** The OpenAPI method that created it. */
  method: string;
  /** Amount in fen. */
  totalAmount: number;
  /** `subject` as received. */
  subject: string;
  /** `body` as received. */
  body: string | null;
  /** Alipay's trade status. */
  status: AlipayTradeStatus;
  /** Where notifications about it go. */
  notifyUrl: string | null;
  /** A precreated (QR) trade is unknown to `query` until it is scanned or paid, as at Alipay. */
  scanned: boolean;
  /** When it was created. */
  createdAt: Date;
  /** When it was paid. */
  paidAt: Date | null;
  /** When it was closed. */
  closedAt: Date | null;
  /** `time_expire` as received (Beijing time). */
  timeExpire: string | null;
  /** Refunds made, oldest first. */
  refunds: EmulatedAlipayRefund[];
  /** The (masked) payer account Alipay reports. */
  buyerLogonId: string;
}

/** A gateway answer: the `<method>_response` object (success or refusal). */
export type AlipayGatewayAnswer = Record<string, string>;

const ok = (fields: Record<string, string> = {}): AlipayGatewayAnswer => ({ code: '10000', msg: 'Success', ...fields });

/** Whether `open` gave a trade (rather than a refusal). */
export function isTrade(value: EmulatedAlipayTrade | AlipayGatewayAnswer): value is EmulatedAlipayTrade {
  return typeof (value as { createdAt?: unknown }).createdAt === 'object';
}

/** A business refusal, shaped like Alipay's. */
export function refusal(subCode: string, subMsg: string, code = '40004'): AlipayGatewayAnswer {
  return { code, msg: code === '40004' ? 'Business Failed' : 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg };
}

/** Trades by `out_trade_no`, and the gateway methods over them. */
export class AlipayEmulatorStore {
  readonly #trades = new Map<string, EmulatedAlipayTrade>();
  readonly #clock: () => Date;
  /** How new API refunds start. */
  refundMode: AlipayEmulatorRefundMode;

  constructor(clock: () => Date, refundMode: AlipayEmulatorRefundMode = 'succeeded') {
    this.#clock = clock;
    this.refundMode = refundMode;
  }

  get(outTradeNo: string): EmulatedAlipayTrade | undefined {
    return this.#trades.get(outTradeNo);
  }

  all(): EmulatedAlipayTrade[] {
    return [...this.#trades.values()];
  }

  /** Creates a trade, or returns the existing one when the same `out_trade_no` comes with the same terms. */
  open(
    method: string,
    biz: Record<string, unknown>,
    notifyUrl: string | null,
  ): EmulatedAlipayTrade | AlipayGatewayAnswer {
    const outTradeNo = biz['out_trade_no'];
    const amount = fenOf(biz['total_amount']);
    const subject = biz['subject'];
    if (typeof outTradeNo !== 'string' || !/^[0-9A-Za-z_]{1,64}$/.test(outTradeNo))
      return refusal('ACQ.INVALID_PARAMETER', 'out_trade_no 不合法', '40002');
    if (amount === null || amount <= 0) return refusal('ACQ.INVALID_PARAMETER', 'total_amount 不合法', '40002');
    if (typeof subject !== 'string' || subject === '')
      return refusal('ACQ.INVALID_PARAMETER', 'subject 不能为空', '40002');
    // Alipay takes a time_expire up to 15 days ahead (and not in the past).
    if (biz['time_expire'] !== undefined) {
      const expires = parseBeijingTime(biz['time_expire']);
      const now = this.#clock().getTime();
      if (expires === null || expires.getTime() <= now || expires.getTime() > now + 15 * 86_400_000)
        return refusal('ACQ.INVALID_PARAMETER', 'time_expire 不合法', '40002');
    }
    const existing = this.#trades.get(outTradeNo);
    if (existing) {
      if (existing.totalAmount !== amount || existing.subject !== subject)
        return refusal('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED')
        return refusal('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (existing.status === 'TRADE_CLOSED') return refusal('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      return existing;
    }
    const trade: EmulatedAlipayTrade = {
      outTradeNo,
      // Alipay's shape: the date, 22001, then digits.
      tradeNo: `${beijingTime(this.#clock()).replace(/\D/g, '').slice(0, 8)}22001${randomInt(1e11, 1e12 - 1)}`,
      method,
      totalAmount: amount,
      subject,
      body: typeof biz['body'] === 'string' ? biz['body'] : null,
      status: 'WAIT_BUYER_PAY',
      notifyUrl,
      scanned: method !== 'alipay.trade.precreate',
      createdAt: this.#clock(),
      paidAt: null,
      closedAt: null,
      timeExpire: typeof biz['time_expire'] === 'string' ? biz['time_expire'] : null,
      refunds: [],
      buyerLogonId: 'buy***@example.com',
    };
    this.#trades.set(outTradeNo, trade);
    return trade;
  }

  precreate(biz: Record<string, unknown>, notifyUrl: string | null): AlipayGatewayAnswer {
    const trade = this.open('alipay.trade.precreate', biz, notifyUrl);
    if (!isTrade(trade)) return trade;
    return ok({ out_trade_no: trade.outTradeNo, qr_code: `https://qr.alipay.com/emu${trade.tradeNo.slice(-12)}` });
  }

  query(biz: Record<string, unknown>): AlipayGatewayAnswer {
    const trade = this.#find(biz);
    if (!trade || !trade.scanned) return refusal('ACQ.TRADE_NOT_EXIST', '交易不存在');
    return ok({
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: trade.buyerLogonId,
      trade_status: trade.status,
      total_amount: yuan(trade.totalAmount),
      ...(trade.paidAt ? { send_pay_date: beijingTime(trade.paidAt), receipt_amount: yuan(trade.totalAmount) } : {}),
    });
  }

  close(biz: Record<string, unknown>): AlipayGatewayAnswer {
    const trade = this.#find(biz);
    if (!trade || !trade.scanned) return refusal('ACQ.TRADE_NOT_EXIST', '交易不存在');
    if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED')
      return refusal('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (trade.status === 'WAIT_BUYER_PAY') this.closeTrade(trade);
    return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo });
  }

  refund(biz: Record<string, unknown>): AlipayGatewayAnswer {
    const trade = this.#find(biz);
    if (!trade || !trade.scanned) return refusal('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const amount = fenOf(biz['refund_amount']);
    if (amount === null || amount <= 0) return refusal('ACQ.INVALID_PARAMETER', 'refund_amount 不合法', '40002');
    const outRequestNo = typeof biz['out_request_no'] === 'string' ? biz['out_request_no'] : trade.outTradeNo;
    if (!/^[0-9A-Za-z_]{1,64}$/.test(outRequestNo))
      return refusal('ACQ.INVALID_PARAMETER', 'out_request_no 不合法', '40002');
    const answer = (fundChange: 'Y' | 'N') =>
      ok({
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
        buyer_logon_id: trade.buyerLogonId,
        fund_change: fundChange,
        refund_fee: yuan(this.refunded(trade)),
        gmt_refund_pay: beijingTime(this.#clock()),
      });
    // Alipay answers a repeated out_request_no with the first outcome and no money moved.
    if (trade.refunds.some((r) => r.outRequestNo === outRequestNo)) return answer('N');
    const reason = typeof biz['refund_reason'] === 'string' ? biz['refund_reason'] : null;
    const refused = this.addRefund(trade, { outRequestNo, amount, reason, source: 'api', status: this.refundMode });
    if (refused) return refused;
    return answer(this.refundMode === 'succeeded' ? 'Y' : 'N');
  }

  /**
   * Adds a refund to a paid trade (refused beyond what is left, counting refunds still pending); a succeeded one
   * that completes the refund closes the trade, as at Alipay.
   */
  addRefund(trade: EmulatedAlipayTrade, refund: Omit<EmulatedAlipayRefund, 'at'>): AlipayGatewayAnswer | null {
    if (trade.status !== 'TRADE_SUCCESS') return refusal('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    const committed = trade.refunds.reduce((sum, r) => sum + r.amount, 0);
    if (committed + refund.amount > trade.totalAmount) return refusal('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    trade.refunds.push({ ...refund, at: this.#clock() });
    this.#closeIfRefunded(trade);
    return null;
  }

  /**
   * Settles a pending refund: `succeeded` moves the money (and closes a trade now refunded in full); `failed` drops
   * it, as Alipay forgets a refund that did not go through: the query no longer shows it, and a new request with the
   * same `out_request_no` is a new attempt at it.
   */
  settleRefund(trade: EmulatedAlipayTrade, outRequestNo: string, status: 'succeeded' | 'failed'): void {
    const refund = trade.refunds.find((r) => r.outRequestNo === outRequestNo);
    if (!refund) throw new Error(`No refund ${outRequestNo} on trade ${trade.outTradeNo}.`);
    if (refund.status !== 'pending') throw new Error(`Refund ${outRequestNo} is already ${refund.status}.`);
    if (status === 'failed') {
      trade.refunds.splice(trade.refunds.indexOf(refund), 1);
      return;
    }
    refund.status = 'succeeded';
    refund.at = this.#clock();
    this.#closeIfRefunded(trade);
  }

  #closeIfRefunded(trade: EmulatedAlipayTrade): void {
    if (trade.status === 'TRADE_SUCCESS' && this.refunded(trade) === trade.totalAmount) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = this.#clock();
    }
  }

  refundQuery(biz: Record<string, unknown>): AlipayGatewayAnswer {
    const trade = this.#find(biz);
    if (!trade || !trade.scanned) return refusal('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const refund = trade.refunds.find((r) => r.outRequestNo === biz['out_request_no']);
    // An unknown out_request_no is a success without refund fields: "not received or failed".
    if (!refund) return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo });
    // refund_amount is this request's amount (not the trade's running total); refund_status only once it succeeded.
    return ok({
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      out_request_no: refund.outRequestNo,
      total_amount: yuan(trade.totalAmount),
      refund_amount: yuan(refund.amount),
      ...(refund.status === 'succeeded'
        ? { refund_status: 'REFUND_SUCCESS', gmt_refund_pay: beijingTime(refund.at) }
        : {}),
    });
  }

  /** Money refunded so far (succeeded refunds only): what Alipay reports as `refund_fee`. */
  refunded(trade: EmulatedAlipayTrade): number {
    return trade.refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
  }

  pay(trade: EmulatedAlipayTrade): void {
    if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED') return;
    if (trade.status === 'TRADE_CLOSED') throw new Error(`Trade ${trade.outTradeNo} is closed; it cannot be paid.`);
    trade.scanned = true;
    trade.status = 'TRADE_SUCCESS';
    trade.paidAt = this.#clock();
  }

  closeTrade(trade: EmulatedAlipayTrade): void {
    if (trade.status !== 'WAIT_BUYER_PAY')
      throw new Error(`Trade ${trade.outTradeNo} is ${trade.status}; only an unpaid trade closes.`);
    trade.scanned = true;
    trade.status = 'TRADE_CLOSED';
    trade.closedAt = this.#clock();
  }

  #find(biz: Record<string, unknown>): EmulatedAlipayTrade | undefined {
    const outTradeNo = biz['out_trade_no'];
    if (typeof outTradeNo === 'string') return this.#trades.get(outTradeNo);
    const tradeNo = biz['trade_no'];
    return this.all().find((t) => t.tradeNo === tradeNo);
  }
}
