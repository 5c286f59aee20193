/**
 * Garbage in, typed error out, below the service too: the factory, the built-in adapters, the standalone
 * webhook verifiers and `toLegacyBuyRecord` refuse `null`, primitives and wrongly typed fields with a
 * `ValidationError` naming the field — never a `TypeError` — before any provider is called; constructors
 * given no options say so with a `ConfigurationError`; caller-supplied strings echoed in messages are capped.
 */
import { describe, expect, it } from 'vitest';
import { createAlipayNotifyVerifier, createAlipayProvider } from '../../../src/alipay/index.js';
import {
  createPaymentFactory,
  createPaymentService,
  createWebhookHandler,
  getHeader,
  isPaymentError,
  normalizeCurrency,
  resolvePaymentChannel,
  toLegacyBuyRecord,
  toNodeHandler,
  type PaymentErrorName,
} from '../../../src/index.js';
import { MAX_ECHO_LENGTH } from '../../../src/core/input-guards.js';
import { createPingxxProvider, createPingxxWebhookVerifier } from '../../../src/pingxx/index.js';
import { createStripeProvider, createStripeWebhookVerifier } from '../../../src/stripe/index.js';
import {
  createFakeProvider,
  generateAlipayTestKeyPair,
  generatePingxxTestKeyPair,
  generateWechatPayTestKeyPair,
} from '../../../src/testing/index.js';
import { createWechatPayNotifyVerifier, createWechatPayProvider } from '../../../src/wechatpay/index.js';

const keys = generatePingxxTestKeyPair();
const stripe = createStripeProvider({ secretKey: 'sk_test_garbage', webhookSecret: 'whsec_garbage12345678' });
const pingxx = createPingxxProvider({
  secretKey: 'sk_test_garbage',
  appId: 'app_garbage',
  webhookPublicKey: keys.publicKey,
});
const verifyStripe = createStripeWebhookVerifier({ webhookSecret: 'whsec_garbage12345678' });
const verifyPingxx = createPingxxWebhookVerifier({ webhookPublicKey: keys.publicKey });
// Nothing listens on port 9: a request that got out would fail as ProviderUnavailableError, not ValidationError.
const unreachable = 'http://127.0.0.1:9';
const alipayKeys = generateAlipayTestKeyPair('alipay');
const alipay = createAlipayProvider({
  appId: '2021000000000001',
  privateKey: generateAlipayTestKeyPair('app').privateKey,
  alipayPublicKey: alipayKeys.publicKey,
  gatewayUrl: `${unreachable}/gateway.do`,
  notifyUrl: 'https://shop.example/notify/alipay',
});
const verifyAlipay = createAlipayNotifyVerifier({ appId: '2021000000000001', alipayPublicKey: alipayKeys.publicKey });
const wechatpayOptions = {
  appId: 'wx0000000000000001',
  mchId: '1900000001',
  apiV3Key: '0123456789abcdef0123456789abcdef',
  wechatpayPublicKey: generateWechatPayTestKeyPair('wechatpay').publicKey,
  wechatpayPublicKeyId: 'PUB_KEY_ID_0000000000000001',
};
const wechatpay = createWechatPayProvider({
  ...wechatpayOptions,
  merchantSerialNo: '0123456789ABCDEF0123456789ABCDEF01234567',
  privateKey: generateWechatPayTestKeyPair('merchant').privateKey,
  baseUrl: unreachable,
  notifyUrl: 'https://shop.example/notify/wechatpay',
});
const verifyWechatPay = createWechatPayNotifyVerifier(wechatpayOptions);

function setup() {
  const fake = createFakeProvider();
  const factory = createPaymentFactory({ providers: [fake, stripe, pingxx] });
  return { fake, factory };
}

async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  return null;
}

const garbage: Array<[string, unknown]> = [
  ['null', null],
  ['undefined', undefined],
  ['a string', 'x'],
  ['a number', 5],
  ['an array', []],
];

const payment = { orderId: 'o1', attemptId: 'a1', amount: 100, currency: 'CNY', subject: 's' };
const refund = { refundId: 'r1', attemptId: 'a1', providerReference: 'ch_1', amount: 100, currency: 'CNY' };

