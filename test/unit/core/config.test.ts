import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, generateEnvExample, loadPaymentConfig, paymentConfigSchema } from '../../../src/index.js';

const SECRET = 'sk_test_51SuperSecretValueNobodyMaySee';
const WHSEC = 'whsec_TopSecretSigningValue';
const PEM_PRIVATE = '-----BEGIN PRIVATE KEY-----\\nMIIEvQ\\n-----END PRIVATE KEY-----';
const PEM_PUBLIC = '-----BEGIN PUBLIC KEY-----\nMIIBIj\n-----END PUBLIC KEY-----';

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
    ]) {
      expect(keys).toContain(key);
    }
    for (const def of Object.values(paymentConfigSchema)) {
      expect(def.description.length).toBeGreaterThan(10);
      expect(['general', 'pingxx', 'stripe', 'database']).toContain(def.group);
    }
    expect(paymentConfigSchema.STRIPE_SECRET_KEY.secret).toBe(true);
    expect(paymentConfigSchema.PINGXX_PRIVATE_KEY.secret).toBe(true);
    expect(paymentConfigSchema.STRIPE_WEBHOOK_SECRET.secret).toBe(true);
    expect(paymentConfigSchema.STRIPE_PUBLISHABLE_KEY.secret).toBe(false);
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
      PAYMENT_CHANNELS_ENABLED: 'stripe,paypal',
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

  it('refuses mixing live and test Stripe keys', () => {
    const error = configError({
      STRIPE_SECRET_KEY: 'sk_live_1',
      STRIPE_WEBHOOK_SECRET: WHSEC,
      STRIPE_PUBLISHABLE_KEY: 'pk_test_1',
    });
    expect(error.issues.join()).toContain('different modes');
  });
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
