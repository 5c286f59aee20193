/**
 * Conflicting redeliveries: after the load, events it journalled come again under the same event id with a
 * different body, correctly signed as the provider signs (an amount or another value of the event changed),
 * several copies at once — for each provider of the load: Stripe and Ping++ events, Alipay notifications (same
 * `notify_id`, re-signed with Alipay's key by `signAlipayNotify`) and WeChat Pay notifications (same id, the changed
 * resource sealed again by `signWechatPayNotification`). Each must be refused: the service's outcome `rejected`
 * (read from `handleWebhook`'s result, since Alipay's `success` and WeChat Pay's `{"code":"SUCCESS"}` answer every
 * processed outcome alike; the HTTP answer must still be the provider's processed acknowledgement), each body must
 * raise one `event_conflict` anomaly (its copies share one outbox row), and nothing but that outbox row may
 * change (rows compared before and after). Then, as controls, the genuine event posted again must be a plain
 * `duplicate` — for Alipay and WeChat Pay both the body the load posted and the notification re-sent the way the
 * provider re-sends it (Alipay: a new `notify_time`, hence a new `sign`; WeChat Pay: sealed again with a new
 * nonce and timestamp), so the hash the worker processes journalled ignores what legitimately changes and only that.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import type { PaymentAnomaly, PaymentService } from '../../src/index.js';
import { createWebhookHandler } from '../../src/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import {
  signAlipayNotify,
  signStripeWebhook,
  signWechatPayNotification,
  type AlipayEmulator,
  type PingxxEmulator,
  type StripeEmulator,
  type WechatPayEmulator,
} from '../../src/testing/index.js';
import type { Delivery, LoadProvider } from './load.js';
import { mapLimit } from './load.js';
import { dumpRows } from './secrets.js';

/** What the conflicting redeliveries found. */
export interface ConflictVerdict {
  /** Conflicting deliveries posted. */
  total: number;
  /** Refused (`rejected`, with their anomaly, and nothing changed). */
  refused: number;
  /** Conflicting deliveries posted, per provider. */
  perProvider: Record<string, number>;
  problems: string[];
}

/** Options of {@link runConflicts}. */
export interface ConflictOptions {
  db: Kysely<UntypedDatabase>;
  dialect: string;
  service: PaymentService<Kysely<UntypedDatabase>>;
  /** The load's deliveries (one event per order is taken, spread over the providers). */
  deliveries: readonly Delivery[];
  /** How many events to redeliver with another body, in all (an equal share per provider). */
  events: number;
  /** Copies of each conflicting body, posted concurrently. */
  copies: number;
  /** The emulators whose keys sign the altered bodies. */
  emulators: { stripe: StripeEmulator; pingxx: PingxxEmulator; alipay: AlipayEmulator; wechatpay: WechatPayEmulator };
}

/** A body with the headers to post it with. */
interface Signed {
  rawBody: string;
  headers: Record<string, string>;
}

const PROVIDERS: readonly LoadProvider[] = ['stripe', 'pingxx', 'alipay', 'wechatpay'];

/** The same event with a changed value (the amount for odd `i`, another field for even `i`), signed again. */
function conflicting(d: Delivery, i: number, e: ConflictOptions['emulators']): Signed {
  if (d.provider === 'alipay') {
    const params = Object.fromEntries(new URLSearchParams(d.rawBody));
    if (i % 2 === 1) params['total_amount'] = (Number(params['total_amount']) + 0.01).toFixed(2);
    else params['subject'] = `${params['subject'] ?? ''} (conflict ${i})`;
    return signAlipayNotify(params, e.alipay.alipayKeyPair.privateKey);
  }
  if (d.provider === 'wechatpay') {
    const resource = structuredClone(requireSealed(d).resource);
    const amount = resource['amount'] as Record<string, number>;
    if (i % 2 === 1) resource['amount'] = { ...amount, total: amount['total']! + 1, payer_total: amount['total']! + 1 };
    else resource['bank_type'] = `CONFLICT_${i}`;
    return sealWechatPay(d, resource, e.wechatpay);
  }
  const event = JSON.parse(d.rawBody) as { data: { object: Record<string, unknown> } };
  const object = event.data.object;
  if (i % 2 === 1 && typeof object['amount'] === 'number') {
    object['amount'] = object['amount'] + 1;
  } else {
    object['metadata'] = { ...(object['metadata'] as Record<string, unknown> | null), reliability_conflict: String(i) };
  }
  return signJson(d.provider, JSON.stringify(event), e);
}

