/**
 * The delivery load: orders charged through the real providers (emulators over HTTP), paid at the
 * emulator, then every attempt's webhooks — several distinct success events, each delivered several times —
 * posted in a shuffled storm to the worker processes, with connection kills (mid-transaction and idle) and
 * worker `SIGKILL`s during it. A delivery answered 5xx or cut off is redelivered, as the providers do.
 * @module
 */
import type { Kysely } from 'kysely';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import type { AlipayEmulator, PingxxEmulator, StripeEmulator, WechatPayEmulator } from '../../src/testing/index.js';
import type { PaymentService } from '../../src/index.js';
import type { LoadAccount } from './accounts.js';
import type { ReliabilityDatabase } from './databases.js';
import type { WorkerPool } from './workers.js';

/** The providers whose webhooks the load posts. */
export type LoadProvider = 'stripe' | 'pingxx' | 'alipay' | 'wechatpay';

/**
 * Providers whose sender expects a fixed answer (Alipay's plain `success`, WeChat Pay's `{"code":"SUCCESS"}`),
 * which does not say the outcome: their deliveries take it from the event journal (`verifyLoad`).
 */
export const SILENT_ANSWER_PROVIDERS: ReadonlySet<string> = new Set(['alipay', 'wechatpay']);

/** One charged order of the load. */
export interface LoadOrder {
  orderId: string;
  attemptId: string;
  provider: LoadProvider;
  channel: string;
  /** PaymentIntent, Checkout Session, Ping++ charge id, Alipay or WeChat Pay `out_trade_no`. */
  reference: string;
  /** The seller's merchant account that takes it, or `null` for the platform's. */
  account: string | null;
}

/** One signed delivery (a copy of one event). */
export interface Delivery {
  provider: LoadProvider;
  orderId: string;
  eventId: string;
  rawBody: string;
  headers: Record<string, string>;
  /** Where it is posted: `/webhooks/<provider>`, or a seller account's `/webhooks/<provider>/<route token>`. */
  path: string;
  /** A forged cross-account delivery (`accounts.ts`): what it must be answered, and what it is. */
  forged?: { expect: 400 | 'rejected'; kind: string };
  /** WeChat Pay: the plaintext resource and the envelope, to seal the notification again (`conflicts.ts`). */
  sealed?: { eventType: string; createTime: string; resource: Record<string, unknown> };
}

/** What happened to one delivery. */
export interface DeliveryResult {
  delivery: Delivery;
  /**
   * The final answer: 200 with an outcome, or `null` when no 2xx came before the budget ran out. Alipay's
   * plain-text answer and WeChat Pay's `{"code":"SUCCESS"}` do not say which outcome: it is `success` here, and
   * `verifyLoad` reads the outcome from the event journal.
   */
  outcome: string | null;
  /** The last status seen (for the report). */
  lastStatus: number | string;
  tries: number;
  /** Every answer that was not 200, by status (or `network` for a connection that failed). */
  failures: Record<string, number>;
}

/** Kills done during the load. */
export interface KillCounts {
  busy: number;
  idle: number;
  processes: number;
}

/**
 * The load's routes: orders are charged round-robin over them. The platform's own providers, then the sellers'
 * merchant accounts (`accounts.ts`): two Stripe accounts and an Alipay app, whose products are `<seller>/…`.
 */
export const LOAD_ROUTES: readonly LoadRoute[] = [
  { provider: 'stripe', channel: 'stripe:payment_intent', currency: 'USD', account: null, seller: null },
  { provider: 'stripe', channel: 'stripe:checkout_session', currency: 'USD', account: null, seller: null },
  // Explicitly Ping++: with native Alipay enabled, a bare `alipay_qr` goes to native Alipay.
  { provider: 'pingxx', channel: 'pingxx:alipay_qr', currency: 'CNY', account: null, seller: null },
  { provider: 'alipay', channel: 'alipay:alipay_qr', currency: 'CNY', account: null, seller: null },
  // Native WeChat Pay (Native pay → `code_url`).
  { provider: 'wechatpay', channel: 'wechatpay:wx_pub_qr', currency: 'CNY', account: null, seller: null },
  {
    provider: 'stripe',
    channel: 'stripe:payment_intent',
    currency: 'USD',
    account: 'acct_seller_a_stripe',
    seller: 'seller_a',
  },
  {
    provider: 'stripe',
    channel: 'stripe:checkout_session',
    currency: 'USD',
    account: 'acct_seller_b_stripe',
    seller: 'seller_b',
  },
  {
    provider: 'alipay',
    channel: 'alipay:alipay_qr',
    currency: 'CNY',
    account: 'app_seller_b_alipay',
    seller: 'seller_b',
  },
];

