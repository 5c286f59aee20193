/**
 * Configuration: a registry of every environment key (group, description, secret flag, default), a zod
 * schema per key, and a loader that reports every problem at once without ever echoing a secret.
 * @module
 */
import { z } from 'zod';
import { bareOrigin, originsOf, parseRedirectOrigins } from './redirect-origins.js';
import { ConfigurationError } from './errors.js';
import { checkPemKeySetting } from './config-key-material.js';
import { REDACTED, registerSecrets, sealObject } from './secret-scrubber.js';
import { CURRENCY_EXPONENTS } from './currencies.js';
import { parseDatabaseUrl } from './database-url.js';
import { PINGXX_WEBHOOK_KEY_HINT } from './setup-hints.js';
import {
  WECHATPAY_CONFIG_KEYS,
  wechatpayFrom,
  type WechatPayConfig,
  type WechatPayConfigKey,
} from './config-wechatpay.js';

import {
  OUTBOX_CONFIG_KEYS,
  outboxFrom,
  redactedOutbox,
  type OutboxConfig,
  type OutboxConfigKey,
} from './config-outbox.js';

export type { WechatPayConfig, WechatPayConfigKey } from './config-wechatpay.js';
export type { OutboxConfig, OutboxConfigKey } from './config-outbox.js';

/** Groups keys are listed under in `.env.example` and the docs. */
export type ConfigGroup = 'general' | 'pingxx' | 'stripe' | 'alipay' | 'wechatpay' | 'database' | 'outbox';

/** One environment key. */
export interface ConfigKeyDefinition {
  /** The group the key is listed under. */
  group: ConfigGroup;
  /** Human-readable description. */
  description: string;
  /** Secret values are never printed, logged or echoed in errors. */
  secret: boolean;
  /** Default applied when the key is unset or empty. */
  default?: string;
  /** Placeholder shown in `.env.example` for keys without a default. */
  example?: string;
  /** Validates a non-empty value. */
  schema: z.ZodType<string>;
}

const text = z.string().trim().min(1);
const url = z.string().trim().url('must be an absolute URL');
const prefixed = (...prefixes: string[]) =>
  text.refine(
    (v) => prefixes.some((p) => v.startsWith(p)),
    `must start with ${prefixes.map((p) => `"${p}"`).join(' or ')}`,
  );

