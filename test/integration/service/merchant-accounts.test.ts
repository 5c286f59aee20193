/**
 * Many merchant accounts in one process (issue 15, DESIGN §12), on every database of the matrix: two sellers,
 * each with a Stripe account and a Ping++ app (four emulators, each its own account), plus the platform's Stripe
 * account. Charges and webhooks interleave and each lands on its account; a forged cross-account webhook is
 * refused; a seller rotates mid-flight and the older payment's webhook, refund and reconcile keep its version;
 * a refused or account-less seller never falls back to the platform; routing follows the seller's accounts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  merchantAccountRouteToken,
  type MerchantAccount,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import { createPingxxProvider, type PingxxProviderOptions } from '../../../src/pingxx/index.js';
import { createStripeProvider, type StripeProviderOptions } from '../../../src/stripe/index.js';
import {
  createInMemoryMerchantAccounts,
  startPingxxEmulator,
  startStripeEmulator,
  type InMemoryMerchantAccounts,
  type PingxxEmulator,
  type StripeEmulator,
} from '../../../src/testing/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

const ROUTE_KEY = 'merchant-route-key-for-tests-0123456789abcdef';

for (const dialect of testDialects()) {
  describe(`merchant accounts on ${dialect.name}`, () => {
    let t: TestDatabase;
    let platform: StripeEmulator;
    const stripe: Record<string, StripeEmulator> = {};
    const pingxx: Record<string, PingxxEmulator> = {};
    let accounts: InMemoryMerchantAccounts;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;

    const stripeCredentials = (e: StripeEmulator): StripeProviderOptions => ({
      secretKey: `sk_test_${e.sdkOptions.port}`,
      webhookSecret: e.webhookSecret,
      successUrl: 'https://shop.example/ok',
      cancelUrl: 'https://shop.example/cancel',
      ...e.sdkOptions,
    });
    const stripeAccount = (accountId: string, versionId: string, sellerId: string, e: StripeEmulator) =>
      ({ accountId, versionId, sellerId, provider: 'stripe', credentials: stripeCredentials(e) }) as MerchantAccount;
    const pingxxAccount = (accountId: string, versionId: string, sellerId: string, e: PingxxEmulator) =>
      ({
        accountId,
        versionId,
        sellerId,
        provider: 'pingxx',
        credentials: { ...e.providerOptions },
      }) as MerchantAccount;

    beforeAll(async () => {
      t = await dialect.open();
      await migrateToLatest(t.db);
      platform = await startStripeEmulator({ webhookSecret: 'whsec_platform' });
      for (const name of ['a', 'a2', 'b']) stripe[name] = await startStripeEmulator({ webhookSecret: `whsec_${name}` });
      for (const name of ['a', 'b']) pingxx[name] = await startPingxxEmulator();
      accounts = createInMemoryMerchantAccounts({
        products: { course_a: 'seller_a', course_b: 'seller_b', course_c: 'seller_c', course_d: 'seller_d' },
      });
      accounts.put(stripeAccount('acct_stripe_a', 'stripe_a_v1', 'seller_a', stripe['a']!));
      accounts.put(stripeAccount('acct_stripe_b', 'stripe_b_v1', 'seller_b', stripe['b']!));
      accounts.put(pingxxAccount('app_pingxx_a', 'pingxx_a_v1', 'seller_a', pingxx['a']!));
      accounts.put(pingxxAccount('app_pingxx_b', 'pingxx_b_v1', 'seller_b', pingxx['b']!));
      // seller_d has only a Ping++ app.
      accounts.put(pingxxAccount('app_pingxx_d', 'pingxx_d_v1', 'seller_d', pingxx['b']!));
      service = createPaymentService({
        factory: createPaymentFactory({ providers: [createStripeProvider(stripeCredentials(platform))] }),
        repositories: createKyselyRepositories(t.db),
        notificationDelivery: 'inline',
        merchantAccounts: {
          resolver: accounts,
          routeKey: ROUTE_KEY,
          adapters: {
            stripe: (a) => createStripeProvider({ ...(a.credentials as StripeProviderOptions), name: a.provider }),
            pingxx: (a) => createPingxxProvider({ ...(a.credentials as PingxxProviderOptions), name: a.provider }),
          },
        },
      });
      handle = createWebhookHandler(service);
    });

    afterAll(async () => {
      for (const e of [platform, ...Object.values(stripe), ...Object.values(pingxx)]) await e?.close();
      await t?.destroy();
    });

    const post = async (path: string, w: { rawBody: string; headers: Record<string, string> }) => {
      const res = await handle(
        new Request(`http://host${path}`, { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const route = async (provider: string, accountId: string) =>
      `/webhooks/${provider}/${await merchantAccountRouteToken(ROUTE_KEY, accountId)}`;
    const charge = async (userId: string, productId: string, how: 'stripe' | 'alipay_qr') => {
      const order = await service.initOrder({
        userId,
        productId,
        payableAmount: 1999,
        currency: how === 'stripe' ? 'USD' : 'CNY',
      });
      const dto = await service.createCharge({
        orderId: order.orderId,
        ...(how === 'stripe' ? { paymentChannel: 'stripe' } : { channel: 'alipay_qr' }),
        clientIp: '203.0.113.9',
      });
      const attempt = (await service.repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
      return { order, attempt, ref: attempt.providerReference! };
    };
    const has = (e: StripeEmulator, ref: string) => e.list('payment_intent').some((p) => p.id === ref);
    const pingxxHas = (e: PingxxEmulator, ref: string) => e.controls.charges().some((c) => c.id === ref);

    it('lands interleaved charges and webhooks of two Stripe accounts and two Ping++ apps on their accounts', async () => {
      const made = [];
      for (let i = 0; i < 3; i++) {
        for (const [seller, product] of [
          ['a', 'course_a'],
          ['b', 'course_b'],
        ] as const) {
          for (const how of ['stripe', 'alipay_qr'] as const) {
            made.push({ seller, how, ...(await charge(`u_${seller}_${how}_${i}`, product, how)) });
          }
        }
      }
      const platformOrder = await charge('u_platform', 'course_p', 'stripe');
      expect(platformOrder.attempt.merchantAccount).toEqual({ sellerId: null, versionId: null });
      expect(has(platform, platformOrder.ref)).toBe(true);
      for (const m of made) {
        const version = `${m.how === 'stripe' ? 'stripe' : 'pingxx'}_${m.seller}_v1`;
        expect(m.attempt.merchantAccount).toEqual({ sellerId: `seller_${m.seller}`, versionId: version });
        expect(await service.getOrder(m.order.orderId)).toMatchObject({
          sellerId: `seller_${m.seller}`,
          merchantAccountVersion: version,
        });
        const other = m.seller === 'a' ? 'b' : 'a';
        if (m.how === 'stripe') {
          expect([has(stripe[m.seller]!, m.ref), has(stripe[other]!, m.ref), has(platform, m.ref)]).toEqual([
            true,
            false,
            false,
          ]);
        } else {
          expect([pingxxHas(pingxx[m.seller]!, m.ref), pingxxHas(pingxx[other]!, m.ref)]).toEqual([true, false]);
        }
      }
      // Webhooks, interleaved in reverse, each on its account's route.
      for (const m of [...made].reverse()) {
        const delivery =
          m.how === 'stripe'
            ? (stripe[m.seller]!.succeedPayment(m.ref), stripe[m.seller]!.webhookFor(m.ref, 'payment_intent.succeeded'))
            : (pingxx[m.seller]!.controls.payCharge(m.ref),
              pingxx[m.seller]!.controls.eventFor(m.ref, 'charge.succeeded'));
        const path = await route(
          m.how === 'stripe' ? 'stripe' : 'pingxx',
          `${m.how === 'stripe' ? 'acct_stripe' : 'app_pingxx'}_${m.seller}`,
        );
        expect(await post(path, delivery)).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });
        expect(await service.getOrder(m.order.orderId)).toMatchObject({ status: 'paid' });
      }
      platform.succeedPayment(platformOrder.ref);
      expect(
        await post('/webhooks/stripe', platform.webhookFor(platformOrder.ref, 'payment_intent.succeeded')),
      ).toEqual({
        status: 200,
        body: { received: true, outcome: 'applied' },
      });
      // Refunds go to each payment's own account.
      for (const m of made.filter((x) => x.how === 'stripe')) {
        await service.refund({ orderId: m.order.orderId, amount: 500 });
        expect(stripe[m.seller]!.list('refund').some((r) => r.payment_intent === m.ref)).toBe(true);
      }
      // One adapter per account version, built once: 4 versions loaded at most once each despite 13 charges,
      // 13 webhooks and 6 refunds.
      expect(accounts.calls.loadVersion).toBeLessThanOrEqual(4);
    });

    it('refuses a forged cross-account webhook, a bad route token, and a seller payment on the platform route', async () => {
      const { order, ref } = await charge('u_forge', 'course_a', 'stripe');
      stripe['a']!.succeedPayment(ref);
      // A's payment, signed with B's secret, posted on B's route: verifies for B, but the payment is A's.
      const signedByB = stripe['a']!.webhookFor(ref, 'payment_intent.succeeded', { secret: 'whsec_b' });
      expect(await post(await route('stripe', 'acct_stripe_b'), signedByB)).toEqual({
        status: 200,
        body: { received: true, outcome: 'rejected' },
      });
      // The same on A's route: B's secret does not verify for A.
      const signedByB2 = stripe['a']!.webhookFor(ref, 'payment_intent.succeeded', { secret: 'whsec_b' });
      expect((await post(await route('stripe', 'acct_stripe_a'), signedByB2)).status).toBe(400);
      // A route token the host key did not make, and a token for another account id.
      const genuine = stripe['a']!.webhookFor(ref, 'payment_intent.succeeded');
      const token = await merchantAccountRouteToken(ROUTE_KEY, 'acct_stripe_a');
      const forged = `acct_stripe_a.${'0'.repeat(64)}`;
      expect((await post(`/webhooks/stripe/${forged}`, genuine)).status).toBe(404);
      expect((await post(`/webhooks/stripe/acct_stripe_b.${token.split('.')[1]}`, genuine)).status).toBe(404);
      // Signed with the platform's secret, on the platform's route: not the platform's payment.
      const signedByPlatform = stripe['a']!.webhookFor(ref, 'payment_intent.succeeded', { secret: 'whsec_platform' });
      expect((await post('/webhooks/stripe', signedByPlatform)).body).toEqual({ received: true, outcome: 'rejected' });
      expect(await service.getOrder(order.orderId)).toMatchObject({ status: 'pending' });
      expect(await post(await route('stripe', 'acct_stripe_a'), genuine)).toEqual({
        status: 200,
        body: { received: true, outcome: 'applied' },
      });
    });

    it('keeps the snapshotted version for webhook, refund and reconcile after a rotation mid-flight', async () => {
      const before = await charge('u_rot_1', 'course_a', 'stripe');
      const lost = await charge('u_rot_2', 'course_a', 'stripe');
      // Seller A rotates: new secret key and webhook secret (here on another emulator, so each call shows
      // which credentials it used).
      accounts.put(stripeAccount('acct_stripe_a', 'stripe_a_v2', 'seller_a', stripe['a2']!));
      const after = await charge('u_rot_3', 'course_a', 'stripe');
      expect(before.attempt.merchantAccount?.versionId).toBe('stripe_a_v1');
      expect(after.attempt.merchantAccount?.versionId).toBe('stripe_a_v2');
      expect([has(stripe['a']!, after.ref), has(stripe['a2']!, after.ref)]).toEqual([false, true]);
      const path = await route('stripe', 'acct_stripe_a');

      stripe['a']!.succeedPayment(before.ref);
      stripe['a2']!.succeedPayment(after.ref);
      // v1's payment signed with v2's secret verifies for the account, but not with the payment's version.
      const wrongVersion = stripe['a']!.webhookFor(before.ref, 'payment_intent.succeeded', { secret: 'whsec_a2' });
      expect((await post(path, wrongVersion)).body).toEqual({ received: true, outcome: 'rejected' });
      expect((await post(path, stripe['a']!.webhookFor(before.ref, 'payment_intent.succeeded'))).body).toEqual({
        received: true,
        outcome: 'applied',
      });
      expect((await post(path, stripe['a2']!.webhookFor(after.ref, 'payment_intent.succeeded'))).body).toEqual({
        received: true,
        outcome: 'applied',
      });
      // Refunds: each through its own version's credentials.
      await service.refund({ orderId: before.order.orderId });
      await service.refund({ orderId: after.order.orderId });
      expect(stripe['a']!.list('refund').some((r) => r.payment_intent === before.ref)).toBe(true);
      expect(stripe['a2']!.list('refund').some((r) => r.payment_intent === after.ref)).toBe(true);
      // Reconcile a v1 payment whose webhook was lost: pulled through v1.
      stripe['a']!.succeedPayment(lost.ref);
      await service.syncPayment({ orderId: lost.order.orderId });
      expect(await service.getOrder(lost.order.orderId)).toMatchObject({ status: 'paid' });
      // Retired for webhooks: a v1 delivery no longer verifies on the account's route.
      accounts.retire('stripe_a_v1');
      const late = stripe['a']!.webhookFor(before.ref, 'charge.refunded');
      expect((await post(path, late)).status).toBe(400);
    });

    it('never falls back to the platform for a refused or account-less seller, and routes by the seller accounts', async () => {
      accounts.suspend('seller_b', 'payouts suspended');
      const platformCalls = platform.requests.length;
      const refusedOrder = await service.initOrder({
        userId: 'u_refused',
        productId: 'course_b',
        payableAmount: 1999,
        currency: 'USD',
      });
      await expect(
        service.createCharge({ orderId: refusedOrder.orderId, paymentChannel: 'stripe' }),
      ).rejects.toMatchObject({ name: 'ValidationError', code: 'MERCHANT_ACCOUNT_REFUSED' });
      accounts.suspend('seller_b', null);
      const noAccount = await service.initOrder({
        userId: 'u_none',
        productId: 'course_c',
        payableAmount: 1999,
        currency: 'USD',
      });
      await expect(
        service.createCharge({ orderId: noAccount.orderId, paymentChannel: 'stripe' }),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        code: 'MERCHANT_ACCOUNT_MISSING',
      });
      for (const id of [refusedOrder.orderId, noAccount.orderId]) {
        expect(await service.repositories.attempts.listByOrder(id)).toEqual([]);
        expect(await service.getOrder(id)).toMatchObject({ status: 'init' });
      }
      expect(platform.requests.length).toBe(platformCalls);
      // seller_d has only Ping++: Stripe is refused, alipay_qr goes to the seller's app.
      const onlyPingxx = await service.initOrder({
        userId: 'u_d',
        productId: 'course_d',
        payableAmount: 1999,
        currency: 'CNY',
      });
      await expect(
        service.createCharge({ orderId: onlyPingxx.orderId, paymentChannel: 'stripe' }),
      ).rejects.toMatchObject({
        name: 'ValidationError',
      });
      const dto = await service.createCharge({
        orderId: onlyPingxx.orderId,
        channel: 'alipay_qr',
        clientIp: '203.0.113.9',
      });
      const attempt = (await service.repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
      expect(attempt).toMatchObject({
        provider: 'pingxx',
        merchantAccount: { sellerId: 'seller_d', versionId: 'pingxx_d_v1' },
      });
    });
  });
}
