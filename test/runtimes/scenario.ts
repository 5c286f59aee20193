/**
 * The end-to-end runtime check, written once and run unchanged on Cloudflare workerd (no compatibility flags),
 * Bun and Deno: the payment service + the Web webhook handler + in-memory repositories, with the real Stripe and
 * Ping++ providers. A Stripe and a Ping++ webhook are applied, a tampered one refused, a replay is `duplicate`.
 * The webhooks are signed outside (by `run.ts`, on Node), as a provider would.
 */
import { createPaymentFactory, createPaymentService, createWebhookHandler, isPaymentError } from '@org/payment-factory';
import { createPingxxProvider, createPingxxWebhookVerifier } from '@org/payment-factory/pingxx';
import { createStripeProvider, createStripeWebhookVerifier } from '@org/payment-factory/stripe';
import { createInMemoryRepositories } from '@org/payment-factory/testing';

export interface SignedWebhook {
  rawBody: string;
  headers: Record<string, string>;
}

export interface ScenarioInput {
  stripeWebhookSecret: string;
  pingxxPublicKey: string;
  stripeAttemptId: string;
  pingxxAttemptId: string;
  stripe: SignedWebhook;
  pingxx: SignedWebhook;
  tampered: SignedWebhook;
}

export interface ScenarioReport {
  runtime: string;
  steps: Record<string, unknown>;
}

export async function runScenario(input: ScenarioInput, runtime: string): Promise<ScenarioReport> {
  const steps: Record<string, unknown> = {};
  const repositories = createInMemoryRepositories();
  const stripe = createStripeProvider({ secretKey: 'sk_test_runtime_check', webhookSecret: input.stripeWebhookSecret });
  const pingxx = createPingxxProvider({
    secretKey: 'sk_test_runtime_check',
    appId: 'app_runtimecheck',
    webhookPublicKey: input.pingxxPublicKey,
  });
  const factory = createPaymentFactory({ providers: [stripe, pingxx] });
  const service = createPaymentService({ factory, repositories });
  const handle = createWebhookHandler(service);

  // Two orders with an open attempt each, as createCharge leaves them (the attempt ids are the signed ones).
  const seed = async (attemptId: string, provider: 'stripe' | 'pingxx', amount: number, currency: string) => {
    const order = await service.initOrder({
      userId: 'u1',
      productId: `p-${provider}`,
      payableAmount: amount,
      currency,
    });
    await repositories.transaction(async (tx) => {
      await tx.attempts.create({
        attemptId,
        orderId: order.orderId,
        providerKind: provider,
        provider,
        channel: provider === 'stripe' ? 'payment_intent' : 'alipay_qr',
        amount,
        currency,
        status: 'pending',
        clientIp: '203.0.113.7',
        expiresAt: null,
        extra: null,
        metadata: null,
        createdAt: new Date(),
      });
      await tx.orders.updateStatus({
        orderId: order.orderId,
        from: ['init'],
        to: 'pending',
        patch: { paymentChannel: provider },
      });
    });
    return order.orderId;
  };
  const stripeOrder = await seed(input.stripeAttemptId, 'stripe', 1999, 'USD');
  const pingxxOrder = await seed(input.pingxxAttemptId, 'pingxx', 9900, 'CNY');

  const post = async (provider: string, webhook: SignedWebhook) => {
    const response = await handle(
      new Request(`https://shop.example/webhooks/${provider}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...webhook.headers },
        body: webhook.rawBody,
      }),
    );
    return { status: response.status, body: (await response.json()) as unknown };
  };
  steps.stripe = await post('stripe', input.stripe);
  steps.pingxx = await post('pingxx', input.pingxx);
  steps.tampered = await post('pingxx', input.tampered);
  steps.replay = await post('stripe', input.stripe);
  steps.orders = {
    stripe: (await service.getOrder(stripeOrder))?.status,
    pingxx: (await service.getOrder(pingxxOrder))?.status,
  };

  // The standalone verifiers, with nothing but their keys.
  const verifyStripe = createStripeWebhookVerifier({ webhookSecret: input.stripeWebhookSecret });
  const verifyPingxx = createPingxxWebhookVerifier({ webhookPublicKey: input.pingxxPublicKey });
  steps.standalone = {
    stripe: (await verifyStripe(input.stripe)).type,
    pingxx: (await verifyPingxx(input.pingxx)).type,
  };

  // Calling the Ping++ API: where pingpp cannot run, a typed error that says so.
  if (runtime === 'workerd') {
    steps.pingxxApi = await pingxx.retrievePayment({ providerReference: 'ch_runtimecheck' }).then(
      () => 'resolved',
      (error: unknown) => (isPaymentError(error) ? `${error.name} ${error.code}` : String(error)),
    );
  }
  return { runtime, steps };
}
