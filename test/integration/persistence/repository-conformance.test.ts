/**
 * The published repository conformance suite, run against the in-memory implementation and the Kysely
 * implementation on every database of the matrix (SQLite always; PostgreSQL and MySQL when configured).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { createInMemoryRepositories } from '../../../src/testing/in-memory-repositories.js';
import { runRepositoryConformance, type RawReadPath } from '../../../src/testing/repository-conformance.js';
import { testDialects } from '../../helpers/databases.js';
import { kyselyRawReadPath } from './kysely-raw-read-path.js';

const runner = { describe, it, beforeAll, afterAll };

runRepositoryConformance({
  name: 'in-memory',
  runner,
  create: async () => {
    const repositories = createInMemoryRepositories();
    const snapshot = () => repositories.snapshot();
    const raw: RawReadPath = {
      order: async (id) => {
        const o = snapshot().orders.find((x) => x.orderId === id);
        return o
          ? {
              orderId: o.orderId,
              userId: o.userId,
              productId: o.productId,
              payableAmount: o.payableAmount,
              paidAmount: o.paidAmount,
              currency: o.currency,
              status: o.status,
            }
          : null;
      },
      attempt: async (id) => {
        const a = snapshot().attempts.find((x) => x.attemptId === id);
        return a
          ? {
              attemptId: a.attemptId,
              orderId: a.orderId,
              amount: a.amount,
              currency: a.currency,
              status: a.status,
              providerReference: a.providerReference,
              rawJson: a.raw === null ? null : JSON.stringify(a.raw),
              paidAt: a.paidAt,
            }
          : null;
      },
      event: async (provider, eventId) => {
        const e = snapshot().events.find((x) => x.provider === provider && x.eventId === eventId);
        return e
          ? {
              provider: e.provider,
              eventId: e.eventId,
              type: e.type,
              outcome: e.outcome,
              orderId: e.orderId,
              payloadJson: e.payload === null ? null : JSON.stringify(e.payload),
            }
          : null;
      },
      eventCount: async (provider, eventId) =>
        snapshot().events.filter((x) => x.provider === provider && x.eventId === eventId).length,
      refund: async (id) => {
        const r = snapshot().refunds.find((x) => x.refundId === id);
        return r
          ? {
              refundId: r.refundId,
              providerRefundId: r.providerRefundId,
              orderId: r.orderId,
              amount: r.amount,
              currency: r.currency,
              status: r.status,
            }
          : null;
      },
    };
    return { repositories, raw };
  },
});

for (const dialect of testDialects()) {
  runRepositoryConformance({
    name: `kysely/${dialect.name}`,
    runner,
    create: async () => {
      const database = await dialect.open();
      await migrateToLatest(database.db);
      return {
        repositories: createKyselyRepositories(database.db),
        raw: kyselyRawReadPath(database.db),
        cleanup: () => database.destroy(),
      };
    },
  });
}
