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
  /** What made the change: a webhook, a sync, the charge or refund call, a manual change or a free order. */
  source: ChangeSource;
}

/** Context of `onOrderRefunded`. */
export interface RefundHookContext<THandle = unknown> extends TransactionalHookContext<THandle> {
  /** The refund that just succeeded, as it is being committed. */
  refund: RefundRecord;
  /** Whether refunds now cover the whole paid amount (the order became `refunded`). */
  fullyRefunded: boolean;
}

/** A committed change, as after-commit hooks see it. */
export type PaymentNotification =
  | {
      /** The order became `paid` (once per order, however many deliveries or syncs reported it). */
      type: 'order.paid';
      /** The order as committed, status `paid`. */
      order: OrderRecord;
      /** The attempt that paid it; `null` for a free order or one marked paid by hand. */
      attempt: AttemptRecord | null;
      /** What made the change: a webhook, a sync, a free order… */
      source: ChangeSource;
    }
  | {
      /** A refund succeeded (once per refund). */
      type: 'order.refunded';
      /** The order as committed: `refunded` when refunds now cover everything captured, else still `paid`. */
      order: OrderRecord;
      /** The attempt whose payment was refunded, if known. */
      attempt: AttemptRecord | null;
      /** The refund as committed, status `succeeded`. */
      refund: RefundRecord;
      /** Whether refunds now cover the whole captured amount (the order became `refunded`). */
      fullyRefunded: boolean;
      /** What made the change: the refund call itself, a webhook, or a sync. */
      source: ChangeSource;
    }
  | {
      /** A payment attempt failed for good (declined); the order is unchanged and can be paid by another attempt. */
      type: 'payment.failed';
      /** The order, unchanged by the failure. */
      order: OrderRecord;
      /** The attempt that failed, with its failure code and message. */
      attempt: AttemptRecord;
      /** What made the change: a webhook or a sync. */
      source: ChangeSource;
    };

/** Something a payments engineer must look at: money and records disagree. */
export interface PaymentAnomaly {
  /** Which kind it is. */
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
    | 'refund_reversed'
    | 'event_conflict'
    | 'account_mismatch';
  /** Human-readable explanation. */
  message: string;
  /** Provider instance name (registry key). */
  provider: string | null;
  /** The provider's event id (unique per provider). */
  eventId: string | null;
  /** Our order id. */
  orderId: string | null;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string | null;
  /** What our records say. */
  expected?: unknown;
  /** What the provider says. */
  actual?: unknown;
}

/** What `computeDiscount` returns. */
export interface DiscountResult {
  /** The amount due after discounts, in minor units of the order's currency: an integer ≥ 0. */
  payableAmount: number;
}

/** Hooks a host passes to `createPaymentService`. All optional. */
export interface PaymentHooks<THandle = unknown> {
  /**
   * Computes the payable amount from the list price and the discounts asked for (coupons, promotions).
   * Runs in `initOrder`. Must return integer minor units ≥ 0.
   */
  computeDiscount?: (input: {
    /** The buyer, as passed to `initOrder`. */
    userId: string;
    /** What is bought, as passed to `initOrder`. */
    productId: string;
    /** The list price, in minor units of `currency`. */
    payableAmount: number;
    /** ISO 4217 code of the amounts. */
    currency: string;
    /** The discount codes the buyer asked for (`initOrder`'s `discounts`), unvalidated: check them here. */
    discounts: readonly string[];
  }) => Promise<DiscountResult> | DiscountResult;
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
  /** Logs a debug message with structured fields. */
  debug?(message: string, fields?: Record<string, unknown>): void;
  /** Logs an informational message with structured fields. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Logs a warning with structured fields. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Logs an error with structured fields. */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const silentLogger: PaymentLogger = { info() {}, warn() {}, error() {} };