/** Every configuration key the library reads, in `.env.example` order. */
const CONFIG_KEYS = {
  PAYMENT_CHANNELS_ENABLED: {
    group: 'general',
    description: 'Comma-separated providers that accept new charges. Providers without credentials drop out.',
    secret: false,
    default: 'pingxx,stripe',
    schema: z
      .string()
      .regex(/^\s*[a-z][a-z0-9_-]*(\s*,\s*[a-z][a-z0-9_-]*)*\s*$/, 'must be a comma-separated list of provider names'),
  },
  PAY_ORDER_EXPIRE_TIME: {
    group: 'general',
    description: 'Seconds after which an unpaid order times out (checked lazily).',
    secret: false,
    default: '600',
    schema: z.string().regex(/^[1-9]\d{0,8}$/, 'must be a positive whole number of seconds'),
  },
  /** Origins per-request redirect URLs may point to (see `redirect-origins.ts`). */
  PAYMENT_REDIRECT_ORIGINS: {
    group: 'general',
    description:
      'Comma-separated origins (https://shop.example) that per-request redirect URLs (extra.successUrl, cancelUrl, resultUrl, returnUrl) may point to; any other is refused with a ValidationError before anything is written or sent. Empty: the origins of the configured URLs (STRIPE_SUCCESS_URL, STRIPE_CANCEL_URL).',
    secret: false,
    example: 'https://shop.example,https://m.shop.example',
    schema: z
      .string()
      .refine(
        (v) => v.split(',').every((entry) => entry.trim() === '' || bareOrigin(entry.trim()) !== null),
        'must be comma-separated http(s) origins such as https://shop.example (scheme, host and port only)',
      ),
  },
  PINGXX_SECRET_KEY: {
    group: 'pingxx',
    description: 'Ping++ secret API key (sk_live_… or sk_test_…).',
    secret: true,
    example: 'sk_test_xxx',
    schema: prefixed('sk_'),
  },
  PINGXX_APP_ID: {
    group: 'pingxx',
    description: 'Ping++ application id (app_…).',
    secret: false,
    example: 'app_xxx',
    schema: prefixed('app_'),
  },
  PINGXX_PRIVATE_KEY: {
    group: 'pingxx',
    description:
      'Merchant RSA private key (PEM, PKCS#1 or PKCS#8) that signs requests to Ping++. Or use PINGXX_PRIVATE_KEY_PATH.',
    secret: true,
    schema: text.refine((v) => v.includes('PRIVATE KEY'), 'must be a PEM private key'),
  },
  PINGXX_PRIVATE_KEY_PATH: {
    group: 'pingxx',
    description: 'Path to the merchant RSA private key PEM file.',
    secret: false,
    example: './keys/pingxx_private.pem',
    schema: text,
  },
  PINGXX_WEBHOOK_PUBLIC_KEY: {
    group: 'pingxx',
    description: 'Ping++ RSA public key (PEM) that verifies webhook signatures. Or use PINGXX_WEBHOOK_PUBLIC_KEY_PATH.',
    secret: false,
    schema: text.refine((v) => v.includes('PUBLIC KEY'), 'must be a PEM public key'),
  },
  PINGXX_WEBHOOK_PUBLIC_KEY_PATH: {
    group: 'pingxx',
    description: 'Path to the Ping++ webhook public key PEM file.',
    secret: false,
    example: './keys/pingxx_public.pem',
    schema: text,
  },
  STRIPE_SECRET_KEY: {
    group: 'stripe',
    description: 'Stripe secret or restricted key (sk_… / rk_…).',
    secret: true,
    example: 'sk_test_xxx',
    schema: prefixed('sk_', 'rk_'),
  },
  STRIPE_PUBLISHABLE_KEY: {
    group: 'stripe',
    description: 'Stripe publishable key (pk_…), returned to clients with PaymentIntent client secrets.',
    secret: false,
    example: 'pk_test_xxx',
    schema: prefixed('pk_'),
  },
  STRIPE_WEBHOOK_SECRET: {
    group: 'stripe',
    description: 'Webhook signing secret(s) (whsec_…). Comma-separate several during rotation.',
    secret: true,
    example: 'whsec_xxx',
    schema: text.refine(
      (v) => v.split(',').every((s) => s.trim().startsWith('whsec_')),
      'must be whsec_… values, comma-separated',
    ),
  },
  STRIPE_API_VERSION: {
    group: 'stripe',
    description: "Stripe API version pinned by the SDK client. Empty: the SDK's own pinned version.",
    secret: false,
    schema: z.string().regex(/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/, 'must look like 2025-09-30.clover'),
  },
  STRIPE_SUCCESS_URL: {
    group: 'stripe',
    description: 'Checkout success URL; the order id is appended as order_id.',
    secret: false,
    example: 'https://example.com/pay/success',
    schema: url,
  },
  STRIPE_CANCEL_URL: {
    group: 'stripe',
    description: 'Checkout cancel URL; the order id is appended as order_id.',
    secret: false,
    example: 'https://example.com/pay/cancel',
    schema: url,
  },
  STRIPE_DEFAULT_CURRENCY: {
    group: 'stripe',
    description: 'Currency for Stripe payments whose request has none (ISO 4217).',
    secret: false,
    default: 'usd',
    schema: z
      .string()
      .refine((v) => CURRENCY_EXPONENTS.has(v.trim().toUpperCase()), 'must be an ISO 4217 currency code'),
  },
  STRIPE_DEFAULT_MODE: {
    group: 'stripe',
    description: 'Stripe mode used when only "stripe" is asked for: payment_intent or checkout_session.',
    secret: false,
    default: 'payment_intent',
    schema: z.enum(['payment_intent', 'checkout_session']),
  },
  ALIPAY_APP_ID: {
    group: 'alipay',
    description: 'Alipay open-platform application id (digits).',
    secret: false,
    example: '2021000000000000',
    schema: z.string().regex(/^\d{8,32}$/, 'must be the digits of an Alipay app id'),
  },
  ALIPAY_APP_PRIVATE_KEY: {
    group: 'alipay',
    description:
      'Application RSA2 private key (PEM or the bare base64 Alipay shows; PKCS#1 or PKCS#8) that signs requests. Or use ALIPAY_APP_PRIVATE_KEY_PATH.',
    secret: true,
    schema: text,
  },
  ALIPAY_APP_PRIVATE_KEY_PATH: {
    group: 'alipay',
    description: 'Path to the application private key file.',
    secret: false,
    example: './keys/alipay_app_private.pem',
    schema: text,
  },
  ALIPAY_PUBLIC_KEY: {
    group: 'alipay',
    description:
      'Alipay public key (PEM or bare base64) that verifies responses and notifications. Or use ALIPAY_PUBLIC_KEY_PATH.',
    secret: false,
    schema: text,
  },
  ALIPAY_PUBLIC_KEY_PATH: {
    group: 'alipay',
    description: 'Path to the Alipay public key file.',
    secret: false,
    example: './keys/alipay_public.pem',
    schema: text,
  },
  ALIPAY_GATEWAY_URL: {
    group: 'alipay',
    description: 'Alipay gateway (the sandbox is https://openapi-sandbox.dl.alipaydev.com/gateway.do).',
    secret: false,
    default: 'https://openapi.alipay.com/gateway.do',
    schema: url,
  },
  ALIPAY_WEBHOOK_URL: {
    group: 'alipay',
    description:
      'Where Alipay posts asynchronous notifications (notify_url), e.g. your /webhooks/alipay route. Never taken from a request.',
    secret: false,
    example: 'https://example.com/webhooks/alipay',
    schema: url,
  },
  ...WECHATPAY_CONFIG_KEYS,
  DATABASE_URL: {
    group: 'database',
    description: 'Database for the Kysely reference repositories: an SQLite file path, postgres://… or mysql://….',
    secret: false,
    example: './payment-factory.sqlite',
    schema: text,
  },
  ...OUTBOX_CONFIG_KEYS,
} as const satisfies Record<PaymentConfigKey, ConfigKeyDefinition>;

