import { inspect } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/index.js';
import { generateEnvExample, loadPaymentConfig, paymentConfigSchema } from '../../../src/config/index.js';

const SECRET = 'sk_test_51SuperSecretValueNobodyMaySee';
const WHSEC = 'whsec_TopSecretSigningValue';
const RSA = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
/** As pasted into an env file: literal `\n` sequences instead of newlines. */
const PEM_PRIVATE = RSA.privateKey.trim().replace(/\n/g, '\\n');
const PEM_PUBLIC = RSA.publicKey;
/** Looks like a PEM, is not one: passes the shape check, fails the parse. */
const GARBAGE_PRIVATE = '-----BEGIN PRIVATE KEY-----\nZZZ-garbage-key-material-ZZZ\n-----END PRIVATE KEY-----';
const keyDir = mkdtempSync(join(tmpdir(), 'pf-config-'));
const privatePath = join(keyDir, 'private.pem');
const publicPath = join(keyDir, 'public.pem');
const notPemPath = join(keyDir, 'not-a-key.pem');
writeFileSync(privatePath, RSA.privateKey);
writeFileSync(publicPath, RSA.publicKey);
writeFileSync(notPemPath, 'ZZZ-not-a-key-ZZZ');

function configError(env: Record<string, string>): ConfigurationError {
  try {
    loadPaymentConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('paymentConfigSchema', () => {
  it('describes every key of DESIGN §8 with group, description and secret flag', () => {
    const keys = Object.keys(paymentConfigSchema);
    for (const key of [
      'PINGXX_SECRET_KEY',
      'PINGXX_PRIVATE_KEY_PATH',
      'PINGXX_PRIVATE_KEY',
      'PINGXX_APP_ID',
      'PINGXX_WEBHOOK_PUBLIC_KEY',
      'PINGXX_WEBHOOK_PUBLIC_KEY_PATH',
      'STRIPE_SECRET_KEY',
      'STRIPE_PUBLISHABLE_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_API_VERSION',
      'STRIPE_SUCCESS_URL',
      'STRIPE_CANCEL_URL',
      'STRIPE_DEFAULT_CURRENCY',
      'PAYMENT_CHANNELS_ENABLED',
      'PAY_ORDER_EXPIRE_TIME',
      'DATABASE_URL',
      'ALIPAY_APP_ID',
      'ALIPAY_APP_PRIVATE_KEY',
      'ALIPAY_APP_PRIVATE_KEY_PATH',
      'ALIPAY_PUBLIC_KEY',
      'ALIPAY_PUBLIC_KEY_PATH',
      'ALIPAY_GATEWAY_URL',
      'ALIPAY_WEBHOOK_URL',
    ]) {
      expect(keys).toContain(key);
    }
    for (const def of Object.values(paymentConfigSchema)) {
      expect(def.description.length).toBeGreaterThan(10);
      expect(['general', 'pingxx', 'stripe', 'alipay', 'wechatpay', 'database', 'outbox']).toContain(def.group);
    }
    expect(paymentConfigSchema.STRIPE_SECRET_KEY.secret).toBe(true);
    expect(paymentConfigSchema.PINGXX_PRIVATE_KEY.secret).toBe(true);
    expect(paymentConfigSchema.STRIPE_WEBHOOK_SECRET.secret).toBe(true);
    expect(paymentConfigSchema.STRIPE_PUBLISHABLE_KEY.secret).toBe(false);
    expect(paymentConfigSchema.ALIPAY_APP_PRIVATE_KEY.secret).toBe(true);
    expect(paymentConfigSchema.ALIPAY_PUBLIC_KEY.secret).toBe(false);
  });
});

describe('loadPaymentConfig: Alipay', () => {
  const alipayEnv = {
    PAYMENT_CHANNELS_ENABLED: 'alipay,pingxx',
    ALIPAY_APP_ID: '2021000000000001',
    ALIPAY_APP_PRIVATE_KEY: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\nsecretpart',
    ALIPAY_PUBLIC_KEY_PATH: './keys/alipay_public.pem',
    ALIPAY_WEBHOOK_URL: 'https://shop.example/webhooks/alipay',
  };

  it('builds the Alipay options createAlipayProvider takes, with the production gateway by default', () => {
    const config = loadPaymentConfig(alipayEnv);
    // Spread: the sealed config itself compares (and prints) with the private key redacted.
    expect({ ...config.alipay }).toEqual({
      appId: '2021000000000001',
      privateKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nsecretpart',
      alipayPublicKeyPath: './keys/alipay_public.pem',
      gatewayUrl: 'https://openapi.alipay.com/gateway.do',
      notifyUrl: 'https://shop.example/webhooks/alipay',
      allowedRedirectOrigins: [],
    });
    expect(JSON.stringify(config)).not.toContain('secretpart');
    expect(inspect(config.alipay)).not.toContain('secretpart');
    expect(config.enabledProviders).toEqual(['alipay']);
    expect(config.warnings).toEqual(['Provider "pingxx" is enabled but has no credentials; it is disabled.']);
  });

  it('reports every missing Alipay key at once, never echoing the private key', () => {
    const error = configError({ ALIPAY_APP_PRIVATE_KEY: 'MIIsecretvalue', ALIPAY_GATEWAY_URL: 'not a url' });
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.stringContaining('ALIPAY_GATEWAY_URL'),
        expect.stringContaining('ALIPAY_APP_ID is required'),
        expect.stringContaining('ALIPAY_PUBLIC_KEY or ALIPAY_PUBLIC_KEY_PATH is required'),
        expect.stringContaining('ALIPAY_WEBHOOK_URL is required'),
      ]),
    );
    expect(error.message).not.toContain('MIIsecretvalue');
  });
});

