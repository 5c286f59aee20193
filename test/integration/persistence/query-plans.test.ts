/**
 * Every read the repositories make is served by an index, and every `ORDER BY … LIMIT` scan over a set that grows
 * with history (expiry, reconcile, outbox claim / list / prune) reads its rows in index order instead of sorting
 * every match (issue 13, migration 0006). The statements are the ones the repository code compiles and sends
 * (recorded at the driver), EXPLAINed on a database holding a year of history plus a small backlog. Plans, not
 * timings: deterministic on every machine.
 *
 * - SQLite (`EXPLAIN QUERY PLAN`, no ANALYZE, as hosts run it): no `SCAN <table>` (full table or full index scan),
 *   and for ordered scans no `USE TEMP B-TREE` (a sort).
 * - PostgreSQL (`EXPLAIN (FORMAT JSON)` after ANALYZE, as autovacuum keeps it): no `Seq Scan`; for ordered scans
 *   a `Sort` / `Incremental Sort` node only over matches found through an index (the planner sorts a small
 *   backlog rather than walk the index), and then the same statement with `enable_sort = off` must read the index
 *   in order (no sort node left): the order is there for when the backlog is large.
 * - MySQL / MariaDB (`EXPLAIN` after ANALYZE TABLE): no access of type `ALL` or `index` (full scans), and for
 *   ordered scans no `Using filesort` / `Using temporary`.
 *
 * Keyed reads (one order's attempts, events, refunds; one user's orders of a product; a reference) may sort their
 * few matches: those do not grow with the table.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentRepositories } from '../../../src/persistence/ports.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { testDialects, type TestDatabase, type TestDialectName } from '../../helpers/databases.js';
import { fillPaymentHistory } from '../../helpers/payment-history.js';
import { createStatementLog } from '../../helpers/statement-log.js';

const HISTORY = 6000;
const NOW = new Date();
const DAY = 24 * 3600 * 1000;

type Kind = 'ordered' | 'keyed';
interface Case {
  name: string;
  kind: Kind;
  run: (r: PaymentRepositories) => Promise<unknown>;
}

// Keys the history writes for row 0 / 1 (see payment-history.ts): a Stripe attempt (row 0) and a Ping++ one (5).
const historyKey = (kind: string, i: number) =>
  `h${kind}${(Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}${i.toString(16)}`.padEnd(32, '0');

const CASES: Case[] = [
  {
    name: 'orders.listExpirable (expiry scan)',
    kind: 'ordered',
    run: (r) => r.orders.listExpirable({ createdBefore: NOW, limit: 50 }),
  },
  {
    name: 'attempts.listPending (reconcile scan)',
    kind: 'ordered',
    run: (r) => r.attempts.listPending({ createdBefore: NOW, limit: 50 }),
  },
  {
    name: 'refunds.listPending (reconcile refund scan)',
    kind: 'ordered',
    run: (r) => r.refunds.listPending!({ createdBefore: NOW, limit: 50 }),
  },
  {
    name: 'outbox.claim (dispatcher)',
    kind: 'ordered',
    run: (r) => r.outbox!.claim({ owner: 'plans', limit: 10, leaseMs: 60_000, types: ['order.paid'] }),
  },
  {
    name: 'outbox.list pending',
    kind: 'ordered',
    run: (r) => r.outbox!.list({ status: 'pending', limit: 50 }),
  },
  { name: 'outbox.list, every status', kind: 'ordered', run: (r) => r.outbox!.list({ limit: 50 }) },
  {
    name: 'outbox.prune',
    kind: 'ordered',
    run: (r) =>
      r.outbox!.prune({
        deliveredBefore: new Date(NOW.getTime() - 300 * DAY),
        sweepsBefore: new Date(NOW.getTime() - DAY),
        limit: 20,
      }),
  },
  { name: 'orders.findById', kind: 'keyed', run: (r) => r.orders.findById(historyKey('o', 0)) },
  {
    name: 'orders.findOpenForUserProduct',
    kind: 'keyed',
    run: (r) => r.orders.findOpenForUserProduct(historyKey('u', 1), 'course_1'),
  },
  { name: 'attempts.findById', kind: 'keyed', run: (r) => r.attempts.findById(historyKey('a', 0)) },
  {
    name: 'attempts.findByProviderReference, Stripe latest charge',
    kind: 'keyed',
    run: (r) => r.attempts.findByProviderReference('stripe', `ch_${historyKey('a', 0)}`),
  },
  {
    name: 'attempts.findByProviderReference, Ping++ charge',
    kind: 'keyed',
    run: (r) => r.attempts.findByProviderReference('pingxx', `ch_${historyKey('a', 5)}`),
  },
  {
    name: 'attempts.findByProviderReference, Alipay and generic',
    kind: 'keyed',
    run: async (r) => [
      await r.attempts.findByProviderReference('alipay', 'txn_x'),
      await r.attempts.findByProviderReference('fake', 'ref_x'),
    ],
  },
  { name: 'attempts.findLatestByOrder', kind: 'keyed', run: (r) => r.attempts.findLatestByOrder(historyKey('o', 3)) },
  { name: 'attempts.listByOrder', kind: 'keyed', run: (r) => r.attempts.listByOrder(historyKey('o', 3)) },
  {
    name: 'events.find and listByOrder (journal)',
    kind: 'keyed',
    run: async (r) => [
      await r.events.find('stripe', `evt_${historyKey('a', 0)}`),
      await r.events.listByOrder(historyKey('o', 0)),
    ],
  },
  {
    name: 'refunds.listByOrder and findByProviderRefundId',
    kind: 'keyed',
    run: async (r) => [
      await r.refunds.listByOrder(historyKey('o', 1)),
      await r.refunds.findByProviderRefundId('stripe', 're_x'),
    ],
  },
  { name: 'outbox.find', kind: 'keyed', run: (r) => r.outbox!.find(`order.paid:${historyKey('o', 0)}`) },
];

type Plan = { problems: string[]; text: string };

async function explain(database: TestDatabase, query: CompiledQuery, kind: Kind): Promise<Plan> {
  const { db, name } = database;
  const problems: string[] = [];
  if (name === 'sqlite') {
    const { rows } = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    );
    for (const { detail } of rows) {
      if (/^SCAN (?!CONSTANT ROW)/.test(detail)) problems.push(`full scan: ${detail}`);
      if (kind === 'ordered' && /USE TEMP B-TREE/.test(detail)) problems.push(`sort: ${detail}`);
    }
    return { problems, text: rows.map((r) => r.detail).join('\n') };
  }
  if (name === 'postgres') {
    const pgPlan = async (c: typeof db) => {
      const { rows } = await c.executeQuery<{ 'QUERY PLAN': unknown }>(
        CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]),
      );
      const plan = rows[0]!['QUERY PLAN'];
      return (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan as PgNode;
    };
    const nodes = (node: PgNode): PgNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
    const isSort = (node: PgNode) => node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort';
    const plan = await pgPlan(db);
    for (const node of nodes(plan)) {
      if (node['Node Type'] === 'Seq Scan') problems.push(`full scan: Seq Scan on ${node['Relation Name']}`);
    }
    let text = JSON.stringify(plan);
    if (kind === 'ordered' && nodes(plan).some(isSort)) {
      // PostgreSQL may sort a few matches it found through the index (cheaper than an ordered index scan when
      // the backlog is small). That stays flat only if the index can give the order when the matches are many:
      // with sorting priced out, the plan must read the index in order.
      const ordered = await db.connection().execute(async (c) => {
        await sql`set enable_sort = off`.execute(c);
        try {
          return await pgPlan(c);
        } finally {
          await sql`reset enable_sort`.execute(c);
        }
      });
      text += `\nwith enable_sort off: ${JSON.stringify(ordered)}`;
      if (nodes(ordered).some(isSort)) problems.push('sort: no index gives the order (a Sort with enable_sort off)');
    }
    return { problems, text };
  }
  const { rows } = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
  );
  for (const row of rows) {
    const table = typeof row['table'] === 'string' ? row['table'] : '';
    if (table === '' || table.startsWith('<')) continue; // union results, constant rows
    if (row['type'] === 'ALL' || row['type'] === 'index')
      problems.push(`full scan (${String(row['type'])}) of ${table}`);
    const extra = typeof row['Extra'] === 'string' ? row['Extra'] : '';
    if (kind === 'ordered' && /Using filesort|Using temporary/.test(extra)) problems.push(`sort: ${extra}`);
  }
  return { problems, text: JSON.stringify(rows) };
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PgNode[];
}

async function analyze(db: TestDatabase['db'], name: TestDialectName): Promise<void> {
  if (name === 'postgres') await sql`analyze`.execute(db);
  if (name === 'mysql') {
    const { rows } = await sql<{ t: string }>`select table_name as t from information_schema.tables
      where table_schema = database()`.execute(db);
    for (const { t } of rows) await sql`analyze table ${sql.table(t)}`.execute(db);
  }
}

for (const dialect of testDialects()) {
  describe(`query plans on ${dialect.name} (${HISTORY.toLocaleString('en-US')} orders of history)`, () => {
    const log = createStatementLog();
    let database: TestDatabase;
    let repositories: PaymentRepositories;

    beforeAll(async () => {
      database = await dialect.open({ wrapDialect: log.wrap });
      await migrateToLatest(database.db);
      await fillPaymentHistory(database.db, dialect.name, { orders: HISTORY, backlog: 200, now: NOW });
      await analyze(database.db, dialect.name);
      repositories = createKyselyRepositories(database.db, { mysqlIsolation: 'session' });
    }, 240_000);
    afterAll(async () => {
      await database?.destroy();
    });

    for (const c of CASES) {
      it(`${c.name}: ${c.kind === 'ordered' ? 'index order, no sort' : 'an index, no full scan'}`, async () => {
        log.reset();
        await c.run(repositories);
        const statements = log.compiled.filter((q) => /^\s*(select|update|delete|with)\b/i.test(q.sql));
        expect(statements.length).toBeGreaterThan(0);
        const found: string[] = [];
        for (const statement of statements) {
          const plan = await explain(database, statement, c.kind);
          for (const problem of plan.problems) found.push(`${problem}\n  in: ${statement.sql}\n  plan: ${plan.text}`);
        }
        expect(found).toEqual([]);
      });
    }
  });
}
