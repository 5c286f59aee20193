/**
 * Many merchant accounts on the native adapters (issue 15, DESIGN §11/§12), on every database of the matrix: two
 * sellers, each with their own Alipay app and their own WeChat Pay merchant (one emulator per account, each with
 * its own keys: an emulator is one app / one merchant), beside the platform's own Alipay app. Each account's
 * `notify_url` is its own route (`/webhooks/<provider>/<token>`). Charges and notifications interleave and land on
 * their accounts — Alipay's form-encoded, body-signed notifications and WeChat Pay's header-signed ones with an
 * encrypted resource; a notification about A's payment signed with B's keys is refused and changes nothing; a
 * seller rotates keys mid-flight and the older payments keep verifying, refunding and reconciling on their
 * version; a seller with only Alipay gets Alipay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlipayProvider, type AlipayProviderOptions } from '../../../src/alipay/index.js';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  merchantAccountRouteToken,
  type MerchantAccount,
  type PaymentAnomaly,
  type PaymentService,
} from '../../../src/index.js';
import { createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import {
  createInMemoryMerchantAccounts,
  generateAlipayTestKeyPair,
  generateWechatPayTestKeyPair,
  signAlipayNotify,
  signWechatPayNotification,
  startAlipayEmulator,
  startWechatPayEmulator,
  type AlipayEmulator,
  type InMemoryMerchantAccounts,
  type WechatPayEmulator,
} from '../../../src/testing/index.js';
import { createWechatPayProvider, type WechatPayProviderOptions } from '../../../src/wechatpay/index.js';
import { testDialects, type TestDatabase } from '../../helpers/databases.js';

const ROUTE_KEY = 'merchant-route-key-for-native-tests-0123456789';
const HOST = 'https://shop.example';

type Kind = 'alipay' | 'wechatpay';
/** Emulators: sellers a and b, a2 = seller a after a key rotation (same app id / merchant id), e = Alipay-only seller. */
type Slot = 'a' | 'a2' | 'b' | 'e';