/**
 * Every configuration key the library reads, in `.env.example` order, with its group, description, secret flag,
 * default and validation. Typed by key, so the API reference lists keys rather than zod internals.
 *
 * @example
 * ```ts
 * paymentConfigSchema.STRIPE_SECRET_KEY.secret // true
 * ```
 */
export const paymentConfigSchema: Readonly<Record<PaymentConfigKey, ConfigKeyDefinition>> = CONFIG_KEYS;

/** Every configuration key name (the registry must define exactly these). */
export type PaymentConfigKey =
  | WechatPayConfigKey
  | OutboxConfigKey
  | 'PAYMENT_CHANNELS_ENABLED'
  | 'PAY_ORDER_EXPIRE_TIME'
  | 'PAYMENT_REDIRECT_ORIGINS'
  | 'PINGXX_SECRET_KEY'
  | 'PINGXX_APP_ID'
  | 'PINGXX_PRIVATE_KEY'
  | 'PINGXX_PRIVATE_KEY_PATH'
  | 'PINGXX_WEBHOOK_PUBLIC_KEY'
  | 'PINGXX_WEBHOOK_PUBLIC_KEY_PATH'
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_PUBLISHABLE_KEY'
  | 'STRIPE_WEBHOOK_SECRET'
  | 'STRIPE_API_VERSION'
  | 'STRIPE_SUCCESS_URL'
  | 'STRIPE_CANCEL_URL'
  | 'STRIPE_DEFAULT_CURRENCY'
  | 'STRIPE_DEFAULT_MODE'
  | 'ALIPAY_APP_ID'
  | 'ALIPAY_APP_PRIVATE_KEY'
  | 'ALIPAY_APP_PRIVATE_KEY_PATH'
  | 'ALIPAY_PUBLIC_KEY'
  | 'ALIPAY_PUBLIC_KEY_PATH'
  | 'ALIPAY_GATEWAY_URL'
  | 'ALIPAY_WEBHOOK_URL'
  | 'DATABASE_URL';

