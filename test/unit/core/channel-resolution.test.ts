import { describe, expect, it } from 'vitest';
import {
  isPaymentError,
  resolvePaymentChannel,
  type ChannelProviderDescriptor,
  type ResolvePaymentChannelInput,
} from '../../../src/index.js';

const stripe: ChannelProviderDescriptor = {
  name: 'stripe',
  kind: 'stripe',
  channels: ['payment_intent', 'checkout_session'],
  defaultChannel: 'payment_intent',
  channelAliases: { intent: 'payment_intent', checkout: 'checkout_session' },
};
const stripeCheckoutDefault: ChannelProviderDescriptor = { ...stripe, defaultChannel: 'checkout_session' };
const pingxx: ChannelProviderDescriptor = {
  name: 'pingxx',
  kind: 'pingxx',
  channels: ['alipay_qr', 'alipay_wap', 'wx_pub_qr', 'wx_pub', 'wx_wap', 'wx_lite', 'upacp_pc'],
  defaultChannel: null,
};
const stripeEu: ChannelProviderDescriptor = { ...stripe, name: 'stripe-eu' };
const both = [pingxx, stripe];

type Row = [
  string,
  Partial<ResolvePaymentChannelInput>,
  { provider: string; channel: string; reason?: string } | string,
];

const rows: Row[] = [
  // Hints are trimmed and case-insensitive (the original lower-cased them).
  ['STRIPE', { paymentChannel: 'STRIPE' }, { provider: 'stripe', channel: 'payment_intent' }],
  [
    'Stripe:Checkout_Session',
    { channel: ' Stripe:Checkout_Session ' },
    { provider: 'stripe', channel: 'checkout_session', reason: 'explicit' },
  ],
  ['PINGXX : WX_PUB_QR', { paymentChannel: 'PINGXX : WX_PUB_QR' }, { provider: 'pingxx', channel: 'wx_pub_qr' }],
  ['bare channel Alipay_QR', { channel: '  Alipay_QR ' }, { provider: 'pingxx', channel: 'alipay_qr' }],
  [
    'provider hint Pingxx with channel WX_PUB',
    { paymentChannel: 'Pingxx', channel: 'WX_PUB' },
    { provider: 'pingxx', channel: 'wx_pub' },
  ],
  ['Checkout alias', { channel: 'Checkout' }, { provider: 'stripe', channel: 'checkout_session' }],
  [
    'a name in another case in PAYMENT_CHANNELS_ENABLED',
    { channel: 'stripe', enabled: [' Stripe '] },
    { provider: 'stripe', channel: 'payment_intent' },
  ],
  // provider:sub forms
  [
    'stripe:checkout_session in channel',
    { channel: 'stripe:checkout_session' },
    { provider: 'stripe', channel: 'checkout_session', reason: 'explicit' },
  ],
  ['stripe:checkout alias', { paymentChannel: 'stripe:checkout' }, { provider: 'stripe', channel: 'checkout_session' }],
  [
    'stripe:payment_intent',
    { paymentChannel: 'stripe:payment_intent' },
    { provider: 'stripe', channel: 'payment_intent' },
  ],
  ['pingxx:wx_pub_qr', { channel: 'pingxx:wx_pub_qr' }, { provider: 'pingxx', channel: 'wx_pub_qr' }],
  [
    'provider:sub with a matching provider hint',
    { paymentChannel: 'stripe', channel: 'stripe:checkout' },
    { provider: 'stripe', channel: 'checkout_session' },
  ],
  ['provider:sub with an unknown sub', { channel: 'stripe:wx_pub_qr' }, 'UNKNOWN_CHANNEL'],
  ['provider:sub with an unknown provider', { channel: 'paypal:express' }, 'UNKNOWN_PROVIDER'],
  [
    'provider:sub conflicting with a bare channel',
    { paymentChannel: 'stripe:checkout', channel: 'intent' },
    'CONFLICTING_CHANNEL',
  ],
  // bare stripe and its modes
  [
    'bare stripe as provider',
    { paymentChannel: 'stripe' },
    { provider: 'stripe', channel: 'payment_intent', reason: 'provider-default' },
  ],
  ['bare stripe as channel', { channel: 'stripe' }, { provider: 'stripe', channel: 'payment_intent' }],
  [
    'bare stripe honours the configured mode',
    { channel: 'stripe', providers: [pingxx, stripeCheckoutDefault] },
    { provider: 'stripe', channel: 'checkout_session' },
  ],
  ['checkout alias', { channel: 'checkout' }, { provider: 'stripe', channel: 'checkout_session', reason: 'channel' }],
  ['checkout_session', { channel: 'checkout_session' }, { provider: 'stripe', channel: 'checkout_session' }],
  ['intent alias', { channel: 'intent' }, { provider: 'stripe', channel: 'payment_intent' }],
  ['payment_intent', { channel: 'payment_intent' }, { provider: 'stripe', channel: 'payment_intent' }],
  [
    'stripe hint with a mode',
    { paymentChannel: 'stripe', channel: 'checkout' },
    { provider: 'stripe', channel: 'checkout_session' },
  ],
  // Ping++
  ['bare alipay_qr implies Ping++', { channel: 'alipay_qr' }, { provider: 'pingxx', channel: 'alipay_qr' }],
  ['bare wx_pub_qr implies Ping++', { channel: 'wx_pub_qr' }, { provider: 'pingxx', channel: 'wx_pub_qr' }],
  ['bare wx_pub implies Ping++', { channel: 'wx_pub' }, { provider: 'pingxx', channel: 'wx_pub' }],
  ['bare wx_wap implies Ping++', { channel: 'wx_wap' }, { provider: 'pingxx', channel: 'wx_wap' }],
  [
    'pingxx hint with its channel',
    { paymentChannel: 'pingxx', channel: 'alipay_wap' },
    { provider: 'pingxx', channel: 'alipay_wap' },
  ],
  ['Ping++ without a channel', { paymentChannel: 'pingxx' }, 'CHANNEL_REQUIRED'],
  ['bare pingxx as channel', { channel: 'pingxx' }, 'CHANNEL_REQUIRED'],
  ['pingxx hint with a Stripe mode', { paymentChannel: 'pingxx', channel: 'checkout' }, 'UNKNOWN_CHANNEL'],
  // unknown / disabled / missing credentials
  ['unknown channel', { channel: 'bitcoin' }, 'UNKNOWN_CHANNEL'],
  ['unknown provider hint', { paymentChannel: 'paypal' }, 'UNKNOWN_PROVIDER'],
  ['disabled provider asked by name', { paymentChannel: 'stripe', enabled: ['pingxx'] }, 'PROVIDER_DISABLED'],
  ['disabled provider asked by channel', { channel: 'checkout', enabled: ['pingxx'] }, 'PROVIDER_DISABLED'],
  [
    'disabled provider asked by provider:sub',
    { channel: 'pingxx:alipay_qr', enabled: ['stripe'] },
    'PROVIDER_DISABLED',
  ],
  [
    'provider without credentials is dropped',
    { channel: 'wx_pub_qr', providers: [{ ...pingxx, configured: false }, stripe] },
    'PROVIDER_DISABLED',
  ],
  [
    'provider without credentials is skipped by fallback',
    { providers: [{ ...pingxx, configured: false }, stripe] },
    { provider: 'stripe', channel: 'payment_intent', reason: 'single-enabled' },
  ],
  ['nothing enabled', { enabled: [] }, 'NO_PROVIDER_ENABLED'],
  // stored provider
  [
    'stored provider used when the order is pending',
    { storedProvider: 'stripe', orderStatus: 'pending' },
    { provider: 'stripe', channel: 'payment_intent', reason: 'stored' },
  ],
  [
    'stored provider ignored when the order is init',
    {
      storedProvider: 'stripe',
      orderStatus: 'init',
      defaultProvider: 'pingxx',
      providers: [stripeCheckoutDefault, { ...pingxx, defaultChannel: 'alipay_qr' }],
    },
    { provider: 'pingxx', channel: 'alipay_qr', reason: 'default' },
  ],
  [
    'stored provider ignored when disabled',
    {
      storedProvider: 'stripe',
      orderStatus: 'pending',
      enabled: ['pingxx'],
      providers: [{ ...pingxx, defaultChannel: 'alipay_qr' }, stripe],
    },
    { provider: 'pingxx', channel: 'alipay_qr', reason: 'single-enabled' },
  ],
  [
    'stored Ping++ provider still needs a channel',
    { storedProvider: 'pingxx', orderStatus: 'pending' },
    'CHANNEL_REQUIRED',
  ],
  [
    'explicit hint beats the stored provider',
    { storedProvider: 'pingxx', orderStatus: 'pending', channel: 'checkout' },
    { provider: 'stripe', channel: 'checkout_session' },
  ],
  // fallbacks
  [
    'single enabled provider',
    { enabled: ['stripe'] },
    { provider: 'stripe', channel: 'payment_intent', reason: 'single-enabled' },
  ],
  [
    'configured default provider',
    { defaultProvider: 'stripe' },
    { provider: 'stripe', channel: 'payment_intent', reason: 'default' },
  ],
  // DESIGN §11: nothing asked, several enabled, no default → Stripe > Alipay > WeChat Pay > Ping++.
  [
    'several enabled and no default: Stripe before Ping++, whatever the order',
    { enabled: ['pingxx', 'stripe'] },
    { provider: 'stripe', channel: 'payment_intent', reason: 'priority' },
  ],
  [
    'several enabled of unranked kinds and no default',
    {
      providers: [
        { ...stripe, name: 'fake-a', kind: 'fake' },
        { ...stripe, name: 'fake-b', kind: 'fake-b' },
      ],
    },
    'PROVIDER_REQUIRED',
  ],
  // several instances of one kind
  [
    'kind hint with two instances needs a name',
    { paymentChannel: 'stripe', providers: [{ ...stripe, name: 'stripe-us' }, stripeEu] },
    'AMBIGUOUS_PROVIDER',
  ],
  [
    'instance name picks that account',
    { paymentChannel: 'stripe-eu', channel: 'checkout', providers: [stripe, stripeEu] },
    { provider: 'stripe-eu', channel: 'checkout_session' },
  ],
  [
    'shared channel prefers the stored instance',
    { channel: 'checkout', storedProvider: 'stripe-eu', orderStatus: 'pending', providers: [stripe, stripeEu] },
    { provider: 'stripe-eu', channel: 'checkout_session' },
  ],
  [
    'shared channel prefers the default instance',
    { channel: 'intent', defaultProvider: 'stripe-eu', providers: [stripe, stripeEu] },
    { provider: 'stripe-eu', channel: 'payment_intent' },
  ],
  [
    'shared channel falls back to registration order',
    { channel: 'intent', providers: [stripeEu, stripe] },
    { provider: 'stripe-eu', channel: 'payment_intent' },
  ],
  [
    'whitespace is ignored',
    { paymentChannel: '  ', channel: ' wx_pub_qr ' },
    { provider: 'pingxx', channel: 'wx_pub_qr' },
  ],
];

