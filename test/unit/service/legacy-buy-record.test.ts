/**
 * `toLegacyBuyRecord` renders what the original system's `generate_charge` answered, one test per row of the
 * table in docs/migration.md. Expectations are written out from the original's code, not read from the table
 * under test.
 */
import { describe, expect, it } from 'vitest';
import { toBuyRecordDTO, toLegacyBuyRecord, type OrderRecord, type PublicPaymentView } from '../../../src/index.js';
import { legacyNoPaymentFields, legacyPaymentFields } from '../../../src/service/legacy-buy-record.js';
import { createHarness } from './harness.js';

const at = new Date('2026-11-01T00:00:00Z');
const order: OrderRecord = {
  orderId: 'o1',
  userId: 'u1',
  productId: 's1',
  listAmount: 9900,
  payableAmount: 5900,
  paidAmount: 0,
  currency: 'CNY',
  paymentChannel: 'pingxx',
  sellerId: null,
  merchantAccountVersion: null,
  status: 'pending',
  createdAt: at,
  updatedAt: at,
};
const view = (provider: string, channel: string, qrUrl: string | null): PublicPaymentView => ({
  provider,
  channel,
  attemptId: 'a1',
  status: 'requires_action',
  amount: 5900,
  currency: 'CNY',
  nextAction: { type: 'none' },
  qrUrl,
  expiresAt: null,
});
const jsapi = {
  appId: 'wx123',
  timeStamp: '1700000000',
  nonceStr: 'n',
  package: 'prepay_id=wx1',
  signType: 'RSA',
  paySign: 's',
};
const charge = (channel: string, credential: unknown) => ({
  id: 'ch_1',
  object: 'charge',
  channel,
  credential: { object: 'credential', [channel]: credential },
});

function pingxxRecord(channel: string, credential: unknown, qrUrl: string | null) {
  const raw = charge(channel, credential);
  const legacy = legacyPaymentFields({ kind: 'pingxx', provider: 'pingxx', channel, raw, ids: {}, qrUrl });
  return toLegacyBuyRecord(toBuyRecordDTO(order, view('pingxx', channel, qrUrl), legacy));
}

