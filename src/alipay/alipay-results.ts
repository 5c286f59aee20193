/**
 * Normalised results from Alipay answers: the creation result (with its browser-safe view), the
 * snapshot of `alipay.trade.query`, and refund results.
 * @module
 */
import type {
  NextAction,
  PaymentCreationResult,
  PaymentSnapshot,
  PaymentStatus,
  ProviderRefund,
  RefundResult,
} from '../core/types.js';
import type { AlipayAnswer } from './alipay-client.js';
import { ALIPAY_TRADE_STATUS, isAlipayTradeStatus } from './alipay-mappers.js';
import { fenOf, parseBeijingTime } from './alipay-values.js';

/** Facts of one creation. */
export interface AlipayCreation {
  provider: string;
  channel: string;
  attemptId: string;
  amount: number;
  status: PaymentStatus;
  nextAction: NextAction;
  /** Legacy single string: QR content, cashier URL or app order string. */
  qrUrl: string | null;
  expiresAt: Date | null;
  livemode: boolean;
  raw: unknown;
}

/** The creation result; `providerReference` is our `out_trade_no` (Alipay's `trade_no` comes later). */
export function alipayCreationResult(c: AlipayCreation): PaymentCreationResult {
  const view = {
    provider: c.provider,
    channel: c.channel,
    attemptId: c.attemptId,
    status: c.status,
    amount: c.amount,
    currency: 'CNY',
    nextAction: c.nextAction,
    qrUrl: c.qrUrl,
    expiresAt: c.expiresAt,
  };
  return { ...view, providerReference: c.attemptId, livemode: c.livemode, raw: c.raw, public: { ...view } };
}

/**
 * The snapshot of a query answer. A paid trade that was then refunded in full reads `TRADE_CLOSED`; it is
 * told apart from an unpaid closed trade by its payment time (`send_pay_date`) and reported as succeeded
 * and fully refunded. Partial refunds do not show in a query (`amountRefunded` stays 0 until full).
 */
export function alipaySnapshot(
  answer: AlipayAnswer,
  ctx: { provider: string; livemode: boolean; outTradeNo: string; channel: string | null },
): PaymentSnapshot {
  const amount = fenOf(answer['total_amount']) ?? 0;
  const paidAt = parseBeijingTime(answer['send_pay_date']);
  const tradeStatus = answer['trade_status'];
  let status: PaymentStatus = isAlipayTradeStatus(tradeStatus) ? ALIPAY_TRADE_STATUS[tradeStatus] : 'pending';
  let amountRefunded = 0;
  if (tradeStatus === 'TRADE_CLOSED' && paidAt !== null) {
    status = 'succeeded';
    amountRefunded = amount;
  }
  return {
    provider: ctx.provider,
    channel: ctx.channel,
    attemptId: typeof answer['out_trade_no'] === 'string' ? answer['out_trade_no'] : ctx.outTradeNo,
    providerReference: ctx.outTradeNo,
    status,
    amount,
    currency: 'CNY',
    amountRefunded,
    refunds: [],
    livemode: ctx.livemode,
    paidAt: status === 'succeeded' ? paidAt : null,
    raw: answer,
  };
}

/** The snapshot of a trade Alipay does not know yet (a QR code nobody has scanned, a page never opened). */
export function alipayUnopenedSnapshot(ctx: {
  provider: string;
  livemode: boolean;
  outTradeNo: string;
  channel: string | null;
  answer: AlipayAnswer;
}): PaymentSnapshot {
  return {
    provider: ctx.provider,
    channel: ctx.channel,
    attemptId: ctx.outTradeNo,
    providerReference: ctx.outTradeNo,
    status: 'requires_action',
    amount: 0,
    currency: 'CNY',
    amountRefunded: 0,
    refunds: [],
    livemode: ctx.livemode,
    paidAt: null,
    raw: ctx.answer,
  };
}

/**
 * A refund's result. Alipay refunds have no id of their own: `out_request_no` (our refund id) names one
 * within its trade, and is what `providerRefundId` holds.
 */
export function alipayRefundResult(
  provider: string,
  refundId: string,
  amount: number,
  status: ProviderRefund['status'],
  raw: unknown,
): RefundResult {
  return { provider, refundId, providerRefundId: refundId, status, amount, currency: 'CNY', raw };
}

/**
 * One refund from an `alipay.trade.fastpay.refund.query` answer, or `null` when Alipay shows none for that
 * `out_request_no` (never received, or failed: Alipay answers both alike, without refund fields). Alipay
 * reports `refund_status` only once the money has moved (`REFUND_SUCCESS`); until then the refund is pending.
 */
export function alipayQueriedRefund(answer: AlipayAnswer, refundId: string): ProviderRefund | null {
  const amount = fenOf(answer['refund_amount']);
  if (amount === null) return null;
  return {
    providerRefundId: refundId,
    refundId,
    amount,
    currency: 'CNY',
    status: answer['refund_status'] === 'REFUND_SUCCESS' ? 'succeeded' : 'pending',
    reason: typeof answer['refund_reason'] === 'string' ? answer['refund_reason'] : null,
  };
}
