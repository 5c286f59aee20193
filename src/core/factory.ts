/**
 * The provider registry: holds adapter instances by name, routes charges, and refuses what an adapter's
 * capabilities lack before any network call. Each factory is self-contained; two factories in one process
 * share nothing.
 * @module
 */
import { assertRedirectUrlsAllowed } from './redirect-origins.js';
import { ConfigurationError, UnsupportedOperationError, ValidationError } from './errors.js';
import { assertMinorUnits, normalizeCurrency } from './money.js';
import { sealObject } from './secret-scrubber.js';
import { echo, inputObject } from './input-guards.js';
import { guardPaymentRequest, guardRefundRequest, guardRetrieveRequest, guardWebhookInput } from './provider-input.js';
import type { ProviderCallOptions, PaymentProvider } from './provider.js';
import {
  resolvePaymentChannel,
  type ChannelProviderDescriptor,
  type ResolvePaymentChannelInput,
  type ResolvedPaymentChannel,
} from './channel-resolution.js';
import type {
  PaymentCreationResult,
  PaymentEvent,
  PaymentRequest,
  PaymentSnapshot,
  RefundRequest,
  RefundResult,
  RetrievePaymentRequest,
  WebhookInput,
} from './types.js';

/** Configuration of {@link createPaymentFactory}. */
export interface PaymentFactoryConfig {
  /** Adapter instances; names must be unique. Several instances of one kind are fine (two Stripe accounts). */
  providers: readonly PaymentProvider[];
  /**
   * Enabled provider names (`PAYMENT_CHANNELS_ENABLED`). Registered but not enabled providers can still
   * verify webhooks and refund (money already taken must stay manageable), but receive no new charges.
   * @default every registered provider
   */
  enabled?: readonly string[];
  /**
   * Provider used when nothing is asked, the order has no stored provider and several are enabled; also the
   * tie-break for a bare channel several instances share.
   * @default by kind, Stripe > Alipay > WeChat Pay > Ping++ (`DEFAULT_PROVIDER_ORDER`, DESIGN §11)
   */
  defaultProvider?: string;
}

/** A charge request before routing: the provider and channel may be hints. */
export type RoutablePaymentRequest = Omit<PaymentRequest, 'channel'> & {
  /** Provider instance name; skips routing when set. */
  provider?: string;
  /** Channel or `provider:channel` hint. */
  channel?: string;
  /** Provider hint (the original system's `payment_channel`). */
  paymentChannel?: string;
};

/** Routing hints, as accepted by {@link PaymentFactory.resolve}. */
export type RouteInput = Omit<ResolvePaymentChannelInput, 'providers' | 'enabled' | 'defaultProvider'>;

/** The registry returned by {@link createPaymentFactory}. */
export interface PaymentFactory {
  /** Registered providers by name. */
  readonly providers: ReadonlyMap<string, PaymentProvider>;
  /** Names of providers that accept new charges. */
  readonly enabled: readonly string[];
  /** The provider registered under `name`. @throws ValidationError if none is. */
  getProvider(name: string): PaymentProvider;
  /** Routes a charge (DESIGN §6) without calling anything. */
  resolve(input: RouteInput): ResolvedPaymentChannel;
  /**
   * Routes and validates a payment request without calling the provider: the factory's checks, then the
   * adapter's own `validatePayment` when it has one. `createPayment` runs the same checks.
   * @throws ValidationError naming the field.
   */
  validatePayment(request: RoutablePaymentRequest): void;
  /** Validates, routes and creates a payment. */
  createPayment(request: RoutablePaymentRequest, options?: ProviderCallOptions): Promise<PaymentCreationResult>;
  /** Pulls a payment's current state from its provider. */
  retrievePayment(
    provider: string,
    request: RetrievePaymentRequest,
    options?: ProviderCallOptions,
  ): Promise<PaymentSnapshot>;
  /**
   * Cancels or expires a payment at its provider and returns the provider's truth afterwards (`succeeded` if it
   * was paid meanwhile). @throws UnsupportedOperationError when the adapter has no `cancelPayment`.
   */
  cancelPayment(
    provider: string,
    request: RetrievePaymentRequest,
    options?: ProviderCallOptions,
  ): Promise<PaymentSnapshot>;
  /**
   * Validates a refund without calling the provider: the factory's checks (capabilities, amount, ids), then the
   * adapter's own `validateRefund` when it has one. `refundPayment` runs the same checks.
   * @throws ValidationError naming the field; UnsupportedOperationError for a refund the adapter cannot make.
   */
  validateRefund(provider: string, request: RefundRequest): void;
  /** Refunds through the payment's provider. */
  refundPayment(provider: string, request: RefundRequest, options?: ProviderCallOptions): Promise<RefundResult>;
  /** Verifies and normalises a webhook addressed to `provider`. */
  verifyWebhook(provider: string, input: WebhookInput): Promise<PaymentEvent>;
}

