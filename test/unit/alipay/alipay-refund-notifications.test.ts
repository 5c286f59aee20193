/**
 * Refund notifications carry the trade's cumulative `refund_fee`, not the refund's own amount: the event's amount
 * comes from a lookup by `out_biz_no` (our refund id), and without one no amount is guessed.
 */
import { describe, expect, it } from 'vitest';
import { createAlipayNotifyVerifier } from '../../../src/alipay/index.js';
import { generateAlipayTestKeyPair, signAlipayNotify } from '../../../src/testing/alipay-testing.js';

const keys = generateAlipayTestKeyPair('refund-notifications');
const APP_ID = '2021000000000042';
/** The second partial refund (2.00) of a 10.00 trade whose first refund was 3.00: refund_fee is 5.00. */
const secondRefund = signAlipayNotify(
  {
    notify_time: '2026-12-01 22:10:00',
    notify_type: 'trade_status_sync',
    notify_id: 'n-refund-2',
    app_id: APP_ID,
    trade_no: '2026120122001100000000001',
    out_trade_no: 'attempt_1',
    trade_status: 'TRADE_SUCCESS',
    total_amount: '10.00',
    gmt_payment: '2026-12-01 22:00:00',
    out_biz_no: 'refund_2',
    refund_fee: '5.00',
    gmt_refund: '2026-12-01 22:09:59',
  },
  keys.privateKey,
);
const verifier = (refundAmount?: () => Promise<number | null>) =>
  createAlipayNotifyVerifier({
    appId: APP_ID,
    alipayPublicKey: keys.publicKey,
    livemode: false,
    ...(refundAmount ? { refundAmount } : {}),
  });

describe('Alipay refund notifications', () => {
  it("reports the refund's own amount from the lookup, not the cumulative refund_fee", async () => {
    const asked: string[] = [];
    const event = await createAlipayNotifyVerifier({
      appId: APP_ID,
      alipayPublicKey: keys.publicKey,
      refundAmount: async (params) => {
        asked.push(`${params['out_trade_no']}/${params['out_biz_no']}`);
        return 200;
      },
    })(secondRefund);
    expect(asked).toEqual(['attempt_1/refund_2']);
    expect(event).toMatchObject({
      type: 'refund.succeeded',
      amount: 200,
      refunds: [{ refundId: 'refund_2', providerRefundId: 'refund_2', amount: 200, currency: 'CNY' }],
    });
  });

  it('guesses no amount without a lookup: no refund list, amount null, refund_fee left in raw', async () => {
    const event = await verifier()(secondRefund);
    expect(event).toMatchObject({ type: 'refund.succeeded', amount: null, refunds: [] });
    expect((event.raw as Record<string, string>)['refund_fee']).toBe('5.00');
  });

  it('asks for a redelivery (retryable) while Alipay does not show the refund yet', async () => {
    await expect(verifier(async () => null)(secondRefund)).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
      code: 'ALIPAY_REFUND_NOT_FOUND',
      retryable: true,
    });
  });

  it('refuses a looked-up amount above everything refunded on the trade', async () => {
    await expect(verifier(async () => 501)(secondRefund)).rejects.toMatchObject({
      name: 'IntegrityError',
      code: 'ALIPAY_REFUND_MISMATCH',
    });
  });
});
