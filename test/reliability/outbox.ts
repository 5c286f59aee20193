/**
 * The outbox part of the reliability suite: after the load (workers killed, connections cut), every paid order
 * has exactly one `order.paid` outbox row — none lost to a crash between commit and notification, none written
 * twice by a redelivery — and a dispatcher drains them all: nothing pending, nothing dead, each row delivered
 * once to an idempotent consumer. Raw SQL for the counts, like `verify.ts`.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import { createOutboxDispatcher } from '../../src/index.js';
import { createKyselyRepositories } from '../../src/kysely/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';

/** What the outbox check found; `lost` and `doubled` are 0 on a clean run. */
export interface OutboxVerdict {
  /** `order.paid` rows found for the load's orders. */
  rows: number;
  /** Of those, rows the load's own processes had delivered before the drain. */
  deliveredByWorkers: number;
  /** Rows the drain delivered (notifications of any type left pending by killed workers). */
  drained: number;
  lost: number;
  doubled: number;
  problems: string[];
}

/** See the module doc. `orderIds` are the load's orders, all expected paid. */
export async function verifyOutbox(db: Kysely<UntypedDatabase>, orderIds: readonly string[]): Promise<OutboxVerdict> {
  const problems: string[] = [];
  const { rows } = await sql<{ order_bid: string; n: number | string }>`
    select order_bid, count(*) as n from order_payment_outbox where type = 'order.paid' group by order_bid`.execute(db);
  const counts = new Map(rows.map((r) => [r.order_bid, Number(r.n)]));
  const missing = orderIds.filter((id) => !counts.has(id));
  const twice = orderIds.filter((id) => (counts.get(id) ?? 0) > 1);
  if (missing.length > 0)
    problems.push(`${missing.length} paid orders have no order.paid outbox row (e.g. ${missing[0]})`);
  if (twice.length > 0) problems.push(`${twice.length} orders have more than one order.paid outbox row`);
  const { rows: before } = await sql<{ n: number | string }>`
    select count(*) as n from order_payment_outbox where type = 'order.paid' and status = 1`.execute(db);

  // Drain: an idempotent consumer counts each key once; a second delivery of a key is a duplicate, not an error.
  const seen = new Map<string, number>();
  const dispatcher = createOutboxDispatcher({
    outbox: createKyselyRepositories(db).outbox,
    batchSize: 100,
    consumers: [{ name: 'reliability', deliver: (m) => void seen.set(m.key, (seen.get(m.key) ?? 0) + 1) }],
  });
  for (let round = 0; round < 1000 && (await dispatcher.dispatchOnce()).claimed > 0; round += 1);
  const { rows: left } = await sql<{ status: number | string; n: number | string }>`
    select status, count(*) as n from order_payment_outbox where type = 'order.paid' group by status`.execute(db);
  const byStatus = new Map(left.map((r) => [Number(r.status), Number(r.n)]));
  // Rows the load's own processes delivered (background delivery) count as delivered too.
  if ((byStatus.get(0) ?? 0) > 0)
    problems.push(`${byStatus.get(0)} order.paid outbox rows are still pending after the drain`);
  if ((byStatus.get(2) ?? 0) > 0) problems.push(`${byStatus.get(2)} order.paid outbox rows are dead`);
  const redelivered = [...seen.values()].filter((n) => n > 1).length;
  if (redelivered > 0) problems.push(`${redelivered} outbox rows were handed to one drain twice`);
  return {
    rows: [...counts.values()].reduce((a, b) => a + b, 0),
    deliveredByWorkers: Number(before[0]?.n ?? 0),
    drained: seen.size,
    lost: missing.length + (byStatus.get(0) ?? 0) + (byStatus.get(2) ?? 0),
    doubled: twice.length + redelivered,
    problems,
  };
}
