/**
 * Routing: which provider instance and which sub-channel a charge goes to (DESIGN §6). A pure function,
 * so the rules are testable as a table and identical in every process.
 * @module
 */
import { ValidationError } from './errors.js';
import { echo, inputObject } from './input-guards.js';

/** What the resolver needs to know about one registered provider instance. */
export interface ChannelProviderDescriptor {
  /** Instance name (`stripe`, `pingxx`, `stripe-eu`). */
  name: string;
  /** Provider kind (`stripe`, `pingxx`, …). A hint may name the kind when exactly one instance has it. */
  kind: string;
  /** Sub-channels it supports. */
  channels: readonly string[];
  /** Channel used when only the provider is asked for; `null` means a channel is required. */
  defaultChannel: string | null;
  /** Accepted aliases → channel. @default {} */
  channelAliases?: Readonly<Record<string, string>>;
  /** Whether credentials are configured; a provider without them drops out. @default true */
  configured?: boolean;
}

/** Input of {@link resolvePaymentChannel}. */
export interface ResolvePaymentChannelInput {
  /** Provider hint, e.g. `'stripe'`, `'pingxx'`, or a combined `'stripe:checkout_session'`. */
  paymentChannel?: string | null | undefined;
  /** Channel hint, e.g. `'wx_pub_qr'`, `'checkout'`, `'stripe'`, or `'pingxx:alipay_qr'`. */
  channel?: string | null | undefined;
  /** The provider stored on the order (`order_orders.payment_channel`). */
  storedProvider?: string | null | undefined;
  /** The order's status; the stored provider counts only when it is not `'init'`. */
  orderStatus?: string | null | undefined;
  /** Registered providers. */
  providers: readonly ChannelProviderDescriptor[];
  /** Enabled provider names (`PAYMENT_CHANNELS_ENABLED`); `undefined` enables all configured providers. */
  enabled?: readonly string[] | undefined;
  /** Provider used when nothing else decides. */
  defaultProvider?: string | null | undefined;
}

/** Where a charge goes. */
export interface ResolvedPaymentChannel {
  /** Provider instance name. */
  provider: string;
  /** Which kind it is. */
  kind: string;
  /** Canonical sub-channel (aliases resolved). */
  channel: string;
  /** Which rule decided, for logs and debugging. */
  reason: 'explicit' | 'provider-default' | 'channel' | 'stored' | 'single-enabled' | 'default' | 'priority';
}

/**
 * Resolves the provider and sub-channel of a charge.
 *
 * Rules, in order:
 * 1. `provider:sub` (in either hint) picks both: `stripe:checkout_session`, `pingxx:wx_pub_qr`.
 * 2. A provider hint (name, or a kind with one enabled instance) picks it; the channel hint, if any, must
 *    be one of its channels (aliases allowed), else its default channel; no default (Ping++) →
 *    `ValidationError`.
 * 3. A bare channel hint that names a provider behaves like a provider hint (`'stripe'`).
 * 4. A bare channel (`wx_pub_qr`, `checkout`, `payment_intent`) picks the enabled provider that has it;
 *    when several have it: a native provider (kind `alipay` or `wechatpay`, see {@link NATIVE_PROVIDER_KINDS})
 *    over an aggregator such as Ping++ (as the original system routed bare `alipay*` / `wx*` channels),
 *    then the stored provider, then the default provider, then registration order. `pingxx:wx_pub_qr`
 *    still reaches Ping++, so both can be enabled side by side during a migration.
 * 5. Nothing asked: the stored provider if enabled and the order is not `init` → the single enabled
 *    provider → the configured default provider → by kind, Stripe > Alipay > WeChat Pay > Ping++
 *    ({@link DEFAULT_PROVIDER_ORDER}); each with its default channel (Ping++ has none: `CHANNEL_REQUIRED`).
 *    Several enabled providers of other kinds only, with no default: `PROVIDER_REQUIRED`.
 *
 * Hints (and `enabled` names) are trimmed and compared case-insensitively, as the original system lower-cased
 * them: `STRIPE`, ` Stripe:Checkout_Session ` and `Alipay_QR` work. Unknown channels, unknown or disabled
 * providers and providers without credentials are refused with a `ValidationError` before anything else
 * happens.
 *
 * @example
 * ```ts
 * resolvePaymentChannel({ channel: 'wx_pub_qr', providers }) // { provider: 'pingxx', channel: 'wx_pub_qr', … }
 * resolvePaymentChannel({ paymentChannel: 'stripe:checkout', providers }) // { provider: 'stripe', channel: 'checkout_session', … }
 * ```
 */
