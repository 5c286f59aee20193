import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@org/payment-factory';
import { runRepositoryConformance } from '@org/payment-factory/testing';
import { createShopRepositories, createShopSchema, createShopSubject } from '../../examples/custom-repository.js';
import { startDemo, type Demo } from '../../examples/shared/demo-stack.js';
import { createTinyTestRunner } from '../../examples/shared/tiny-test-runner.js';

runRepositoryConformance({
  name: 'examples/custom-repository (in memory)',
  runner: { describe, it, beforeAll, afterAll },
  outbox: false, // the shop adapter has no outbox: the service notifies after commit instead
  create: () => createShopSubject(),
});

const dir = mkdtempSync(join(tmpdir(), 'shop-repo-'));
runRepositoryConformance({
  name: 'examples/custom-repository (file)',
  runner: { describe, it, beforeAll, afterAll },
  outbox: false, // the shop adapter has no outbox: the service notifies after commit instead
  create: async () => {
    const subject = await createShopSubject(join(dir, 'shop.db'));
    return {
      ...subject,
      cleanup: async () => (await subject.cleanup?.(), rmSync(dir, { recursive: true, force: true })),
    };
  },
});

describe('examples/custom-repository under the payment service', () => {
  let db: Database.Database;
  let demo: Demo;
  let failHook = false;
  beforeAll(async () => {
    db = new Database(':memory:');
    createShopSchema(db);
    db.exec('CREATE TABLE enrolments (user_id TEXT NOT NULL, product_id TEXT NOT NULL)');
    const repositories = createShopRepositories(db);
    demo = await startDemo({
      repositories,
      logger: silentLogger,
      hooks: {
        // The host's own write, through tx.handle, in the same commit as the payment.
        onOrderPaid: ({ handle, order }) => {
          (handle as Database.Database)
            .prepare('INSERT INTO enrolments VALUES (?, ?)')
            .run(order.userId, order.productId);
          if (failHook) throw new Error('enrolment service down');
        },
      },
    });
  });
  afterAll(async () => {
    await demo.close();
    db.close();
  });

  const deliver = async (reference: string) => {
    const { rawBody, headers } = demo.emulator.webhookFor(reference, 'checkout.session.completed');
    return demo.service.handleWebhook({ provider: 'stripe', rawBody, headers });
  };

  it('takes a payment exactly once and commits the host write with it', async () => {
    const { orderId, reference } = await demo.checkout({ userId: 'user_enrol' });
    demo.pay(reference);
    expect((await deliver(reference)).outcome).toBe('applied');
    expect(db.prepare('SELECT status, paid_minor FROM shop_orders WHERE order_id = ?').get(orderId)).toEqual({
      status: 'paid',
      paid_minor: 1999,
    });
    expect(db.prepare('SELECT COUNT(*) AS n FROM enrolments WHERE user_id = ?').get('user_enrol')).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM shop_payment_events WHERE order_id = ?').get(orderId)).toEqual({
      n: 1,
    });
  });

  it('rolls back the payment, the journal entry and the host write when the hook throws', async () => {
    const { orderId, reference } = await demo.checkout({ userId: 'user_rollback' });
    demo.pay(reference);
    failHook = true;
    await expect(deliver(reference)).rejects.toThrow('enrolment service down');
    failHook = false;
    expect(db.prepare('SELECT status FROM shop_orders WHERE order_id = ?').get(orderId)).toEqual({ status: 'pending' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM enrolments WHERE user_id = ?').get('user_rollback')).toEqual({ n: 0 });
    // The provider's retry then succeeds: nothing of the failed attempt was journalled.
    expect((await deliver(reference)).outcome).toBe('applied');
    expect(db.prepare('SELECT COUNT(*) AS n FROM enrolments WHERE user_id = ?').get('user_rollback')).toEqual({ n: 1 });
  });
});

describe('examples/shared/tiny-test-runner', () => {
  it('reports the rules a broken adapter breaks', async () => {
    const runner = createTinyTestRunner();
    runRepositoryConformance({
      name: 'broken',
      runner,
      outbox: false,
      create: async () => {
        const subject = await createShopSubject();
        const { orders } = subject.repositories;
        // A classic bug: read-then-write instead of a guarded UPDATE, so concurrent callers all "win".
        const unguarded: typeof orders.updateStatus = async ({ orderId, to, patch }) => {
          const current = await orders.findById(orderId);
          if (!current) return false;
          await orders.update(orderId, patch ?? {});
          return orders.updateStatus({ orderId, from: [current.status], to });
        };
        return {
          ...subject,
          repositories: { ...subject.repositories, orders: { ...orders, updateStatus: unguarded } },
        };
      },
    });
    const result = await runner.run();
    expect(result.passed).toBeGreaterThan(0);
    expect(result.failed.map((f) => f.name)).toEqual(
      expect.arrayContaining([expect.stringContaining('changes status only from an allowed status')]),
    );
  });
});
