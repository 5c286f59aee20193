/**
 * The sellers' merchant accounts in the reliability load (issue 15, docs/merchant-accounts.md): beside the
 * platform's own providers, seller A has a Stripe account and seller B a Stripe account and a native Alipay app,
 * each on its own emulator with its own secrets. The load charges orders of their products on their accounts and
 * posts those orders' webhooks on the accounts' routes (`/webhooks/<provider>/<route token>`) to the same worker
 * processes, through the same kills; exactly once is then counted per account too.
 *
 * Forged cross-account deliveries ride in the same storm: "bystander" orders of each seller account are paid at
 * their provider, but their genuine webhooks are never posted. Instead, their success events signed with another
 * account's secret (Stripe: B's webhook secret for A's payment and A's for B's; Alipay: the platform's Alipay key,
 * with the platform's app id) are posted on the owner's route (must be answered 400: that secret does not verify
 * there), on the signer's route or the platform's (they verify, but the payment is another account's: must be
 * `rejected`, `account_mismatch`). Nothing may change: the bystanders stay unpaid through the load — no
 * `onOrderPaid` row, no `order.paid` outbox row, no applied journal row.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { merchantAccountRouteToken, type MerchantAccount, type PaymentService } from '../../src/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import {
  generateAlipayTestKeyPair,
  signAlipayNotify,
  startAlipayEmulator,
  startStripeEmulator,
  type AlipayEmulator,
  type StripeEmulator,
} from '../../src/testing/index.js';
import { mapLimit, SILENT_ANSWER_PROVIDERS, type Delivery, type DeliveryResult, type LoadOrder } from './load.js';
import type { SellerAccounts } from './payment-env.js';

/** One seller account of the load, with the emulator that plays its provider account. */
export interface LoadAccount {
  accountId: string;
  versionId: string;
  sellerId: string;
  provider: 'stripe' | 'alipay';
  /** Seller A's or B's own Stripe account. */
  stripe?: StripeEmulator;
  /** Seller B's own Alipay app. */
  alipay?: AlipayEmulator;
  /** `/webhooks/<provider>/<accountId>.<HMAC>`: where the account's provider posts. */
  path: string;
}

/** The accounts, their configuration for the processes, and their secrets. */
export interface SellerSetup {
  config: SellerAccounts;
  accounts: LoadAccount[];
  /** Every secret value the accounts add (for the secrets scan). */
  secrets: Record<string, string>;
  close(): Promise<void>;
}

/** The platform's emulators the forgeries sign with. */
export interface PlatformSigners {
  stripe: StripeEmulator;
  alipay: AlipayEmulator;
}

const hex = (n: number) => randomBytes(n).toString('hex');

/** Starts the sellers' emulators and describes their accounts (one version each). */
export async function startSellerAccounts(): Promise<SellerSetup> {
  const routeKey = `route_key_${hex(24)}`;
  const secrets: Record<string, string> = { routeKey };
  const accounts: LoadAccount[] = [];
  const config: SellerAccounts = { routeKey, accounts: [] };
  for (const seller of ['a', 'b']) {
    const accountId = `acct_seller_${seller}_stripe`;
    const apiKey = `sk_test_rel_${seller}${hex(12)}`;
    const webhookSecret = `whsec_rel_${seller}${hex(12)}`;
    const stripe = await startStripeEmulator({ apiKey, webhookSecret });
    Object.assign(secrets, { [`${accountId} key`]: apiKey, [`${accountId} webhook secret`]: webhookSecret });
    const account = {
      accountId,
      versionId: `${accountId}_v1`,
      sellerId: `seller_${seller}`,
      provider: 'stripe' as const,
    };
    config.accounts.push({
      ...account,
      credentials: {
        secretKey: apiKey,
        webhookSecret,
        successUrl: 'https://shop.example/paid',
        cancelUrl: 'https://shop.example/cancel',
        host: stripe.host,
        port: stripe.port,
        protocol: 'http',
      },
    });
    accounts.push({ ...account, stripe, path: await routeOf('stripe', routeKey, accountId) });
  }
  const appKeys = generateAlipayTestKeyPair('reliability-seller-b-app');
  const alipay = await startAlipayEmulator({
    appKeyPair: appKeys,
    // Its own Alipay key too: a notification the platform's Alipay key signed must not verify for this app.
    alipayKeyPair: generateAlipayTestKeyPair('reliability-seller-b-alipay'),
  });
  const alipayAccount = {
    accountId: 'app_seller_b_alipay',
    versionId: 'app_seller_b_alipay_v1',
    sellerId: 'seller_b',
    provider: 'alipay' as const,
  };
  const alipayPath = await routeOf('alipay', routeKey, alipayAccount.accountId);
  secrets['app_seller_b_alipay private key'] = appKeys.privateKey;
  config.accounts.push({
    ...alipayAccount,
    credentials: {
      appId: alipay.appId,
      privateKey: appKeys.privateKey,
      alipayPublicKey: alipay.alipayKeyPair.publicKey,
      gatewayUrl: alipay.gatewayUrl,
      notifyUrl: `https://shop.example${alipayPath}`,
    },
  } satisfies MerchantAccount);
  accounts.push({ ...alipayAccount, alipay, path: alipayPath });
  return {
    config,
    accounts,
    secrets,
    close: async () => {
      for (const a of accounts) await (a.stripe ?? a.alipay)!.close();
    },
  };
}

