/**
 * A verified, decrypted WeChat Pay notification → {@link PaymentEvent}, through the tables of
 * `wechatpay-mappers.ts`. Payment notifications (`TRANSACTION.SUCCESS`, resource `transaction`) are read through
 * the resource's `trade_state`; refund notifications (`REFUND.SUCCESS` / `ABNORMAL` / `CLOSED`, resource `refund`)
 * carry the one refund they are about. Anything else is `unsupported`, never an error.
 * @module
 */
import type { PaymentEvent, PaymentEventType } from '../core/types.js';
import {
  isWechatPayTradeState,
  WECHATPAY_NOTIFY_EVENT_TYPES,
  WECHATPAY_TRADE_STATE_EVENTS,
} from './wechatpay-mappers.js';
import { wechatpayRefund } from './wechatpay-results.js';
import { fenValue, parseWechatpayTime } from './wechatpay-values.js';

/** The notification envelope (the JSON body, its `resource` decrypted separately). */
export interface WechatPayNotificationEnvelope {
  id: string;
  create_time?: string | undefined;
  event_type: string;
  resource_type?: string | undefined;
  summary?: string | undefined;
}

/** Whether a notification is about a refund. */
export function isRefundNotification(
  envelope: WechatPayNotificationEnvelope,
  resource: Record<string, unknown>,
): boolean {
  return envelope.event_type.startsWith('REFUND.') || typeof resource['out_refund_no'] === 'string';
}

/** Normalises one notification. */
export function wechatpayNotificationEvent(
  envelope: WechatPayNotificationEnvelope,
  resource: Record<string, unknown>,
  ctx: { provider: string; livemode: boolean; receivedAt: Date },
): PaymentEvent {
  const outTradeNo = typeof resource['out_trade_no'] === 'string' ? resource['out_trade_no'] : null;
  const amount = (resource['amount'] ?? {}) as Record<string, unknown>;
  const currency = typeof amount['currency'] === 'string' ? amount['currency'].toUpperCase() : 'CNY';
  // The provider object (the decrypted transaction or refund), as stored on the attempt; the envelope's id
  // and type are the event's own fields.
  const raw = resource;
  const created = parseWechatpayTime(envelope.create_time);
  const base = {
    provider: ctx.provider,
    eventId: envelope.id,
    providerEventType: envelope.event_type,
    attemptId: outTradeNo,
    providerReference: outTradeNo,
    currency,
    livemode: ctx.livemode,
    raw,
  };
  if (isRefundNotification(envelope, resource)) {
    const type: PaymentEventType = WECHATPAY_NOTIFY_EVENT_TYPES[envelope.event_type] ?? 'unsupported';
    const refund = wechatpayRefund(resource, null);
    const refunds = type === 'unsupported' ? [] : [refund];
    return {
      ...base,
      type: type.startsWith('refund.') ? type : 'unsupported',
      orderId: null,
      amount: refund.amount,
      occurredAt: parseWechatpayTime(resource['success_time']) ?? created ?? ctx.receivedAt,
      refunds,
      failure:
        type === 'refund.failed'
          ? { code: typeof resource['refund_status'] === 'string' ? resource['refund_status'] : null, message: null }
          : null,
    };
  }
  const state = resource['trade_state'];
  // Only event types of the table are read; the signed resource's trade_state then says what happened.
  const known =
    WECHATPAY_NOTIFY_EVENT_TYPES[envelope.event_type]?.startsWith('payment.') === true && isWechatPayTradeState(state);
  const type: PaymentEventType = known ? WECHATPAY_TRADE_STATE_EVENTS[state] : 'unsupported';
  return {
    ...base,
    type,
    orderId: typeof resource['attach'] === 'string' && resource['attach'] !== '' ? resource['attach'] : null,
    amount: fenValue(amount['total']),
    occurredAt: parseWechatpayTime(resource['success_time']) ?? created ?? ctx.receivedAt,
    refunds: [],
    failure:
      type === 'payment.failed'
        ? {
            code: typeof state === 'string' ? state : null,
            message: typeof resource['trade_state_desc'] === 'string' ? resource['trade_state_desc'] : null,
          }
        : null,
  };
}