describe('resolvePaymentChannel', () => {
  it.each(rows)('%s', (_name, input, expected) => {
    const call = () => resolvePaymentChannel({ providers: both, ...input });
    if (typeof expected === 'string') {
      let thrown: unknown;
      try {
        call();
      } catch (error) {
        thrown = error;
      }
      expect(isPaymentError(thrown, 'ValidationError'), 'expected a ValidationError').toBe(true);
      expect((thrown as { code: string }).code).toBe(expected);
    } else {
      expect(call()).toMatchObject(expected);
    }
  });
});

describe('native Alipay and WeChat Pay beside Ping++ (DESIGN §11)', () => {
  const alipay: ChannelProviderDescriptor = {
    name: 'alipay',
    kind: 'alipay',
    channels: ['alipay_qr', 'alipay_pc_direct', 'alipay_wap', 'alipay'],
    defaultChannel: 'alipay_qr',
  };
  const resolve = (input: Partial<ResolvePaymentChannelInput>) =>
    resolvePaymentChannel({ providers: [pingxx, alipay, stripe], ...input });

  it('sends a bare alipay_* channel to native Alipay when it is enabled', () => {
    expect(resolve({ channel: 'alipay_qr' })).toMatchObject({
      provider: 'alipay',
      channel: 'alipay_qr',
      reason: 'channel',
    });
    expect(resolve({ channel: 'alipay_wap', storedProvider: 'pingxx', orderStatus: 'pending' })).toMatchObject({
      provider: 'alipay',
    });
  });
  it('keeps bare wx_* channels on Ping++ while no native WeChat Pay provider is registered', () => {
    expect(resolve({ channel: 'wx_pub_qr' })).toMatchObject({ provider: 'pingxx' });
  });
  it('falls back to Ping++ when native Alipay is not enabled', () => {
    expect(resolve({ channel: 'alipay_qr', enabled: ['pingxx', 'stripe'] })).toMatchObject({ provider: 'pingxx' });
  });
  it('lets pingxx:alipay_qr reach Ping++ and a bare "alipay" hint use its default channel', () => {
    expect(resolve({ channel: 'pingxx:alipay_qr' })).toMatchObject({ provider: 'pingxx', reason: 'explicit' });
    expect(resolve({ paymentChannel: 'alipay' })).toMatchObject({ provider: 'alipay', channel: 'alipay_qr' });
  });
});

