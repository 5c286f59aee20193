/**
 * Conflicting redeliveries: after the load, events it journalled come again under the same event id with a
 * different body, correctly signed (an amount or a metadata value changed), several copies at once. Each must
 * be answered 200 `rejected`, each body raise one `event_conflict` anomaly (its copies share one outbox row),
 * and change nothing but that outbox row (rows compared before and
 * after); the genuine body posted again must still be a plain `duplicate` (the hash the worker processes
 * journalled is the one the runner computes).
 * @module
 */
import { sql, type Kysely } from 'kysely';
import type { PaymentAnomaly, WebhookHandler } from '../../src/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import type { Delivery } from './load.js';
import { mapLimit } from './load.js';
import { dumpRows } from './secrets.js';

/** What the conflicting redeliveries found. */
export interface ConflictVerdict {
  /** Conflicting deliveries posted. */
  total: number;
  /** Answered 200 `rejected`, with their anomaly, and nothing changed. */
  refused: number;
  problems: string[];
}

export interface ConflictOptions {
  db: Kysely<UntypedDatabase>;
  dialect: string;
  handler: WebhookHandler;
  anomalies: PaymentAnomaly[];
  /** The load's deliveries (one event per Stripe / Ping++ order is taken). */
  deliveries: readonly Delivery[];
  /** How many events to redeliver with another body. */
  events: number;
  /** Copies of each conflicting body, posted concurrently. */
  copies: number;
  sign: (provider: 'stripe' | 'pingxx', body: string) => Record<string, string>;
}

/** Another body for the same event: the amount (odd events) or a metadata value (even events) changed. */
function altered(rawBody: string, i: number): string {
  const event = JSON.parse(rawBody) as { data: { object: Record<string, unknown> } };
  const object = event.data.object;
  if (i % 2 === 1 && typeof object['amount'] === 'number') {
    object['amount'] = object['amount'] + 1;
  } else {
    object['metadata'] = { ...(object['metadata'] as Record<string, unknown> | null), reliability_conflict: String(i) };
  }
  return JSON.stringify(event);
}

async function post(handler: WebhookHandler, provider: string, body: string, headers: Record<string, string>) {
  const response = await handler(
    new Request(`http://host.local/webhooks/${provider}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    }),
  );
  const answer = (await response.json()) as { outcome?: string; error?: string };
  return `${response.status} ${answer.outcome ?? answer.error ?? ''}`;
}

/**
 * Every table's rows as sorted JSON lines: the comparison ignores row order, which PostgreSQL changes when a
 * row is rewritten with the same values (the conflict path's no-op update moves the tuple). The outbox is
 * left out: each `event_conflict` anomaly is an outbox row by design (they are counted through `onAnomaly`).
 */
async function rowSets(db: Kysely<UntypedDatabase>, dialect: string): Promise<string> {
  const tables = (await dumpRows(db, dialect)).filter((t) => !t.source.endsWith(' order_payment_outbox'));
  return JSON.stringify(
    tables.map((t) => ({
      table: t.source,
      rows: (JSON.parse(t.text) as unknown[]).map((row) => JSON.stringify(row)).sort(),
    })),
  );
}

/** See the module doc. */
export async function runConflicts(options: ConflictOptions): Promise<ConflictVerdict> {
  const problems: string[] = [];
  const seen = new Set<string>();
  const picked: Delivery[] = [];
  for (const d of options.deliveries) {
    if (picked.length >= options.events) break;
    // Alipay's answer is a plain `success` for a rejected body too: its conflicts are not counted here.
    if (d.provider === 'alipay' || d.provider === 'wechatpay') continue;
    if (seen.has(d.orderId)) continue;
    seen.add(d.orderId);
    picked.push(d);
  }
  const posts = picked.flatMap((d, i) => {
    const body = altered(d.rawBody, i);
    return Array.from({ length: options.copies }, () => ({ delivery: d, body }));
  });
  const before = await rowSets(options.db, options.dialect);
  const anomaliesBefore = options.anomalies.length;
  const answers = await mapLimit(posts, 16, (p) =>
    post(
      options.handler,
      p.delivery.provider,
      p.body,
      options.sign(p.delivery.provider as 'stripe' | 'pingxx', p.body),
    ),
  );
  const after = await rowSets(options.db, options.dialect);
  const changed = before !== after;
  if (changed) problems.push('the database changed while conflicting redeliveries were posted');

  // Counted where they are durable: the outbox rows (a row another copy's transaction still locks is
  // delivered to onAnomaly later by a dispatcher, so the hook alone would undercount).
  void anomaliesBefore;
  const { rows: outboxRows } = await sql<{ payload: unknown }>`
    select payload from order_payment_outbox where type = 'payment.anomaly'`.execute(options.db);
  const conflictsPerEvent = new Map<string, number>();
  for (const row of outboxRows) {
    const a = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as PaymentAnomaly;
    if (a.kind !== 'event_conflict') continue;
    conflictsPerEvent.set(a.eventId ?? '', (conflictsPerEvent.get(a.eventId ?? '') ?? 0) + 1);
  }
  let refused = 0;
  const wrong = new Map<string, number>();
  for (const answer of answers) {
    if (answer === '200 rejected') refused += 1;
    else wrong.set(answer, (wrong.get(answer) ?? 0) + 1);
  }
  for (const [answer, n] of wrong)
    problems.push(`${n} conflicting redeliveries were answered ${answer}, not 200 rejected`);
  // One anomaly per conflicting body: its copies are one outbox row (keyed by the body's hash).
  const unreported = picked.filter((d) => conflictsPerEvent.get(d.eventId) !== 1);
  if (unreported.length > 0) {
    problems.push(
      `${unreported.length} conflicting events did not raise exactly one event_conflict anomaly (e.g. ${unreported[0]!.eventId}: ${conflictsPerEvent.get(unreported[0]!.eventId) ?? 0})`,
    );
  }
  // Control: the genuine bodies are still plain duplicates.
  for (const d of picked) {
    const answer = await post(
      options.handler,
      d.provider,
      d.rawBody,
      options.sign(d.provider as 'stripe' | 'pingxx', d.rawBody),
    );
    if (answer !== '200 duplicate') problems.push(`control: the genuine ${d.eventId} was answered ${answer}`);
  }
  return {
    total: posts.length,
    refused: changed || unreported.length > 0 ? 0 : refused,
    problems,
  };
}
