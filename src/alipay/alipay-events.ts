/**
 * Verified Alipay notifications → `PaymentEvent`s (through `ALIPAY_NOTIFY_EVENT_TYPES`).
 * @module
 */
import type { PaymentEvent, ProviderRefund } from '../core/types.js';
import { ALIPAY_NOTIFY_EVENT_TYPES, isAlipayTradeStatus } from './alipay-mappers.js';
import { fenOf, parseBeijingTime } from './alipay-values.js';

/** Context of {@link alipayNotificationEvent}. */
export interface AlipayEventContext {
  provider: string;
  livemode: boolean;
  receivedAt: Date;
  /**
   * The refund's own amount, looked up by its `out_request_no` (`alipay.trade.fastpay.refund.query`). Without it a
   * refund notification carries no refund list: its `refund_fee` is the trade's cumulative refunded amount, which is
   * not this refund's amount once a trade has had more than one refund.
   */
  refundAmount?: number | null;
}

/** Whether a notification reports a refund (`out_biz_no` = our refund id, `refund_fee` = refunded so far). */
export function isRefundNotification(params: Readonly<Record<string, string>>): boolean {
  return Boolean(params['out_biz_no']) && fenOf(params['refund_fee']) !== null && fenOf(params['refund_fee'])! > 0;
}

/**
 * Normalises a verified notification. The event id is Alipay's `notify_id` (the same across redeliveries
 * of one notification); the attempt id and reference are `out_trade_no`.
 */
export function alipayNotificationEvent(
  params: Readonly<Record<string, string>>,
  ctx: AlipayEventContext,
): PaymentEvent {
  const outTradeNo = params['out_trade_no'] || null;
  const tradeStatus = params['trade_status'];
  const refund = isRefundNotification(params);
  const type = refund
    ? 'refund.succeeded'
    : isAlipayTradeStatus(tradeStatus)
      ? ALIPAY_NOTIFY_EVENT_TYPES[tradeStatus]
      : 'unsupported';
  const occurredAt =
    parseBeijingTime(refund ? params['gmt_refund'] : undefined) ??
    parseBeijingTime(tradeStatus === 'TRADE_CLOSED' ? params['gmt_close'] : params['gmt_payment']) ??
    parseBeijingTime(params['notify_time']) ??
    ctx.receivedAt;
  const refundAmount = ctx.refundAmount ?? null;
  const refunds: ProviderRefund[] =
    refund && refundAmount !== null
      ? [
          {
            providerRefundId: params['out_biz_no'] as string,
            refundId: params['out_biz_no'] as string,
            amount: refundAmount,
            currency: 'CNY',
            status: 'succeeded',
            reason: null,
          },
        ]
      : [];
  return {
    provider: ctx.provider,
    eventId:
      params['notify_id'] || `${outTradeNo ?? 'unknown'}:${tradeStatus ?? 'unknown'}:${params['notify_time'] ?? ''}`,
    type,
    providerEventType: refund ? `${tradeStatus ?? 'UNKNOWN'}+refund` : (tradeStatus ?? 'UNKNOWN'),
    attemptId: outTradeNo,
    orderId: null,
    providerReference: outTradeNo,
    amount: refund ? refundAmount : fenOf(params['total_amount']),
    currency: 'CNY',
    livemode: ctx.livemode,
    occurredAt,
    refunds,
    failure: null,
    raw: { ...params },
  };
}
