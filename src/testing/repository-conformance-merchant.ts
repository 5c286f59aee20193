/**
 * Conformance cases for the merchant account snapshot (DESIGN §12): an order's `sellerId` and
 * `merchantAccountVersion`, an attempt's `merchantAccount`. The service writes them when a charge opens an
 * attempt and reads them back for every later call of that payment, so a store that drops them sends a
 * seller's refund through the platform's account.
 * @module
 */
import assert from 'node:assert/strict';
import { MERCHANT_ID_MAX_LENGTH } from '../core/merchant-account-port.js';
import type { MerchantAccountSnapshot } from '../persistence/records.js';
import type { ConformanceContext } from './repository-conformance.js';
import { createOrder, rejectsWith } from './repository-conformance-helpers.js';

/** Registers the merchant account snapshot cases. */
export function merchantAccountCases(ctx: ConformanceContext): void {
  const { it } = ctx;

  it('creates orders without a seller or account, and stores both when a guarded update sets them', async () => {
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories);
    assert.deepEqual([order.sellerId, order.merchantAccountVersion], [null, null]);
    const read = await repositories.orders.findById(order.orderId);
    assert.deepEqual([read?.sellerId, read?.merchantAccountVersion], [null, null]);
    const snapshot = { sellerId: ctx.id('seller'), versionId: ctx.id('acctv') };
    assert.equal(
      await repositories.orders.updateStatus({
        orderId: order.orderId,
        from: ['init'],
        to: 'pending',
        patch: { paymentChannel: 'stripe', sellerId: snapshot.sellerId, merchantAccountVersion: snapshot.versionId },
      }),
      true,
    );
    if (raw.orderMerchantAccount) assert.deepEqual(await raw.orderMerchantAccount(order.orderId), snapshot);
    const after = await repositories.orders.findById(order.orderId);
    assert.deepEqual([after?.sellerId, after?.merchantAccountVersion], [snapshot.sellerId, snapshot.versionId]);
    // Back to the platform's account (a later charge on it): null, read back as null.
    await repositories.orders.update(order.orderId, { merchantAccountVersion: null });
    const cleared = await repositories.orders.findById(order.orderId);
    assert.deepEqual([cleared?.sellerId, cleared?.merchantAccountVersion], [snapshot.sellerId, null]);
    if (raw.orderMerchantAccount) {
      assert.deepEqual(await raw.orderMerchantAccount(order.orderId), { ...snapshot, versionId: null });
    }
  });

  it('refuses an empty seller or account version on an order (empty means none)', async () => {
    const { repositories } = await ctx.subject();
    const order = await createOrder(ctx, repositories);
    await rejectsWith(repositories.orders.update(order.orderId, { merchantAccountVersion: '' }), 'ValidationError');
    await rejectsWith(repositories.orders.update(order.orderId, { sellerId: '' }), 'ValidationError');
  });

  it('refuses a seller or account version id longer than 36 characters, writing nothing', async () => {
    // 36 is the width of the original creator_bid / payment_integration_bid columns: a longer id would be cut by a
    // non-strict MySQL (naming another version) or refused by the driver, so every store refuses it first.
    const { repositories, raw } = await ctx.subject();
    const order = await createOrder(ctx, repositories);
    const fits = { sellerId: 's'.repeat(MERCHANT_ID_MAX_LENGTH), versionId: 'v'.repeat(MERCHANT_ID_MAX_LENGTH) };
    const tooLong = 'x'.repeat(MERCHANT_ID_MAX_LENGTH + 1);
    await repositories.orders.update(order.orderId, {
      sellerId: fits.sellerId,
      merchantAccountVersion: fits.versionId,
    });
    await rejectsWith(
      repositories.orders.update(order.orderId, { merchantAccountVersion: tooLong }),
      'ValidationError',
      'INVALID_ID',
    );
    await rejectsWith(
      repositories.orders.updateStatus({
        orderId: order.orderId,
        from: ['init'],
        to: 'pending',
        patch: { sellerId: tooLong },
      }),
      'ValidationError',
      'INVALID_ID',
    );
    const read = await repositories.orders.findById(order.orderId);
    assert.deepEqual(
      [read?.status, read?.sellerId, read?.merchantAccountVersion],
      ['init', fits.sellerId, fits.versionId],
    );
    if (raw.orderMerchantAccount) assert.deepEqual(await raw.orderMerchantAccount(order.orderId), fits);
    for (const merchantAccount of [
      { sellerId: tooLong, versionId: fits.versionId },
      { sellerId: fits.sellerId, versionId: tooLong },
    ]) {
      const attemptId = ctx.id('attempt');
      const attempt = { attemptId, orderId: order.orderId, channel: 'c1', amount: 100, currency: 'CNY' };
      await rejectsWith(
        repositories.attempts.create({ ...attempt, providerKind: 'stripe', merchantAccount }),
        'ValidationError',
        'INVALID_ID',
      );
      assert.equal(await repositories.attempts.findById(attemptId), null);
    }
    const attemptId = ctx.id('attempt');
    await repositories.attempts.create({
      attemptId,
      orderId: order.orderId,
      providerKind: 'alipay',
      channel: 'c1',
      amount: 100,
      currency: 'CNY',
      merchantAccount: fits,
    });
    await rejectsWith(
      repositories.attempts.update(attemptId, { merchantAccount: { sellerId: fits.sellerId, versionId: tooLong } }),
      'ValidationError',
      'INVALID_ID',
    );
    assert.deepEqual((await repositories.attempts.findById(attemptId))?.merchantAccount, fits);
    if (raw.attemptMerchantAccount) assert.deepEqual(await raw.attemptMerchantAccount(attemptId), fits);
  });

  for (const kind of ['stripe', 'pingxx', 'alipay', 'wechatpay', 'fake'] as const) {
    it(`keeps a ${kind} attempt's account snapshot apart from "not recorded" and from the platform's`, async () => {
      const { repositories, raw } = await ctx.subject();
      const order = await createOrder(ctx, repositories);
      const snapshots: (MerchantAccountSnapshot | null)[] = [
        { sellerId: ctx.id('seller'), versionId: ctx.id('acctv') },
        { sellerId: ctx.id('seller'), versionId: null }, // a seller's order charged on the platform's account
        { sellerId: null, versionId: null }, // the platform's own product
        null, // not recorded: the order's snapshot applies
      ];
      for (const merchantAccount of snapshots) {
        const attemptId = ctx.id('attempt');
        const created = await repositories.attempts.create({
          attemptId,
          orderId: order.orderId,
          providerKind: kind,
          channel: 'c1',
          amount: 100,
          currency: 'CNY',
          merchantAccount,
        });
        assert.deepEqual(created.merchantAccount, merchantAccount);
        assert.deepEqual((await repositories.attempts.findById(attemptId))?.merchantAccount, merchantAccount);
        if (raw.attemptMerchantAccount) assert.deepEqual(await raw.attemptMerchantAccount(attemptId), merchantAccount);
      }
      const withoutOne = ctx.id('attempt');
      await repositories.attempts.create({
        attemptId: withoutOne,
        orderId: order.orderId,
        providerKind: kind,
        channel: 'c1',
        amount: 100,
        currency: 'CNY',
      });
      assert.equal((await repositories.attempts.findById(withoutOne))?.merchantAccount, null);
      // A status update that does not name the snapshot leaves it as it is.
      const versioned = ctx.id('attempt');
      const snapshot = { sellerId: 's', versionId: ctx.id('acctv') };
      await repositories.attempts.create({
        attemptId: versioned,
        orderId: order.orderId,
        providerKind: kind,
        channel: 'c1',
        amount: 100,
        currency: 'CNY',
        merchantAccount: snapshot,
      });
      await repositories.attempts.updateStatus({ attemptId: versioned, from: ['pending'], to: 'paid' });
      assert.deepEqual((await repositories.attempts.findById(versioned))?.merchantAccount, snapshot);
    });
  }
}