/** The genuine event as the provider would deliver it again now (Stripe / Ping++: the same body, signed now). */
function redelivered(d: Delivery, e: ConflictOptions['emulators']): Signed[] {
  if (d.provider === 'alipay') {
    const params = Object.fromEntries(new URLSearchParams(d.rawBody));
    // Alipay re-sends with a new notify_time, so a new sign (always one second apart from the load's).
    const time = new Date(Date.parse(`${params['notify_time']!.replace(' ', 'T')}+08:00`) + 1000);
    params['notify_time'] = new Date(time.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    return [{ rawBody: d.rawBody, headers: d.headers }, signAlipayNotify(params, e.alipay.alipayKeyPair.privateKey)];
  }
  // The load's WeChat Pay body may be older than WeChat Pay's 5-minute window by now: sealed again, as sent now.
  if (d.provider === 'wechatpay') return [sealWechatPay(d, requireSealed(d).resource, e.wechatpay)];
  return [signJson(d.provider, d.rawBody, e)];
}

function signJson(provider: LoadProvider, rawBody: string, e: ConflictOptions['emulators']): Signed {
  const headers =
    provider === 'stripe'
      ? signStripeWebhook(rawBody, e.stripe.webhookSecret).headers
      : e.pingxx.controls.signWebhook(rawBody).headers;
  return { rawBody, headers: { ...headers } };
}

function requireSealed(d: Delivery): NonNullable<Delivery['sealed']> {
  if (!d.sealed) throw new Error(`The WeChat Pay delivery ${d.eventId} kept no plaintext resource.`);
  return d.sealed;
}

/** A WeChat Pay notification with this id and resource, encrypted and signed now (new nonces, new timestamp). */
function sealWechatPay(d: Delivery, resource: Record<string, unknown>, emulator: WechatPayEmulator): Signed {
  const sealed = requireSealed(d);
  const notification = signWechatPayNotification(
    { eventType: sealed.eventType, resource, id: d.eventId, createTime: new Date(sealed.createTime) },
    { apiV3Key: emulator.apiV3Key, privateKey: emulator.wechatpayKeyPair.privateKey, serial: emulator.publicKeyId },
  );
  return { rawBody: notification.rawBody, headers: notification.headers };
}

/** The answer a provider's sender expects for a processed delivery (whatever its outcome). */
function acknowledged(provider: string, text: string, outcome: string): boolean {
  if (provider === 'alipay') return text === 'success';
  if (provider === 'wechatpay') return text === '{"code":"SUCCESS"}';
  try {
    return (JSON.parse(text) as { outcome?: string }).outcome === outcome;
  } catch {
    return false;
  }
}

/**
 * Posts through the real web handler, and reads the outcome where the service returns it: the handler is built
 * per request over a service whose `handleWebhook` keeps its result.
 */
async function post(service: ConflictOptions['service'], provider: string, signed: Signed): Promise<string> {
  let outcome = 'none';
  const handler = createWebhookHandler({
    factory: service.factory,
    logger: service.logger,
    handleWebhook: async (input) => {
      const result = await service.handleWebhook(input);
      outcome = result.outcome;
      return result;
    },
  });
  const headers = new Headers({ 'content-type': 'application/json' });
  for (const [name, value] of Object.entries(signed.headers)) headers.set(name, value);
  const response = await handler(
    new Request(`http://host.local/webhooks/${provider}`, { method: 'POST', body: signed.rawBody, headers }),
  );
  const text = await response.text();
  if (response.status !== 200) return `${response.status} ${text.slice(0, 60)}`;
  return acknowledged(provider, text, outcome) ? `200 ${outcome}` : `200 ${outcome} answered ${text.slice(0, 60)}`;
}

/**
 * Every table's rows as sorted JSON lines: the comparison ignores row order, which PostgreSQL changes when a
 * row is rewritten with the same values (the conflict path's no-op update moves the tuple). The outbox is
 * left out: each `event_conflict` anomaly is an outbox row by design (they are counted there).
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

/** One event per order, an equal share of `events` per provider, in the load's (shuffled) order. */
function pick(deliveries: readonly Delivery[], events: number): Delivery[] {
  const share = Math.ceil(events / PROVIDERS.length);
  const seen = new Set<string>();
  const picked: Delivery[] = [];
  const count = new Map<string, number>();
  for (const d of deliveries) {
    if (seen.has(d.orderId) || (count.get(d.provider) ?? 0) >= share) continue;
    seen.add(d.orderId);
    count.set(d.provider, (count.get(d.provider) ?? 0) + 1);
    picked.push(d);
  }
  return picked;
}

/** See the module doc. */
export async function runConflicts(options: ConflictOptions): Promise<ConflictVerdict> {
  const problems: string[] = [];
  const picked = pick(options.deliveries, options.events);
  const perProvider: Record<string, number> = {};
  for (const provider of PROVIDERS) {
    const n = picked.filter((d) => d.provider === provider).length;
    if (n === 0) problems.push(`conflicts: the load had no ${provider} event to redeliver`);
    perProvider[provider] = n * options.copies;
  }
  const posts = picked.flatMap((d, i) => {
    const signed = conflicting(d, i, options.emulators);
    return Array.from({ length: options.copies }, () => ({ delivery: d, signed }));
  });
  const before = await rowSets(options.db, options.dialect);
  const answers = await mapLimit(posts, 16, (p) => post(options.service, p.delivery.provider, p.signed));
  const after = await rowSets(options.db, options.dialect);
  const changed = before !== after;
  if (changed) problems.push('the database changed while conflicting redeliveries were posted');

  // Counted where they are durable: the outbox rows (a row another copy's transaction still locks is
  // delivered to onAnomaly later by a dispatcher, so the hook alone would undercount).
  const { rows: outboxRows } = await sql<{ payload: unknown }>`
    select payload from order_payment_outbox where type = 'payment.anomaly'`.execute(options.db);
  const conflictsPerEvent = new Map<string, number>();
  for (const row of outboxRows) {
    const a = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as PaymentAnomaly;
    if (a.kind !== 'event_conflict') continue;
    const key = `${a.provider}:${a.eventId ?? ''}`;
    conflictsPerEvent.set(key, (conflictsPerEvent.get(key) ?? 0) + 1);
  }
  let refused = 0;
  const wrong = new Map<string, number>();
  for (const [i, answer] of answers.entries()) {
    if (answer === '200 rejected') refused += 1;
    else {
      const key = `${posts[i]!.delivery.provider}: ${answer}`;
      wrong.set(key, (wrong.get(key) ?? 0) + 1);
    }
  }
  for (const [answer, n] of wrong)
    problems.push(`${n} conflicting redeliveries (${answer}) were not refused as rejected`);
  // One anomaly per conflicting body: its copies are one outbox row (keyed by the body's hash).
  const unreported = picked.filter((d) => conflictsPerEvent.get(`${d.provider}:${d.eventId}`) !== 1);
  if (unreported.length > 0) {
    const first = unreported[0]!;
    problems.push(
      `${unreported.length} conflicting events did not raise exactly one event_conflict anomaly (e.g. ${first.provider} ${first.eventId}: ${conflictsPerEvent.get(`${first.provider}:${first.eventId}`) ?? 0})`,
    );
  }
  // Control: the genuine events, as the providers would deliver them again, are still plain duplicates.
  for (const d of picked) {
    for (const signed of redelivered(d, options.emulators)) {
      const answer = await post(options.service, d.provider, signed);
      if (answer !== '200 duplicate') problems.push(`control: the genuine ${d.provider} ${d.eventId} was ${answer}`);
    }
  }
  return {
    total: posts.length,
    refused: changed || unreported.length > 0 ? 0 : refused,
    perProvider,
    problems,
  };
}
