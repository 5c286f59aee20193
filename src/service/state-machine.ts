/**
 * The one state machine every path goes through (webhooks, pulls, manual marks, refunds): a table of
 * (current status, signal) → decision. Data, not code, so a reader can check every transition here.
 *
 * Order: `init → pending → paid → refunded`, `init|pending → timeout`. Same-state is a no-op, `refunded` is
 * terminal, a late failure never undoes `paid`, and a verified success for a `timeout` order still records
 * the money (`paid`) and raises an anomaly. Attempt: `pending → paid | failed | closed`, `paid → refunded`;
 * a success for a `failed` attempt is recorded (the payer retried on the same payment page), one for a
 * `closed` attempt is recorded and reported.
 * @module
 */
import type { AttemptStatus, OrderStatus } from '../persistence/records.js';

/** What happened, as far as the state machine cares. */
export type PaymentSignal =
  /** A charge attempt is being started for the order. */
  | 'start'
  /** The provider confirmed the money arrived. */
  | 'paid'
  /** The provider reported a failed payment. */
  | 'failed'
  /** The remote payment was canceled or expired. */
  | 'canceled'
  /** Refunds now cover the whole paid amount. */
  | 'refunded'
  /** The order's payment window passed. */
  | 'timeout';

/**
 * A decision: move to `to` (`null`: stay), flag an `anomaly` for `onAnomaly`, or refuse (`refuse`: the signal
 * makes no sense now; `retry`: it arrived before what it depends on, so the provider should redeliver later).
 */
export interface Transition<S extends string> {
  /** The status to move to. */
  to: S | null;
  /** The anomaly to report, if any. */
  anomaly?: string;
  /** Why the transition is refused, if it is. */
  refuse?: 'invalid' | 'retry';
}

const stay = { to: null } as const;

/** Order transitions. */
export const ORDER_TRANSITIONS: Readonly<
  Record<OrderStatus, Readonly<Record<PaymentSignal, Transition<OrderStatus>>>>
> = {
  init: {
    start: { to: 'pending' },
    paid: { to: 'paid' },
    failed: stay,
    canceled: stay,
    refunded: { to: null, refuse: 'retry', anomaly: 'refund before payment' },
    timeout: { to: 'timeout' },
  },
  pending: {
    start: stay,
    paid: { to: 'paid' },
    failed: stay,
    canceled: stay,
    refunded: { to: null, refuse: 'retry', anomaly: 'refund before payment' },
    timeout: { to: 'timeout' },
  },
  paid: {
    start: { to: null, refuse: 'invalid' },
    paid: stay,
    failed: stay,
    canceled: stay,
    refunded: { to: 'refunded' },
    timeout: stay,
  },
  refunded: {
    start: { to: null, refuse: 'invalid' },
    paid: stay,
    failed: stay,
    canceled: stay,
    refunded: stay,
    timeout: stay,
  },
  timeout: {
    start: { to: null, refuse: 'invalid' },
    paid: { to: 'paid', anomaly: 'payment succeeded after the order timed out' },
    failed: stay,
    canceled: stay,
    refunded: { to: null, refuse: 'retry', anomaly: 'refund before payment' },
    timeout: stay,
  },
};

/** Attempt transitions (`start` and `timeout` do not apply to attempts). */
export const ATTEMPT_TRANSITIONS: Readonly<
  Record<AttemptStatus, Readonly<Record<Exclude<PaymentSignal, 'start' | 'timeout'>, Transition<AttemptStatus>>>>
> = {
  pending: {
    paid: { to: 'paid' },
    failed: { to: 'failed' },
    canceled: { to: 'closed' },
    refunded: { to: null, refuse: 'retry', anomaly: 'refund before payment' },
  },
  paid: { paid: stay, failed: stay, canceled: stay, refunded: { to: 'refunded' } },
  failed: {
    // A declined card is not the end of a PaymentIntent or Checkout Session: the payer may retry on the same
    // page and succeed. That success is normal, not an anomaly.
    paid: { to: 'paid' },
    failed: stay,
    canceled: stay,
    refunded: { to: null, refuse: 'retry', anomaly: 'refund before payment' },
  },
  closed: {
    paid: { to: 'paid', anomaly: 'payment succeeded after the attempt was closed' },
    failed: stay,
    canceled: stay,
    refunded: { to: null, refuse: 'retry', anomaly: 'refund before payment' },
  },
  refunded: { paid: stay, failed: stay, canceled: stay, refunded: stay },
};

/** The order decision for `signal` in `status`. */
export function decideOrder(status: OrderStatus, signal: PaymentSignal): Transition<OrderStatus> {
  return ORDER_TRANSITIONS[status][signal];
}

/** The attempt decision for `signal` in `status`. */
export function decideAttempt(
  status: AttemptStatus,
  signal: Exclude<PaymentSignal, 'start' | 'timeout'>,
): Transition<AttemptStatus> {
  return ATTEMPT_TRANSITIONS[status][signal];
}

/** Statuses from which an order may move to `to` (the guard of a guarded update). */
export function orderSourcesOf(to: OrderStatus, signal: PaymentSignal): OrderStatus[] {
  return (Object.keys(ORDER_TRANSITIONS) as OrderStatus[]).filter((s) => ORDER_TRANSITIONS[s][signal].to === to);
}

/** Statuses from which an attempt may move to `to` on `signal`. */
export function attemptSourcesOf(
  to: AttemptStatus,
  signal: Exclude<PaymentSignal, 'start' | 'timeout'>,
): AttemptStatus[] {
  return (Object.keys(ATTEMPT_TRANSITIONS) as AttemptStatus[]).filter((s) => ATTEMPT_TRANSITIONS[s][signal].to === to);
}