async function routeOf(provider: string, routeKey: string, accountId: string): Promise<string> {
  return `/webhooks/${provider}/${await merchantAccountRouteToken(routeKey, accountId)}`;
}

/** An order of the load that is never paid by a genuine webhook: only forgeries are posted for it. */
export interface Bystander extends LoadOrder {
  /** The seller account that took it. */
  owner: LoadAccount;
}

/** Charges `perAccount` orders on each seller account and pays them at the account's emulator. */
export async function chargeBystanders(
  service: PaymentService<Kysely<UntypedDatabase>>,
  accounts: readonly LoadAccount[],
  perAccount: number,
): Promise<Bystander[]> {
  const jobs = accounts.flatMap((account) => Array.from({ length: perAccount }, (_, i) => ({ account, i })));
  return mapLimit(jobs, 4, async ({ account, i }) => {
    const stripe = account.provider === 'stripe';
    const channel = stripe ? 'stripe:payment_intent' : 'alipay:alipay_qr';
    const order = await service.initOrder({
      userId: `bystander-${account.accountId}-${i}`,
      productId: `${account.sellerId}/bystander-${i}`,
      payableAmount: 4321 + i,
      currency: stripe ? 'USD' : 'CNY',
    });
    const dto = await service.createCharge({ orderId: order.orderId, channel, clientIp: '127.0.0.1' });
    const attemptId = dto.paymentPayload!.attemptId;
    const attempt = await service.repositories.attempts.findById(attemptId);
    if (!attempt?.providerReference) throw new Error(`Bystander attempt ${attemptId} has no provider reference.`);
    if (account.stripe) account.stripe.succeedPayment(attempt.providerReference);
    else account.alipay!.controls.pay(attempt.providerReference);
    return {
      orderId: order.orderId,
      attemptId,
      provider: account.provider,
      channel,
      reference: attempt.providerReference,
      account: account.accountId,
      owner: account,
    };
  });
}

/** What a forged delivery must be answered. */
export type ForgedExpectation = 400 | 'rejected';

/**
 * The forged deliveries for the bystanders, `copies` of each (see the module doc). Signed now: Stripe signatures
 * are accepted for 5 minutes.
 */
export function forgedDeliveries(
  bystanders: readonly Bystander[],
  accounts: readonly LoadAccount[],
  platform: PlatformSigners,
  copies: number,
): Delivery[] {
  const out: Delivery[] = [];
  const push = (b: Bystander, path: string, expect: ForgedExpectation, kind: string, signed: Signed) => {
    for (let c = 0; c < copies; c += 1)
      out.push({ provider: b.provider, orderId: b.orderId, path, forged: { expect, kind }, ...signed });
  };
  for (const b of bystanders) {
    const owner = b.owner;
    if (owner.stripe) {
      const other = accounts.find((a) => a.stripe && a !== owner)!;
      const signedBy = (secret: string): Signed => {
        const webhook = owner.stripe!.webhookFor(b.reference, 'payment_intent.succeeded', { secret });
        return { eventId: String(webhook.event['id']), rawBody: webhook.rawBody, headers: { ...webhook.headers } };
      };
      const otherSecret = other.stripe!.webhookSecret;
      push(b, owner.path, 400, `${other.accountId}'s secret on ${owner.accountId}'s route`, signedBy(otherSecret));
      push(b, other.path, 'rejected', `${other.accountId}'s secret on its own route`, signedBy(otherSecret));
      push(
        b,
        '/webhooks/stripe',
        'rejected',
        'the platform secret on the platform route',
        signedBy(platform.stripe.webhookSecret),
      );
    } else {
      // The seller's genuine notification, re-signed with the platform's Alipay key (and, for the platform route,
      // the platform's app id, so it passes the app check there and must be stopped by the account check).
      const genuine = owner.alipay!.controls.notificationFor(b.reference);
      const signedBy = (params: Record<string, string>): Signed => {
        const signed = signAlipayNotify(params, platform.alipay.alipayKeyPair.privateKey);
        return { eventId: params['notify_id']!, rawBody: signed.rawBody, headers: { ...signed.headers } };
      };
      const onRoute = { ...genuine.params, notify_id: hex(16) };
      const onPlatform = { ...genuine.params, notify_id: hex(16), app_id: platform.alipay.appId };
      push(b, owner.path, 400, `the platform's Alipay key on ${owner.accountId}'s route`, signedBy(onRoute));
      push(
        b,
        '/webhooks/alipay',
        'rejected',
        "the platform's Alipay key and app id on the platform route",
        signedBy(onPlatform),
      );
    }
  }
  return out;
}

