/**
 * Normalised results from WeChat Pay answers: the creation result (with its browser-safe view), the snapshot
 * of an order query, and refund results.
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
import {
  isWechatPayRefundState,
  isWechatPayTradeState,
  WECHATPAY_REFUND_STATUS,
  WECHATPAY_TRADE_STATE,
} from './wechatpay-mappers.js';
import { fenValue, parseWechatpayTime } from './wechatpay-values.js';

/** Facts of one creation. */
export interface WechatPayCreation {
  provider: string;
  channel: string;
  attemptId: string;
  amount: number;
  status: PaymentStatus;
  nextAction: NextAction;
  /** Legacy single string: `code_url` or `h5_url`; `null` for JSAPI and App (their parameters are an object). */
  qrUrl: string | null;
  expiresAt: Date | null;
  livemode: boolean;
  raw: unknown;
}

/** The creation result; `providerReference` is our `out_trade_no` (WeChat Pay's `transaction_id` comes with payment). */
export function wechatpayCreationResult(c: WechatPayCreation): PaymentCreationResult {
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
 * The snapshot of an order query (`GET /v3/pay/transactions/out-trade-no/{out_trade_no}`). WeChat Pay's query
 * does not report refunds (a refunded order reads `REFUND`, still a succeeded payment), so `amountRefunded` is 0
 * and `refunds` empty here; `retrievePayment` adds the refunds it is asked about (`refundIds`) from the refund query.
 */
export function wechatpaySnapshot(
  tx: Record<string, unknown>,
  ctx: { provider: string; livemode: boolean; outTradeNo: string; channel: string | null },
): PaymentSnapshot {
  const state = tx['trade_state'];
  const status: PaymentStatus = isWechatPayTradeState(state) ? WECHATPAY_TRADE_STATE[state] : 'pending';
  const amount = (tx['amount'] ?? {}) as Record<string, unknown>;
  return {
    provider: ctx.provider,
    channel: ctx.channel,
    attemptId: typeof tx['out_trade_no'] === 'string' ? tx['out_trade_no'] : ctx.outTradeNo,
    providerReference: ctx.outTradeNo,
    status,
    amount: fenValue(amount['total']) ?? 0,
    currency: typeof amount['currency'] === 'string' ? amount['currency'].toUpperCase() : 'CNY',
    amountRefunded: 0,
    refunds: [],
    livemode: ctx.livemode,
    paidAt: status === 'succeeded' ? parseWechatpayTime(tx['success_time']) : null,
    raw: tx,
  };
}

/**
 * The snapshot of an order WeChat Pay does not know (`ORDER_NOT_EXIST`): `requires_action` from a query (nothing
 * to apply yet), `canceled` from a cancel (nobody can pay it).
 */
export function wechatpayMissingSnapshot(ctx: {
  provider: string;
  livemode: boolean;
  outTradeNo: string;
  channel: string | null;
  status: PaymentStatus;
}): PaymentSnapshot {
  return {
    provider: ctx.provider,
    channel: ctx.channel,
    attemptId: ctx.outTradeNo,
    providerReference: ctx.outTradeNo,
    status: ctx.status,
    amount: 0,
    currency: 'CNY',
    amountRefunded: 0,
    refunds: [],
    livemode: ctx.livemode,
    paidAt: null,
    raw: { code: 'ORDER_NOT_EXIST' },
  };
}

/** A refund as WeChat Pay reports it (refund answer, refund query or refund notification resource). */
export function wechatpayRefund(refund: Record<string, unknown>, fallbackRefundId: string | null): ProviderRefund {
  const state = refund['status'] ?? refund['refund_status'];
  const amount = (refund['amount'] ?? {}) as Record<string, unknown>;
  return {
    providerRefundId: typeof refund['refund_id'] === 'string' ? refund['refund_id'] : (fallbackRefundId ?? ''),
    refundId: typeof refund['out_refund_no'] === 'string' ? refund['out_refund_no'] : fallbackRefundId,
    amount: fenValue(amount['refund']) ?? 0,
    currency: typeof amount['currency'] === 'string' ? amount['currency'].toUpperCase() : 'CNY',
    status: isWechatPayRefundState(state) ? WECHATPAY_REFUND_STATUS[state] : 'pending',
    reason: null,
  };
}

/** A refund's result from a refund answer or refund query. */
export function wechatpayRefundResult(
  provider: string,
  refundId: string,
  refund: Record<string, unknown>,
): RefundResult {
  const r = wechatpayRefund(refund, refundId);
  return {
    provider,
    refundId,
    providerRefundId: r.providerRefundId,
    status: r.status,
    amount: r.amount,
    currency: r.currency,
    raw: refund,
  };
}
