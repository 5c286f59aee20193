/**
 * What the runner and every worker process build the payment service from: the configuration environment
 * (`STRIPE_*`, `PINGXX_*`, `WECHATPAY_*`, `ALIPAY_*`, read by the real `loadPaymentConfig`), the emulators' addresses, and the
 * service itself with a transactional hook counter — a host table row written by `onOrderPaid` inside the
 * payment's transaction, so it commits or rolls back with it.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { sql, type Kysely } from 'kysely';
import type { NotificationDelivery } from '../../src/index.js';
import {
  createPaymentFactory,
  createPaymentService,
  type MerchantAccount,
  type PaymentAnomaly,
  type PaymentFactory,
  type PaymentLogger,
  type PaymentProvider,
  type PaymentService,
} from '../../src/index.js';
import { loadPaymentConfig, type PaymentConfig } from '../../src/config/index.js';
import { createAlipayProvider, type AlipayProviderOptions } from '../../src/alipay/index.js';
import { createKyselyRepositories } from '../../src/kysely/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import { createPingxxProvider } from '../../src/pingxx/index.js';
import { createStripeProvider, type StripeProviderOptions } from '../../src/stripe/index.js';
import {
  createInMemoryMerchantAccounts,
  type AlipayEmulator,
  type PingxxEmulator,
  type StripeEmulator,
  type WechatPayEmulator,
} from '../../src/testing/index.js';
import { createWechatPayProvider } from '../../src/wechatpay/index.js';

/** The host table the transactional hook writes one row into per `onOrderPaid`. */
export const HOOK_TABLE = 'reliability_paid_hooks';

/** Where the emulators listen (passed to the workers). */
export interface EmulatorEndpoints {
  stripe: { host: string; port: number };
  pingxx: { host: string; port: number };
  wechatpay: { baseUrl: string };
  alipay: { gatewayUrl: string };
}

/**
 * The sellers' merchant accounts of the run (issue 15), as plain data the workers receive: each process builds
 * the same in-memory resolver from it, as each host process would read the same account store.
 */
export interface SellerAccounts {
  /** The host key that makes the accounts' webhook route tokens. */
  routeKey: string;
  /** One version per account; `credentials` are the adapter options (without timeouts). */
  accounts: MerchantAccount[];
}

/** The seller of a load product: products are named `<sellerId>/<name>`; others are the platform's. */
export function sellerOfProduct(productId: string): string | null {
  return /^(seller_[a-z0-9]+)\//.exec(productId)?.[1] ?? null;
}

/** The secret values this run configures, for the secrets scan. */
export interface RunSecrets {
  stripeSecretKey: string;
  stripeWebhookSecret: string;
  pingxxSecretKey: string;
  /** The Ping++ merchant private key (PEM). */
  pingxxPrivateKey: string;
  /** A password inside `DATABASE_URL` (the URL is only parsed, never connected to). */
  databasePassword: string;
  /** The WeChat Pay APIv3 key. */
  wechatpayApiV3Key: string;
  /** The WeChat Pay merchant API private key (PEM). */
  wechatpayPrivateKey: string;
  /** The Alipay application private key (PEM). */
  alipayPrivateKey: string;
}

/** Fresh secrets for one run: random, so a match in a scan can only come from this run's configuration. */
export function newSecrets(
  pingxxPrivateKey: string,
  wechatpayPrivateKey: string,
  alipayPrivateKey: string,
): RunSecrets {
  const hex = (n: number) => randomBytes(n).toString('hex');
  return {
    stripeSecretKey: `sk_test_rel${hex(16)}`,
    stripeWebhookSecret: `whsec_rel${hex(16)}`,
    pingxxSecretKey: `sk_test_rel${hex(12)}`,
    pingxxPrivateKey,
    databasePassword: `pw${hex(12)}`,
    wechatpayApiV3Key: hex(16),
    wechatpayPrivateKey,
    alipayPrivateKey,
  };
}

/** The environment `loadPaymentConfig` reads, for these secrets and emulators. */
export function paymentEnv(
  secrets: RunSecrets,
  stripe: StripeEmulator,
  pingxx: PingxxEmulator,
  wechatpay: WechatPayEmulator,
  alipay: AlipayEmulator,
): Record<string, string> {
  return {
    PAYMENT_CHANNELS_ENABLED: 'pingxx,stripe,wechatpay,alipay',
    PAY_ORDER_EXPIRE_TIME: '3600',
    STRIPE_SECRET_KEY: secrets.stripeSecretKey,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_SUCCESS_URL: 'https://shop.example/paid',
    STRIPE_CANCEL_URL: 'https://shop.example/cancel',
    STRIPE_DEFAULT_CURRENCY: 'usd',
    PINGXX_SECRET_KEY: secrets.pingxxSecretKey,
    PINGXX_APP_ID: pingxx.appId,
    PINGXX_PRIVATE_KEY: secrets.pingxxPrivateKey,
    PINGXX_WEBHOOK_PUBLIC_KEY: pingxx.webhookKeyPair.publicKey,
    WECHATPAY_APP_ID: wechatpay.appId,
    WECHATPAY_MCH_ID: wechatpay.mchId,
    WECHATPAY_API_V3_KEY: secrets.wechatpayApiV3Key,
    WECHATPAY_MERCHANT_SERIAL_NO: wechatpay.merchantSerialNo,
    WECHATPAY_PRIVATE_KEY: secrets.wechatpayPrivateKey,
    WECHATPAY_PUBLIC_KEY: wechatpay.wechatpayKeyPair.publicKey,
    WECHATPAY_PUBLIC_KEY_ID: wechatpay.publicKeyId,
    WECHATPAY_WEBHOOK_URL: 'https://shop.example/webhooks/wechatpay',
    ALIPAY_APP_ID: alipay.appId,
    ALIPAY_APP_PRIVATE_KEY: secrets.alipayPrivateKey,
    ALIPAY_PUBLIC_KEY: alipay.alipayKeyPair.publicKey,
    ALIPAY_WEBHOOK_URL: 'https://shop.example/webhooks/alipay',
    DATABASE_URL: `postgres://reliability:${secrets.databasePassword}@127.0.0.1:9/payments`,
  };
}