type Target = [label: string, call: (s: ReturnType<typeof setup>, input: unknown) => unknown];
const objectTargets: Target[] = [
  ['factory.createPayment', (s, i) => s.factory.createPayment(i as never)],
  ['factory.validatePayment', (s, i) => s.factory.validatePayment(i as never)],
  ['factory.resolve', (s, i) => s.factory.resolve(i as never)],
  ...(['fake', 'stripe', 'pingxx'] as const).flatMap((p): Target[] => [
    [`factory.retrievePayment(${p})`, (s, i) => s.factory.retrievePayment(p, i as never)],
    [`factory.cancelPayment(${p})`, (s, i) => s.factory.cancelPayment(p, i as never)],
    [`factory.refundPayment(${p})`, (s, i) => s.factory.refundPayment(p, i as never)],
    [`factory.verifyWebhook(${p})`, (s, i) => s.factory.verifyWebhook(p, i as never)],
  ]),
  ...(
    [
      ['fake', (s: ReturnType<typeof setup>) => s.fake],
      ['stripe', () => stripe],
      ['pingxx', () => pingxx],
      ['alipay', () => alipay],
      ['wechatpay', () => wechatpay],
    ] as const
  ).flatMap(([name, get]): Target[] =>
    (
      [
        'createPayment',
        'validatePayment',
        'retrievePayment',
        'cancelPayment',
        'refundPayment',
        'verifyWebhook',
        ...(name === 'alipay' || name === 'wechatpay' ? (['validateRefund'] as const) : []),
      ] as const
    ).map((method): Target => [
      `${name}.${method}`,
      (s, i) => (get(s) as unknown as Record<string, (input: unknown) => unknown>)[method]!(i),
    ]),
  ),
  ['createStripeWebhookVerifier()', (_, i) => verifyStripe(i as never)],
  ['createPingxxWebhookVerifier()', (_, i) => verifyPingxx(i as never)],
  ['createAlipayNotifyVerifier()', (_, i) => verifyAlipay(i as never)],
  ['createWechatPayNotifyVerifier()', (_, i) => verifyWechatPay(i as never)],
  ['toLegacyBuyRecord', (_, i) => toLegacyBuyRecord(i as never)],
  ['resolvePaymentChannel', (_, i) => resolvePaymentChannel(i as never)],
];

describe('public methods below the service refuse non-object input', () => {
  const cases = objectTargets.flatMap(([label, call]) =>
    garbage.map(([what, value]) => [label, what, call, value] as const),
  );
  it.each(cases)('%s(%s) → ValidationError on input, nothing sent', async (_label, _what, call, value) => {
    const s = setup();
    const error = await caught(() => call(s, value));
    expect(isPaymentError(error, 'ValidationError'), String(error)).toBe(true);
    expect(error).toMatchObject({ field: 'input', code: expect.stringMatching(/^(MISSING|INVALID)_FIELD$/) });
    expect(s.fake.calls).toHaveLength(0);
  });
});