interface Signed {
  eventId: string;
  rawBody: string;
  headers: Record<string, string>;
}

/** What the forged deliveries did. */
export interface ForgedVerdict {
  total: number;
  refused: number;
  /** Refused deliveries by answer (`400`, `rejected`). */
  byAnswer: Record<string, number>;
  /** No bystander order paid, no hook or `order.paid` row, no applied event. */
  untouched: boolean;
  problems: string[];
}

/**
 * Each forged delivery must have got its expected answer (400, or 200 with the outcome `rejected` — for Alipay read
 * from the journal), and the bystanders must be untouched: not paid, no `onOrderPaid` row, no `order.paid` outbox
 * row, no applied event.
 */
export async function verifyForged(
  db: Kysely<UntypedDatabase>,
  bystanders: readonly Bystander[],
  results: readonly DeliveryResult[],
  hookTable: string,
): Promise<ForgedVerdict> {
  const problems: string[] = [];
  const ids = bystanders.map((b) => b.orderId);
  const eventIds = [...new Set(results.map((r) => r.delivery.eventId))];
  const journal =
    eventIds.length === 0
      ? []
      : (
          await sql<{ event_id: string; outcome: string | null }>`
            select event_id, outcome from order_payment_events where event_id in (${sql.join(eventIds)})`.execute(db)
        ).rows;
  const journalOutcome = new Map(journal.map((r) => [r.event_id, r.outcome ?? 'null']));
  const byAnswer: Record<string, number> = {};
  const wrong = new Map<string, number>();
  for (const r of results) {
    const expected = r.delivery.forged!.expect;
    // A refused event keeps its journal row (`rejected`): its later copies are answered `duplicate`. What was
    // decided is the journal's outcome; the answer only has to be a processed one (200).
    const answer =
      r.outcome === null
        ? String(r.lastStatus)
        : SILENT_ANSWER_PROVIDERS.has(r.delivery.provider) || r.outcome === 'rejected' || r.outcome === 'duplicate'
          ? (journalOutcome.get(r.delivery.eventId) ?? 'missing from the journal')
          : r.outcome;
    if (answer === String(expected)) byAnswer[answer] = (byAnswer[answer] ?? 0) + 1;
    else {
      const key = `${r.delivery.forged!.kind}: ${answer}, expected ${expected}`;
      wrong.set(key, (wrong.get(key) ?? 0) + 1);
    }
  }
  for (const [what, n] of wrong) problems.push(`forged cross-account delivery ×${n}: ${what}`);
  const answered = problems.length;
  const applied = journal.filter((r) => r.outcome === 'applied');
  if (applied.length > 0) problems.push(`${applied.length} forged cross-account events were applied`);
  const { rows: orders } = await sql<{ order_bid: string; status: number | string }>`
    select order_bid, status from order_orders where order_bid in (${sql.join(ids)})`.execute(db);
  const paid = orders.filter((o) => Number(o.status) === 502);
  if (paid.length > 0) problems.push(`${paid.length} bystander orders were paid by forged cross-account deliveries`);
  const { rows: hooks } = await sql<{ n: number | string }>`
    select count(*) as n from ${sql.table(hookTable)} where order_bid in (${sql.join(ids)})`.execute(db);
  if (Number(hooks[0]?.n ?? 0) > 0) problems.push(`${hooks[0]?.n} onOrderPaid rows for bystander orders`);
  const { rows: outbox } = await sql<{ n: number | string }>`
    select count(*) as n from order_payment_outbox where type = 'order.paid' and order_bid in (${sql.join(ids)})`.execute(
    db,
  );
  if (Number(outbox[0]?.n ?? 0) > 0) problems.push(`${outbox[0]?.n} order.paid outbox rows for bystander orders`);
  const untouched = problems.length === answered;
  const refused = Object.values(byAnswer).reduce((a, b) => a + b, 0);
  return { total: results.length, refused: untouched ? refused : 0, byAnswer, untouched, problems };
}

/** Per account: its orders, their deliveries, and the orders with exactly one applied event and the right snapshot. */
export interface AccountCount {
  account: string;
  orders: number;
  deliveries: number;
  /** Orders with one applied journal row and the account's seller and version on `order_orders`. */
  exactlyOnce: number;
}