/** Ping++ credentials, present when `PINGXX_SECRET_KEY` and `PINGXX_APP_ID` are set. */
export interface PingxxConfig {
  /** Secret API key. */
  secretKey: string;
  /** Ping++ app id (`app_…`). */
  appId: string;
  /** Private key, PEM. */
  privateKey?: string;
  /** Path to the private key PEM file. */
  privateKeyPath?: string;
  /** Ping++ webhook public key, PEM. */
  webhookPublicKey?: string;
  /** Path to the Ping++ webhook public key PEM file. */
  webhookPublicKeyPath?: string;
  /** `PAYMENT_REDIRECT_ORIGINS`, or the origins of the configured URLs: where per-request redirect URLs may point. */
  allowedRedirectOrigins?: string[];
}

/** Stripe credentials, present when `STRIPE_SECRET_KEY` is set. */
export interface StripeConfig {
  /** Secret API key. */
  secretKey: string;
  /** Stripe publishable key (`pk_…`). */
  publishableKey?: string;
  /** `STRIPE_WEBHOOK_SECRET`, split on commas (several during rotation). Named like the adapter option so `createStripeProvider(config.stripe)` works. */
  webhookSecret: string[];
  /** Pinned Stripe API version. */
  apiVersion?: string;
  /** Checkout success URL. */
  successUrl?: string;
  /** Checkout cancel URL. */
  cancelUrl?: string;
  /** Currency for requests without one. */
  defaultCurrency: string;
  /** Stripe channel used when only "stripe" is asked for. */
  defaultMode: 'payment_intent' | 'checkout_session';
  /** `PAYMENT_REDIRECT_ORIGINS`, or the origins of the configured URLs: where per-request redirect URLs may point. */
  allowedRedirectOrigins?: string[];
}

/** Alipay credentials, present when `ALIPAY_APP_ID` is set. Named like `createAlipayProvider`'s options. */
export interface AlipayConfig {
  /** `ALIPAY_APP_ID`. */
  appId: string;
  /** `ALIPAY_APP_PRIVATE_KEY` (PEM or bare base64). */
  privateKey?: string;
  /** `ALIPAY_APP_PRIVATE_KEY_PATH`. */
  privateKeyPath?: string;
  /** `ALIPAY_PUBLIC_KEY` (PEM or bare base64). */
  alipayPublicKey?: string;
  /** `ALIPAY_PUBLIC_KEY_PATH`. */
  alipayPublicKeyPath?: string;
  /** `ALIPAY_GATEWAY_URL`. */
  gatewayUrl: string;
  /** `ALIPAY_WEBHOOK_URL`, sent as `notify_url`. */
  notifyUrl: string;
  /** `PAYMENT_REDIRECT_ORIGINS`, or the origins of the configured URLs: where a per-request `returnUrl` may point. */
  allowedRedirectOrigins?: string[];
}

/** The validated configuration. */
export interface PaymentConfig {
  /** Enabled providers that have credentials, in `PAYMENT_CHANNELS_ENABLED` order. */
  enabledProviders: string[];
  /** Human-readable notes (an enabled provider without credentials was dropped). Never contain values. */
  warnings: string[];
  /** Seconds after which an unpaid order times out. */
  orderExpireSeconds: number;
  /**
   * Origins per-request redirect URLs may point to: `PAYMENT_REDIRECT_ORIGINS`, else the origins of the configured
   * URLs (`STRIPE_SUCCESS_URL`, `STRIPE_CANCEL_URL`). Also set on `pingxx` and `stripe`, so the adapters get it.
   */
  allowedRedirectOrigins: string[];
  /** Ping++ credentials, or `null` when not configured. */
  pingxx: PingxxConfig | null;
  /** Stripe credentials, or `null` when not configured. */
  stripe: StripeConfig | null;
  /** Alipay credentials, or `null` when not configured. */
  alipay: AlipayConfig | null;
  /** WeChat Pay credentials, or `null` when not configured. */
  wechatpay: WechatPayConfig | null;
  /** `DATABASE_URL`, or `null`. */
  databaseUrl: string | null;
  /** The outbox worker's consumers and retention (`PAYMENT_OUTBOX_*`, `FEISHU_WEBHOOK_*`); URLs and secrets redacted when rendered. */
  outbox: OutboxConfig;
}