/** Options of {@link buildService}. */
export interface BuildServiceOptions {
  env: Record<string, string | undefined>;
  endpoints: EmulatorEndpoints;
  db: Kysely<UntypedDatabase>;
  /** Written into the hook table, to tell the processes apart. */
  worker: string;
  logger: PaymentLogger;
  onAnomaly?: (anomaly: PaymentAnomaly) => void;
  /** Provider timeouts (ms), short in the faults phase. @default 15000 */
  timeoutMs?: number;
  clock?: () => Date;
  /** Who delivers outbox rows after commit. @default the service's default */
  notificationDelivery?: NotificationDelivery;
  /** The sellers' merchant accounts (`createPaymentService({ merchantAccounts })`). */
  accounts?: SellerAccounts;
}

/** A service built as a host would build it from its environment. */
export interface BuiltService {
  config: PaymentConfig;
  providers: PaymentProvider[];
  factory: PaymentFactory;
  service: PaymentService<Kysely<UntypedDatabase>>;
}

/** Builds the providers (from `loadPaymentConfig`), the factory and the service with the hook counter. */
export function buildService(options: BuildServiceOptions): BuiltService {
  const config = loadPaymentConfig(options.env);
  if (!config.stripe || !config.pingxx || !config.wechatpay || !config.alipay)
    throw new Error('The reliability environment must configure Stripe, Ping++, WeChat Pay and Alipay.');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const providers: PaymentProvider[] = [
    createStripeProvider({
      ...config.stripe,
      host: options.endpoints.stripe.host,
      port: options.endpoints.stripe.port,
      protocol: 'http',
      timeoutMs,
      // Faults must reach the service: the SDK's own retries would hide most of them.
      maxNetworkRetries: 0,
    }),
    createPingxxProvider({
      ...config.pingxx,
      host: options.endpoints.pingxx.host,
      port: options.endpoints.pingxx.port,
      protocol: 'http',
      timeoutMs,
    }),
    createWechatPayProvider({ ...config.wechatpay, baseUrl: options.endpoints.wechatpay.baseUrl, timeoutMs }),
    createAlipayProvider({ ...config.alipay, gatewayUrl: options.endpoints.alipay.gatewayUrl, timeoutMs }),
  ];
  const factory = createPaymentFactory({ providers });
  const accounts = options.accounts;
  const merchantAccounts = accounts && {
    resolver: sellerResolver(accounts),
    routeKey: accounts.routeKey,
    // One adapter per account version, from the same adapter modules as the platform's, with the same timeouts.
    adapters: {
      stripe: (a: MerchantAccount) =>
        createStripeProvider({
          ...(a.credentials as StripeProviderOptions),
          name: a.provider,
          timeoutMs,
          maxNetworkRetries: 0,
        }),
      alipay: (a: MerchantAccount) =>
        createAlipayProvider({ ...(a.credentials as AlipayProviderOptions), name: a.provider, timeoutMs }),
    },
  };
  const service = createPaymentService<Kysely<UntypedDatabase>>({
    factory,
    ...(merchantAccounts ? { merchantAccounts } : {}),
    repositories: createKyselyRepositories(options.db),
    logger: options.logger,
    orderExpireSeconds: config.orderExpireSeconds,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.notificationDelivery ? { notificationDelivery: options.notificationDelivery } : {}),
    hooks: {
      onOrderPaid: async ({ handle, order, event }) => {
        await sql`insert into ${sql.table(HOOK_TABLE)} (order_bid, event_id, worker) values (${order.orderId}, ${
          event?.eventId ?? null
        }, ${options.worker})`.execute(handle);
      },
      onAnomaly: (anomaly) => options.onAnomaly?.(anomaly),
    },
  });
  return { config, providers, factory, service };
}

/** The in-memory resolver (`/testing`) holding the sellers' accounts. */
function sellerResolver(accounts: SellerAccounts) {
  const resolver = createInMemoryMerchantAccounts({ sellerOf: (order) => sellerOfProduct(order.productId) });
  for (const account of accounts.accounts) resolver.put(account);
  return resolver;
}

/** Creates the hook table (no unique key: a doubled `onOrderPaid` must show as a second row). */
export async function createHookTable(db: Kysely<UntypedDatabase>): Promise<void> {
  await db.schema
    .createTable(HOOK_TABLE)
    .addColumn('order_bid', 'varchar(64)', (c) => c.notNull())
    .addColumn('event_id', 'varchar(255)')
    .addColumn('worker', 'varchar(32)', (c) => c.notNull())
    .execute();
}

/** A logger that hands every line, as text, to `sink` (the secrets scan reads them). */
export function lineLogger(sink: (line: string) => void): PaymentLogger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    // As a host's logger would print them: errors and nested objects through util.inspect.
    sink(`${level} ${message} ${fields === undefined ? '' : inspect(fields, { depth: 8, breakLength: Infinity })}`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
