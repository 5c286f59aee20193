/**
 * What the service writes to the outbox, and how a consumer reads it back: the notification types, their
 * unique keys, and the JSON form of a {@link PaymentNotification} or {@link PaymentAnomaly}.
 * @module
 */
import type { NewOutboxMessage, OutboxRecord } from '../persistence/outbox-port.js';
import type { JsonValue } from '../persistence/records.js';
import { toJsonValue } from '../persistence/record-validation.js';
import type { PaymentAnomaly, PaymentNotification } from '../service/hooks.js';

/** The outbox types the service writes. */
export type PaymentOutboxType = PaymentNotification['type'] | 'payment.anomaly';

/** Every type the service writes, in the order a reader meets them. */
export const PAYMENT_OUTBOX_TYPES: readonly PaymentOutboxType[] = [
  'order.paid',
  'order.refunded',
  'payment.failed',
  'payment.anomaly',
];

/** The notification types `afterCommit` hooks receive (anomalies go to `onAnomaly`). */
export const NOTIFICATION_TYPES: readonly PaymentNotification['type'][] = [
  'order.paid',
  'order.refunded',
  'payment.failed',
];

/** A delivered outbox row, as a consumer receives it. */
export interface OutboxMessage {
  /** Unique key: a consumer that already handled it can drop it (deliveries are at least once). */
  readonly key: string;
  /** What it announces. */
  readonly type: string;
  /** The JSON payload. */
  readonly payload: JsonValue;
  /** The order it concerns, if any. */
  readonly orderId: string | null;
  /** Which delivery this is: 1 for the first. */
  readonly attempt: number;
  /** When the change committed. */
  readonly createdAt: Date;
}

/**
 * The outbox row of a committed notification. Keys: `order.paid:<orderId>` (an order is paid once),
 * `payment.failed:<attemptId>` (an attempt fails once), `order.refunded:<refundId>:<refund updatedAt>` (a
 * refund can succeed again after a reversal). The attempt's provider object and creation result (`raw`,
 * `result`) and the refund's `raw` are left out (`null`): they can hold client secrets, and the rows keep them.
 */
export function notificationMessage(notification: PaymentNotification): NewOutboxMessage {
  const { order } = notification;
  const key =
    notification.type === 'order.paid'
      ? `order.paid:${order.orderId}`
      : notification.type === 'payment.failed'
        ? `payment.failed:${notification.attempt.attemptId}`
        : `order.refunded:${notification.refund.refundId}:${notification.refund.updatedAt.getTime()}`;
  const payload: Record<string, unknown> = { ...notification };
  if (notification.attempt) payload['attempt'] = { ...notification.attempt, raw: null, result: null };
  if (notification.type === 'order.refunded') payload['refund'] = { ...notification.refund, raw: null };
  return { key, type: notification.type, orderId: order.orderId, payload: toJsonValue(payload) };
}

/**
 * The outbox row of an anomaly. An anomaly raised by a provider event is keyed by that event (journalled
 * once) and its place among the event's anomalies; one without an event gets `unique` (a fresh id).
 */
export function anomalyMessage(anomaly: PaymentAnomaly, index: number, unique: () => string): NewOutboxMessage {
  // An event_conflict belongs to the conflicting body, not to the event id (whose first delivery may have
  // raised its own anomaly under index 0): one row per distinct conflicting payload hash.
  const key =
    anomaly.eventId !== null && anomaly.provider !== null
      ? anomaly.kind === 'event_conflict' && typeof anomaly.actual === 'string'
        ? `payment.anomaly:${anomaly.provider}:${anomaly.eventId}:conflict:${anomaly.actual}`
        : `payment.anomaly:${anomaly.provider}:${anomaly.eventId}:${index}`
      : `payment.anomaly:${anomaly.kind}:${unique()}`;
  return {
    key: key.length > 255 ? `payment.anomaly:${anomaly.kind}:${unique()}` : key,
    type: 'payment.anomaly',
    orderId: anomaly.orderId,
    payload: toJsonValue(anomaly),
  };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** JSON back to the record shapes: every ISO timestamp under a key ending in `At` becomes a `Date`. */
function revive(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && key.endsWith('At') && ISO.test(value)) return new Date(value);
  if (Array.isArray(value)) return value.map((v) => revive(v));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v, k)]));
  }
  return value;
}

/** The notification a message carries (for `afterCommit`-style consumers), or `null` for another type. */
export function toPaymentNotification(message: Pick<OutboxMessage, 'type' | 'payload'>): PaymentNotification | null {
  if (!(NOTIFICATION_TYPES as readonly string[]).includes(message.type)) return null;
  return revive(message.payload) as PaymentNotification;
}

/** The anomaly a `payment.anomaly` message carries, or `null`. */
export function toPaymentAnomaly(message: Pick<OutboxMessage, 'type' | 'payload'>): PaymentAnomaly | null {
  return message.type === 'payment.anomaly' ? (message.payload as unknown as PaymentAnomaly) : null;
}

/** The message a consumer receives for a claimed row. */
export function outboxMessageOf(record: OutboxRecord): OutboxMessage {
  return {
    key: record.key,
    type: record.type,
    payload: record.payload,
    orderId: record.orderId,
    attempt: record.attempts,
    createdAt: record.createdAt,
  };
}
