/** The conformance raw read path over the in-memory repositories' committed snapshot. */
import type { InMemoryPaymentRepositories } from '../../../src/testing/in-memory-repositories.js';
import type { RawReadPath } from '../../../src/testing/repository-conformance.js';

/** Reads what the in-memory repositories committed, bypassing their read methods. */
export function inMemoryRawReadPath(repositories: InMemoryPaymentRepositories): RawReadPath {
  const snapshot = () => repositories.snapshot();
  return {
    order: async (id) => {
      const o = snapshot().orders.find((x) => x.orderId === id);
      if (!o) return null;
      const { orderId, userId, productId, listAmount, payableAmount, paidAmount, currency, status } = o;
      return { orderId, userId, productId, listAmount, payableAmount, paidAmount, currency, status };
    },
    attempt: async (id) => {
      const a = snapshot().attempts.find((x) => x.attemptId === id);
      if (!a) return null;
      const { attemptId, orderId, userId, productId, amount, currency, status, providerReference, paidAt } = a;
      return {
        attemptId,
        orderId,
        userId,
        productId,
        amount,
        currency,
        status,
        providerReference,
        paidAt,
        rawJson: a.raw === null ? null : JSON.stringify(a.raw),
      };
    },
    orderMerchantAccount: async (id) => {
      const o = snapshot().orders.find((x) => x.orderId === id);
      return o ? { sellerId: o.sellerId, versionId: o.merchantAccountVersion } : null;
    },
    attemptMerchantAccount: async (id) => snapshot().attempts.find((x) => x.attemptId === id)?.merchantAccount ?? null,
    event: async (provider, eventId) => {
      const e = snapshot().events.find((x) => x.provider === provider && x.eventId === eventId);
      if (!e) return null;
      return {
        provider,
        eventId,
        type: e.type,
        outcome: e.outcome,
        orderId: e.orderId,
        payloadJson: e.payload === null ? null : JSON.stringify(e.payload),
        payloadHash: e.payloadHash,
      };
    },
    eventCount: async (provider, eventId) =>
      snapshot().events.filter((x) => x.provider === provider && x.eventId === eventId).length,
    refund: async (id) => {
      const r = snapshot().refunds.find((x) => x.refundId === id);
      if (!r) return null;
      const { refundId, providerRefundId, orderId, amount, currency, status } = r;
      return { refundId, providerRefundId, orderId, amount, currency, status };
    },
    outboxRow: async (key) => {
      const r = snapshot().outbox.find((x) => x.key === key);
      if (!r) return null;
      const { type, orderId, status, attempts, availableAt, claimToken, deliveredTo } = r;
      const payloadJson = r.payload === null ? null : JSON.stringify(r.payload);
      return { key, type, orderId, status, attempts, availableAt, claimToken, deliveredTo, payloadJson };
    },
    outboxCount: async (key) => snapshot().outbox.filter((x) => x.key === key).length,
  };
}