/**
 * Reads and validates configuration from `env`, collecting **every** problem before throwing one
 * `ConfigurationError` whose `issues` lists them. Secret values never appear in messages.
 *
 * @example
 * ```ts
 * const config = loadPaymentConfig(process.env)
 * if (config.stripe) providers.push(createStripeProvider({ secretKey: config.stripe.secretKey, … }))
 * ```
 * @throws ConfigurationError listing all problems.
 */
export function loadPaymentConfig(env: Record<string, string | undefined> = process.env): PaymentConfig {
  const issues: string[] = [];
  const values = {} as Record<PaymentConfigKey, string | undefined>;
  const given = new Set<PaymentConfigKey>();
  for (const [key, def] of Object.entries(paymentConfigSchema) as [PaymentConfigKey, ConfigKeyDefinition][]) {
    const raw = env[key]?.trim();
    if (raw) given.add(key);
    const value = raw ? raw : def.default;
    if (value === undefined) continue;
    const parsed = def.schema.safeParse(value);
    if (parsed.success) values[key] = parsed.data.trim();
    else
      issues.push(`${key} ${parsed.error.issues[0]?.message ?? 'is invalid'}${def.secret ? ' (value hidden)' : ''}.`);
  }

  // Feed the one scrubber before anything can fail: every secret key's value as given (valid or not), and the
  // database URL (its password).
  registerSecrets(
    (Object.entries(paymentConfigSchema) as [PaymentConfigKey, ConfigKeyDefinition][])
      .filter(([key, def]) => def.secret || key === 'DATABASE_URL')
      .flatMap(([key]) => (env[key] ?? '').split(',')),
  );
  // `given` holds keys that were set, valid or not: a key set to a bad value is reported once, as bad,
  // never a second time as missing.
  const enabledNames = (values.PAYMENT_CHANNELS_ENABLED ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const pingxx = pingxxFrom(values, given, issues, enabledNames.includes('pingxx'));
  const stripe = stripeFrom(values, given, issues);
  if (values.DATABASE_URL !== undefined) {
    try {
      parseDatabaseUrl(values.DATABASE_URL);
    } catch (error) {
      issues.push(error instanceof Error ? error.message : 'DATABASE_URL is invalid.');
    }
  }
  const outbox = outboxFrom(values, issues);
  const alipay = alipayFrom(values, given, issues);
  const wechatpay = wechatpayFrom(values, given, issues);
  const configured = new Set([
    ...(pingxx ? ['pingxx'] : []),
    ...(stripe ? ['stripe'] : []),
    ...(alipay ? ['alipay'] : []),
    ...(wechatpay ? ['wechatpay'] : []),
  ]);
  const warnings: string[] = [];
  const enabledProviders: string[] = [];
  for (const name of enabledNames) {
    if (!KNOWN_PROVIDERS.includes(name)) issues.push(`PAYMENT_CHANNELS_ENABLED names unknown provider "${name}".`);
    else if (!configured.has(name))
      warnings.push(`Provider "${name}" is enabled but has no credentials; it is disabled.`);
    else if (!enabledProviders.includes(name)) enabledProviders.push(name);
  }
  if (issues.length > 0) {
    throw new ConfigurationError(`Invalid payment configuration: ${issues.join(' ')}`, {
      code: 'INVALID_CONFIG',
      issues,
    });
  }
  const allowedRedirectOrigins = values.PAYMENT_REDIRECT_ORIGINS
    ? parseRedirectOrigins(values.PAYMENT_REDIRECT_ORIGINS, 'PAYMENT_REDIRECT_ORIGINS')
    : originsOf(REDIRECT_CONFIG_KEYS.map((key) => values[key]));
  const withOrigins = <T extends object>(provider: T | null): (T & { allowedRedirectOrigins: string[] }) | null =>
    provider && { ...provider, allowedRedirectOrigins };
  const pingxxConfig = withOrigins(pingxx);
  const stripeConfig = withOrigins(stripe);
  const alipayConfig = withOrigins(alipay);
  const wechatpayConfig = withOrigins(wechatpay);
  return sealConfig({
    enabledProviders,
    warnings,
    orderExpireSeconds: Number(values.PAY_ORDER_EXPIRE_TIME),
    allowedRedirectOrigins,
    pingxx: pingxxConfig && sealObject(pingxxConfig, () => redactedCredentials(pingxxConfig)),
    stripe: stripeConfig && sealObject(stripeConfig, () => redactedCredentials(stripeConfig)),
    alipay: alipayConfig && sealObject(alipayConfig, () => redactedCredentials(alipayConfig)),
    wechatpay: wechatpayConfig && sealObject(wechatpayConfig, () => redactedCredentials(wechatpayConfig)),
    databaseUrl: values.DATABASE_URL ?? null,
    outbox,
  });
}

/** Credential fields shown as `[redacted]` when a config object is inspected or serialised. */
const SECRET_FIELDS = new Set(['secretKey', 'privateKey', 'webhookSecret', 'apiV3Key']);

function redactedCredentials(config: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, SECRET_FIELDS.has(key) ? REDACTED : value]),
  );
}