describe('toLegacyBuyRecord, as the original system answered', () => {
  it('alipay_qr: qr_url is the QR string; payment_payload {qr_url, credential}', () => {
    expect(pingxxRecord('alipay_qr', 'https://qr.alipay.com/x', 'https://qr.alipay.com/x')).toEqual({
      order_id: 'o1',
      user_id: 'u1',
      price: '59.00',
      channel: 'alipay_qr',
      qr_url: 'https://qr.alipay.com/x',
      payment_channel: 'pingxx',
      payment_payload: {
        qr_url: 'https://qr.alipay.com/x',
        credential: { object: 'credential', alipay_qr: 'https://qr.alipay.com/x' },
      },
    });
  });

  it('wx_pub_qr: qr_url is the weixin:// QR string', () => {
    const record = pingxxRecord('wx_pub_qr', 'weixin://wxpay/bizpayurl?pr=1', 'weixin://wxpay/bizpayurl?pr=1');
    expect(record.qr_url).toBe('weixin://wxpay/bizpayurl?pr=1');
    expect(record.channel).toBe('wx_pub_qr');
    expect(record.payment_payload).toEqual({
      qr_url: 'weixin://wxpay/bizpayurl?pr=1',
      credential: { object: 'credential', wx_pub_qr: 'weixin://wxpay/bizpayurl?pr=1' },
    });
  });

  it('wx_pub: qr_url is the JSAPI parameter object, not a string', () => {
    const record = pingxxRecord('wx_pub', jsapi, null);
    expect(record.qr_url).toEqual(jsapi);
    expect(record.payment_payload).toEqual({ qr_url: jsapi, credential: { object: 'credential', wx_pub: jsapi } });
  });

  it("wx_wap: qr_url is '' and the credential is in payment_payload", () => {
    const record = pingxxRecord('wx_wap', 'https://wx.tenpay.com/h5', 'https://wx.tenpay.com/h5');
    expect(record.qr_url).toBe('');
    expect(record.payment_payload).toEqual({
      qr_url: '',
      credential: { object: 'credential', wx_wap: 'https://wx.tenpay.com/h5' },
    });
  });

  it("Stripe PaymentIntent: channel 'stripe', qr_url the client secret, the ids in payment_payload", () => {
    const raw = { id: 'pi_1', object: 'payment_intent', client_secret: 'pi_1_secret_x', latest_charge: null };
    const legacy = legacyPaymentFields({
      kind: 'stripe',
      provider: 'stripe',
      channel: 'payment_intent',
      raw,
      ids: { paymentIntentId: 'pi_1' },
    });
    expect(toLegacyBuyRecord(toBuyRecordDTO(order, view('stripe', 'payment_intent', 'pi_1_secret_x'), legacy))).toEqual(
      {
        order_id: 'o1',
        user_id: 'u1',
        price: '59.00',
        channel: 'stripe',
        qr_url: 'pi_1_secret_x',
        payment_channel: 'stripe',
        payment_payload: {
          mode: 'payment_intent',
          client_secret: 'pi_1_secret_x',
          checkout_session_url: '',
          checkout_session_id: '',
          payment_intent_id: 'pi_1',
          latest_charge_id: '',
        },
      },
    );
  });

  it("Stripe Checkout: channel 'stripe:checkout_session', qr_url the Checkout URL", () => {
    const raw = { id: 'cs_1', object: 'checkout.session', url: 'https://checkout.stripe.com/c/cs_1' };
    const legacy = legacyPaymentFields({
      kind: 'stripe',
      provider: 'stripe',
      channel: 'checkout_session',
      raw,
      ids: { checkoutSessionId: 'cs_1' },
    });
    const record = toLegacyBuyRecord(toBuyRecordDTO(order, view('stripe', 'checkout_session', raw.url), legacy));
    expect(record.channel).toBe('stripe:checkout_session');
    expect(record.qr_url).toBe('https://checkout.stripe.com/c/cs_1');
    expect(record.payment_payload).toEqual({
      mode: 'checkout_session',
      client_secret: '',
      checkout_session_url: 'https://checkout.stripe.com/c/cs_1',
      checkout_session_id: 'cs_1',
      payment_intent_id: '',
      latest_charge_id: '',
    });
  });

  it("already paid: the hint as asked, the stored provider, qr_url '' and payment_payload {}", () => {
    const paid = { ...order, status: 'paid' as const };
    expect(toLegacyBuyRecord(toBuyRecordDTO(paid, null, legacyNoPaymentFields('WX_PUB_QR', 'pingxx')))).toEqual({
      order_id: 'o1',
      user_id: 'u1',
      price: '59.00',
      channel: 'WX_PUB_QR',
      qr_url: '',
      payment_channel: 'pingxx',
      payment_payload: {},
    });
  });

  it("a free order through the service: paid at once, the routed label, qr_url ''", async () => {
    const h = createHarness();
    const free = await h.service.initOrder({ userId: 'u1', productId: 'free', payableAmount: 0, currency: 'CNY' });
    const record = toLegacyBuyRecord(await h.service.createCharge({ orderId: free.orderId, channel: 'FAKE_QR' }));
    expect(record).toEqual({
      order_id: free.orderId,
      user_id: 'u1',
      price: '0.00',
      channel: 'fake_qr',
      qr_url: '',
      payment_channel: 'fake',
      payment_payload: {},
    });
    expect(h.fake.calls).toHaveLength(0);
  });

  it('an already-paid order through the service: no provider call', async () => {
    const h = createHarness();
    const o = await h.service.initOrder({ userId: 'u1', productId: 'p', payableAmount: 1999, currency: 'CNY' });
    await h.service.markPaid({ orderId: o.orderId });
    const record = toLegacyBuyRecord(await h.service.createCharge({ orderId: o.orderId, channel: 'stripe' }));
    expect(record).toMatchObject({ channel: 'stripe', qr_url: '', payment_payload: {}, price: '19.99' });
    expect(h.fake.calls).toHaveLength(0);
  });
});
