/**
 * Sellers collecting into their own merchant accounts (docs/merchant-accounts.md), offline on the emulators:
 * two sellers, each with their own Stripe account, plus the platform's own Stripe account; seller B also has their
 * own native Alipay app. Each charge is snapshotted on its seller's account version; each seller's webhooks arrive
 * on their own route (`/webhooks/stripe/<accountId>.<token>`; for Alipay, which takes a `notify_url` with every
 * payment, the route is that app's `notifyUrl`); a seller rotates credentials and the older payment still refunds
 * through the version it was made with; a webhook forged with the other seller's secret is refused.
 *
 * Your resolver reads your own table of seller accounts (and decrypts the credentials); the in-memory one from
 * `/testing` stands in for it here.
 *
 * Run: `npx tsx examples/merchant-accounts.ts`
 * @module
 */
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  merchantAccountRouteToken,
  type MerchantAccount,
} from '@org/payment-factory';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '@org/payment-factory/kysely';
import { createAlipayProvider, type AlipayProviderOptions } from '@org/payment-factory/alipay';
import { createStripeProvider, type StripeProviderOptions } from '@org/payment-factory/stripe';
import {
  createInMemoryMerchantAccounts,
  generateAlipayTestKeyPair,
  startAlipayEmulator,
  startStripeEmulator,
  type StripeEmulator,
} from '@org/payment-factory/testing';
import { isMain, runMain } from './shared/demo-stack.js';

/** A secret of at least 32 bytes, stable: it makes every seller's webhook URL. Keep it out of the code. */
const ROUTE_KEY = process.env['MERCHANT_ROUTE_KEY'] ?? 'example-route-key-change-me-0123456789abcdef';

const credentials = (e: StripeEmulator, secretKey: string): StripeProviderOptions => ({
  secretKey,
  webhookSecret: e.webhookSecret,
  successUrl: 'https://shop.example/ok',
  cancelUrl: 'https://shop.example/cancel',
  ...e.sdkOptions,
});

