/**
 * Secrets are sealed: `util.inspect` and `JSON.stringify` of the config, the providers, the factory, the
 * service and every error thrown through them show no configured secret — including the password inside
 * `DATABASE_URL`, an SDK error kept as `cause`, and a provider message echoing a value that has no
 * recognisable prefix (the one scrubber is fed the configured values, not only key shapes).
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, createPaymentFactory, createPaymentService, isPaymentError } from '../../../src/index.js';
import { loadPaymentConfig, type PaymentConfig } from '../../../src/config/index.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { createStripeProvider } from '../../../src/stripe/index.js';
import {
  createInMemoryRepositories,
  startPingxxEmulator,
  startStripeEmulator,
  type PingxxEmulator,
  type StripeEmulator,
} from '../../../src/testing/index.js';

const hex = (n: number) => randomBytes(n).toString('hex');

describe('sealed secrets', () => {
  let stripeEmulator: StripeEmulator;
  let pingxxEmulator: PingxxEmulator;
  let config: PaymentConfig;
  const dbPassword = `Pw${hex(10)}`; // no known prefix: only registration can catch it
  const secrets: string[] = [];
  const rendered: Array<[string, string]> = [];
  const render = (label: string, value: unknown) => {
    rendered.push([`inspect(${label})`, inspect(value, { depth: 12 })]);
    rendered.push([`inspect+hidden(${label})`, inspect(value, { depth: 12, showHidden: true })]);
    rendered.push([`JSON(${label})`, JSON.stringify(value) ?? '']);
  };

  beforeAll(async () => {
    stripeEmulator = await startStripeEmulator();
    pingxxEmulator = await startPingxxEmulator();
    const pingxxOptions = pingxxEmulator.providerOptions;
    const env = {
      STRIPE_SECRET_KEY: `sk_test_${hex(12)}`,
      STRIPE_WEBHOOK_SECRET: stripeEmulator.webhookSecret,
      PINGXX_SECRET_KEY: pingxxOptions.secretKey,
      PINGXX_APP_ID: pingxxOptions.appId,
      PINGXX_PRIVATE_KEY: pingxxOptions.privateKey,
      PINGXX_WEBHOOK_PUBLIC_KEY: pingxxOptions.webhookPublicKey,
      DATABASE_URL: `postgres://payments:${dbPassword}@db.internal:5432/pay`,
    };
    secrets.push(env.STRIPE_SECRET_KEY, env.STRIPE_WEBHOOK_SECRET, env.PINGXX_SECRET_KEY, dbPassword);
    const pem = pingxxOptions.privateKey ?? '';
    secrets.push(pem.split('\n').find((line) => line.length > 40 && !line.startsWith('-----')) ?? 'no-pem-line');
    config = loadPaymentConfig(env);
  });

  afterAll(async () => {
    await stripeEmulator?.close();
    await pingxxEmulator?.close();
  });

  it('renders the config, providers, factory and service without a secret, and thrown errors too', async () => {
    expect(config.stripe!.secretKey).toBe(secrets[0]); // still usable
    const stripe = createStripeProvider({
      ...config.stripe!,
      ...stripeEmulator.sdkOptions,
      successUrl: 'https://a.example/ok',
      cancelUrl: 'https://a.example/no',
    });
    const pingxx = createPingxxProvider({ ...config.pingxx!, ...pingxxEmulator.providerOptions });
    const factory = createPaymentFactory({ providers: [stripe, pingxx] });
    const service = createPaymentService({ factory, repositories: createInMemoryRepositories() });
    render('config', config);
    render('config.stripe', config.stripe);
    render('config.pingxx', config.pingxx);
    render('stripe provider', stripe);
    render('stripe client', await stripe.getClient());
    render('pingxx provider', pingxx);
    render('factory', factory);
    render('service', service);
    expect(inspect(config)).toContain('postgres://payments:[redacted]@db.internal:5432/pay');

    // A Stripe error whose message echoes the key; a Ping++ error whose message echoes the database password.
    const order = await service.initOrder({ userId: 'u', productId: 'p', payableAmount: 500, currency: 'USD' });
    stripeEmulator.failNext({ status: 400, message: `Invalid API Key provided: ${secrets[0]}` });
    const stripeError = await service
      .createCharge({ orderId: order.orderId, paymentChannel: 'stripe' })
      .catch((e: unknown) => e);
    expect(isPaymentError(stripeError)).toBe(true);
    render('stripe error', stripeError);
    const cny = await service.initOrder({ userId: 'u2', productId: 'p', payableAmount: 500, currency: 'CNY' });
    pingxxEmulator.controls.failNext({
      status: 400,
      body: { error: { type: 'invalid_request_error', message: `cannot reach ${config.databaseUrl}` } },
    });
    const pingxxError = await service
      .createCharge({ orderId: cny.orderId, channel: 'alipay_qr', clientIp: '203.0.113.1' })
      .catch((e: unknown) => e);
    expect(isPaymentError(pingxxError)).toBe(true);
    render('pingxx error', pingxxError);
    render('pingxx error details', (pingxxError as { details?: unknown }).details);

    // A configuration problem next to secrets.
    const configError = (() => {
      try {
        loadPaymentConfig({ STRIPE_SECRET_KEY: secrets[0], PAY_ORDER_EXPIRE_TIME: 'soon' });
      } catch (e) {
        return e;
      }
    })();
    expect(configError).toBeInstanceOf(ConfigurationError);
    render('config error', configError);

    for (const [label, text] of rendered) {
      for (const secret of secrets) expect(text, `${label} shows a secret`).not.toContain(secret);
    }
  });
});