describe('wrongly typed fields are named', () => {
  const fields: Array<[string, (s: ReturnType<typeof setup>) => unknown, string]> = [
    [
      'factory.createPayment orderId {}',
      (s) => s.factory.createPayment({ ...payment, orderId: {} } as never),
      'orderId',
    ],
    [
      'factory.createPayment extra string',
      (s) => s.factory.createPayment({ ...payment, extra: 'x' } as never),
      'extra',
    ],
    [
      'factory.createPayment metadata array',
      (s) => s.factory.createPayment({ ...payment, metadata: [] } as never),
      'metadata',
    ],
    [
      'factory.createPayment expiresAt string',
      (s) => s.factory.createPayment({ ...payment, expiresAt: '2030' } as never),
      'expiresAt',
    ],
    [
      'factory.createPayment channel number',
      (s) => s.factory.createPayment({ ...payment, channel: 5 } as never),
      'channel',
    ],
    ['factory.createPayment body null', (s) => s.factory.createPayment({ ...payment, body: null } as never), 'body'],
    [
      'factory.refundPayment refundId number',
      (s) => s.factory.refundPayment('fake', { ...refund, refundId: 7 } as never),
      'refundId',
    ],
    [
      'factory.refundPayment amount string',
      (s) => s.factory.refundPayment('fake', { ...refund, amount: '1' } as never),
      'amount',
    ],
    [
      'factory.refundPayment reason object',
      (s) => s.factory.refundPayment('fake', { ...refund, reason: {} } as never),
      'reason',
    ],
    [
      'factory.retrievePayment providerReference null',
      (s) => s.factory.retrievePayment('fake', { providerReference: null } as never),
      'providerReference',
    ],
    [
      'factory.retrievePayment refundIds a string',
      (s) => s.factory.retrievePayment('fake', { providerReference: 'x', refundIds: 're_1' } as never),
      'refundIds',
    ],
    [
      'factory.retrievePayment refundIds [null]',
      (s) => s.factory.retrievePayment('fake', { providerReference: 'x', refundIds: [null] } as never),
      'refundIds',
    ],
    [
      'factory.cancelPayment attemptId number',
      (s) => s.factory.cancelPayment('fake', { providerReference: 'x', attemptId: 1 } as never),
      'attemptId',
    ],
    [
      'factory.verifyWebhook headers null',
      (s) => s.factory.verifyWebhook('fake', { rawBody: '{}', headers: null } as never),
      'headers',
    ],
    [
      'factory.verifyWebhook receivedAt string',
      (s) => s.factory.verifyWebhook('fake', { rawBody: '{}', headers: {}, receivedAt: 'now' } as never),
      'receivedAt',
    ],
    ['factory.getProvider(null)', (s) => s.factory.getProvider(null as never), 'provider'],
    ['factory.getProvider({})', (s) => s.factory.getProvider({} as never), 'provider'],
    [
      'stripe.createPayment extra string',
      () => stripe.createPayment({ ...payment, currency: 'USD', channel: 'payment_intent', extra: 'x' } as never),
      'extra',
    ],
    [
      'stripe.retrievePayment id of 5,000 chars',
      () => stripe.retrievePayment({ providerReference: `pi_${'x'.repeat(5000)}` }),
      'providerReference',
    ],
    [
      'stripe.refundPayment amount string',
      () => stripe.refundPayment({ ...refund, providerReference: 'pi_1', amount: '1' } as never),
      'amount',
    ],
    [
      'pingxx.createPayment orderId {}',
      () => pingxx.createPayment({ ...payment, channel: 'alipay_qr', orderId: {} } as never),
      'orderId',
    ],
    [
      'pingxx.refundPayment refundId null',
      () => pingxx.refundPayment({ ...refund, refundId: null } as never),
      'refundId',
    ],
    [
      'pingxx.verifyWebhook headers string',
      () => pingxx.verifyWebhook({ rawBody: '{}', headers: 'sig' } as never),
      'headers',
    ],
    [
      'alipay.createPayment orderId {}',
      () => alipay.createPayment({ ...payment, channel: 'alipay_qr', orderId: {} } as never),
      'orderId',
    ],
    [
      'alipay.retrievePayment providerReference number',
      () => alipay.retrievePayment({ providerReference: 7 } as never),
      'providerReference',
    ],
    [
      'alipay.refundPayment amount string',
      () => alipay.refundPayment({ ...refund, providerReference: 'a1', amount: '1' } as never),
      'amount',
    ],
    [
      'alipay.validateRefund refundId null',
      () => alipay.validateRefund!({ ...refund, refundId: null } as never),
      'refundId',
    ],
    [
      'createAlipayNotifyVerifier() receivedAt string',
      () => verifyAlipay({ rawBody: 'a=1', headers: {}, receivedAt: 'now' } as never),
      'receivedAt',
    ],
    [
      'wechatpay.createPayment metadata array',
      () => wechatpay.createPayment({ ...payment, channel: 'wx_pub_qr', metadata: [] } as never),
      'metadata',
    ],
    [
      'wechatpay.cancelPayment attemptId number',
      () => wechatpay.cancelPayment!({ providerReference: 'a1a1a1', attemptId: 1 } as never),
      'attemptId',
    ],
    [
      'wechatpay.refundPayment refundId null',
      () => wechatpay.refundPayment({ ...refund, refundId: null } as never),
      'refundId',
    ],
    ['wechatpay.retrieveRefund(null)', () => wechatpay.retrieveRefund(null as never), 'refundId'],
    ['wechatpay.retrieveRefund({})', () => wechatpay.retrieveRefund({} as never), 'refundId'],
    [
      'wechatpay.verifyWebhook headers string',
      () => wechatpay.verifyWebhook({ rawBody: '{}', headers: 'sig' } as never),
      'headers',
    ],
    ['getHeader(headers, null)', () => getHeader({ a: 'b' }, null as never), 'name'],
    ['getHeader(headers, 5)', () => getHeader(new Headers({ a: 'b' }), 5 as never), 'name'],
    ['toLegacyBuyRecord({})', () => toLegacyBuyRecord({} as never), 'orderId'],
    [
      'toLegacyBuyRecord legacy string',
      () => toLegacyBuyRecord({ orderId: 'o', userId: 'u', price: '1.00', legacy: 'x' } as never),
      'legacy',
    ],
    ['resolvePaymentChannel without providers', () => resolvePaymentChannel({ channel: 'x' } as never), 'providers'],
  ];
  it.each(fields)('%s → ValidationError on %s', async (_label, call, field) => {
    const s = setup();
    const error = await caught(() => call(s));
    expect(isPaymentError(error, 'ValidationError'), String(error)).toBe(true);
    expect(error).toMatchObject({ field });
    expect(s.fake.calls).toHaveLength(0);
  });
});