/**
 * Creates a provider registry.
 *
 * @example
 * ```ts
 * const factory = createPaymentFactory({
 *   providers: [createStripeProvider({ secretKey, webhookSecret }), createPingxxProvider({ … })],
 *   enabled: ['pingxx', 'stripe'],
 * })
 * const result = await factory.createPayment({ orderId, attemptId, amount: 1999, currency: 'USD',
 *   channel: 'stripe:checkout_session', subject: 'Course' })
 * ```
 * @throws ConfigurationError for duplicate names, unknown enabled/default names or malformed adapters.
 */
export function createPaymentFactory(config: PaymentFactoryConfig): PaymentFactory {
  if (typeof config !== 'object' || config === null || !Array.isArray(config.providers)) {
    throw new ConfigurationError('createPaymentFactory needs { providers: [...] }, an array of adapter instances.', {
      code: 'INVALID_FACTORY_CONFIG',
    });
  }
  const providers = new Map<string, PaymentProvider>();
  for (const provider of config.providers) {
    if (!provider || typeof provider.name !== 'string' || !provider.capabilities) {
      throw new ConfigurationError('Every provider must have a name and capabilities.', { code: 'INVALID_PROVIDER' });
    }
    if (providers.has(provider.name)) {
      throw new ConfigurationError(
        `Two providers are registered as "${echo(provider.name)}"; give each instance a unique name.`,
        {
          code: 'DUPLICATE_PROVIDER',
        },
      );
    }
    providers.set(provider.name, provider);
  }
  const enabled = config.enabled ? [...config.enabled] : [...providers.keys()];
  const unknown = [...enabled, ...(config.defaultProvider ? [config.defaultProvider] : [])].filter(
    (n) => !providers.has(n),
  );
  const issues = unknown.map((n) => `Provider "${echo(n)}" is enabled or default but not registered.`);
  if (issues.length > 0) {
    throw new ConfigurationError(issues.join(' '), { code: 'UNKNOWN_PROVIDER', issues });
  }
  const defaultProvider = config.defaultProvider;
  const descriptors: ChannelProviderDescriptor[] = [...providers.values()].map((p) => ({
    name: p.name,
    kind: p.kind,
    channels: p.capabilities.channels,
    defaultChannel: p.capabilities.defaultChannel,
    channelAliases: p.capabilities.channelAliases ?? {},
  }));

  function getProvider(name: string): PaymentProvider {
    if (typeof name !== 'string' || name === '') {
      const got = name === null ? 'null' : Array.isArray(name) ? 'an array' : typeof name;
      throw new ValidationError(`A provider name must be a non-empty string (got ${got}).`, {
        field: 'provider',
        code: name === undefined || name === null || name === '' ? 'MISSING_FIELD' : 'INVALID_FIELD',
      });
    }
    const provider = providers.get(name);
    if (!provider) {
      throw new ValidationError(`Unknown payment provider "${echo(name)}".`, {
        field: 'provider',
        code: 'UNKNOWN_PROVIDER',
      });
    }
    return provider;
  }

  function resolve(input: RouteInput): ResolvedPaymentChannel {
    return resolvePaymentChannel({
      ...inputObject(input, 'resolve'),
      providers: descriptors,
      enabled,
      defaultProvider,
    });
  }

  function prepare(
    request: RoutablePaymentRequest,
    method: string,
  ): { provider: PaymentProvider; request: PaymentRequest } {
    guardPaymentRequest(request, method);
    const { provider: providerName, paymentChannel, channel, ...rest } = request;
    const route = providerName
      ? resolve({ paymentChannel: providerName, channel: channel ?? null })
      : resolve({ paymentChannel: paymentChannel ?? null, channel: channel ?? null });
    const provider = getProvider(route.provider);
    const currency = normalizeCurrency(rest.currency);
    const caps = provider.capabilities;
    if (caps.currencies !== 'any' && !caps.currencies.includes(currency)) {
      throw new ValidationError(
        `Provider "${provider.name}" does not accept ${currency} (accepts ${caps.currencies.join(', ')}).`,
        {
          field: 'currency',
          code: 'UNSUPPORTED_CURRENCY',
          provider: provider.name,
        },
      );
    }
    assertMinorUnits(rest.amount);
    if (rest.amount === 0) {
      throw new ValidationError('A provider payment needs a positive amount; mark zero-amount orders paid instead.', {
        field: 'amount',
        code: 'ZERO_AMOUNT',
      });
    }
    requireText(rest.subject, 'subject');
    if (provider.allowedRedirectOrigins) {
      assertRedirectUrlsAllowed(rest.extra, provider.allowedRedirectOrigins, provider.name);
    }
    return { provider, request: { ...rest, currency, channel: route.channel } };
  }

  function validatePayment(request: RoutablePaymentRequest): void {
    const prepared = prepare(request, 'validatePayment');
    prepared.provider.validatePayment?.(prepared.request);
  }

  async function createPayment(
    request: RoutablePaymentRequest,
    options?: ProviderCallOptions,
  ): Promise<PaymentCreationResult> {
    const prepared = prepare(request, 'createPayment');
    return prepared.provider.createPayment(prepared.request, options);
  }

  async function retrievePayment(
    name: string,
    request: RetrievePaymentRequest,
    options?: ProviderCallOptions,
  ): Promise<PaymentSnapshot> {
    const provider = getProvider(name);
    guardRetrieveRequest(request, 'retrievePayment');
    if (!provider.capabilities.retrieve) {
      throw new UnsupportedOperationError(`Provider "${name}" cannot retrieve payments.`, { provider: name });
    }
    return provider.retrievePayment(request, options);
  }

  function prepareRefund(name: string, request: RefundRequest): PaymentProvider {
    const provider = getProvider(name);
    guardRefundRequest(request, 'refundPayment');
    const refunds = provider.capabilities.refunds;
    if (!refunds.supported)
      throw new UnsupportedOperationError(`Provider "${name}" cannot refund.`, { provider: name });
    assertMinorUnits(request.amount);
    if (request.amount === 0)
      throw new ValidationError('Refund amount must be positive.', { field: 'amount', code: 'ZERO_AMOUNT' });
    if (!refunds.partial && request.paymentAmount !== undefined && request.amount < request.paymentAmount) {
      throw new UnsupportedOperationError(`Provider "${name}" cannot make partial refunds.`, {
        provider: name,
        code: 'PARTIAL_REFUND_UNSUPPORTED',
      });
    }
    if (!refunds.multiple && (request.alreadyRefunded ?? 0) > 0) {
      throw new UnsupportedOperationError(`Provider "${name}" allows one refund per payment.`, {
        provider: name,
        code: 'MULTIPLE_REFUNDS_UNSUPPORTED',
      });
    }
    return provider;
  }

  function validateRefund(name: string, request: RefundRequest): void {
    const provider = prepareRefund(name, request);
    provider.validateRefund?.({ ...request, currency: normalizeCurrency(request.currency) });
  }

  async function refundPayment(
    name: string,
    request: RefundRequest,
    options?: ProviderCallOptions,
  ): Promise<RefundResult> {
    const provider = prepareRefund(name, request);
    return provider.refundPayment({ ...request, currency: normalizeCurrency(request.currency) }, options);
  }

  async function verifyWebhook(name: string, input: WebhookInput): Promise<PaymentEvent> {
    const provider = getProvider(name);
    guardWebhookInput(input, 'verifyWebhook');
    if (provider.capabilities.webhookEvents.length === 0) {
      throw new UnsupportedOperationError(`Provider "${name}" does not receive webhooks.`, { provider: name });
    }
    return provider.verifyWebhook(input);
  }

  async function cancelPayment(
    name: string,
    request: RetrievePaymentRequest,
    options?: ProviderCallOptions,
  ): Promise<PaymentSnapshot> {
    const provider = getProvider(name);
    guardRetrieveRequest(request, 'cancelPayment');
    if (!provider.cancelPayment) {
      throw new UnsupportedOperationError(`Provider "${name}" cannot cancel payments.`, { provider: name });
    }
    return provider.cancelPayment(request, options);
  }

  const factory: PaymentFactory = {
    providers,
    enabled,
    getProvider,
    resolve,
    validatePayment,
    createPayment,
    retrievePayment,
    cancelPayment,
    validateRefund,
    refundPayment,
    verifyWebhook,
  };
  // Inspected or serialised, the registry shows names and kinds, never an adapter's client or credentials.
  return sealObject(factory, () => ({
    providers: [...providers.values()].map((p) => ({ name: p.name, kind: p.kind })),
    enabled,
    defaultProvider,
  }));
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(`${field} is required.`, { field, code: 'MISSING_FIELD' });
  }
}