async function main(): Promise<void> {
  const platformStripe = await startStripeEmulator({ webhookSecret: 'whsec_platform' });
  const sellerA = await startStripeEmulator({ webhookSecret: 'whsec_seller_a' });
  const sellerB = await startStripeEmulator({ webhookSecret: 'whsec_seller_b' });
  // Seller B's Alipay app: an emulator is one app; its own key pairs (the default ones are shared by every emulator).
  const sellerBAlipay = await startAlipayEmulator({
    appKeyPair: generateAlipayTestKeyPair('example-seller-b-app'),
    alipayKeyPair: generateAlipayTestKeyPair('example-seller-b-alipay'),
  });
  const db = await createKyselyFromUrl(':memory:');
  try {
    await migrateToLatest(db);
    const accounts = createInMemoryMerchantAccounts({ products: { course_a: 'seller_a', course_b: 'seller_b' } });
    const account = (accountId: string, versionId: string, sellerId: string, c: StripeProviderOptions) =>
      ({ accountId, versionId, sellerId, provider: 'stripe', credentials: c }) satisfies MerchantAccount;
    accounts.put(account('acct_a', 'acct_a_v1', 'seller_a', credentials(sellerA, 'sk_test_seller_a_1')));
    accounts.put(account('acct_b', 'acct_b_v1', 'seller_b', credentials(sellerB, 'sk_test_seller_b_1')));
    // Alipay sends each payment's notify_url itself: the app's credentials name the app's own route.
    const alipayRoute = `/webhooks/alipay/${await merchantAccountRouteToken(ROUTE_KEY, 'app_b')}`;
    accounts.put({
      accountId: 'app_b',
      versionId: 'app_b_v1',
      sellerId: 'seller_b',
      provider: 'alipay',
      credentials: {
        ...sellerBAlipay.providerOptions,
        notifyUrl: `https://shop.example${alipayRoute}`,
      } satisfies AlipayProviderOptions,
    });

    // The part to copy: the platform's providers as before, plus merchantAccounts.
    const service = createPaymentService({
      factory: createPaymentFactory({
        providers: [createStripeProvider(credentials(platformStripe, 'sk_test_platform'))],
      }),
      repositories: createKyselyRepositories(db),
      merchantAccounts: {
        resolver: accounts,
        routeKey: ROUTE_KEY,
        adapters: {
          stripe: (a) => createStripeProvider({ ...(a.credentials as StripeProviderOptions), name: a.provider }),
          alipay: (a) => createAlipayProvider({ ...(a.credentials as AlipayProviderOptions), name: a.provider }),
        },
      },
    });
    // One handler serves both `/webhooks/:provider` (the platform) and `/webhooks/:provider/:account` (sellers).
    const handle = createWebhookHandler(service);
    const post = async (path: string, w: { rawBody: string; headers: Record<string, string> }) => {
      const res = await handle(
        new Request(`http://shop.example${path}`, { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      return `${res.status} ${await res.text()}`;
    };
    const routeOf = async (accountId: string) =>
      `/webhooks/stripe/${await merchantAccountRouteToken(ROUTE_KEY, accountId)}`;
    const pay = async (userId: string, productId: string) => {
      const order = await service.initOrder({ userId, productId, payableAmount: 1999, currency: 'USD' });
      const dto = await service.createCharge({ orderId: order.orderId, paymentChannel: 'stripe' });
      const attempt = (await service.repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
      console.log(
        `order ${order.orderId} (${productId}) charged on account version ${attempt.merchantAccount?.versionId ?? 'platform'}`,
      );
      return { orderId: order.orderId, ref: attempt.providerReference! };
    };

    const a1 = await pay('alice', 'course_a');
    const b1 = await pay('bob', 'course_b');
    const own = await pay('carol', 'course_platform');
    console.log(`seller A registers ${await routeOf('acct_a')} at Stripe`);

    sellerA.succeedPayment(a1.ref);
    const forged = sellerA.webhookFor(a1.ref, 'payment_intent.succeeded', { secret: 'whsec_seller_b' });
    console.log(`forged with B's secret on A's route: ${await post(await routeOf('acct_a'), forged)}`);
    console.log(
      `genuine on A's route: ${await post(await routeOf('acct_a'), sellerA.webhookFor(a1.ref, 'payment_intent.succeeded'))}`,
    );
    sellerB.succeedPayment(b1.ref);
    console.log(
      `genuine on B's route: ${await post(await routeOf('acct_b'), sellerB.webhookFor(b1.ref, 'payment_intent.succeeded'))}`,
    );
    // Seller B's Alipay app: the charge goes to B's app, its form-encoded notification to B's Alipay route.
    const order = await service.initOrder({
      userId: 'erin',
      productId: 'course_b',
      payableAmount: 9900,
      currency: 'CNY',
    });
    const dto = await service.createCharge({ orderId: order.orderId, channel: 'alipay_qr' });
    console.log(`order ${order.orderId} (course_b) charged on ${dto.paymentChannel}, notify_url ${alipayRoute}`);
    sellerBAlipay.controls.pay(dto);
    console.log(`Alipay on B's app route: ${await post(alipayRoute, sellerBAlipay.controls.notificationFor(dto))}`);
    platformStripe.succeedPayment(own.ref);
    console.log(
      `platform route: ${await post('/webhooks/stripe', platformStripe.webhookFor(own.ref, 'payment_intent.succeeded'))}`,
    );

    // Seller A rotates the secret key: a new version; A's earlier payment keeps version 1.
    accounts.put(account('acct_a', 'acct_a_v2', 'seller_a', credentials(sellerA, 'sk_test_seller_a_2')));
    const a2 = await pay('dave', 'course_a');
    const refund = await service.refund({ orderId: a1.orderId });
    console.log(`refunded ${a1.orderId} through acct_a_v1: ${refund.refund.status}, order ${refund.order.status}`);
    console.log(`a new charge after the rotation used ${a2.ref.slice(0, 3)}… on acct_a_v2`);
    for (const orderId of [a1.orderId, b1.orderId, own.orderId]) {
      const order = await service.getOrder(orderId);
      console.log(
        `order ${orderId}: ${order?.status}, seller ${order?.sellerId ?? '-'}, version ${order?.merchantAccountVersion ?? 'platform'}`,
      );
    }
  } finally {
    await db.destroy();
    for (const e of [platformStripe, sellerA, sellerB, sellerBAlipay]) await e.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
