/**
 * Normalises verified Ping++ events and refund objects into the library's types.
 * @module
 */
import { WebhookVerificationError } from '../core/errors.js';
import type { PaymentEvent, ProviderRefund } from '../core/types.js';
import { mapPingxxEventType, mapPingxxRefundStatus } from './pingxx-mappers.js';
import { isPingxxCharge, isPingxxRefund, type PingxxEvent, type PingxxRefund } from './pingxx-types.js';

/**
 * Turns a verified Ping++ event into a {@link PaymentEvent}.
 *
 * - `charge.succeeded` → `payment.succeeded`: `attemptId` = `order_no`, `orderId` = `metadata.order_bid`,
 *   `providerReference` = charge id, the charge's amount and currency.
 * - `refund.succeeded` → `refund.succeeded`: `attemptId` = `charge_order_no`, `providerReference` = the
 *   charge id, the refund's amount, and the refund in `refunds` with our `refund_bid` from its metadata.
 * - anything else → `unsupported` (never an error).
 *
 * `livemode` is the event's; `occurredAt` is the event's `created`.
 * @throws WebhookVerificationError when a supported event does not carry the object it should.
 */
export function normalizePingxxEvent(event: PingxxEvent, provider: string): PaymentEvent {
  const type = mapPingxxEventType(event.type);
  const normalized: PaymentEvent = {
    provider,
    eventId: event.id,
    type,
    providerEventType: event.type,
    attemptId: null,
    orderId: null,
    providerReference: null,
    amount: null,
    currency: null,
    livemode: event.livemode === true,
    occurredAt: new Date(event.created * 1000),
    refunds: [],
    failure: null,
    raw: event,
  };
  const object = event.data.object;
  // Filled in place rather than spread: this runs once per webhook, and one shape stays cheap.
  if (type === 'payment.succeeded') {
    if (!isPingxxCharge(object)) throw malformed(event, provider);
    normalized.attemptId = object.order_no;
    normalized.orderId = metadataValue(object.metadata, 'order_bid');
    normalized.providerReference = object.id;
    normalized.amount = object.amount;
    normalized.currency = object.currency.toUpperCase();
    return normalized;
  }
  if (type === 'refund.succeeded') {
    if (!isPingxxRefund(object)) throw malformed(event, provider);
    const refund = toProviderRefund(object);
    normalized.attemptId = typeof object.charge_order_no === 'string' ? object.charge_order_no : null;
    normalized.orderId = metadataValue(object.metadata, 'order_bid');
    normalized.providerReference = object.charge;
    normalized.amount = refund.amount;
    normalized.currency = refund.currency;
    normalized.refunds = [refund];
    return normalized;
  }
  return normalized;
}

/**
 * A Ping++ refund as a {@link ProviderRefund}: our refund id is `metadata.refund_bid`, the reason is the
 * refund's `description`. Ping++ refunds carry no currency of their own; they are in the charge's (CNY).
 */
export function toProviderRefund(refund: PingxxRefund): ProviderRefund {
  return {
    providerRefundId: refund.id,
    refundId: metadataValue(refund.metadata, 'refund_bid'),
    amount: refund.amount,
    currency: (typeof refund.currency === 'string' ? refund.currency : 'cny').toUpperCase(),
    status: mapPingxxRefundStatus(refund),
    reason: typeof refund.description === 'string' && refund.description !== '' ? refund.description : null,
  };
}

function metadataValue(metadata: unknown, key: string): string | null {
  if (typeof metadata !== 'object' || metadata === null) return null;
  const value = (metadata as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

function malformed(event: PingxxEvent, provider: string): WebhookVerificationError {
  return new WebhookVerificationError(`Ping++ ${event.type} event ${event.id} does not carry a valid object.`, {
    code: 'WEBHOOK_PAYLOAD_INVALID',
    provider,
  });
}
