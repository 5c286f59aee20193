/**
 * Kysely transactions on the databases with row locks: a read taken after a row lock sees what the lock's
 * previous holder committed (READ COMMITTED; MySQL's default REPEATABLE READ would keep showing the snapshot
 * taken by the transaction's first read, and two concurrent refunds could each miss the other's).
 */
import { describe, expect, it } from 'vitest';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { serverTestDialects, useTestDatabase } from '../../helpers/databases.js';

for (const dialect of serverTestDialects()) {
  describe(`Kysely transactions on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it("lets reads after a row lock see a commit made since the transaction's first read", async () => {
      const { db } = database();
      await migrateToLatest(db);
      const repositories = createKyselyRepositories(db);
      const order = { userId: 'u', productId: 'p', payableAmount: 1999, currency: 'USD' } as const;
      await repositories.orders.create({ ...order, orderId: 'first-read' });
      await repositories.orders.create({ ...order, orderId: 'locked', status: 'pending' });

      let firstReadDone!: () => void;
      const firstRead = new Promise<void>((resolve) => (firstReadDone = resolve));
      let otherCommitted!: () => void;
      const committed = new Promise<void>((resolve) => (otherCommitted = resolve));

      const seen = repositories.transaction(async (tx) => {
        await tx.orders.findById('first-read'); // a REPEATABLE READ transaction takes its snapshot here
        firstReadDone();
        await committed;
        const locked = await tx.orders.findById('locked', { forUpdate: true });
        const after = await tx.orders.findById('locked');
        return [locked?.status, after?.status];
      });
      await firstRead;
      expect(
        await repositories.orders.updateStatus({
          orderId: 'locked',
          from: ['pending'],
          to: 'paid',
          patch: { paidAmount: 1999 },
        }),
      ).toBe(true);
      otherCommitted();

      expect(await seen).toEqual(['paid', 'paid']);
    });
  });
}
