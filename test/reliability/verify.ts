/**
 * Counts the load's result three independent ways and compares them: raw SQL over the library's tables
 * (order status, the event journal), the transactional hook counter (host rows written by `onOrderPaid`
 * in the payment's own transaction), and the HTTP answers the workers gave. Nothing here goes through the
 * library's repositories, so a broken read path cannot hide a broken write.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import { SILENT_ANSWER_PROVIDERS, type DeliveryResult, type LoadOrder } from './load.js';
import { HOOK_TABLE } from './payment-env.js';

/** Status code of a paid order in `order_orders` (§5 of the design). */
const PAID = 502;

/** What the counts found. `lost` and `doubled` are 0 on a clean run; `problems` says what each count is. */
export interface LoadVerdict {
  lost: number;
  doubled: number;
  problems: string[];
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

async function rowsIn<R>(
  db: Kysely<UntypedDatabase>,
  ids: readonly string[],
  query: (list: ReturnType<typeof sql.join>) => ReturnType<typeof sql<R>>,
): Promise<R[]> {
  const rows: R[] = [];
  for (const part of chunks(ids, 200)) rows.push(...(await query(sql.join(part)).execute(db)).rows);
  return rows;
}

/** See the module doc. */
export async function verifyLoad(
  db: Kysely<UntypedDatabase>,
  orders: readonly LoadOrder[],
  results: readonly DeliveryResult[],
): Promise<LoadVerdict> {
  const problems: string[] = [];
  let lost = 0;
  let doubled = 0;
  const orderIds = orders.map((o) => o.orderId);

  // 1. Every delivery was eventually answered 200 (the provider stops redelivering only then).
  const unanswered = results.filter((r) => r.outcome === null);
  if (unanswered.length > 0) {
    lost += unanswered.length;
    const sample = unanswered[0]!;
    problems.push(
      `${unanswered.length} deliveries never answered 200 (e.g. last status ${sample.lastStatus} after ${sample.tries} tries)`,
    );
  }

  // 2. Raw SQL: every order is paid.
  const statuses = await rowsIn<{ order_bid: string; status: number | string }>(
    db,
    orderIds,
    (list) => sql`select order_bid, status from order_orders where order_bid in (${list})`,
  );
  const notPaid = orderIds.filter((id) => Number(statuses.find((r) => r.order_bid === id)?.status) !== PAID);
  if (notPaid.length > 0) {
    lost += notPaid.length;
    problems.push(`${notPaid.length} orders are not paid in order_orders (e.g. ${notPaid[0]})`);
  }

  // 3. Raw SQL: every event answered 200 is in the journal once, and each order has one `applied` event.
  const answeredEvents = [...new Set(results.filter((r) => r.outcome !== null).map((r) => r.delivery.eventId))];
  const journal = await rowsIn<{
    provider: string;
    event_id: string;
    order_bid: string | null;
    outcome: string | null;
  }>(
    db,
    answeredEvents,
    (list) => sql`select provider, event_id, order_bid, outcome from order_payment_events where event_id in (${list})`,
  );
  const journalCount = new Map<string, number>();
  for (const row of journal) journalCount.set(row.event_id, (journalCount.get(row.event_id) ?? 0) + 1);
  const missing = answeredEvents.filter((id) => !journalCount.has(id));
  if (missing.length > 0) {
    lost += missing.length;
    problems.push(`${missing.length} events answered 200 are missing from order_payment_events (e.g. ${missing[0]})`);
  }
  const twice = [...journalCount.values()].filter((n) => n > 1).length;
  if (twice > 0) {
    doubled += twice;
    problems.push(`${twice} events are journaled more than once`);
  }
  // Per order through the deliveries' event ids: an Alipay journal row may name only the attempt, not the order.
  const orderOfEvent = new Map(results.map((r) => [r.delivery.eventId, r.delivery.orderId]));
  const appliedPerOrder = new Map<string, number>();
  for (const row of journal) {
    const orderId = row.order_bid ?? orderOfEvent.get(row.event_id);
    if (row.outcome === 'applied' && orderId) appliedPerOrder.set(orderId, (appliedPerOrder.get(orderId) ?? 0) + 1);
  }
  const journalDoubled = orderIds.filter((id) => (appliedPerOrder.get(id) ?? 0) > 1);
  if (journalDoubled.length > 0) {
    doubled += journalDoubled.length;
    problems.push(`${journalDoubled.length} orders have more than one applied event in the journal`);
  }

  // 4. The transactional hook counter: exactly one committed onOrderPaid per order.
  const hooks = await rowsIn<{ order_bid: string; n: number | string }>(
    db,
    orderIds,
    (list) =>
      sql`select order_bid, count(*) as n from ${sql.table(HOOK_TABLE)} where order_bid in (${list}) group by order_bid`,
  );
  const hookCount = new Map(hooks.map((r) => [r.order_bid, Number(r.n)]));
  const noHook = orderIds.filter((id) => !hookCount.has(id));
  const manyHooks = orderIds.filter((id) => (hookCount.get(id) ?? 0) > 1);
  if (noHook.length > 0) {
    lost += noHook.length;
    problems.push(`${noHook.length} orders have no committed onOrderPaid row`);
  }
  if (manyHooks.length > 0) {
    doubled += manyHooks.length;
    problems.push(`${manyHooks.length} orders have more than one committed onOrderPaid row`);
  }

  // 5. The HTTP answers: exactly one `applied` per order across all processes. Alipay answers a plain `success`
  // and WeChat Pay `{"code":"SUCCESS"}` whatever the outcome: their deliveries take their event's outcome from the
  // journal (step 3 read it), and there an order's applied event counts once, however many of its copies were
  // answered.
  const journalOutcome = new Map(journal.map((row) => [row.event_id, row.outcome ?? 'null']));
  const outcomeOf = (r: DeliveryResult) =>
    SILENT_ANSWER_PROVIDERS.has(r.delivery.provider) && r.outcome === 'success'
      ? (journalOutcome.get(r.delivery.eventId) ?? 'missing from the journal')
      : r.outcome;
  const appliedAnswers = new Map<string, Set<string>>();
  for (const [i, r] of results.entries()) {
    if (outcomeOf(r) !== 'applied') continue;
    const answers = appliedAnswers.get(r.delivery.orderId) ?? new Set<string>();
    answers.add(SILENT_ANSWER_PROVIDERS.has(r.delivery.provider) ? r.delivery.eventId : String(i));
    appliedAnswers.set(r.delivery.orderId, answers);
  }
  const answeredTwice = orderIds.filter((id) => (appliedAnswers.get(id)?.size ?? 0) > 1);
  if (answeredTwice.length > 0) {
    doubled += answeredTwice.length;
    problems.push(`${answeredTwice.length} orders were answered "applied" more than once`);
  }
  const unexpected = results.filter((r) => {
    const outcome = outcomeOf(r);
    return outcome !== null && !['applied', 'duplicate', 'ignored'].includes(outcome);
  });
  if (unexpected.length > 0) {
    lost += unexpected.length;
    problems.push(
      `${unexpected.length} deliveries were answered ${outcomeOf(unexpected[0]!)} instead of applied/duplicate/ignored`,
    );
  }
  return { lost, doubled, problems };
}