describe('default routing order when nothing is asked (DESIGN §11: stripe > alipay > wechatpay > pingxx)', () => {
  const alipay: ChannelProviderDescriptor = {
    name: 'alipay',
    kind: 'alipay',
    channels: ['alipay_qr', 'alipay_pc_direct', 'alipay_wap', 'alipay'],
    defaultChannel: 'alipay_qr',
  };
  const wechatpay: ChannelProviderDescriptor = {
    name: 'wechatpay',
    kind: 'wechatpay',
    channels: ['wx_pub_qr', 'wx_pub', 'wx_lite', 'wx_wap', 'wx'],
    defaultChannel: 'wx_pub_qr',
  };
  const all = [pingxx, wechatpay, alipay, stripe];
  // enabled → where a charge with no hint, no stored provider and no configured default goes.
  const table: Array<[string[], { provider: string; channel: string; reason: string } | string]> = [
    [
      ['pingxx', 'wechatpay', 'alipay', 'stripe'],
      { provider: 'stripe', channel: 'payment_intent', reason: 'priority' },
    ],
    [['pingxx', 'wechatpay', 'alipay'], { provider: 'alipay', channel: 'alipay_qr', reason: 'priority' }],
    [['wechatpay', 'alipay'], { provider: 'alipay', channel: 'alipay_qr', reason: 'priority' }],
    [['pingxx', 'wechatpay'], { provider: 'wechatpay', channel: 'wx_pub_qr', reason: 'priority' }],
    [['pingxx', 'stripe'], { provider: 'stripe', channel: 'payment_intent', reason: 'priority' }],
    [['wechatpay'], { provider: 'wechatpay', channel: 'wx_pub_qr', reason: 'single-enabled' }],
    [['alipay'], { provider: 'alipay', channel: 'alipay_qr', reason: 'single-enabled' }],
    // Ping++ has no default channel: alone (or winning) it still needs one.
    [['pingxx'], 'CHANNEL_REQUIRED'],
  ];
  it.each(table)('enabled %j', (enabled, expected) => {
    const call = () => resolvePaymentChannel({ providers: all, enabled });
    if (typeof expected === 'string') expect(call).toThrow(expect.objectContaining({ code: expected }));
    else expect(call()).toEqual({ ...expected, kind: expected.provider });
  });

  it('the stored provider (order not init) and a configured default come before the order', () => {
    expect(
      resolvePaymentChannel({ providers: all, storedProvider: 'wechatpay', orderStatus: 'pending' }),
    ).toMatchObject({ provider: 'wechatpay', reason: 'stored' });
    expect(resolvePaymentChannel({ providers: all, storedProvider: 'wechatpay', orderStatus: 'init' })).toMatchObject({
      provider: 'stripe',
      reason: 'priority',
    });
    expect(resolvePaymentChannel({ providers: all, defaultProvider: 'wechatpay' })).toMatchObject({
      provider: 'wechatpay',
      reason: 'default',
    });
  });

  it('bare channels still go native when enabled, else Ping++; provider:channel always wins', () => {
    expect(resolvePaymentChannel({ providers: all, channel: 'wx_pub' })).toMatchObject({ provider: 'wechatpay' });
    expect(resolvePaymentChannel({ providers: all, channel: 'alipay_qr' })).toMatchObject({ provider: 'alipay' });
    expect(resolvePaymentChannel({ providers: all, channel: 'wx_pub', enabled: ['pingxx', 'alipay'] })).toMatchObject({
      provider: 'pingxx',
    });
    expect(resolvePaymentChannel({ providers: all, channel: 'pingxx:wx_pub_qr' })).toMatchObject({
      provider: 'pingxx',
    });
    expect(resolvePaymentChannel({ providers: all, channel: 'upacp_pc' })).toMatchObject({ provider: 'pingxx' });
  });
});