/**
 * The config renders without secrets under `util.inspect` / `JSON.stringify` (credentials `[redacted]`, the
 * database URL's password scrubbed); reading `config.stripe.secretKey` still gives the value.
 */
function sealConfig(config: PaymentConfig): PaymentConfig {
  return sealObject(config, () => ({
    ...config,
    pingxx: config.pingxx && redactedCredentials(config.pingxx),
    stripe: config.stripe && redactedCredentials(config.stripe),
    alipay: config.alipay && redactedCredentials(config.alipay),
    wechatpay: config.wechatpay && redactedCredentials(config.wechatpay),
    outbox: redactedOutbox(config.outbox),
  }));
}

type Values = Record<PaymentConfigKey, string | undefined>;

/** Configured URLs whose origins are the default redirect allow-list. */
const REDIRECT_CONFIG_KEYS = ['STRIPE_SUCCESS_URL', 'STRIPE_CANCEL_URL'] as const satisfies readonly PaymentConfigKey[];

/** Provider names `PAYMENT_CHANNELS_ENABLED` may list. */
const KNOWN_PROVIDERS: readonly string[] = ['pingxx', 'stripe', 'alipay', 'wechatpay'];

function alipayFrom(v: Values, given: ReadonlySet<PaymentConfigKey>, issues: string[]): AlipayConfig | null {
  const keys = [
    'ALIPAY_APP_ID',
    'ALIPAY_APP_PRIVATE_KEY',
    'ALIPAY_APP_PRIVATE_KEY_PATH',
    'ALIPAY_PUBLIC_KEY',
    'ALIPAY_PUBLIC_KEY_PATH',
    'ALIPAY_WEBHOOK_URL',
  ] as const;
  if (!keys.some((k) => given.has(k))) return null;
  if (!given.has('ALIPAY_APP_ID')) issues.push('ALIPAY_APP_ID is required when Alipay is configured.');
  if (!given.has('ALIPAY_APP_PRIVATE_KEY') && !given.has('ALIPAY_APP_PRIVATE_KEY_PATH'))
    issues.push('ALIPAY_APP_PRIVATE_KEY or ALIPAY_APP_PRIVATE_KEY_PATH is required: Alipay requests are signed.');
  if (given.has('ALIPAY_APP_PRIVATE_KEY') && given.has('ALIPAY_APP_PRIVATE_KEY_PATH'))
    issues.push('Set ALIPAY_APP_PRIVATE_KEY or ALIPAY_APP_PRIVATE_KEY_PATH, not both.');
  if (!given.has('ALIPAY_PUBLIC_KEY') && !given.has('ALIPAY_PUBLIC_KEY_PATH'))
    issues.push(
      'ALIPAY_PUBLIC_KEY or ALIPAY_PUBLIC_KEY_PATH is required: unsigned Alipay notifications are never accepted.',
    );
  if (given.has('ALIPAY_PUBLIC_KEY') && given.has('ALIPAY_PUBLIC_KEY_PATH'))
    issues.push('Set ALIPAY_PUBLIC_KEY or ALIPAY_PUBLIC_KEY_PATH, not both.');
  if (!given.has('ALIPAY_WEBHOOK_URL'))
    issues.push('ALIPAY_WEBHOOK_URL is required when Alipay is configured (notify_url).');
  if (!v.ALIPAY_APP_ID || !v.ALIPAY_WEBHOOK_URL) return null;
  return {
    appId: v.ALIPAY_APP_ID,
    gatewayUrl: v.ALIPAY_GATEWAY_URL ?? 'https://openapi.alipay.com/gateway.do',
    notifyUrl: v.ALIPAY_WEBHOOK_URL,
    ...(v.ALIPAY_APP_PRIVATE_KEY ? { privateKey: v.ALIPAY_APP_PRIVATE_KEY.replace(/\\n/g, '\n') } : {}),
    ...(v.ALIPAY_APP_PRIVATE_KEY_PATH ? { privateKeyPath: v.ALIPAY_APP_PRIVATE_KEY_PATH } : {}),
    ...(v.ALIPAY_PUBLIC_KEY ? { alipayPublicKey: v.ALIPAY_PUBLIC_KEY.replace(/\\n/g, '\n') } : {}),
    ...(v.ALIPAY_PUBLIC_KEY_PATH ? { alipayPublicKeyPath: v.ALIPAY_PUBLIC_KEY_PATH } : {}),
  };
}