describe('loadPaymentConfig', () => {
  it('applies defaults on an empty environment', () => {
    const config = loadPaymentConfig({});
    expect(config).toMatchObject({
      pingxx: null,
      stripe: null,
      enabledProviders: [],
      orderExpireSeconds: 600,
      databaseUrl: null,
    });
    expect(config.warnings).toEqual([
      'Provider "pingxx" is enabled but has no credentials; it is disabled.',
      'Provider "stripe" is enabled but has no credentials; it is disabled.',
    ]);
  });

  it('builds both providers from a full environment', () => {
    const config = loadPaymentConfig({
      PINGXX_SECRET_KEY: 'sk_test_ping',
      PINGXX_APP_ID: 'app_123',
      PINGXX_PRIVATE_KEY: PEM_PRIVATE,
      PINGXX_WEBHOOK_PUBLIC_KEY: PEM_PUBLIC,
      STRIPE_SECRET_KEY: SECRET,
      STRIPE_PUBLISHABLE_KEY: 'pk_test_abc',
      STRIPE_WEBHOOK_SECRET: `${WHSEC}, whsec_old`,
      STRIPE_DEFAULT_CURRENCY: 'eur',
      STRIPE_SUCCESS_URL: 'https://shop.example/ok',
      PAYMENT_CHANNELS_ENABLED: 'stripe, pingxx',
      PAY_ORDER_EXPIRE_TIME: '900',
      DATABASE_URL: 'postgres://db/app',
    });
    expect(config.enabledProviders).toEqual(['stripe', 'pingxx']);
    expect(config.stripe).toMatchObject({
      webhookSecret: [WHSEC, 'whsec_old'],
      defaultCurrency: 'EUR',
      defaultMode: 'payment_intent',
    });
    expect(config.pingxx?.privateKey).toContain('\n');
    expect(config.orderExpireSeconds).toBe(900);
    expect(config.databaseUrl).toBe('postgres://db/app');
  });

  it('drops an enabled provider that has no credentials', () => {
    const config = loadPaymentConfig({ STRIPE_SECRET_KEY: SECRET, STRIPE_WEBHOOK_SECRET: WHSEC });
    expect(config.enabledProviders).toEqual(['stripe']);
    expect(config.warnings.join()).toContain('pingxx');
  });

  it('reports every problem at once', () => {
    const error = configError({
      STRIPE_SECRET_KEY: 'pk_live_wrongkind',
      STRIPE_DEFAULT_CURRENCY: 'dollars',
      PAY_ORDER_EXPIRE_TIME: '-5',
      PAYMENT_CHANNELS_ENABLED: 'pingxx,stripe,paypal',
      PINGXX_SECRET_KEY: 'sk_test_x',
      STRIPE_SUCCESS_URL: 'not a url',
    });
    const text = error.issues.join('\n');
    expect(error.issues.length).toBeGreaterThanOrEqual(7);
    for (const key of [
      'STRIPE_SECRET_KEY',
      'STRIPE_DEFAULT_CURRENCY',
      'PAY_ORDER_EXPIRE_TIME',
      'paypal',
      'PINGXX_APP_ID',
      'PINGXX_WEBHOOK_PUBLIC_KEY',
      'STRIPE_SUCCESS_URL',
    ]) {
      expect(text).toContain(key);
    }
  });

  it('never echoes a secret value', () => {
    const leaked = ['sk_live_notastripekey_ZZZ', 'rk_wrong', 'secret-webhook-ZZZ', 'totally-not-a-pem-ZZZ'];
    const error = configError({
      STRIPE_SECRET_KEY: 'xx_' + leaked[0],
      STRIPE_WEBHOOK_SECRET: leaked[2]!,
      PINGXX_SECRET_KEY: 'bad_' + leaked[0],
      PINGXX_PRIVATE_KEY: leaked[3]!,
      PINGXX_APP_ID: 'app_1',
    });
    const everything = `${error.message}\n${error.issues.join('\n')}\n${JSON.stringify(error)}\n${String(error.stack)}`;
    for (const value of leaked) expect(everything).not.toContain(value);
    expect(everything).toContain('(value hidden)');
  });

  it('requires webhook verification material when a provider is configured', () => {
    expect(configError({ STRIPE_SECRET_KEY: SECRET }).issues.join()).toContain('STRIPE_WEBHOOK_SECRET');
    expect(configError({ PINGXX_SECRET_KEY: 'sk_test_1', PINGXX_APP_ID: 'app_1' }).issues.join()).toContain(
      'PINGXX_WEBHOOK_PUBLIC_KEY',
    );
  });

  it('tells a host migrating from the original system where the Ping++ webhook key is, and how to run Stripe alone', () => {
    // The original system's environment: Ping++ keys but no webhook key (it accepted unsigned webhooks).
    const original = {
      PINGXX_SECRET_KEY: 'sk_test_1',
      PINGXX_APP_ID: 'app_1',
      STRIPE_SECRET_KEY: SECRET,
      STRIPE_WEBHOOK_SECRET: WHSEC,
    };
    const issue = configError(original).issues.find((i) => i.includes('PINGXX_WEBHOOK_PUBLIC_KEY'));
    expect(issue).toContain('Ping++ dashboard: 企业设置 → 开发参数 → Ping++ 公钥');
    expect(issue).toContain('PAYMENT_CHANNELS_ENABLED=stripe');
    const stripeAlone = loadPaymentConfig({ ...original, PAYMENT_CHANNELS_ENABLED: 'stripe' });
    expect(stripeAlone.enabledProviders).toEqual(['stripe']);
  });

  it('refuses mixing live and test Stripe keys', () => {
    const error = configError({
      STRIPE_SECRET_KEY: 'sk_live_1',
      STRIPE_WEBHOOK_SECRET: WHSEC,
      STRIPE_PUBLISHABLE_KEY: 'pk_test_1',
    });
    expect(error.issues.join()).toContain('different modes');
  });
});

