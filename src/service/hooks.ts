/**
 * Host hooks. Transactional hooks run inside the transaction that changes the order, with its handle, so
 * the host's own writes (promote the user, grant the course) commit or roll back with the payment. A throw
 * rolls everything back; a webhook then answers 5xx and the provider redelivers. After-commit hooks
 * (notifications) run only once the change is committed and can never undo it.
 * @module
 */
import type { PaymentEvent } from '../core/types.js';
import type { PaymentRepositoriesTx } from '../persistence/ports.js';
import type { AttemptRecord, OrderRecord, RefundRecord } from '../persistence/records.js';

/** Where a change came from. */
export type ChangeSource = 'webhook' | 'sync' | 'charge' | 'refund' | 'manual' | 'free';

/** What a transactional hook receives. */
export interface TransactionalHookContext<THandle = unknown> {
  /** The repositories bound to the open transaction. */
  tx: PaymentRepositoriesTx<THandle>;
  /** The implementation's transaction (the Kysely `Transaction` for the Kysely repositories). */
  handle: THandle;
  /** The order after the change. */
  order: OrderRecord;
  /** The attempt involved, if any (none for manual and free orders). */
  attempt: AttemptRecord | null;
  /** The provider event that caused the change, if any. */
  event: PaymentEvent | null;
  source: ChangeSource;
}

/** Context of `onOrderRefunded`. */
export interface RefundHookContext<THandle = unknown> extends TransactionalHookContext<THandle> {
  refund: RefundRecord;
  /** Whether refunds now cover the whole paid amount (the order became `refunded`). */
  fullyRefunded: boolean;
}

/** A committed change, as after-commit hooks see it. */
export type PaymentNotification =
  | { type: 'order.paid'; order: OrderRecord; attempt: AttemptRecord | null; source: ChangeSource }
  | {
      type: 'order.refunded';
      order: OrderRecord;
      attempt: AttemptRecord | null;
      refund: RefundRecord;
      fullyRefunded: boolean;
      source: ChangeSource;
    }
  | { type: 'payment.failed'; order: OrderRecord; attempt: AttemptRecord; source: ChangeSource };

/** Something a payments engineer must look at: money and records disagree. */
export interface PaymentAnomaly {
  kind:
    | 'amount_mismatch'
    | 'currency_mismatch'
    | 'livemode_mismatch'
    | 'order_mismatch'
    | 'attempt_mismatch'
    | 'provider_mismatch'
    | 'unknown_attempt'
    | 'late_success'
    | 'double_payment'
    | 'refund_before_payment'
    | 'refund_reversed';
  message: string;
  provider: string | null;
  eventId: string | null;
  orderId: string | null;
  attemptId: string | null;
  expected?: unknown;
  actual?: unknown;
}

/** Hooks a host passes to `createPaymentService`. All optional. */
export interface PaymentHooks<THandle = unknown> {
  /**
   * Computes the payable amount from the list price and the discounts asked for (coupons, promotions).
   * Runs in `initOrder`. Must return integer minor units ≥ 0.
   */
  computeDiscount?: (input: {
    userId: string;
    productId: string;
    payableAmount: number;
    currency: string;
    discounts: readonly string[];
  }) => Promise<{ payableAmount: number }> | { payableAmount: number };
  /** In the transaction that marks the order paid. Grant what was bought here. */
  onOrderPaid?: (ctx: TransactionalHookContext<THandle>) => Promise<void> | void;
  /** In the transaction that records a succeeded refund. Revoke here when `fullyRefunded`. */
  onOrderRefunded?: (ctx: RefundHookContext<THandle>) => Promise<void> | void;
  /** In the transaction that marks an attempt failed. */
  onPaymentFailed?: (ctx: TransactionalHookContext<THandle> & { attempt: AttemptRecord }) => Promise<void> | void;
  /** After commit, once per committed change. Errors are logged and never undo anything. */
  afterCommit?:
    | ((notification: PaymentNotification) => Promise<void> | void)
    | ReadonlyArray<(notification: PaymentNotification) => Promise<void> | void>;
  /** Integrity failures and late or double payments. Called after the decision is committed. Errors are logged. */
  onAnomaly?: (anomaly: PaymentAnomaly) => Promise<void> | void;
}

/** Minimal structured logger (console-compatible). Never receives secrets. */
export interface PaymentLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const silentLogger: PaymentLogger = { info() {}, warn() {}, error() {} };