/**
 * Counts the load per account (the platform's providers as `platform`) with raw SQL: one applied journal row per
 * order, and the order's snapshot (`creator_bid`, `payment_integration_bid`) naming the account's seller and
 * version (`''` for the platform's). (Each seller payment was paid at its account's emulator, which knows only
 * the payments made on that account.)
 */
export async function countPerAccount(
  db: Kysely<UntypedDatabase>,
  orders: readonly LoadOrder[],
  deliveries: readonly Delivery[],
  accounts: readonly LoadAccount[],
): Promise<{ counts: AccountCount[]; problems: string[] }> {
  const problems: string[] = [];
  const ids = orders.map((o) => o.orderId);
  const snapshots = new Map<string, { creator: string; version: string }>();
  for (let i = 0; i < ids.length; i += 200) {
    const part = sql.join(ids.slice(i, i + 200));
    const { rows } = await sql<{
      order_bid: string;
      creator_bid: string | null;
      payment_integration_bid: string | null;
    }>`
      select order_bid, creator_bid, payment_integration_bid from order_orders where order_bid in (${part})`.execute(
      db,
    );
    for (const r of rows)
      snapshots.set(r.order_bid, { creator: r.creator_bid ?? '', version: r.payment_integration_bid ?? '' });
  }
  // Applied events per order, through the orders' own event ids (an Alipay journal row names the attempt, not
  // always the order).
  const orderOfEvent = new Map(deliveries.map((d) => [d.eventId, d.orderId]));
  const eventIds = [...orderOfEvent.keys()];
  const applied = new Map<string, number>();
  for (let i = 0; i < eventIds.length; i += 200) {
    const { rows } = await sql<{ event_id: string }>`
      select event_id from order_payment_events
      where outcome = 'applied' and event_id in (${sql.join(eventIds.slice(i, i + 200))})`.execute(db);
    for (const r of rows) {
      const orderId = orderOfEvent.get(r.event_id)!;
      applied.set(orderId, (applied.get(orderId) ?? 0) + 1);
    }
  }
  const byId = new Map(accounts.map((a) => [a.accountId, a]));
  const counts = new Map<string, AccountCount>();
  const countOf = (name: string) => {
    let c = counts.get(name);
    if (!c) counts.set(name, (c = { account: name, orders: 0, deliveries: 0, exactlyOnce: 0 }));
    return c;
  };
  const accountOfOrder = new Map(orders.map((o) => [o.orderId, o.account ?? 'platform']));
  for (const o of orders) {
    const name = o.account ?? 'platform';
    const c = countOf(name);
    c.orders += 1;
    const account = o.account ? byId.get(o.account) : undefined;
    const want = account ? { creator: account.sellerId, version: account.versionId } : { creator: '', version: '' };
    const got = snapshots.get(o.orderId);
    if (got?.creator !== want.creator || got.version !== want.version) {
      problems.push(
        `${name}: order ${o.orderId} snapshots seller ${JSON.stringify(got?.creator)} version ${JSON.stringify(got?.version)}`,
      );
    } else if (applied.get(o.orderId) === 1) c.exactlyOnce += 1;
  }
  for (const d of deliveries) countOf(accountOfOrder.get(d.orderId) ?? 'platform').deliveries += 1;
  for (const c of counts.values())
    if (c.exactlyOnce !== c.orders)
      problems.push(`${c.account}: ${c.orders - c.exactlyOnce} orders not paid exactly once`);
  return { counts: [...counts.values()], problems };
}

/**
 * After the faults phase's `reconcile` (which pulls every open attempt): each bystander order is paid — the truth
 * read from its own account's emulator through its snapshotted version — with exactly one `onOrderPaid` row.
 */
export async function verifyBystandersReconciled(
  db: Kysely<UntypedDatabase>,
  bystanders: readonly Bystander[],
  hookTable: string,
): Promise<{ paid: number; problems: string[] }> {
  const ids = bystanders.map((b) => b.orderId);
  const { rows: orders } = await sql<{ order_bid: string; status: number | string }>`
    select order_bid, status from order_orders where order_bid in (${sql.join(ids)})`.execute(db);
  const { rows: hooks } = await sql<{ order_bid: string; n: number | string }>`
    select order_bid, count(*) as n from ${sql.table(hookTable)} where order_bid in (${sql.join(ids)})
    group by order_bid`.execute(db);
  const paid = orders.filter((o) => Number(o.status) === 502).length;
  const problems: string[] = [];
  if (paid !== ids.length) problems.push(`${ids.length - paid} bystander orders were not paid by reconcile`);
  const twice = hooks.filter((h) => Number(h.n) > 1).length;
  if (twice > 0) problems.push(`${twice} bystander orders have more than one onOrderPaid row after reconcile`);
  return { paid, problems };
}