/** One route of the load. */
export interface LoadRoute {
  provider: LoadProvider;
  channel: string;
  currency: string;
  /** The seller's account id, or `null` for the platform's provider. */
  account: string | null;
  seller: string | null;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

/**
 * Creates and charges `count` orders, an equal share on each of {@link LOAD_ROUTES} (on the platform: PaymentIntent,
 * Checkout Session, Ping++ `alipay_qr`, native Alipay `alipay_qr`, native WeChat Pay `wx_pub_qr`; on the sellers'
 * accounts: seller A's Stripe PaymentIntents, seller B's Stripe Checkout Sessions and native Alipay).
 */
export async function chargeOrders(
  service: PaymentService<Kysely<UntypedDatabase>>,
  count: number,
  random: () => number,
): Promise<LoadOrder[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    8,
    async (i) => {
      const route = LOAD_ROUTES[i % LOAD_ROUTES.length]!;
      const order = await service.initOrder({
        userId: `load-user-${i}`,
        productId: route.seller ? `${route.seller}/load-course-${i}` : `load-course-${i}`,
        payableAmount: 100 + Math.floor(random() * 99_900),
        currency: route.currency,
      });
      const dto = await service.createCharge({ orderId: order.orderId, channel: route.channel, clientIp: '127.0.0.1' });
      const attemptId = dto.paymentPayload!.attemptId;
      const attempt = await service.repositories.attempts.findById(attemptId);
      if (!attempt?.providerReference) throw new Error(`Attempt ${attemptId} has no provider reference.`);
      return {
        orderId: order.orderId,
        attemptId,
        provider: route.provider,
        channel: route.channel,
        reference: attempt.providerReference,
        account: route.account,
      };
    },
  );
}

/** Pays every order at its emulator and signs `events` distinct success events per attempt, `copies` times each. */
export function buildDeliveries(
  orders: readonly LoadOrder[],
  platform: { stripe: StripeEmulator; pingxx: PingxxEmulator; alipay: AlipayEmulator; wechatpay: WechatPayEmulator },
  accounts: readonly LoadAccount[],
  events: number,
  copies: number,
): Delivery[] {
  const deliveries: Delivery[] = [];
  for (const order of orders) {
    // A seller's order is paid at, and signed by, its own account's emulator, and posted on its account's route.
    const account = order.account === null ? undefined : accounts.find((a) => a.accountId === order.account);
    if (order.account !== null && !account) throw new Error(`No account ${order.account} in the load.`);
    const emulators = {
      ...platform,
      ...(account?.stripe ? { stripe: account.stripe } : {}),
      ...(account?.alipay ? { alipay: account.alipay } : {}),
    };
    const path = account?.path ?? `/webhooks/${order.provider}`;
    if (order.provider === 'stripe') emulators.stripe.succeedPayment(order.reference);
    else if (order.provider === 'alipay') emulators.alipay.controls.pay(order.reference);
    else if (order.provider === 'wechatpay') emulators.wechatpay.controls.pay(order.reference);
    else emulators.pingxx.controls.payCharge(order.reference);
    for (let e = 0; e < events; e += 1) {
      let signed: Omit<Delivery, 'provider' | 'orderId' | 'path'>;
      if (order.provider === 'stripe') {
        // A session reports checkout.session.completed and its PaymentIntent's payment_intent.succeeded.
        const type =
          order.channel === 'stripe:checkout_session' && e % 2 === 0
            ? 'checkout.session.completed'
            : 'payment_intent.succeeded';
        const webhook = emulators.stripe.webhookFor(order.reference, type);
        signed = { eventId: String(webhook.event['id']), rawBody: webhook.rawBody, headers: { ...webhook.headers } };
      } else if (order.provider === 'alipay') {
        // A TRADE_SUCCESS notification with its own notify_id, signed with Alipay's key (`signAlipayNotify`),
        // form-encoded: the headers carry its content type.
        const notification = emulators.alipay.controls.notificationFor(order.reference);
        const eventId = notification.params['notify_id'];
        if (!eventId) throw new Error(`The Alipay notification for ${order.reference} has no notify_id.`);
        signed = { eventId, rawBody: notification.rawBody, headers: { ...notification.headers } };
      } else if (order.provider === 'wechatpay') {
        // A TRANSACTION.SUCCESS notification with its own id, as WeChat Pay seals it (`signWechatPayNotification`:
        // the transaction encrypted with the APIv3 key, the body signed with WeChat Pay's key, its serial, a fresh
        // timestamp and nonce — so it must be delivered within WeChat Pay's 5-minute window, like Stripe's).
        const notification = emulators.wechatpay.controls.notificationFor(order.reference);
        signed = {
          eventId: String(notification.envelope['id']),
          rawBody: notification.rawBody,
          headers: { ...notification.headers },
          sealed: {
            eventType: String(notification.envelope['event_type']),
            createTime: String(notification.envelope['create_time']),
            resource: notification.resource,
          },
        };
      } else {
        const event = emulators.pingxx.controls.eventFor(order.reference, 'charge.succeeded');
        signed = { eventId: event.event.id, rawBody: event.rawBody, headers: { ...event.headers } };
      }
      for (let c = 0; c < copies; c += 1) {
        deliveries.push({ provider: order.provider, orderId: order.orderId, path, ...signed });
      }
    }
  }
  return deliveries;
}

