import { describe, expect, it } from 'vitest';
import {
  createPaymentFactory,
  isPaymentError,
  type PaymentRequest,
  UnsupportedOperationError,
  ValidationError,
  ConfigurationError,
  ProviderUnavailableError,
  IndeterminateOutcomeError,
  ProviderDeclinedError,
  WebhookVerificationError,
  RawBodyRequiredError,
} from '../../../src/index.js';
import { createFakeProvider } from '../../../src/testing/index.js';

const request = (over: Partial<PaymentRequest> = {}): Omit<PaymentRequest, 'channel'> & { channel?: string } => ({
  orderId: 'order_1',
  attemptId: 'a'.repeat(32),
  amount: 1999,
  currency: 'usd',
  subject: 'Course',
  ...over,
});

describe('createPaymentFactory', () => {
  it('routes a payment to the provider that owns the channel', async () => {
    const qr = createFakeProvider({ name: 'qrpay', channels: ['qr'], defaultChannel: null });
    const cards = createFakeProvider({ name: 'cards', channels: ['card'], defaultChannel: 'card' });
    const factory = createPaymentFactory({ providers: [qr, cards] });
    const result = await factory.createPayment({ ...request(), channel: 'qr' });
    expect(result).toMatchObject({
      provider: 'qrpay',
      channel: 'qr',
      amount: 1999,
      currency: 'USD',
      status: 'requires_action',
    });
    expect(result.nextAction).toEqual({ type: 'qr_code', content: expect.stringMatching(/^fake:\/\/pay\//) });
    expect(result.public).not.toHaveProperty('raw');
    expect(cards.calls).toHaveLength(0);
  });

  it('registers several instances of one kind under different names', async () => {
    const us = createFakeProvider({ name: 'stripe-us', kind: 'stripe' });
    const eu = createFakeProvider({ name: 'stripe-eu', kind: 'stripe' });
    const factory = createPaymentFactory({ providers: [us, eu], defaultProvider: 'stripe-us' });
    await factory.createPayment({ ...request(), provider: 'stripe-eu' });
    expect(eu.calls).toHaveLength(1);
    expect(us.calls).toHaveLength(0);
    expect(factory.getProvider('stripe-us')).toBe(us);
  });

  it('with nothing asked and no default, routes by kind Stripe > Alipay > WeChat Pay > Ping++, not enabled order', async () => {
    const providers = (['pingxx', 'wechatpay', 'alipay', 'stripe'] as const).map((kind) =>
      createFakeProvider({ name: kind, kind, channels: [`${kind}_default`], defaultChannel: `${kind}_default` }),
    );
    const enabled = ['pingxx', 'wechatpay', 'alipay', 'stripe'];
    expect(createPaymentFactory({ providers, enabled }).resolve({})).toMatchObject({
      provider: 'stripe',
      reason: 'priority',
    });
    expect(createPaymentFactory({ providers, enabled: enabled.slice(0, 3) }).resolve({})).toMatchObject({
      provider: 'alipay',
    });
    expect(createPaymentFactory({ providers, enabled: enabled.slice(0, 2) }).resolve({})).toMatchObject({
      provider: 'wechatpay',
    });
    expect(createPaymentFactory({ providers, defaultProvider: 'pingxx' }).resolve({})).toMatchObject({
      provider: 'pingxx',
      reason: 'default',
    });
  });

  it('refuses duplicate names and unknown enabled providers', () => {
    expect(() => createPaymentFactory({ providers: [createFakeProvider(), createFakeProvider()] })).toThrow(
      ConfigurationError,
    );
    expect(() => createPaymentFactory({ providers: [createFakeProvider()], enabled: ['fake', 'nope'] })).toThrow(
      /nope/,
    );
  });

  it('shares nothing between two factories', async () => {
    const a = createFakeProvider();
    const b = createFakeProvider();
    const one = createPaymentFactory({ providers: [a] });
    const two = createPaymentFactory({ providers: [b], enabled: [] });
    await one.createPayment(request());
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(0);
    await expect(two.createPayment(request())).rejects.toMatchObject({ code: 'NO_PROVIDER_ENABLED' });
  });

  it.each([
    ['negative amount', { amount: -1 }, 'NEGATIVE_AMOUNT'],
    ['fractional amount', { amount: 19.99 }, 'INVALID_AMOUNT'],
    ['zero amount', { amount: 0 }, 'ZERO_AMOUNT'],
    ['unknown currency', { currency: 'ABC' }, 'UNKNOWN_CURRENCY'],
    ['missing attempt id', { attemptId: '' }, 'MISSING_FIELD'],
    ['missing subject', { subject: ' ' }, 'MISSING_FIELD'],
    ['unknown channel', { channel: 'bitcoin' }, 'UNKNOWN_CHANNEL'],
  ] as const)('refuses %s before any network call', async (_name, over, code) => {
    const fake = createFakeProvider();
    const factory = createPaymentFactory({ providers: [fake] });
    await expect(factory.createPayment({ ...request(), ...over })).rejects.toMatchObject({
      name: 'ValidationError',
      code,
    });
    expect(fake.calls).toHaveLength(0);
  });

  it('refuses a currency the adapter does not accept', async () => {
    const fake = createFakeProvider({ currencies: ['CNY'] });
    const factory = createPaymentFactory({ providers: [fake] });
    await expect(factory.createPayment(request({ currency: 'USD' }))).rejects.toMatchObject({
      code: 'UNSUPPORTED_CURRENCY',
    });
    await expect(factory.createPayment(request({ currency: 'cny' }))).resolves.toMatchObject({ currency: 'CNY' });
  });

  it('refuses operations the capabilities lack with UnsupportedOperationError, before any call', async () => {
    const fake = createFakeProvider({
      capabilities: {
        retrieve: false,
        refunds: { supported: true, partial: false, multiple: false },
        webhookEvents: [],
      },
    });
    const factory = createPaymentFactory({ providers: [fake] });
    const paid = await factory.createPayment(request());
    fake.pay(paid.providerReference);
    const refund = {
      refundId: 'r1',
      attemptId: paid.attemptId,
      providerReference: paid.providerReference,
      currency: 'USD',
    };
    await expect(factory.retrievePayment('fake', { providerReference: paid.providerReference })).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
    await expect(factory.refundPayment('fake', { ...refund, amount: 500, paymentAmount: 1999 })).rejects.toMatchObject({
      code: 'PARTIAL_REFUND_UNSUPPORTED',
    });
    await expect(factory.refundPayment('fake', { ...refund, amount: 1999, alreadyRefunded: 1 })).rejects.toMatchObject({
      code: 'MULTIPLE_REFUNDS_UNSUPPORTED',
    });
    await expect(factory.verifyWebhook('fake', { rawBody: '{}', headers: {} })).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
    expect(fake.calls.map((c) => c.method)).toEqual(['create']);
    await expect(
      factory.refundPayment('fake', { ...refund, amount: 1999, paymentAmount: 1999 }),
    ).resolves.toMatchObject({
      status: 'succeeded',
      amount: 1999,
    });
  });

  it("validateRefund runs the factory's refund checks, then the adapter's own, without calling anything", () => {
    const seen: string[] = [];
    const fake = {
      ...createFakeProvider({ capabilities: { refunds: { supported: true, partial: false, multiple: true } } }),
      validateRefund(r: { refundId: string; currency: string }) {
        seen.push(`${r.refundId} ${r.currency}`);
        if (r.refundId.includes('-')) throw new ValidationError('no dashes', { field: 'refundId', code: 'INVALID_ID' });
      },
    };
    const factory = createPaymentFactory({ providers: [fake] });
    const refund = { refundId: 'r1', attemptId: 'a1', providerReference: 'p1', amount: 100, currency: 'usd' };
    factory.validateRefund('fake', refund);
    expect(() => factory.validateRefund('fake', { ...refund, refundId: 'r-1' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ID' }),
    );
    // The factory's own checks come first: the adapter never sees a partial refund it cannot make.
    expect(() => factory.validateRefund('fake', { ...refund, paymentAmount: 200 })).toThrow(
      expect.objectContaining({ code: 'PARTIAL_REFUND_UNSUPPORTED' }),
    );
    expect(seen).toEqual(['r1 USD', 'r-1 USD']);
    expect(fake.calls).toEqual([]);
  });

  it('refuses an unknown provider name', async () => {
    const factory = createPaymentFactory({ providers: [createFakeProvider()] });
    await expect(factory.verifyWebhook('stripe', { rawBody: '{}', headers: {} })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('createFakeProvider through the factory', () => {
  it('is idempotent per attempt id', async () => {
    const fake = createFakeProvider();
    const factory = createPaymentFactory({ providers: [fake] });
    const first = await factory.createPayment(request());
    const second = await factory.createPayment(request());
    expect(second.providerReference).toBe(first.providerReference);
    expect(fake.payments.size).toBe(1);
  });

  it('plays scripted failures, and an indeterminate call still acted', async () => {
    const fake = createFakeProvider();
    const factory = createPaymentFactory({ providers: [fake] });
    fake.scriptCreate('unavailable', 'decline', 'indeterminate');
    await expect(factory.createPayment(request())).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(factory.createPayment(request())).rejects.toBeInstanceOf(ProviderDeclinedError);
    await expect(factory.createPayment(request())).rejects.toBeInstanceOf(IndeterminateOutcomeError);
    expect(fake.payments.size).toBe(1);
    const retried = await factory.createPayment(request());
    expect(retried.providerReference).toBe([...fake.payments.keys()][0]);
  });

  it('can create a payment already paid', async () => {
    const fake = createFakeProvider();
    fake.scriptCreate('succeed');
    const result = await createPaymentFactory({ providers: [fake] }).createPayment(request());
    expect(result.status).toBe('succeeded');
    expect(result.nextAction).toEqual({ type: 'none' });
  });

  it('signs webhooks that verify, and refuses tampered or parsed ones', async () => {
    const fake = createFakeProvider();
    const factory = createPaymentFactory({ providers: [fake] });
    const created = await factory.createPayment(request());
    fake.pay(created.attemptId);
    const { rawBody, headers, eventId } = fake.webhook(created.attemptId);
    const event = await factory.verifyWebhook('fake', { rawBody: Buffer.from(rawBody), headers });
    expect(event).toMatchObject({
      eventId,
      type: 'payment.succeeded',
      attemptId: created.attemptId,
      amount: 1999,
      currency: 'USD',
    });
    await expect(
      factory.verifyWebhook('fake', { rawBody: rawBody.replace('1999', '1'), headers }),
    ).rejects.toBeInstanceOf(WebhookVerificationError);
    await expect(
      factory.verifyWebhook('fake', { rawBody: JSON.parse(rawBody) as never, headers }),
    ).rejects.toBeInstanceOf(RawBodyRequiredError);
    await expect(factory.verifyWebhook('fake', { rawBody, headers: {} })).rejects.toBeInstanceOf(
      WebhookVerificationError,
    );
  });

  it('refunds partially, then fully, and refuses more', async () => {
    const fake = createFakeProvider();
    const factory = createPaymentFactory({ providers: [fake] });
    const created = await factory.createPayment(request());
    fake.pay(created.providerReference);
    const base = { attemptId: created.attemptId, providerReference: created.providerReference, currency: 'USD' };
    await factory.refundPayment('fake', { ...base, refundId: 'r1', amount: 999 });
    await factory.refundPayment('fake', { ...base, refundId: 'r1', amount: 999 });
    await factory.refundPayment('fake', { ...base, refundId: 'r2', amount: 1000 });
    const snapshot = await factory.retrievePayment('fake', { providerReference: created.providerReference });
    expect(snapshot.amountRefunded).toBe(1999);
    expect(snapshot.refunds).toHaveLength(2);
    const error = await factory.refundPayment('fake', { ...base, refundId: 'r3', amount: 1 }).catch((e: unknown) => e);
    expect(isPaymentError(error, 'ValidationError')).toBe(true);
  });
});