export function resolvePaymentChannel(input: ResolvePaymentChannelInput): ResolvedPaymentChannel {
  inputObject(input, 'resolvePaymentChannel');
  if (!Array.isArray(input.providers)) {
    throw new ValidationError('resolvePaymentChannel: providers must be an array of provider descriptors.', {
      field: 'providers',
      code: input.providers === undefined || input.providers === null ? 'MISSING_FIELD' : 'INVALID_FIELD',
    });
  }
  const registered = input.providers;
  const enabledNames = input.enabled ? new Set(input.enabled.map((n) => clean(n)).filter(Boolean)) : null;
  const usable = registered.filter(
    (p) => p.configured !== false && (!enabledNames || enabledNames.has(p.name.trim().toLowerCase())),
  );
  const paymentChannel = clean(input.paymentChannel);
  const channel = clean(input.channel);

  // Rule 1: provider:sub in either hint.
  for (const hint of [paymentChannel, channel]) {
    if (hint?.includes(':')) {
      const [providerHint, sub] = hint.split(':', 2).map((part) => part.trim()) as [string, string];
      const provider = pickProvider(providerHint, registered, usable, input);
      const other = hint === paymentChannel ? channel : paymentChannel;
      if (
        other &&
        !other.includes(':') &&
        !namesProvider(other, registered) &&
        canonical(provider, other) !== canonical(provider, sub)
      ) {
        throw new ValidationError(`Conflicting channel hints "${echo(hint)}" and "${echo(other)}".`, {
          field: 'channel',
          code: 'CONFLICTING_CHANNEL',
        });
      }
      return {
        provider: provider.name,
        kind: provider.kind,
        channel: requireChannel(provider, sub),
        reason: 'explicit',
      };
    }
  }

  // Rule 2 and 3: a provider hint (or a channel hint that names a provider).
  const providerHint = paymentChannel ?? (channel && namesProvider(channel, registered) ? channel : null);
  if (providerHint) {
    const provider = pickProvider(providerHint, registered, usable, input);
    const sub = channel && channel !== providerHint ? channel : null;
    if (sub)
      return {
        provider: provider.name,
        kind: provider.kind,
        channel: requireChannel(provider, sub),
        reason: 'explicit',
      };
    return {
      provider: provider.name,
      kind: provider.kind,
      channel: defaultChannelOf(provider),
      reason: 'provider-default',
    };
  }

  // Rule 4: a bare channel.
  if (channel) {
    const owners = usable.filter((p) => canonical(p, channel) !== null);
    if (owners.length === 0) {
      const disabledOwner = registered.find((p) => canonical(p, channel) !== null);
      if (disabledOwner) throw disabled(disabledOwner);
      throw new ValidationError(`Unknown payment channel "${echo(channel)}".`, {
        field: 'channel',
        code: 'UNKNOWN_CHANNEL',
      });
    }
    const native = owners.filter((p) => NATIVE_PROVIDER_KINDS.includes(p.kind));
    const candidates = native.length > 0 ? native : owners;
    const preferred =
      candidates.find((p) => named(p.name, storedProviderOf(input))) ??
      candidates.find((p) => named(p.name, clean(input.defaultProvider))) ??
      candidates[0]!;
    return {
      provider: preferred.name,
      kind: preferred.kind,
      channel: canonical(preferred, channel) as string,
      reason: 'channel',
    };
  }

  // Rule 5: fallbacks.
  const stored = storedProviderOf(input);
  const storedProvider = stored ? usable.find((p) => named(p.name, stored)) : undefined;
  if (storedProvider) return withDefault(storedProvider, 'stored');
  if (usable.length === 1) return withDefault(usable[0] as ChannelProviderDescriptor, 'single-enabled');
  const fallback = input.defaultProvider ? usable.find((p) => named(p.name, clean(input.defaultProvider))) : undefined;
  if (fallback) return withDefault(fallback, 'default');
  if (usable.length === 0) {
    throw new ValidationError('No payment provider is enabled and configured.', { code: 'NO_PROVIDER_ENABLED' });
  }
  for (const kind of DEFAULT_PROVIDER_ORDER) {
    const ranked = usable.find((p) => named(p.kind, kind));
    if (ranked) return withDefault(ranked, 'priority');
  }
  throw new ValidationError(
    `Several payment providers are enabled (${usable.map((p) => p.name).join(', ')}); pass a paymentChannel or channel.`,
    { field: 'paymentChannel', code: 'PROVIDER_REQUIRED' },
  );
}

