/**
 * `npm run test:reliability`: attacks the library as an operator's bad day would, on SQLite always and on
 * PostgreSQL / MySQL when `PF_TEST_POSTGRES_URL` / `PF_TEST_MYSQL_URL` are set, and ends with one line:
 *
 * `reliability: <n> deliveries from <p> processes on <dialects>, <l> lost, <d> doubled, <f>/<f> faults survived, <m>/<m> mutations refused`
 *
 * Per database: orders charged through the real providers (emulators over HTTP: Stripe PaymentIntents and
 * Checkout Sessions, Ping++ `alipay_qr`, native Alipay `alipay_qr`, native WeChat Pay `wx_pub_qr`); their signed
 * webhooks (Alipay's form-encoded, WeChat Pay's sealed by `signWechatPayNotification`) —
 * distinct success events per attempt, each duplicated — posted to `<p>` worker processes running the real
 * service and web handler; a part of the orders taken by sellers' merchant accounts (two Stripe accounts, one
 * Alipay app: `accounts.ts`), their webhooks posted on the accounts' routes, with forged cross-account deliveries
 * for bystander orders in the same storm (counted with the mutations); while the runner kills this run's database connections (inside transactions and
 * idle) and `SIGKILL`s workers; the result counted with raw SQL, a transactional hook counter and the HTTP
 * answers (`verify.ts`). Then provider faults with retry and reconcile (`faults.ts`: Stripe, Ping++, WeChat Pay
 * and Alipay). Once: fast-check mutations of a Stripe, a Ping++ and a WeChat Pay webhook (`mutations.ts`) and the
 * secrets scan (`secrets.ts`).
 * Exits 1 when anything is not clean, and says what above the last line.
 *
 * Sizes: `PF_RELIABILITY_ORDERS` (200), `PF_RELIABILITY_EVENTS` distinct events per attempt (3),
 * `PF_RELIABILITY_COPIES` deliveries of each (4), `PF_RELIABILITY_WORKERS` (4), `PF_RELIABILITY_MUTATIONS`
 * per provider (1000), `PF_RELIABILITY_KILLS` connection kills of each kind per database (10),
 * `PF_RELIABILITY_SEED`. They may grow, never shrink below issue 11's floor (`minimums.ts`): such a run is
 * refused before it starts, exit 2 (so is a load without one of the four providers or two sellers' Stripe accounts).
 *
 * After the load, per database: the outbox (`outbox.ts`: one `order.paid` row per paid order, none pending or dead
 * after a drain, each key handed over once; its losses and doubles count in the last line's), then conflicting
 * redeliveries of every provider (`conflicts.ts`), counted with the mutations (refused: the outcome `rejected`
 * with an `event_conflict` anomaly and no change).
 * @module
 */
import { sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { Kysely } from 'kysely';
import { createPaymentFactory, createWebhookHandler, type PaymentAnomaly } from '../../src/index.js';
import { loadPaymentConfig } from '../../src/config/index.js';
import { migrateToLatest } from '../../src/kysely/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import { createPingxxProvider } from '../../src/pingxx/index.js';
import { createStripeProvider } from '../../src/stripe/index.js';
import {
  generateAlipayTestKeyPair,
  generatePingxxTestKeyPair,
  generateWechatPayTestKeyPair,
  signStripeWebhook,
  startAlipayEmulator,
  startPingxxEmulator,
  startStripeEmulator,
  startWechatPayEmulator,
  type AlipayEmulator,
  type PingxxEmulator,
  type StripeEmulator,
  type WechatPayEmulator,
} from '../../src/testing/index.js';
import {
  chargeBystanders,
  countPerAccount,
  forgedDeliveries,
  startSellerAccounts,
  verifyBystandersReconciled,
  verifyForged,
  type SellerSetup,
} from './accounts.js';
import { runConflicts } from './conflicts.js';
import { openDatabases, type ReliabilityDatabase } from './databases.js';
import { runProviderFaults } from './faults.js';
import {
  buildDeliveries,
  chargeOrders,
  deliverAll,
  LOAD_ROUTES,
  seededRandom,
  shuffle,
  type Delivery,
} from './load.js';
import { postMutations, sampleMutations, type SignedOriginal } from './mutations.js';
import {
  buildService,
  createHookTable,
  HOOK_TABLE,
  lineLogger,
  newSecrets,
  paymentEnv,
  type EmulatorEndpoints,
  type RunSecrets,
} from './payment-env.js';
import { dumpRows, needlesOf, renderings, scan, type Haystack } from './secrets.js';
import { belowMinimums } from './minimums.js';
import { verifyOutbox } from './outbox.js';
import { verifyLoad } from './verify.js';
import { WorkerPool } from './workers.js';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number.`);
  return value;
};

const settings = {
  orders: num('PF_RELIABILITY_ORDERS', 200),
  events: num('PF_RELIABILITY_EVENTS', 3),
  copies: num('PF_RELIABILITY_COPIES', 4),
  workers: num('PF_RELIABILITY_WORKERS', 4),
  mutations: num('PF_RELIABILITY_MUTATIONS', 1000),
  kills: num('PF_RELIABILITY_KILLS', 10),
  seed: num('PF_RELIABILITY_SEED', Date.now() % 2 ** 31),
};

/** Orders per seller account paid at the provider but only ever sent forged cross-account webhooks. */
const BYSTANDERS_PER_ACCOUNT = 3;

/** Deliveries of each forged cross-account event. */
const FORGED_COPIES = 2;

/** Events of the load redelivered with another body, per database (a quarter per provider, two copies each, at once). */
const CONFLICTING_EVENTS = 80;

const say = (line: string) => process.stdout.write(`  ${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

interface Totals {
  deliveries: number;
  lost: number;
  doubled: number;
  faults: number;
  survived: number;
  mutations: number;
  refused: number;
  problems: string[];
  haystacks: Haystack[];
  errors: unknown[];
}

interface Shared {
  secrets: RunSecrets;
  env: Record<string, string>;
  endpoints: EmulatorEndpoints;
  stripe: StripeEmulator;
  pingxx: PingxxEmulator;
  wechatpay: WechatPayEmulator;
  alipay: AlipayEmulator;
  /** The sellers' merchant accounts (issue 15). */
  sellers: SellerSetup;
  logDir: string;
  runnerLines: string[];
  anomalies: PaymentAnomaly[];
}

/** The load, the kills and the provider faults on one database. */
async function runDatabase(database: ReliabilityDatabase, shared: Shared, totals: Totals, mutate: boolean) {
  const started = Date.now();
  const random = seededRandom(settings.seed);
  const logger = lineLogger((line) => shared.runnerLines.push(line));
  const onAnomaly = (anomaly: PaymentAnomaly) => shared.anomalies.push(anomaly);
  let runner: Kysely<UntypedDatabase> = await database.open();
  await migrateToLatest(runner);
  await createHookTable(runner);
  const setup = buildService({
    env: shared.env,
    endpoints: shared.endpoints,
    accounts: shared.sellers.config,
    db: runner,
    worker: 'runner',
    logger,
    onAnomaly,
  });
  const orders = await chargeOrders(setup.service, settings.orders, random);
  const bystanders = await chargeBystanders(setup.service, shared.sellers.accounts, BYSTANDERS_PER_ACCOUNT);
  // The runner's own pool stays out of the way of the connection killer during the load.
  await runner.destroy();

  const loadStarted = Date.now();
  const logFile = join(shared.logDir, `${database.name}.log`);
  const pool = new WorkerPool((name) => ({
    name,
    databaseUrl: database.workerUrl,
    endpoints: shared.endpoints,
    env: shared.env,
    logFile,
    accounts: shared.sellers.config,
  }));
  let load;
  let deliveries: Delivery[] = [];
  let genuine: Delivery[] = [];
  let spawned = '';
  let delivered = '';
  try {
    await pool.start(settings.workers);
    spawned = seconds(loadStarted);
    // Signed now, not before the workers started: Stripe signatures are only accepted for 5 minutes.
    const platform = {
      stripe: shared.stripe,
      pingxx: shared.pingxx,
      alipay: shared.alipay,
      wechatpay: shared.wechatpay,
    };
    genuine = buildDeliveries(orders, platform, shared.sellers.accounts, settings.events, settings.copies);
    const forged = forgedDeliveries(bystanders, shared.sellers.accounts, platform, FORGED_COPIES);
    deliveries = shuffle([...genuine, ...forged], random);
    say(
      `${database.name}: ${orders.length} orders charged and paid, ${genuine.length} signed deliveries (${byProvider(genuine)}) ` +
        `and ${forged.length} forged cross-account ones for ${bystanders.length} bystander orders (${seconds(started)})`,
    );
    const deliverStarted = Date.now();
    load = await deliverAll(deliveries, {
      pool,
      database,
      random,
      concurrency: 8 * settings.workers,
      connectionKills: database.name === 'sqlite' ? 0 : settings.kills,
      processKills: 2,
      deliveryBudgetMs: 120_000,
    });
    delivered = seconds(deliverStarted);
  } finally {
    await pool.stop();
  }
  const { kills } = load;
  const results = load.results.filter((r) => !r.delivery.forged);
  runner = await database.open();
  const verdict = await verifyLoad(runner, orders, results);
  const forged = await verifyForged(
    runner,
    bystanders,
    load.results.filter((r) => r.delivery.forged),
    HOOK_TABLE,
  );
  const perAccount = await countPerAccount(runner, orders, genuine, shared.sellers.accounts);
  const redelivered = results.filter((r) => r.tries > 1).length;
  const answers: Record<string, number> = {};
  for (const r of results) for (const [k, n] of Object.entries(r.failures)) answers[k] = (answers[k] ?? 0) + n;
  const accountLine = perAccount.counts
    .map((c) => `${c.account} ${c.exactlyOnce}/${c.orders} orders paid once by ${c.deliveries} deliveries`)
    .join('; ');
  const forgedAnswers = Object.entries(forged.byAnswer)
    .map(([answer, n]) => `${n}× ${answer}`)
    .join(', ');
  const answered = Object.entries(answers)
    .map(([k, n]) => `${n}× ${k}`)
    .join(', ');
  // A killed connection or process is transient: the answer must say "retry" (503), not "broken" (500).
  if (answers['500'])
    totals.problems.push(`${database.name}: ${answers['500']} deliveries were answered 500, not a retryable 503`);
  const killTotal = kills.busy + kills.idle + kills.processes;
  const killsSurvived = Math.max(0, killTotal - pool.crashes.length);
  say(
    `${database.name}: ${genuine.length} deliveries (+${forged.total} forged) to ${settings.workers} processes in ${delivered} ` +
      `(${spawned} to start them, ${seconds(loadStarted)} in all), ` +
      `${redelivered} redelivered (${answered || 'no failed answers'}); killed ${kills.busy} busy + ${kills.idle} idle connections and ${kills.processes} processes; ` +
      `${pool.crashes.length} crashes; ${verdict.lost} lost, ${verdict.doubled} doubled`,
  );
  for (const crash of pool.crashes) {
    totals.problems.push(
      `${database.name}: worker ${crash.name} crashed (code ${crash.code}, signal ${crash.signal}): ${crashCause(crash.stderr)}`,
    );
  }
  if (database.name !== 'sqlite' && (kills.busy === 0 || kills.idle === 0)) {
    totals.problems.push(
      `${database.name}: the killer caught ${kills.busy} busy and ${kills.idle} idle connections (need ≥ 1 each)`,
    );
  }
  say(`${database.name}: per account: ${accountLine}`);
  say(
    `${database.name}: forged cross-account deliveries: ${forged.refused}/${forged.total} refused (${forgedAnswers || 'none'}), ` +
      `${bystanders.length} bystander orders ${forged.untouched ? 'untouched' : 'CHANGED'}`,
  );
  totals.problems.push(...verdict.problems.map((p) => `${database.name}: ${p}`));
  totals.problems.push(...perAccount.problems.map((p) => `${database.name}: ${p}`));
  totals.problems.push(...forged.problems.map((p) => `${database.name}: ${p}`));
  totals.mutations += forged.total;
  totals.refused += forged.refused;
  totals.deliveries += genuine.length;

  // The outbox after the same load: one order.paid row per paid order, and a drain that leaves none behind.
  const outboxStarted = Date.now();
  const outbox = await verifyOutbox(
    runner,
    orders.map((o) => o.orderId),
  );
  say(
    `${database.name}: outbox: ${outbox.rows} order.paid rows for ${orders.length} paid orders ` +
      `(${outbox.deliveredByWorkers} delivered by the workers), ${outbox.drained} drained after the kills; ` +
      `${outbox.lost} lost, ${outbox.doubled} doubled (${seconds(outboxStarted)})`,
  );
  totals.problems.push(...outbox.problems.map((p) => `${database.name}: outbox: ${p}`));
  totals.lost += outbox.lost;
  totals.doubled += outbox.doubled;

  // The same event ids again with other bodies, correctly signed: refused, reported, nothing changed.
  // Their anomalies are counted from the outbox rows; delivered inline, they also reach the secrets scan.
  const conflictService = buildService({
    env: shared.env,
    endpoints: shared.endpoints,
    accounts: shared.sellers.config,
    db: runner,
    worker: 'conflicts',
    logger,
    onAnomaly,
    notificationDelivery: 'inline',
  });
  const conflicts = await runConflicts({
    db: runner,
    dialect: database.name,
    service: conflictService.service,
    // The platform's deliveries: the conflicting bodies are signed with the platform's keys.
    deliveries: genuine.filter((d) => !orders.find((o) => o.orderId === d.orderId)?.account),
    events: CONFLICTING_EVENTS,
    copies: 2,
    emulators: { stripe: shared.stripe, pingxx: shared.pingxx, alipay: shared.alipay, wechatpay: shared.wechatpay },
  });
  const conflictShares = Object.entries(conflicts.perProvider)
    .map(([provider, n]) => `${n} ${provider}`)
    .join(', ');
  say(
    `${database.name}: ${conflicts.refused}/${conflicts.total} conflicting redeliveries refused (event_conflict; ${conflictShares})`,
  );
  totals.mutations += conflicts.total;
  totals.refused += conflicts.refused;
  totals.problems.push(...conflicts.problems.map((p) => `${database.name}: ${p}`));
  totals.lost += verdict.lost;
  totals.doubled += verdict.doubled;
  totals.faults += killTotal;
  totals.survived += killsSurvived;
  if (existsSync(logFile))
    totals.haystacks.push({ source: `${database.name} worker logs`, text: readFileSync(logFile, 'utf8') });
  totals.haystacks.push({ source: `${database.name} worker stdout/stderr`, text: pool.output });

  // Provider faults, with a clock the test can move past the refund-call lease.
  const faultsStarted = Date.now();
  let offset = 0;
  const faulty = buildService({
    env: shared.env,
    endpoints: shared.endpoints,
    accounts: shared.sellers.config,
    db: runner,
    worker: 'faults',
    logger,
    onAnomaly,
    timeoutMs: 400,
    clock: () => new Date(Date.now() + offset),
  });
  const faults = await runProviderFaults({
    service: faulty.service,
    db: runner,
    stripe: shared.stripe,
    pingxx: shared.pingxx,
    wechatpay: shared.wechatpay,
    alipay: shared.alipay,
    advanceClock: (ms) => {
      offset += ms;
    },
    errors: totals.errors,
  });
  say(`${database.name}: ${faults.survived}/${faults.total} provider faults survived (${seconds(faultsStarted)})`);
  totals.faults += faults.total;
  totals.survived += faults.survived;
  totals.problems.push(...faults.failures.map((f) => `${database.name}: ${f}`));
  // The faults phase's reconcile pulled every open attempt, the bystanders' too: on their own accounts' versions.
  const reconciled = await verifyBystandersReconciled(runner, bystanders, HOOK_TABLE);
  say(`${database.name}: ${reconciled.paid}/${bystanders.length} bystander orders reconciled on their own accounts`);
  totals.problems.push(...reconciled.problems.map((p) => `${database.name}: ${p}`));

  if (mutate) await runMutations(runner, database.name, shared, totals);

  totals.haystacks.push(...(await dumpRows(runner, database.name)));
  totals.haystacks.push(...renderings('config', faulty.config));
  faulty.providers.forEach((p) => totals.haystacks.push(...renderings(`provider ${p.name}`, p)));
  totals.haystacks.push(...renderings('factory', faulty.factory), ...renderings('service', faulty.service));
  await runner.destroy();
  say(`${database.name}: done in ${seconds(started)}`);
}

/** How many deliveries each provider's webhooks make, e.g. `1200 stripe, 600 pingxx, 600 alipay`. */
function byProvider(deliveries: readonly Delivery[]): string {
  const counts = new Map<string, number>();
  for (const d of deliveries) counts.set(d.provider, (counts.get(d.provider) ?? 0) + 1);
  return [...counts].map(([provider, n]) => `${n} ${provider}`).join(', ');
}

/** The lines of a crashed worker's stderr that say why (Node prints the unhandled error, then its stack). */
function crashCause(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  const telling = lines.filter((l) => /^(\w*Error\b|error:|Emitted 'error'|throw er;|Unhandled)/i.test(l));
  return (telling.length > 0 ? telling : lines.filter(Boolean).slice(-2)).slice(0, 3).join(' | ');
}

/** Forged webhooks for a pending Stripe and a pending Ping++ attempt, through the web handler. */
async function runMutations(db: Kysely<UntypedDatabase>, dialect: string, shared: Shared, totals: Totals) {
  const started = Date.now();
  const logger = lineLogger((line) => shared.runnerLines.push(line));
  const { service } = buildService({
    env: shared.env,
    endpoints: shared.endpoints,
    accounts: shared.sellers.config,
    db,
    worker: 'mutations',
    logger,
  });
  const handler = createWebhookHandler(service);
  const originals: SignedOriginal[] = [];
  for (const [provider, channel, currency] of [
    ['stripe', 'stripe:payment_intent', 'USD'],
    ['pingxx', 'pingxx:alipay_qr', 'CNY'],
    ['wechatpay', 'wx_pub_qr', 'CNY'],
  ] as const) {
    const order = await service.initOrder({
      userId: `forged-${provider}`,
      productId: 'forged',
      payableAmount: 5000,
      currency,
    });
    const dto = await service.createCharge({ orderId: order.orderId, channel, clientIp: '127.0.0.1' });
    const attempt = await service.repositories.attempts.findById(dto.paymentPayload!.attemptId);
    const reference = attempt!.providerReference!;
    if (provider === 'stripe') {
      shared.stripe.succeedPayment(reference);
      const valid = shared.stripe.webhookFor(reference, 'payment_intent.succeeded');
      const other = shared.stripe.webhookFor(reference, 'payment_intent.succeeded');
      originals.push({
        provider,
        rawBody: valid.rawBody,
        headers: { ...valid.headers },
        otherHeaders: { ...other.headers },
        signAt: (body, t) => ({ ...signStripeWebhook(body, shared.stripe.webhookSecret, { timestamp: t }).headers }),
      });
    } else if (provider === 'wechatpay') {
      shared.wechatpay.controls.pay(reference);
      const valid = shared.wechatpay.controls.notificationFor(reference);
      const other = shared.wechatpay.controls.notificationFor(reference);
      originals.push({
        provider,
        orderId: order.orderId,
        rawBody: valid.rawBody,
        headers: { ...valid.headers },
        otherHeaders: { ...other.headers },
        // The same body, correctly signed by WeChat Pay's key at another time.
        signAt: (body, t) => {
          const nonce = 'STALE0000000000000000000000000000'.slice(0, 32);
          const message = Buffer.concat([Buffer.from(`${t}\n${nonce}\n`), Buffer.from(body), Buffer.from('\n')]);
          return {
            ...valid.headers,
            'Wechatpay-Timestamp': String(t),
            'Wechatpay-Nonce': nonce,
            'Wechatpay-Signature': sign('RSA-SHA256', message, shared.wechatpay.wechatpayKeyPair.privateKey).toString(
              'base64',
            ),
          };
        },
      });
    } else {
      shared.pingxx.controls.payCharge(reference);
      const valid = shared.pingxx.controls.eventFor(reference, 'charge.succeeded');
      const other = shared.pingxx.controls.eventFor(reference, 'charge.succeeded');
      originals.push({
        provider,
        rawBody: valid.rawBody,
        headers: { ...valid.headers },
        otherHeaders: { ...other.headers },
      });
    }
  }
  const before = JSON.stringify(await dumpRows(db, dialect));
  for (const [i, original] of originals.entries()) {
    const mutations = sampleMutations(original, settings.mutations, settings.seed + i);
    const verdict = await postMutations(handler, original.provider, mutations);
    totals.mutations += verdict.total;
    totals.refused += verdict.refused;
    const kinds = new Map<string, number>();
    for (const a of verdict.accepted) kinds.set(a, (kinds.get(a) ?? 0) + 1);
    for (const [kind, n] of kinds) totals.problems.push(`mutation not refused ×${n}: ${kind}`);
    say(`${original.provider}: ${verdict.refused}/${verdict.total} mutations refused`);
  }
  const after = JSON.stringify(await dumpRows(db, dialect));
  if (before !== after) totals.problems.push('the database changed while forged webhooks were posted');
  // Control: the unmutated deliveries are accepted, so the refusals above were the signature's doing.
  for (const original of originals) {
    const response = await handler(
      new Request(`http://host.local/webhooks/${original.provider}`, {
        method: 'POST',
        body: original.rawBody,
        headers: { 'content-type': 'application/json', ...original.headers },
      }),
    );
    const body = (await response.json()) as { outcome?: string; code?: string };
    // WeChat Pay's answer says SUCCESS for every processed outcome: the order being paid says it was applied.
    const applied =
      original.provider === 'wechatpay'
        ? body.code === 'SUCCESS' && (await service.getOrder(original.orderId ?? ''))?.status === 'paid'
        : body.outcome === 'applied';
    if (response.status !== 200 || !applied)
      totals.problems.push(
        `control: the valid ${original.provider} webhook was answered ${response.status} ${body.outcome}`,
      );
  }
  say(`mutations done in ${seconds(started)}`);
}

/** Errors a host meets with bad credentials: they must not carry the values either. */
async function provokedErrors(shared: Shared, totals: Totals): Promise<Record<string, string>> {
  const wrong = {
    wrongStripeKey: `sk_test_wrong${shared.secrets.stripeSecretKey.slice(-12)}`,
    wrongPingxxKey: `sk_test_wrong${shared.secrets.pingxxSecretKey.slice(-12)}`,
    badConfigValue: `xx_bad${shared.secrets.stripeWebhookSecret.slice(-12)}`,
  };
  const catchAll = async (fn: () => unknown) => {
    try {
      await fn();
    } catch (error) {
      totals.errors.push(error);
    }
  };
  await catchAll(() =>
    loadPaymentConfig({
      ...shared.env,
      STRIPE_SECRET_KEY: wrong.badConfigValue,
      PINGXX_SECRET_KEY: wrong.badConfigValue,
    }),
  );
  const stripe = createStripeProvider({
    secretKey: wrong.wrongStripeKey,
    webhookSecret: shared.stripe.webhookSecret,
    host: shared.endpoints.stripe.host,
    port: shared.endpoints.stripe.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  const pingxx = createPingxxProvider({
    secretKey: wrong.wrongPingxxKey,
    appId: shared.pingxx.appId,
    privateKey: shared.secrets.pingxxPrivateKey,
    webhookPublicKey: shared.pingxx.webhookKeyPair.publicKey,
    host: shared.endpoints.pingxx.host,
    port: shared.endpoints.pingxx.port,
    protocol: 'http',
  });
  const factory = createPaymentFactory({ providers: [stripe, pingxx] });
  const request = { orderId: 'o1', attemptId: 'a1', amount: 100, subject: 'x', clientIp: '127.0.0.1' };
  await catchAll(() =>
    factory.createPayment({ ...request, provider: 'stripe', channel: 'payment_intent', currency: 'USD' }),
  );
  await catchAll(() =>
    factory.createPayment({ ...request, provider: 'pingxx', channel: 'alipay_qr', currency: 'CNY' }),
  );
  await catchAll(() =>
    factory.verifyWebhook('stripe', { rawBody: '{"id":"evt_1"}', headers: { 'stripe-signature': 't=1,v1=00' } }),
  );
  totals.haystacks.push(
    ...renderings('provider with a wrong key', stripe),
    ...renderings('provider with a wrong key', pingxx),
  );
  return wrong;
}

async function main(): Promise<number> {
  const started = Date.now();
  const refusals = belowMinimums(settings, process.env, LOAD_ROUTES);
  if (refusals.length > 0) {
    for (const refusal of refusals) process.stdout.write(`  ✗ ${refusal}\n`);
    process.stdout.write('reliability: refused to run below the minimums issue 11 sets, see above\n');
    return 2;
  }
  say(
    `seed ${settings.seed}: ${settings.orders} orders × ${settings.events} events × ${settings.copies} copies per database, ` +
      `${settings.workers} processes, ${settings.mutations} mutations per provider`,
  );
  const merchant = generatePingxxTestKeyPair('reliability-merchant');
  const wechatMerchant = generateWechatPayTestKeyPair('reliability-wechatpay-merchant');
  const alipayApp = generateAlipayTestKeyPair('reliability-alipay-app');
  const secrets = newSecrets(merchant.privateKey, wechatMerchant.privateKey, alipayApp.privateKey);
  const stripe = await startStripeEmulator({
    apiKey: secrets.stripeSecretKey,
    webhookSecret: secrets.stripeWebhookSecret,
  });
  const pingxx = await startPingxxEmulator({
    secretKey: secrets.pingxxSecretKey,
    merchantPublicKey: merchant.publicKey,
  });
  // Refunds settle at once, as a balance-paid WeChat Pay refund does, so the faults phase sees the order refunded.
  const wechatpay = await startWechatPayEmulator({
    apiV3Key: secrets.wechatpayApiV3Key,
    merchantKeyPair: wechatMerchant,
    refundStatus: 'SUCCESS',
  });
  const alipay = await startAlipayEmulator({ appKeyPair: alipayApp });
  const sellers = await startSellerAccounts();
  const shared: Shared = {
    secrets,
    env: {},
    endpoints: {
      stripe: { host: stripe.host, port: stripe.port },
      pingxx: { host: pingxx.host, port: pingxx.port },
      wechatpay: { baseUrl: wechatpay.url },
      alipay: { gatewayUrl: alipay.gatewayUrl },
    },
    stripe,
    pingxx,
    wechatpay,
    alipay,
    sellers,
    logDir: mkdtempSync(join(tmpdir(), 'pf-reliability-logs-')),
    runnerLines: [],
    anomalies: [],
  };
  shared.env = paymentEnv(secrets, stripe, pingxx, wechatpay, alipay);
  const totals: Totals = {
    deliveries: 0,
    lost: 0,
    doubled: 0,
    faults: 0,
    survived: 0,
    mutations: 0,
    refused: 0,
    problems: [],
    haystacks: [],
    errors: [],
  };
  const databases = await openDatabases();
  try {
    for (const [i, database] of databases.entries()) {
      try {
        await runDatabase(database, shared, totals, i === 0);
      } finally {
        await database
          .destroy()
          .catch((error: unknown) => totals.problems.push(`${database.name}: cleanup failed: ${String(error)}`));
      }
    }
    const wrong = await provokedErrors(shared, totals);
    totals.haystacks.push({ source: 'runner logs', text: shared.runnerLines.join('\n') });
    totals.haystacks.push(...renderings('anomalies', shared.anomalies));
    totals.errors.forEach((error, i) => totals.haystacks.push(...renderings(`error ${i + 1}`, error)));
    const { pingxxPrivateKey, ...plain } = secrets;
    const leaks = scan(totals.haystacks, needlesOf({ ...plain, pingxxPrivateKey, ...wrong, ...sellers.secrets }));
    say(`secrets scan: ${totals.haystacks.length} texts, ${totals.errors.length} errors, ${leaks.length} leaks`);
    for (const leak of leaks) totals.problems.push(`secret visible: ${leak}`);
  } finally {
    await Promise.all([stripe.close(), pingxx.close(), wechatpay.close(), alipay.close(), sellers.close()]);
    rmSync(shared.logDir, { recursive: true, force: true });
  }
  for (const problem of totals.problems) process.stdout.write(`  ✗ ${problem}\n`);
  say(`total ${seconds(started)}`);
  const dialects = databases.map((d) => d.name).join('+');
  process.stdout.write(
    `reliability: ${totals.deliveries} deliveries from ${settings.workers} processes on ${dialects}, ` +
      `${totals.lost} lost, ${totals.doubled} doubled, ${totals.survived}/${totals.faults} faults survived, ` +
      `${totals.refused}/${totals.mutations} mutations refused\n`,
  );
  const clean =
    totals.problems.length === 0 &&
    totals.lost === 0 &&
    totals.doubled === 0 &&
    totals.survived === totals.faults &&
    totals.refused === totals.mutations;
  return clean ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stdout.write(`  ✗ the run itself failed: ${inspect(error, { depth: 4 })}\n`);
    process.stdout.write('reliability: run failed before finishing, see above\n');
    process.exit(1);
  },
);
