/**
 * Outbox consumers: what a dispatcher delivers rows to. A consumer is a name (stable across restarts: the
 * row remembers which names took it) and a `deliver` function that resolves once the message is handed
 * on, or throws to have it retried with backoff. Deliveries are at least once: drop a `key` you have seen.
 * @module
 */
import type { PaymentAnomaly, PaymentHooks, PaymentNotification } from '../service/hooks.js';
import { NOTIFICATION_TYPES, toPaymentAnomaly, toPaymentNotification, type OutboxMessage } from './outbox-messages.js';

/** What `deliver` gets besides the message. */
export interface OutboxDeliveryContext {
  /** Aborted shortly before the claim's lease ends (after that another dispatcher may take the row). */
  readonly signal: AbortSignal;
}

/** A destination of outbox rows. */
export interface OutboxConsumer {
  /** Stable, unique name (at most 255 characters); the row records which names took it. */
  readonly name: string;
  /** The types it takes. @default the four payment types (`PAYMENT_OUTBOX_TYPES`) */
  readonly types?: readonly string[];
  /** Hands the message on; a throw (or rejection) retries it with backoff. */
  deliver(message: OutboxMessage, context: OutboxDeliveryContext): Promise<void> | void;
}

/**
 * A consumer from an `afterCommit`-style function (the Feishu notifier, a host callback): it receives the
 * {@link PaymentNotification} with its dates restored. Only the three notification types reach it.
 *
 * @example
 * ```ts
 * notificationConsumer('feishu', createFeishuNotifier({ webhookUrl, failures: 'throw' }))
 * ```
 */
export function notificationConsumer(
  name: string,
  fn: (notification: PaymentNotification) => Promise<void> | void,
  types: readonly PaymentNotification['type'][] = NOTIFICATION_TYPES,
): OutboxConsumer {
  return {
    name,
    types,
    deliver: async (message) => {
      const notification = toPaymentNotification(message);
      if (notification) await fn(notification);
    },
  };
}

/** A consumer from an `onAnomaly`-style function: `payment.anomaly` rows only. */
export function anomalyConsumer(name: string, fn: (anomaly: PaymentAnomaly) => Promise<void> | void): OutboxConsumer {
  return {
    name,
    types: ['payment.anomaly'],
    deliver: async (message) => {
      const anomaly = toPaymentAnomaly(message);
      if (anomaly) await fn(anomaly);
    },
  };
}

/**
 * The consumers a service's hooks amount to: each `afterCommit` function as `afterCommit#<index>` and
 * `onAnomaly` as `onAnomaly`. A worker started from the service uses these names too, so a row one of them
 * took in the request is not handed to it again by the worker.
 */
export function hookConsumers<THandle>(hooks: PaymentHooks<THandle>): OutboxConsumer[] {
  const after = hooks.afterCommit;
  const list = after === undefined ? [] : typeof after === 'function' ? [after] : after;
  const consumers = list.map((fn, i) => notificationConsumer(`afterCommit#${i}`, fn));
  if (hooks.onAnomaly) consumers.push(anomalyConsumer('onAnomaly', hooks.onAnomaly));
  return consumers;
}