for (const dialect of testDialects()) {
  describe(`native Alipay and WeChat Pay merchant accounts on ${dialect.name}`, () => {
    let t: TestDatabase;
    let platform: AlipayEmulator;
    const alipay = {} as Record<Slot, AlipayEmulator>;
    const wechat = {} as Record<Exclude<Slot, 'e'>, WechatPayEmulator>;
    let accounts: InMemoryMerchantAccounts;
    let service: PaymentService<unknown>;
    let handle: (request: Request) => Promise<Response>;
    const anomalies: PaymentAnomaly[] = [];
    let offsetMs = 0;

    const route = async (kind: Kind, accountId: string) =>
      `/webhooks/${kind}/${await merchantAccountRouteToken(ROUTE_KEY, accountId)}`;
    const accountIdOf = (kind: Kind, seller: string) => `${kind === 'alipay' ? 'app' : 'mch'}_${seller}`;

    const alipayAccount = async (seller: string, versionId: string, e: AlipayEmulator): Promise<MerchantAccount> => {
      const accountId = accountIdOf('alipay', seller);
      const credentials: AlipayProviderOptions = {
        ...e.providerOptions,
        notifyUrl: `${HOST}${await route('alipay', accountId)}`,
        timeoutMs: 5_000,
      };
      return { accountId, versionId, sellerId: `seller_${seller}`, provider: 'alipay', credentials };
    };
    const wechatAccount = async (seller: string, versionId: string, e: WechatPayEmulator): Promise<MerchantAccount> => {
      const accountId = accountIdOf('wechatpay', seller);
      const credentials: WechatPayProviderOptions = {
        ...e.providerOptions,
        notifyUrl: `${HOST}${await route('wechatpay', accountId)}`,
        timeoutMs: 5_000,
      };
      return { accountId, versionId, sellerId: `seller_${seller}`, provider: 'wechatpay', credentials };
    };

    beforeAll(async () => {
      t = await dialect.open();
      await migrateToLatest(t.db);
      // Each emulator its own keys (the default key pairs are shared by every emulator of the process).
      const alipayKeys = (slot: string) => ({
        appKeyPair: generateAlipayTestKeyPair(`acct-${slot}-app`),
        alipayKeyPair: generateAlipayTestKeyPair(`acct-${slot}-alipay`),
      });
      const wechatKeys = (slot: string) => ({
        merchantKeyPair: generateWechatPayTestKeyPair(`acct-${slot}-merchant`),
        wechatpayKeyPair: generateWechatPayTestKeyPair(`acct-${slot}-wechatpay`),
      });
      platform = await startAlipayEmulator(alipayKeys('platform'));
      for (const slot of ['a', 'b', 'e'] as const) alipay[slot] = await startAlipayEmulator(alipayKeys(slot));
      alipay.a2 = await startAlipayEmulator({ ...alipayKeys('a2'), appId: alipay.a.appId });
      for (const slot of ['a', 'b'] as const) {
        wechat[slot] = await startWechatPayEmulator({ ...wechatKeys(slot), refundStatus: 'SUCCESS' });
      }
      wechat.a2 = await startWechatPayEmulator({
        ...wechatKeys('a2'),
        mchId: wechat.a.mchId,
        appId: wechat.a.appId,
        refundStatus: 'SUCCESS',
      });

      accounts = createInMemoryMerchantAccounts({
        products: { course_a: 'seller_a', course_b: 'seller_b', course_e: 'seller_e' },
      });
      for (const seller of ['a', 'b'] as const) {
        accounts.put(await alipayAccount(seller, `alipay_${seller}_v1`, alipay[seller]));
        accounts.put(await wechatAccount(seller, `wechatpay_${seller}_v1`, wechat[seller]));
      }
      accounts.put(await alipayAccount('e', 'alipay_e_v1', alipay.e));
      service = createPaymentService({
        factory: createPaymentFactory({
          providers: [createAlipayProvider({ ...platform.providerOptions, timeoutMs: 5_000 })],
        }),
        repositories: createKyselyRepositories(t.db),
        notificationDelivery: 'inline',
        clock: () => new Date(Date.now() + offsetMs),
        hooks: { onAnomaly: (a) => void anomalies.push(a) },
        merchantAccounts: {
          resolver: accounts,
          routeKey: ROUTE_KEY,
          adapters: {
            alipay: (a) => createAlipayProvider({ ...(a.credentials as AlipayProviderOptions), name: a.provider }),
            wechatpay: (a) =>
              createWechatPayProvider({ ...(a.credentials as WechatPayProviderOptions), name: a.provider }),
          },
        },
      });
      handle = createWebhookHandler(service);
    });

    afterAll(async () => {
      for (const e of [platform, ...Object.values(alipay), ...Object.values(wechat)]) await e?.close();
      await t?.destroy();
    });

    const post = async (path: string, w: { rawBody: string; headers: Record<string, string> }) => {
      const res = await handle(
        new Request(`http://host${path}`, { method: 'POST', body: w.rawBody, headers: w.headers }),
      );
      return { status: res.status, body: await res.text() };
    };
    /** What each provider's sender is answered for a processed delivery. */
    const ACK: Record<Kind, string> = { alipay: 'success', wechatpay: '{"code":"SUCCESS"}' };
    const charge = async (userId: string, productId: string, kind: Kind) => {
      const order = await service.initOrder({ userId, productId, payableAmount: 1999, currency: 'CNY' });
      const dto = await service.createCharge({
        orderId: order.orderId,
        channel: kind === 'alipay' ? 'alipay_qr' : 'wx_pub_qr',
        clientIp: '203.0.113.9',
      });
      const attempt = (await service.repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
      return { order, attempt, ref: attempt.providerReference! };
    };
    /** Which emulators know a payment. */
    const holders = (kind: Kind, ref: string): string[] =>
      kind === 'alipay'
        ? [['platform', platform] as const, ...Object.entries(alipay)]
            .filter(([, e]) => e.controls.getTrade(ref) !== undefined)
            .map(([slot]) => slot)
        : Object.entries(wechat)
            .filter(([, e]) => e.controls.getOrder(ref) !== undefined)
            .map(([slot]) => slot);
    const pay = (kind: Kind, slot: Exclude<Slot, 'e'>, ref: string) => {
      if (kind === 'alipay') alipay[slot].controls.pay(ref);
      else wechat[slot].controls.pay(ref);
    };
    const notification = (kind: Kind, slot: Exclude<Slot, 'e'>, ref: string) =>
      kind === 'alipay' ? alipay[slot].controls.notificationFor(ref) : wechat[slot].controls.notificationFor(ref);
    const status = async (orderId: string) => (await service.getOrder(orderId))?.status;

    it('lands interleaved charges and notifications of two Alipay apps and two WeChat Pay merchants on their accounts', async () => {
      const made = [];
      for (let i = 0; i < 2; i++) {
        for (const seller of ['a', 'b'] as const) {
          for (const kind of ['alipay', 'wechatpay'] as const) {
            made.push({ seller, kind, ...(await charge(`u_${seller}_${kind}_${i}`, `course_${seller}`, kind)) });
          }
        }
      }
      const own = await charge('u_platform', 'course_p', 'alipay');
      expect(own.attempt).toMatchObject({ provider: 'alipay', merchantAccount: { sellerId: null, versionId: null } });
      expect(holders('alipay', own.ref)).toEqual(['platform']);
      for (const m of made) {
        expect(m.attempt).toMatchObject({
          provider: m.kind,
          providerKind: m.kind,
          merchantAccount: { sellerId: `seller_${m.seller}`, versionId: `${m.kind}_${m.seller}_v1` },
        });
        expect(holders(m.kind, m.ref)).toEqual([m.seller]);
      }
      // Each account's payments carry its own notify_url: its route.
      const precreate = alipay.b.requests.find((r) => r.apiMethod === 'alipay.trade.precreate')!;
      expect(precreate.params['notify_url']).toBe(`${HOST}${await route('alipay', 'app_b')}`);
      const native = wechat.a.requests.find((r) => r.url === '/v3/pay/transactions/native')!;
      expect(JSON.parse(native.body)).toMatchObject({
        mchid: wechat.a.mchId,
        notify_url: `${HOST}${await route('wechatpay', 'mch_a')}`,
      });
      expect(wechat.a.requests.every((r) => r.signature === 'valid')).toBe(true);

      // Notifications, in reverse order, each on its account's route.
      for (const m of [...made].reverse()) {
        pay(m.kind, m.seller, m.ref);
        const path = await route(m.kind, accountIdOf(m.kind, m.seller));
        expect(await post(path, notification(m.kind, m.seller, m.ref))).toEqual({ status: 200, body: ACK[m.kind] });
        expect(await status(m.order.orderId)).toBe('paid');
      }
      platform.controls.pay(own.ref);
      expect(await post('/webhooks/alipay', platform.controls.notificationFor(own.ref))).toEqual({
        status: 200,
        body: 'success',
      });
      expect(await status(own.order.orderId)).toBe('paid');

      // Refunds go to each payment's own account; their notifications come back on its route.
      for (const m of made.filter((_, i) => i < 4)) {
        const { refund } = await service.refund({ orderId: m.order.orderId, amount: 500 });
        expect(refund).toMatchObject({ amount: 500, status: 'succeeded' });
        if (m.kind === 'alipay') {
          expect(alipay[m.seller].controls.getTrade(m.ref)?.refunds.map((r) => r.outRequestNo)).toEqual([
            refund.refundId,
          ]);
          // A refund notification makes the adapter ask Alipay for the refund's amount: on the account's app.
          const queries = () => alipay[m.seller].requests.filter((r) => r.apiMethod?.endsWith('refund.query')).length;
          const before = queries();
          const refundNote = alipay[m.seller].controls.notificationFor(m.ref, { refund: refund.refundId });
          expect((await post(await route('alipay', accountIdOf('alipay', m.seller)), refundNote)).status).toBe(200);
          expect(queries()).toBe(before + 1);
        } else {
          expect(wechat[m.seller].controls.getOrder(m.ref)?.refunds.map((r) => r.outRefundNo)).toEqual([
            refund.refundId,
          ]);
          const refundNote = wechat[m.seller].controls.notificationFor(m.ref, { refund: refund.refundId });
          expect(await post(await route('wechatpay', accountIdOf('wechatpay', m.seller)), refundNote)).toEqual({
            status: 200,
            body: ACK.wechatpay,
          });
        }
        expect(await service.getOrder(m.order.orderId)).toMatchObject({ status: 'paid' });
      }
      expect(platform.requests.filter((r) => r.apiMethod === 'alipay.trade.refund')).toEqual([]);
      expect(anomalies).toEqual([]);
      // One adapter per account version, loaded at most once each.
      expect(accounts.calls.loadVersion).toBeLessThanOrEqual(4);
    });

    it('refuses an Alipay notification about A signed with B’s key, on either route, and changes nothing', async () => {
      const { order, ref } = await charge('u_forge_alipay', 'course_a', 'alipay');
      alipay.a.controls.pay(ref);
      const genuine = alipay.a.controls.notificationFor(ref);
      // A forger does not know the genuine notification's notify_id (Alipay's random id, the journal key): each
      // forgery has its own, so none can pre-empt the genuine delivery.
      const { sign: _sign, sign_type: _type, notify_id: _id, ...fields } = genuine.params;
      const byB = signAlipayNotify({ ...fields, notify_id: 'forged_1' }, alipay.b.alipayKeyPair.privateKey);
      const routeA = await route('alipay', 'app_a');
      const routeB = await route('alipay', 'app_b');
      // B's key does not verify for A; on B's route it verifies, but the notification names A's app id.
      expect(await post(routeA, byB)).toEqual({ status: 400, body: 'failure' });
      expect(await post(routeB, byB)).toEqual({ status: 400, body: 'failure' });
      // Rewritten to B's app id and signed with B's key: verifies for B, but the payment is A's.
      const asB = signAlipayNotify(
        { ...fields, notify_id: 'forged_2', app_id: alipay.b.appId },
        alipay.b.alipayKeyPair.privateKey,
      );
      const before = anomalies.length;
      expect(await post(routeB, asB)).toEqual({ status: 200, body: 'success' });
      expect(anomalies.slice(before).map((a) => a.kind)).toEqual(['account_mismatch']);
      // Nor does the platform's route take a seller's payment (signed with the platform app's key).
      const asPlatform = signAlipayNotify(
        { ...fields, notify_id: 'forged_3', app_id: platform.appId },
        platform.alipayKeyPair.privateKey,
      );
      expect(await post('/webhooks/alipay', asPlatform)).toEqual({ status: 200, body: 'success' });
      expect(anomalies.slice(before).map((a) => a.kind)).toEqual(['account_mismatch', 'account_mismatch']);
      expect(await status(order.orderId)).toBe('pending');
      expect((await service.repositories.attempts.findById(ref))?.status).toBe('pending');
      expect(await post(routeA, genuine)).toEqual({ status: 200, body: 'success' });
      expect(await status(order.orderId)).toBe('paid');
    });

    it('refuses a WeChat Pay notification about A sealed with B’s keys, on either route, and changes nothing', async () => {
      const { order, ref } = await charge('u_forge_wechat', 'course_a', 'wechatpay');
      wechat.a.controls.pay(ref);
      const genuine = wechat.a.controls.notificationFor(ref);
      const sealWithB = (resource: Record<string, unknown>) =>
        signWechatPayNotification(
          { eventType: 'TRANSACTION.SUCCESS', resource },
          {
            apiV3Key: wechat.b.apiV3Key,
            privateKey: wechat.b.wechatpayKeyPair.privateKey,
            serial: wechat.b.publicKeyId,
          },
        );
      const byB = sealWithB(genuine.resource);
      const routeA = await route('wechatpay', 'mch_a');
      const routeB = await route('wechatpay', 'mch_b');
      // On A's route B's serial is unknown; on B's route it verifies and decrypts, but names A's merchant.
      expect((await post(routeA, byB)).status).toBe(400);
      expect((await post(routeB, byB)).status).toBe(400);
      // Rewritten to B's merchant and app: verifies for B, but the payment is A's.
      const asB = sealWithB({ ...genuine.resource, mchid: wechat.b.mchId, appid: wechat.b.appId });
      const before = anomalies.length;
      expect(await post(routeB, asB)).toEqual({ status: 200, body: ACK.wechatpay });
      expect(anomalies.slice(before).map((a) => a.kind)).toEqual(['account_mismatch']);
      expect(await status(order.orderId)).toBe('pending');
      expect((await service.repositories.attempts.findById(ref))?.status).toBe('pending');
      expect(await post(routeA, genuine)).toEqual({ status: 200, body: ACK.wechatpay });
      expect(await status(order.orderId)).toBe('paid');
    });

    for (const kind of ['alipay', 'wechatpay'] as const) {
      it(`keeps the snapshotted ${kind} version for notifications, refunds and reconcile after a key rotation`, async () => {
        const before = await charge(`u_rot_${kind}_1`, 'course_a', kind);
        const lost = await charge(`u_rot_${kind}_2`, 'course_a', kind);
        const stale = await charge(`u_rot_${kind}_4`, 'course_a', kind); // never paid: expires after the rotation
        // Seller A rotates the app's (merchant's) keys: same app id / merchant id, a new version, served here by
        // another emulator so every call shows which credentials it used.
        accounts.put(
          kind === 'alipay'
            ? await alipayAccount('a', 'alipay_a_v2', alipay.a2)
            : await wechatAccount('a', 'wechatpay_a_v2', wechat.a2),
        );
        const after = await charge(`u_rot_${kind}_3`, 'course_a', kind);
        expect([before, lost, after].map((c) => c.attempt.merchantAccount?.versionId)).toEqual([
          `${kind}_a_v1`,
          `${kind}_a_v1`,
          `${kind}_a_v2`,
        ]);
        expect([holders(kind, before.ref), holders(kind, after.ref)]).toEqual([['a'], ['a2']]);
        const path = await route(kind, accountIdOf(kind, 'a'));

        pay(kind, 'a', before.ref);
        pay(kind, 'a2', after.ref);
        // v1's payment sealed with v2's keys verifies for the account, but not with the payment's version.
        const wrongVersion =
          kind === 'alipay'
            ? (() => {
                const { sign: _s, sign_type: _t, ...fields } = alipay.a.controls.notificationFor(before.ref).params;
                return signAlipayNotify(fields, alipay.a2.alipayKeyPair.privateKey);
              })()
            : signWechatPayNotification(
                { eventType: 'TRANSACTION.SUCCESS', resource: wechat.a.controls.notificationFor(before.ref).resource },
                {
                  apiV3Key: wechat.a2.apiV3Key,
                  privateKey: wechat.a2.wechatpayKeyPair.privateKey,
                  serial: wechat.a2.publicKeyId,
                },
              );
        const seen = anomalies.length;
        expect(await post(path, wrongVersion)).toEqual({ status: 200, body: ACK[kind] });
        expect(anomalies.slice(seen).map((a) => a.kind)).toEqual(['account_mismatch']);
        expect(await status(before.order.orderId)).toBe('pending');
        // The old version still verifies its own payment's notification; the new one its own.
        expect(await post(path, notification(kind, 'a', before.ref))).toEqual({ status: 200, body: ACK[kind] });
        expect(await post(path, notification(kind, 'a2', after.ref))).toEqual({ status: 200, body: ACK[kind] });
        expect([await status(before.order.orderId), await status(after.order.orderId)]).toEqual(['paid', 'paid']);

        // Refunds: each through its own version's credentials (and gateway).
        const r1 = (await service.refund({ orderId: before.order.orderId })).refund;
        const r2 = (await service.refund({ orderId: after.order.orderId })).refund;
        expect([r1.status, r2.status]).toEqual(['succeeded', 'succeeded']);
        const refundsAt = (slot: 'a' | 'a2', ref: string) =>
          kind === 'alipay'
            ? (alipay[slot].controls.getTrade(ref)?.refunds ?? []).map((r) => r.outRequestNo)
            : (wechat[slot].controls.getOrder(ref)?.refunds ?? []).map((r) => r.outRefundNo);
        expect([refundsAt('a', before.ref), refundsAt('a2', after.ref)]).toEqual([[r1.refundId], [r2.refundId]]);
        expect([await status(before.order.orderId), await status(after.order.orderId)]).toEqual([
          'refunded',
          'refunded',
        ]);

        // Reconcile a v1 payment whose notification was lost: pulled through v1 (its app's keys and gateway).
        pay(kind, 'a', lost.ref);
        const queriesAt = (slot: 'a' | 'a2') =>
          kind === 'alipay'
            ? alipay[slot].requests.filter((r) => r.apiMethod === 'alipay.trade.query').length
            : wechat[slot].requests.filter((r) => r.url.startsWith('/v3/pay/transactions/out-trade-no/')).length;
        const [qa, qa2] = [queriesAt('a'), queriesAt('a2')];
        const report = await service.reconcile({ olderThan: new Date(Date.now() + 1000), limit: 100 });
        expect(report).toBeDefined();
        expect(await status(lost.order.orderId)).toBe('paid');
        expect(queriesAt('a')).toBeGreaterThan(qa);
        expect(queriesAt('a2')).toBe(qa2);

        // The v1 payment nobody paid expires: reconcile closes it at v1's app / merchant first, then times it out.
        const closesAt = (slot: 'a' | 'a2') =>
          kind === 'alipay'
            ? alipay[slot].requests.filter((r) => r.apiMethod === 'alipay.trade.close').length
            : wechat[slot].requests.filter((r) => r.url.endsWith(`/${stale.ref}/close`)).length;
        const closedAtA2 = closesAt('a2');
        offsetMs = 11 * 60_000; // past the 10-minute payment window
        try {
          await service.reconcile({ limit: 100 });
        } finally {
          offsetMs = 0;
        }
        expect(closesAt('a')).toBeGreaterThanOrEqual(1);
        expect(closesAt('a2')).toBe(closedAtA2);
        expect(await service.repositories.attempts.findById(stale.ref)).toMatchObject({ status: 'closed' });
        expect(await status(stale.order.orderId)).toBe('timeout');

        // Retired for notifications: v1 no longer verifies on the account's route.
        accounts.retire(`${kind}_a_v1`);
        expect((await post(path, notification(kind, 'a', before.ref))).status).toBe(400);
      });
    }

    it('routes a seller with only an Alipay app to Alipay, never to WeChat Pay or the platform', async () => {
      const platformCalls = platform.requests.length;
      const order = await service.initOrder({
        userId: 'u_e',
        productId: 'course_e',
        payableAmount: 1999,
        currency: 'CNY',
      });
      for (const hint of [{ paymentChannel: 'wechatpay' }, { channel: 'wx_pub_qr' }]) {
        await expect(service.createCharge({ orderId: order.orderId, ...hint })).rejects.toMatchObject({
          name: 'ValidationError',
        });
      }
      expect(await service.repositories.attempts.listByOrder(order.orderId)).toEqual([]);
      const dto = await service.createCharge({ orderId: order.orderId, clientIp: '203.0.113.9' });
      expect(dto.paymentChannel).toBe('alipay');
      const attempt = (await service.repositories.attempts.findById(dto.paymentPayload!.attemptId))!;
      expect(attempt).toMatchObject({
        provider: 'alipay',
        channel: 'alipay_qr',
        merchantAccount: { sellerId: 'seller_e', versionId: 'alipay_e_v1' },
      });
      expect(holders('alipay', attempt.providerReference!)).toEqual(['e']);
      expect(platform.requests.length).toBe(platformCalls);
    });
  });
}
