/**
 * Status codes as stored in SQL, and their string unions. The order and attempt codes are those of the
 * original system (so its rows and its code keep meaning the same thing); refund codes are ours.
 * Each table is data, tested row by row.
 * @module
 */
import type { OutboxStatus } from '../persistence/outbox-port.js';
import type { AttemptStatus, OrderStatus, RefundStatus } from '../persistence/records.js';

/** Order status → `order_orders.status`. */
export const ORDER_STATUS_CODES: Readonly<Record<OrderStatus, number>> = Object.freeze({
  init: 501,
  paid: 502,
  refunded: 503,
  pending: 504,
  timeout: 505,
});

/** Attempt status → `status` of the attempt tables (0 was "unpaid" in the original system). */
export const ATTEMPT_STATUS_CODES: Readonly<Record<AttemptStatus, number>> = Object.freeze({
  pending: 0,
  paid: 1,
  refunded: 2,
  closed: 3,
  failed: 4,
});

/** Refund status → `order_refunds.status`. */
export const REFUND_STATUS_CODES: Readonly<Record<RefundStatus, number>> = Object.freeze({
  pending: 0,
  succeeded: 1,
  failed: 2,
  canceled: 3,
});

/** Outbox status → `order_payment_outbox.status`. */
export const OUTBOX_STATUS_CODES: Readonly<Record<OutboxStatus, number>> = Object.freeze({
  pending: 0,
  delivered: 1,
  dead: 2,
});

/** Reverses a code table; an unknown code read from the database is a data error worth failing on. */
function decoder<S extends string>(table: Readonly<Record<S, number>>, what: string): (code: unknown) => S {
  const byCode = new Map<number, S>(Object.entries(table).map(([status, code]) => [code as number, status as S]));
  return (code) => {
    // Number(null) and Number('') are 0, a valid code: only accept real integers.
    const numeric =
      typeof code === 'number' || typeof code === 'bigint'
        ? Number(code)
        : typeof code === 'string' && /^\d+$/.test(code)
          ? Number(code)
          : NaN;
    const status = byCode.get(numeric);
    if (status === undefined) throw new TypeError(`Unknown ${what} status code ${String(code)} in the database.`);
    return status;
  };
}

/** `order_orders.status` code → {@link OrderStatus}. */
export const orderStatusFromCode = decoder(ORDER_STATUS_CODES, 'order');
/** Attempt table status code → {@link AttemptStatus}. */
export const attemptStatusFromCode = decoder(ATTEMPT_STATUS_CODES, 'attempt');
/** `order_refunds.status` code → {@link RefundStatus}. */
export const refundStatusFromCode = decoder(REFUND_STATUS_CODES, 'refund');
/** `order_payment_outbox.status` code → {@link OutboxStatus}. */
export const outboxStatusFromCode = decoder(OUTBOX_STATUS_CODES, 'outbox');