const unescapeNewlines = (pem: string | undefined): string | undefined => pem?.replace(/\\n/g, '\n');

function pingxxFrom(
  v: Values,
  given: ReadonlySet<PaymentConfigKey>,
  issues: string[],
  enabled: boolean,
): PingxxConfig | null {
  checkPemKeySetting(
    { pemKey: 'PINGXX_PRIVATE_KEY', pathKey: 'PINGXX_PRIVATE_KEY_PATH', kind: 'private' },
    { pem: unescapeNewlines(v.PINGXX_PRIVATE_KEY), path: v.PINGXX_PRIVATE_KEY_PATH },
    issues,
  );
  checkPemKeySetting(
    { pemKey: 'PINGXX_WEBHOOK_PUBLIC_KEY', pathKey: 'PINGXX_WEBHOOK_PUBLIC_KEY_PATH', kind: 'public' },
    { pem: unescapeNewlines(v.PINGXX_WEBHOOK_PUBLIC_KEY), path: v.PINGXX_WEBHOOK_PUBLIC_KEY_PATH },
    issues,
  );
  const any = (['PINGXX_SECRET_KEY', 'PINGXX_APP_ID', 'PINGXX_PRIVATE_KEY', 'PINGXX_PRIVATE_KEY_PATH'] as const).some(
    (k) => given.has(k),
  );
  if (!any) return null;
  if (!given.has('PINGXX_SECRET_KEY')) issues.push('PINGXX_SECRET_KEY is required when Ping++ is configured.');
  if (!given.has('PINGXX_APP_ID')) issues.push('PINGXX_APP_ID is required when Ping++ is configured.');
  if (given.has('PINGXX_PRIVATE_KEY') && given.has('PINGXX_PRIVATE_KEY_PATH'))
    issues.push('Set PINGXX_PRIVATE_KEY or PINGXX_PRIVATE_KEY_PATH, not both.');
  if (given.has('PINGXX_WEBHOOK_PUBLIC_KEY') && given.has('PINGXX_WEBHOOK_PUBLIC_KEY_PATH'))
    issues.push('Set PINGXX_WEBHOOK_PUBLIC_KEY or PINGXX_WEBHOOK_PUBLIC_KEY_PATH, not both.');
  // Required only when Ping++ is enabled: a host running Stripe alone (PAYMENT_CHANNELS_ENABLED=stripe) may
  // keep its old Ping++ keys in the environment.
  if (enabled && !given.has('PINGXX_WEBHOOK_PUBLIC_KEY') && !given.has('PINGXX_WEBHOOK_PUBLIC_KEY_PATH')) {
    issues.push(
      `PINGXX_WEBHOOK_PUBLIC_KEY or PINGXX_WEBHOOK_PUBLIC_KEY_PATH is required: unsigned Ping++ webhooks are never accepted. ${PINGXX_WEBHOOK_KEY_HINT}`,
    );
  }
  if (!v.PINGXX_SECRET_KEY || !v.PINGXX_APP_ID) return null;
  return {
    secretKey: v.PINGXX_SECRET_KEY,
    appId: v.PINGXX_APP_ID,
    ...(v.PINGXX_PRIVATE_KEY ? { privateKey: unescapeNewlines(v.PINGXX_PRIVATE_KEY)! } : {}),
    ...(v.PINGXX_PRIVATE_KEY_PATH ? { privateKeyPath: v.PINGXX_PRIVATE_KEY_PATH } : {}),
    ...(v.PINGXX_WEBHOOK_PUBLIC_KEY ? { webhookPublicKey: unescapeNewlines(v.PINGXX_WEBHOOK_PUBLIC_KEY)! } : {}),
    ...(v.PINGXX_WEBHOOK_PUBLIC_KEY_PATH ? { webhookPublicKeyPath: v.PINGXX_WEBHOOK_PUBLIC_KEY_PATH } : {}),
  };
}

