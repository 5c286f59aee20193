/**
 * The independent read path the conformance kit checks every write through: plain SQL and its own small
 * mapping, sharing nothing with the adapter's reads, so a broken read in the adapter cannot hide a broken
 * write.
 * @module
 */
import type { AttemptStatus, MerchantAccountSnapshot, OrderStatus, RefundStatus } from '@org/payment-factory';
import type { RawReadPath } from '@org/payment-factory/testing';
import type Database from 'better-sqlite3';

/** Reads the host's tables directly. */
export function createShopRawReadPath(db: Database.Database): RawReadPath {
  const get = <T>(sql: string, ...params: unknown[]): T | undefined => db.prepare(sql).get(...params) as T | undefined;
  return {
    async order(orderId) {
      const row = get<{
        order_id: string;
        user_id: string;
        product_id: string;
        list_minor: number;
        payable_minor: number;
        paid_minor: number;
        currency: string;
        status: string;
      }>(
        'SELECT order_id, user_id, product_id, list_minor, payable_minor, paid_minor, currency, status FROM shop_orders WHERE order_id = ?',
        orderId,
      );
      return row
        ? {
            orderId: row.order_id,
            userId: row.user_id,
            productId: row.product_id,
            listAmount: row.list_minor,
            payableAmount: row.payable_minor,
            paidAmount: row.paid_minor,
            currency: row.currency,
            status: row.status as OrderStatus,
          }
        : null;
    },
    async attempt(attemptId) {
      const row = get<{
        attempt_id: string;
        order_id: string;
        user_id: string | null;
        product_id: string | null;
        amount_minor: number;
        currency: string;
        status: string;
        provider_reference: string | null;
        raw_json: string | null;
        paid_at: number | null;
      }>(
        'SELECT attempt_id, order_id, user_id, product_id, amount_minor, currency, status, provider_reference, raw_json, paid_at FROM shop_attempts WHERE attempt_id = ?',
        attemptId,
      );
      return row
        ? {
            attemptId: row.attempt_id,
            orderId: row.order_id,
            userId: row.user_id,
            productId: row.product_id,
            amount: row.amount_minor,
            currency: row.currency,
            status: row.status as AttemptStatus,
            providerReference: row.provider_reference,
            rawJson: row.raw_json,
            paidAt: row.paid_at === null ? null : new Date(row.paid_at),
          }
        : null;
    },
    async orderMerchantAccount(orderId) {
      const row = get<{ seller_id: string | null; merchant_account_version: string | null }>(
        'SELECT seller_id, merchant_account_version FROM shop_orders WHERE order_id = ?',
        orderId,
      );
      return row ? { sellerId: row.seller_id, versionId: row.merchant_account_version } : null;
    },
    async attemptMerchantAccount(attemptId) {
      const row = get<{ merchant_account_json: string | null }>(
        'SELECT merchant_account_json FROM shop_attempts WHERE attempt_id = ?',
        attemptId,
      );
      return row?.merchant_account_json ? (JSON.parse(row.merchant_account_json) as MerchantAccountSnapshot) : null;
    },
    async event(provider, eventId) {
      const row = get<{
        provider: string;
        event_id: string;
        type: string;
        outcome: string | null;
        order_id: string | null;
        payload_json: string | null;
        payload_hash: string | null;
      }>(
        'SELECT provider, event_id, type, outcome, order_id, payload_json, payload_hash FROM shop_payment_events WHERE provider = ? AND event_id = ?',
        provider,
        eventId,
      );
      return row
        ? {
            provider: row.provider,
            eventId: row.event_id,
            type: row.type,
            outcome: row.outcome,
            orderId: row.order_id,
            payloadJson: row.payload_json,
            payloadHash: row.payload_hash,
          }
        : null;
    },
    async eventCount(provider, eventId) {
      return (
        get<{ n: number }>(
          'SELECT COUNT(*) AS n FROM shop_payment_events WHERE provider = ? AND event_id = ?',
          provider,
          eventId,
        )?.n ?? 0
      );
    },
    async refund(refundId) {
      const row = get<{
        refund_id: string;
        provider_refund_id: string | null;
        order_id: string;
        amount_minor: number;
        currency: string;
        status: string;
      }>(
        'SELECT refund_id, provider_refund_id, order_id, amount_minor, currency, status FROM shop_refunds WHERE refund_id = ?',
        refundId,
      );
      return row
        ? {
            refundId: row.refund_id,
            providerRefundId: row.provider_refund_id,
            orderId: row.order_id,
            amount: row.amount_minor,
            currency: row.currency,
            status: row.status as RefundStatus,
          }
        : null;
    },
  };
}