describe('getHeader', () => {
  it('treats a record value that is not a string (or strings) as absent', () => {
    expect(getHeader({ 'X-A': 5 } as never, 'x-a')).toBeUndefined();
    expect(getHeader({ 'x-a': [1, 'b'] } as never, 'x-a')).toBeUndefined();
    expect(getHeader({ 'x-a': ['a', 'b'] }, 'X-A')).toBe('a,b');
    expect(getHeader('x-a' as never, 'x-a')).toBeUndefined();
  });
});

describe('constructors given no options', () => {
  const ctors: Array<[string, (value: unknown) => unknown]> = [
    ['createPaymentFactory', (v) => createPaymentFactory(v as never)],
    ['createPaymentService', (v) => createPaymentService(v as never)],
    ['createWebhookHandler', (v) => createWebhookHandler(v as never)],
    ['toNodeHandler', (v) => toNodeHandler(v as never)],
  ];
  const cases = ctors.flatMap(([label, ctor]) => garbage.map(([what, value]) => [label, what, ctor, value] as const));
  it.each(cases)('%s(%s) → ConfigurationError', (_label, _what, ctor, value) => {
    const error = (() => {
      try {
        ctor(value);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(isPaymentError(error, 'ConfigurationError' satisfies PaymentErrorName), String(error)).toBe(true);
  });

  it('createPaymentService without repositories', () => {
    const { factory } = setup();
    expect(() => createPaymentService({ factory } as never)).toThrow(/repositories/);
  });
});

describe('caller-supplied strings in messages are capped', () => {
  const long = `${'p'.repeat(4000)}\nINJECTED`;
  const echoes: Array<[string, (s: ReturnType<typeof setup>) => unknown, string]> = [
    ['getProvider', (s) => s.factory.getProvider(long), 'provider'],
    ['retrievePayment provider', (s) => s.factory.retrievePayment(long, { providerReference: 'x' }), 'provider'],
    ['refundPayment provider', (s) => s.factory.refundPayment(long, refund), 'provider'],
    ['verifyWebhook provider', (s) => s.factory.verifyWebhook(long, { rawBody: '{}', headers: {} }), 'provider'],
    ['resolve paymentChannel', (s) => s.factory.resolve({ paymentChannel: long }), 'paymentChannel'],
    ['resolve channel', (s) => s.factory.resolve({ channel: long }), 'channel'],
    ['resolve provider:channel', (s) => s.factory.resolve({ channel: `fake:${long}` }), 'channel'],
    ['normalizeCurrency', () => normalizeCurrency(long), 'currency'],
    ['refundPayment currency', (s) => s.factory.refundPayment('fake', { ...refund, currency: long }), 'currency'],
    [
      'Ping++ charge currency (a valid code padded)',
      () => pingxx.createPayment({ ...payment, channel: 'alipay_qr', currency: `${' '.repeat(4005)}usd\n` }),
      'currency',
    ],
    [
      'Ping++ refund currency (a valid code padded)',
      () => pingxx.refundPayment({ ...refund, currency: `${' '.repeat(4005)}usd\n` }),
      'currency',
    ],
  ];
  it.each(echoes)('%s', async (_label, call, field) => {
    const error = await caught(() => call(setup()));
    expect(isPaymentError(error, 'ValidationError'), String(error)).toBe(true);
    expect(error).toMatchObject({ field });
    const message = (error as Error).message;
    expect(message.length).toBeLessThan(MAX_ECHO_LENGTH + 120);
    expect(message).toContain('(4009 chars)');
    expect(message).not.toContain('\n');
  });
});