function stripeFrom(v: Values, given: ReadonlySet<PaymentConfigKey>, issues: string[]): StripeConfig | null {
  const any = (['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PUBLISHABLE_KEY'] as const).some((k) =>
    given.has(k),
  );
  if (!any) return null;
  if (!given.has('STRIPE_SECRET_KEY')) issues.push('STRIPE_SECRET_KEY is required when Stripe is configured.');
  if (!given.has('STRIPE_WEBHOOK_SECRET'))
    issues.push('STRIPE_WEBHOOK_SECRET is required: unsigned Stripe webhooks are never accepted.');
  if (!v.STRIPE_SECRET_KEY) return null;
  const live = v.STRIPE_SECRET_KEY.includes('_live_');
  if (v.STRIPE_PUBLISHABLE_KEY && v.STRIPE_PUBLISHABLE_KEY.includes('_live_') !== live) {
    issues.push('STRIPE_PUBLISHABLE_KEY and STRIPE_SECRET_KEY are from different modes (live vs test).');
  }
  return {
    secretKey: v.STRIPE_SECRET_KEY,
    webhookSecret: (v.STRIPE_WEBHOOK_SECRET ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    defaultCurrency: (v.STRIPE_DEFAULT_CURRENCY ?? 'usd').toUpperCase(),
    defaultMode: v.STRIPE_DEFAULT_MODE === 'checkout_session' ? 'checkout_session' : 'payment_intent',
    ...(v.STRIPE_PUBLISHABLE_KEY ? { publishableKey: v.STRIPE_PUBLISHABLE_KEY } : {}),
    ...(v.STRIPE_API_VERSION ? { apiVersion: v.STRIPE_API_VERSION } : {}),
    ...(v.STRIPE_SUCCESS_URL ? { successUrl: v.STRIPE_SUCCESS_URL } : {}),
    ...(v.STRIPE_CANCEL_URL ? { cancelUrl: v.STRIPE_CANCEL_URL } : {}),
  };
}