/**
 * Which provider kind takes a charge when nothing was asked, several providers are enabled, and no default
 * provider is configured (DESIGN §11, the original system's order): Stripe, then native Alipay, then native
 * WeChat Pay, then Ping++. Among instances of one kind, the first registered. Enabled providers of other kinds
 * only are ambiguous (`PROVIDER_REQUIRED`).
 */
export const DEFAULT_PROVIDER_ORDER: readonly string[] = ['stripe', 'alipay', 'wechatpay', 'pingxx'];

/**
 * Provider kinds that talk to a payment network directly. When a bare channel (`alipay_qr`, `wx_pub_qr`)
 * is offered by one of them and by an aggregator (Ping++), the native provider takes it.
 */
export const NATIVE_PROVIDER_KINDS: readonly string[] = ['alipay', 'wechatpay'];

/** Hints are trimmed and compared case-insensitively, as the original system lower-cased them. */
function clean(value: string | null | undefined): string | null {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return v ? v : null;
}

/** Whether a registered name equals a (cleaned, lower-case) hint. */
const named = (name: string | null | undefined, hint: string | null): boolean =>
  typeof name === 'string' && hint !== null && name.trim().toLowerCase() === hint;

function storedProviderOf(input: ResolvePaymentChannelInput): string | null {
  return input.orderStatus && input.orderStatus !== 'init' ? clean(input.storedProvider) : null;
}

function namesProvider(hint: string, registered: readonly ChannelProviderDescriptor[]): boolean {
  return registered.some((p) => named(p.name, hint) || named(p.kind, hint));
}

function pickProvider(
  hint: string,
  registered: readonly ChannelProviderDescriptor[],
  usable: readonly ChannelProviderDescriptor[],
  input: ResolvePaymentChannelInput,
): ChannelProviderDescriptor {
  const byName = registered.find((p) => named(p.name, hint));
  if (byName) {
    if (!usable.includes(byName)) throw disabled(byName);
    return byName;
  }
  const ofKind = usable.filter((p) => named(p.kind, hint));
  if (ofKind.length === 1) return ofKind[0] as ChannelProviderDescriptor;
  if (ofKind.length > 1) {
    const stored = storedProviderOf(input);
    const chosen =
      ofKind.find((p) => named(p.name, stored)) ?? ofKind.find((p) => named(p.name, clean(input.defaultProvider)));
    if (chosen) return chosen;
    throw new ValidationError(
      `Several "${echo(hint)}" providers are enabled (${ofKind.map((p) => p.name).join(', ')}); name one.`,
      { field: 'paymentChannel', code: 'AMBIGUOUS_PROVIDER' },
    );
  }
  const disabledKind = registered.find((p) => named(p.kind, hint));
  if (disabledKind) throw disabled(disabledKind);
  throw new ValidationError(`Unknown payment provider "${echo(hint)}".`, {
    field: 'paymentChannel',
    code: 'UNKNOWN_PROVIDER',
  });
}

function disabled(provider: ChannelProviderDescriptor): ValidationError {
  const why =
    provider.configured === false ? 'has no credentials configured' : 'is not enabled (PAYMENT_CHANNELS_ENABLED)';
  return new ValidationError(`Payment provider "${provider.name}" ${why}.`, {
    field: 'paymentChannel',
    code: 'PROVIDER_DISABLED',
    provider: provider.name,
  });
}

function canonical(provider: ChannelProviderDescriptor, channel: string): string | null {
  if (provider.channels.includes(channel)) return channel;
  const alias = provider.channelAliases?.[channel];
  return alias !== undefined && provider.channels.includes(alias) ? alias : null;
}

function requireChannel(provider: ChannelProviderDescriptor, channel: string): string {
  const resolved = canonical(provider, channel);
  if (resolved === null) {
    throw new ValidationError(`Provider "${provider.name}" has no channel "${echo(channel)}".`, {
      field: 'channel',
      code: 'UNKNOWN_CHANNEL',
      provider: provider.name,
    });
  }
  return resolved;
}

function defaultChannelOf(provider: ChannelProviderDescriptor): string {
  if (provider.defaultChannel === null) {
    throw new ValidationError(`Provider "${provider.name}" needs a channel (one of ${provider.channels.join(', ')}).`, {
      field: 'channel',
      code: 'CHANNEL_REQUIRED',
      provider: provider.name,
    });
  }
  return provider.defaultChannel;
}

function withDefault(
  provider: ChannelProviderDescriptor,
  reason: ResolvedPaymentChannel['reason'],
): ResolvedPaymentChannel {
  return { provider: provider.name, kind: provider.kind, channel: defaultChannelOf(provider), reason };
}