describe('loadPaymentConfig key material and database URL', () => {
  it('accepts Ping++ keys given as files', () => {
    const config = loadPaymentConfig({
      PINGXX_SECRET_KEY: 'sk_test_ping',
      PINGXX_APP_ID: 'app_123',
      PINGXX_PRIVATE_KEY_PATH: privatePath,
      PINGXX_WEBHOOK_PUBLIC_KEY_PATH: publicPath,
    });
    expect(config.pingxx).toMatchObject({ privateKeyPath: privatePath, webhookPublicKeyPath: publicPath });
  });

  it('reports every problem in one error, each once, without echoing values', () => {
    const error = configError({
      PINGXX_SECRET_KEY: 'sk_test_ping',
      PINGXX_APP_ID: 'app_123',
      PINGXX_PRIVATE_KEY: GARBAGE_PRIVATE,
      PINGXX_WEBHOOK_PUBLIC_KEY_PATH: join(keyDir, 'missing.pem'),
      STRIPE_SECRET_KEY: SECRET,
      STRIPE_WEBHOOK_SECRET: 'ZZZ-not-a-whsec-ZZZ',
      DATABASE_URL: 'bogus://admin:ZZZ-db-password-ZZZ@db/payments',
    });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.issues).toEqual([
      'STRIPE_WEBHOOK_SECRET must be whsec_… values, comma-separated (value hidden).',
      'PINGXX_PRIVATE_KEY is not a readable unencrypted PEM private key (PKCS#1 or PKCS#8) (value hidden).',
      'PINGXX_WEBHOOK_PUBLIC_KEY_PATH names a file that cannot be read: no such file (relative paths resolve against the working directory).',
      'DATABASE_URL scheme "bogus" is not supported; use postgres://, mysql:// or a SQLite file path.',
    ]);
    const everything = `${error.message}\n${JSON.stringify(error)}\n${String(error.stack)}`;
    expect(everything).not.toMatch(/ZZZ/);
  });

  it.each([
    [
      'a private key file that is not a PEM',
      { PINGXX_PRIVATE_KEY_PATH: notPemPath, PINGXX_WEBHOOK_PUBLIC_KEY: PEM_PUBLIC },
      'PINGXX_PRIVATE_KEY_PATH names a file whose content is not a readable unencrypted PEM private key (PKCS#1 or PKCS#8).',
    ],
    [
      'a directory as the key file',
      { PINGXX_PRIVATE_KEY_PATH: keyDir, PINGXX_WEBHOOK_PUBLIC_KEY: PEM_PUBLIC },
      'PINGXX_PRIVATE_KEY_PATH names a file that cannot be read: it is a directory.',
    ],
    [
      'the private key where the webhook public key belongs',
      { PINGXX_WEBHOOK_PUBLIC_KEY_PATH: privatePath },
      'PINGXX_WEBHOOK_PUBLIC_KEY_PATH names a file whose content holds a private key; it must be the public key.',
    ],
    [
      'a public key that does not parse',
      { PINGXX_WEBHOOK_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' },
      'PINGXX_WEBHOOK_PUBLIC_KEY is not a readable PEM public key (SPKI or PKCS#1).',
    ],
    [
      'both webhook key forms',
      { PINGXX_WEBHOOK_PUBLIC_KEY: PEM_PUBLIC, PINGXX_WEBHOOK_PUBLIC_KEY_PATH: publicPath },
      'Set PINGXX_WEBHOOK_PUBLIC_KEY or PINGXX_WEBHOOK_PUBLIC_KEY_PATH, not both.',
    ],
  ])('refuses %s', (_label, keys, issue) => {
    const error = configError({ PINGXX_SECRET_KEY: 'sk_test_ping', PINGXX_APP_ID: 'app_123', ...keys });
    expect(error.issues).toEqual([issue]);
  });

  it('reports a bad key once, not again as missing', () => {
    expect(configError({ STRIPE_SECRET_KEY: SECRET, STRIPE_WEBHOOK_SECRET: 'nope' }).issues).toEqual([
      'STRIPE_WEBHOOK_SECRET must be whsec_… values, comma-separated (value hidden).',
    ]);
    expect(
      configError({ PINGXX_SECRET_KEY: 'pk_wrong', PINGXX_APP_ID: 'app_1', PINGXX_WEBHOOK_PUBLIC_KEY: PEM_PUBLIC })
        .issues,
    ).toEqual(['PINGXX_SECRET_KEY must start with "sk_" (value hidden).']);
    // A bad secret key alone still says what else Stripe needs.
    expect(configError({ STRIPE_SECRET_KEY: 'nope' }).issues).toEqual([
      'STRIPE_SECRET_KEY must start with "sk_" or "rk_" (value hidden).',
      'STRIPE_WEBHOOK_SECRET is required: unsigned Stripe webhooks are never accepted.',
    ]);
  });

  it.each([
    ['an unknown scheme', 'mongodb://u:ZZZpw@db/x', /scheme "mongodb" is not supported/],
    ['a server URL that does not parse', 'postgres://u:ZZZ@pw@db:port/x', /not a valid URL/],
  ])('refuses DATABASE_URL with %s, naming only the scheme', (_label, url, message) => {
    const error = configError({ DATABASE_URL: url });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(message);
    expect(error.message).not.toContain('ZZZ');
  });

  it.each(['postgres://app@db/pay', 'mariadb://root@db/pay', './payments.sqlite', 'sqlite::memory:'])(
    'accepts DATABASE_URL %s',
    (url) => {
      expect(loadPaymentConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    },
  );
});

describe('.env.example', () => {
  it('is the committed output of generateEnvExample()', () => {
    const committed = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    expect(committed).toBe(generateEnvExample());
  });

  it('lists every key, and no secret value', () => {
    const text = generateEnvExample();
    for (const [key, def] of Object.entries(paymentConfigSchema)) {
      expect(text).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
      if (def.secret) expect(text).toMatch(new RegExp(`^${key}=$`, 'm'));
    }
  });

  it('is printed by `payment-factory env-example`', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/payment-factory.ts', 'env-example'], {
      cwd: new URL('../../..', import.meta.url),
      encoding: 'utf8',
    });
    expect(out).toBe(generateEnvExample());
  });
});

