/**
 * `createShopRepositories`: a host's own implementation of the payment repository ports, in raw SQL over
 * better-sqlite3 and the host's own tables (`./schema.ts`). It is the custom-repository example's subject,
 * certified by `runRepositoryConformance`.
 *
 * How each race-safe rule is met — by the database, never by an in-process check:
 * - exactly one `inserted` per journal key / refund: `INSERT … ON CONFLICT DO NOTHING` on a unique key,
 *   then `changes === 1`. A duplicate is not an error, so it never aborts the enclosing transaction.
 * - guarded status updates: `UPDATE … WHERE status IN (…)`, then `changes === 1`.
 * - transactions: `BEGIN IMMEDIATE` takes SQLite's write lock up front, so two processes on one file
 *   serialise instead of failing at commit. better-sqlite3 is synchronous and this adapter holds one
 *   connection, so calls are queued in-process too: an `await` inside a transaction must not let another
 *   caller's statements run on the same connection mid-transaction.
 * @module
 */
import type { PaymentRepositories, PaymentRepositoriesTx } from '@org/payment-factory';
import { attempts } from './attempt-repository.js';
import { events } from './event-repository.js';
import { orders } from './order-repository.js';
import { refunds } from './refund-repository.js';
import type { Db, Exec } from './sql.js';

/**
 * Creates the repositories over `db` (tables from `createShopSchema`). `tx.handle` is the database itself:
 * a hook's own statements on it run inside the payment's transaction. Inside `transaction(fn)`, use the `tx`
 * repositories only: the outer ones wait for the transaction to end.
 */
export function createShopRepositories(db: Db, options: { now?: () => Date } = {}): PaymentRepositories<Db> {
  const now = options.now ?? (() => new Date());
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T> | T): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };
  // Each call is atomic on its own (better-sqlite3 nests it as a SAVEPOINT inside an open transaction).
  const outside: Exec = (fn) => serial(() => db.transaction(fn)());
  const inside: Exec = async (fn) => db.transaction(fn)();

  const transaction = <T>(fn: (tx: PaymentRepositoriesTx<Db>) => Promise<T>): Promise<T> =>
    serial(async () => {
      db.exec('BEGIN IMMEDIATE');
      const tx: PaymentRepositoriesTx<Db> = { ...bind(db, inside, now), handle: db, transaction: (inner) => inner(tx) };
      try {
        const result = await fn(tx);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });

  return { ...bind(db, outside, now), transaction };
}

function bind(db: Db, exec: Exec, now: () => Date): Omit<PaymentRepositories<Db>, 'transaction'> {
  return {
    orders: orders(db, exec, now),
    attempts: attempts(db, exec, now),
    events: events(db, exec, now),
    refunds: refunds(db, exec, now),
  };
}
