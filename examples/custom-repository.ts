/**
 * Your own persistence adapter, certified with the library's conformance kit.
 *
 * The payment service touches storage only through the repository ports (`PaymentRepositories`: orders,
 * attempts, the webhook journal, refunds, `transaction`). When the Kysely reference implementation does not
 * fit — another driver, another query layer, tables you already have — implement the ports yourself and let
 * `runRepositoryConformance` prove it keeps every rule: exactly-once journal inserts and guarded updates
 * under concurrency, all-or-nothing transactions, exact money, and refusal of bad input. The kit reads every
 * write back through a *raw read path* you supply (plain SQL), so a broken read cannot hide a broken write.
 *
 * The adapter here is raw SQL over better-sqlite3 on the host's own tables:
 * - `shared/custom-repository/schema.ts` — DDL and the record ↔ column mapping (as data)
 * - `shared/custom-repository/validation.ts` — the ports' input rules
 * - `shared/custom-repository/shop-repositories.ts` — the repositories, and how each race rule is met
 * - `shared/custom-repository/raw-read-path.ts` — the independent read path for the kit
 *
 * In your test suite, certify it with your runner (see `test/examples/custom-repository.test.ts`):
 *
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest'
 * runRepositoryConformance({ name: 'shop sqlite', runner: { describe, it, beforeAll, afterAll }, outbox: false, create: createShopSubject })
 * ```
 *
 * Run: `npx tsx examples/custom-repository.ts` — runs the kit with a tiny built-in runner, then takes a
 * payment through a webhook endpoint on the certified adapter.
 * @module
 */
import Database from 'better-sqlite3';
import { createWebhookHandler, toNodeHandler } from '@org/payment-factory';
import { runRepositoryConformance, type ConformanceSubject } from '@org/payment-factory/testing';
import { createShopRawReadPath } from './shared/custom-repository/raw-read-path.js';
import { createShopSchema } from './shared/custom-repository/schema.js';
import { createShopRepositories } from './shared/custom-repository/shop-repositories.js';
import { isMain, runMain, runPaidFlow, serveLocally, startDemo } from './shared/demo-stack.js';
import { createTinyTestRunner } from './shared/tiny-test-runner.js';

export { createShopRepositories } from './shared/custom-repository/shop-repositories.js';
export { createShopRawReadPath } from './shared/custom-repository/raw-read-path.js';
export { createShopSchema } from './shared/custom-repository/schema.js';

/**
 * What the conformance kit certifies: the adapter on a fresh database, its raw read path, and cleanup.
 * Use a file instead of `:memory:` to certify it on the same storage you deploy.
 */
export async function createShopSubject(filename = ':memory:'): Promise<ConformanceSubject> {
  const db = new Database(filename);
  createShopSchema(db);
  return {
    repositories: createShopRepositories(db),
    raw: createShopRawReadPath(db),
    cleanup: async () => void db.close(),
  };
}

async function main(): Promise<void> {
  console.log('Certifying the shop SQLite adapter with runRepositoryConformance:');
  const runner = createTinyTestRunner();
  runRepositoryConformance({
    name: 'shop sqlite (better-sqlite3, raw SQL)',
    runner,
    outbox: false, // no outbox table in this adapter (see docs/outbox.md)
    create: () => createShopSubject(),
  });
  const result = await runner.run((name, error) => {
    if (error) console.log(`  ✗ ${name}\n      ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  });
  console.log(`  ${result.passed} rules passed, ${result.failed.length} failed`);
  if (result.failed.length > 0) throw new Error('the adapter is not conformant');

  console.log('\nTaking a payment on the certified adapter:');
  const db = new Database(':memory:');
  createShopSchema(db);
  const demo = await startDemo({ repositories: createShopRepositories(db) });
  const server = await serveLocally(toNodeHandler(createWebhookHandler(demo.service)));
  try {
    const reports = await runPaidFlow(demo, `${server.url}/webhooks`);
    const rows = db.prepare('SELECT order_id, status, paid_minor, currency FROM shop_orders').all();
    console.log(`rows in shop_orders (${reports.length} orders paid):`, rows);
  } finally {
    await server.close();
    await demo.close();
    db.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