describe('PAYMENT_REDIRECT_ORIGINS', () => {
  const stripeEnv = {
    STRIPE_SECRET_KEY: SECRET,
    STRIPE_WEBHOOK_SECRET: WHSEC,
    STRIPE_SUCCESS_URL: 'https://shop.example/pay/success',
    STRIPE_CANCEL_URL: 'https://www.shop.example/pay/cancel',
  };

  it('defaults to the origins of the configured URLs, and hands them to the adapters', () => {
    const config = loadPaymentConfig({
      ...stripeEnv,
      PINGXX_SECRET_KEY: SECRET,
      PINGXX_APP_ID: 'app_1',
      PINGXX_WEBHOOK_PUBLIC_KEY: PEM_PUBLIC,
    });
    expect(config.allowedRedirectOrigins).toEqual(['https://shop.example', 'https://www.shop.example']);
    expect(config.stripe?.allowedRedirectOrigins).toEqual(config.allowedRedirectOrigins);
    expect(config.pingxx?.allowedRedirectOrigins).toEqual(config.allowedRedirectOrigins);
  });

  it('is the listed origins when set, instead of the default', () => {
    const config = loadPaymentConfig({
      ...stripeEnv,
      PAYMENT_REDIRECT_ORIGINS: 'https://m.shop.example, http://localhost:3000/',
    });
    expect(config.allowedRedirectOrigins).toEqual(['https://m.shop.example', 'http://localhost:3000']);
    expect(config.stripe?.allowedRedirectOrigins).toEqual(['https://m.shop.example', 'http://localhost:3000']);
  });

  it('is empty with no configured URL: no per-request redirect is accepted', () => {
    expect(loadPaymentConfig({}).allowedRedirectOrigins).toEqual([]);
  });

  it('refuses entries that are not bare origins, together with every other problem', () => {
    const error = configError({
      PAYMENT_REDIRECT_ORIGINS: 'https://shop.example/pay,evil',
      PAY_ORDER_EXPIRE_TIME: 'x',
    });
    expect(
      error.issues.some((i) => i.startsWith('PAYMENT_REDIRECT_ORIGINS must be comma-separated http(s) origins')),
    ).toBe(true);
    expect(error.issues.some((i) => i.startsWith('PAY_ORDER_EXPIRE_TIME'))).toBe(true);
  });
});