/** A seeded PRNG (mulberry32), so a run's shuffle and picks can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates, in place. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Options of {@link deliverAll}. */
export interface DeliverOptions {
  pool: WorkerPool;
  database: ReliabilityDatabase;
  random: () => number;
  concurrency: number;
  /** Connection kills of each kind during the load (PostgreSQL / MySQL). */
  connectionKills: number;
  /** Worker processes `SIGKILL`ed during the load. */
  processKills: number;
  /** How long one delivery may keep being redelivered. */
  deliveryBudgetMs: number;
}

/** Posts every delivery until it is answered 2xx (or its budget runs out), killing connections and workers meanwhile. */
export async function deliverAll(
  deliveries: readonly Delivery[],
  options: DeliverOptions,
): Promise<{ results: DeliveryResult[]; kills: KillCounts }> {
  const { pool, random } = options;
  const kills: KillCounts = { busy: 0, idle: 0, processes: 0 };
  let done = 0;
  let finished = false;
  const processKillAt = Array.from({ length: options.processKills }, (_, i) =>
    Math.floor(((i + 1) * deliveries.length) / (options.processKills + 1)),
  );
  const pendingKills: Promise<unknown>[] = [];

  const killer = (async () => {
    // Alternate: a connection inside a transaction, then one parked idle in a pool.
    let turn = 0;
    while (!finished && (kills.busy < options.connectionKills || kills.idle < options.connectionKills)) {
      await sleep(40 + Math.floor(random() * 80));
      const kind = turn++ % 2 === 0 ? 'busy' : 'idle';
      if (kills[kind] >= options.connectionKills) continue;
      if (await options.database.killOne(kind).catch(() => false)) kills[kind] += 1;
    }
  })();

  const deliverOne = async (delivery: Delivery): Promise<DeliveryResult> => {
    const deadline = Date.now() + options.deliveryBudgetMs;
    let tries = 0;
    let lastStatus: number | string = 'none';
    const failures: Record<string, number> = {};
    const failed = (key: string) => {
      failures[key] = (failures[key] ?? 0) + 1;
    };
    while (Date.now() < deadline) {
      tries += 1;
      const worker = pool.pick(random);
      if (!worker) {
        await sleep(50);
        continue;
      }
      try {
        // The delivery's own headers win, whatever their case (WeChat Pay sends `Content-Type`).
        const headers = new Headers({ 'content-type': 'application/json' });
        for (const [name, value] of Object.entries(delivery.headers)) headers.set(name, value);
        const response = await fetch(`http://127.0.0.1:${worker.port}${delivery.path}`, {
          method: 'POST',
          body: delivery.rawBody,
          headers,
          signal: AbortSignal.timeout(20_000),
        });
        lastStatus = response.status;
        const text = await response.text();
        if (response.status === 200) {
          const outcome =
            delivery.provider === 'alipay'
              ? text === 'success'
                ? 'success'
                : `text ${JSON.stringify(text.slice(0, 40))}`
              : delivery.provider === 'wechatpay'
                ? text === '{"code":"SUCCESS"}'
                  ? 'success'
                  : `text ${JSON.stringify(text.slice(0, 40))}`
                : ((JSON.parse(text) as { outcome?: string }).outcome ?? 'unknown');
          return { delivery, outcome, lastStatus, tries, failures };
        }
        failed(String(response.status));
        if (response.status < 500) return { delivery, outcome: null, lastStatus, tries, failures };
      } catch (error) {
        lastStatus = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        failed('network');
      }
      await sleep(Math.min(20 * 2 ** Math.min(tries, 5), 500) * (0.5 + random()));
    }
    return { delivery, outcome: null, lastStatus, tries, failures };
  };

  const results = await mapLimit(deliveries, options.concurrency, async (delivery) => {
    const result = await deliverOne(delivery);
    done += 1;
    if (processKillAt.includes(done)) {
      pendingKills.push(
        pool.killOne(random).then((killed) => {
          if (killed) kills.processes += 1;
        }),
      );
    }
    return result;
  });
  finished = true;
  await killer;
  await Promise.all(pendingKills);
  return { results, kills };
}
