/**
 * `createStripeProvider`: the Stripe adapter on the official `stripe` SDK.
 * @module
 */
import type Stripe from 'stripe';
import { registerSecrets, sealObject } from '../core/secret-scrubber.js';
import {
  isPaymentError,
  ProviderUnavailableError,
  IndeterminateOutcomeError,
  ValidationError,
} from '../core/errors.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import type { PaymentProvider, ProviderCallOptions } from '../core/provider.js';
import { guardRefundRequest, guardRetrieveRequest } from '../core/provider-input.js';
import type {
  PaymentEventType,
  ProviderCapabilities,
  RefundRequest,
  RefundResult,
  RetrievePaymentRequest,
} from '../core/types.js';
import { fromStripeAmount, toStripeAmount } from './stripe-amounts.js';
import { mapStripeError } from './stripe-errors.js';
import { checkoutSessionStatus, refundStatus, STRIPE_METADATA_KEYS } from './stripe-mappers.js';
import { resolveStripeOptions, type StripeProviderOptions } from './stripe-options.js';
import { type Fail, preparePayment, requireKeyId, STRIPE_CHANNEL_ALIASES } from './stripe-payment-params.js';
import {
  intentCreationResult,
  intentSnapshot,
  referenceMode,
  type ResultContext,
  sessionCreationResult,
  sessionSnapshot,
} from './stripe-results.js';
import { assertStripeInstalled, loadStripeSdk } from './stripe-sdk.js';
import { createStripeWebhookVerifier, STRIPE_SIGNATURE_HEADER } from './stripe-webhooks.js';

/** The Stripe adapter: a {@link PaymentProvider} plus its SDK client, for calls the port does not cover. */
export interface StripeProvider extends PaymentProvider {
  readonly kind: 'stripe';
  /**
   * The instance's own SDK client (never shared), or the one passed as `options.stripe`. The SDK is loaded on
   * first use, hence a promise.
   * @throws ConfigurationError `STRIPE_SDK_MISSING` when `stripe` is not installed.
   * @example
   * ```ts
   * await (await stripe.getClient()).paymentIntents.cancel(paymentIntentId);
   * ```
   */
  getClient(): Promise<Stripe>;
}

/** Event types the adapter's webhooks produce. */
const WEBHOOK_EVENTS: readonly PaymentEventType[] = [
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.pending',
  'refund.succeeded',
  'refund.failed',
  'unsupported',
];

const STRIPE_REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

/**
 * Creates the Stripe adapter.
 *
 * Channels: `payment_intent` (returns the client secret for Stripe.js / Elements, also as `qrUrl`) and
 * `checkout_session` (returns the hosted Checkout URL as a `redirect`, also as `qrUrl`); aliases `intent`
 * and `checkout`. Every mutating call carries an idempotency key derived from our ids
 * (`pf-pi-<attemptId>`, `pf-cs-<attemptId>`, `pf-re-<refundId>`), so a retry after a timeout or a dropped
 * connection returns the same remote object (Stripe keeps keys for 24 hours).
 *
 * @example
 * ```ts
 * import { createStripeProvider } from '@org/payment-factory/stripe';
 *
 * const stripe = createStripeProvider({
 *   secretKey: process.env.STRIPE_SECRET_KEY!,
 *   publishableKey: process.env.STRIPE_PUBLISHABLE_KEY,
 *   webhookSecret: process.env.STRIPE_WEBHOOK_SECRET!.split(','),
 *   successUrl: 'https://shop.example/paid?session={CHECKOUT_SESSION_ID}',
 * });
 * const result = await stripe.createPayment({
 *   orderId, attemptId, amount: 1999, currency: 'USD', channel: 'checkout_session', subject: 'Course',
 * });
 * res.redirect(303, result.qrUrl!);
 * ```
 * @throws ConfigurationError for invalid options (every problem listed, no secret values).
 */
export function createStripeProvider(options: StripeProviderOptions): StripeProvider {
  const config = resolveStripeOptions(options);
  const provider = config.name;
  registerSecrets(config.secrets);
  if (!options.stripe) assertStripeInstalled(provider);
  const newClient = async (): Promise<Stripe> => {
    const StripeSdk = await loadStripeSdk(provider);
    const created = new StripeSdk(options.secretKey as string, {
      ...(options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion as Stripe.LatestApiVersion }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...(options.maxNetworkRetries === undefined ? {} : { maxNetworkRetries: options.maxNetworkRetries }),
      telemetry: false,
      appInfo: { name: '@org/payment-factory' },
    });
    // Our own SDK client holds the key (`_apiKey`): inspected or serialised, it shows only where it points.
    sealObject(created, () => ({ stripe: 'client', provider, host: options.host ?? 'api.stripe.com' }));
    return created;
  };
  let clientPromise: Promise<Stripe> | undefined = options.stripe ? Promise.resolve(options.stripe) : undefined;
  const getClient = (): Promise<Stripe> =>
    (clientPromise ??= newClient().catch((error: unknown) => {
      clientPromise = undefined;
      throw error;
    }));
  const ctx: ResultContext = { provider, publishableKey: config.publishableKey };
  const verifyWebhook = createStripeWebhookVerifier({
    webhookSecret: config.webhookSecrets,
    toleranceSeconds: config.webhookTolerance,
    name: provider,
  });

  /** Runs one SDK call, mapping its errors and honouring an abort signal. */
  const call = async <T>(
    operation: string,
    mutating: boolean,
    signal: AbortSignal | undefined,
    fn: (client: Stripe) => Promise<T>,
  ): Promise<T> => {
    if (signal?.aborted) {
      throw new ProviderUnavailableError(`Stripe ${operation} was aborted before it was sent.`, {
        code: 'ABORTED',
        provider,
      });
    }
    const client = await getClient();
    try {
      return await abortable(fn(client), signal, () =>
        mutating
          ? new IndeterminateOutcomeError(
              `Stripe ${operation} was aborted after it was sent; it may have been applied.`,
              {
                code: 'ABORTED',
                provider,
              },
            )
          : new ProviderUnavailableError(`Stripe ${operation} was aborted.`, { code: 'ABORTED', provider }),
      );
    } catch (error) {
      throw mapStripeError(error, { provider, operation, mutating, secrets: config.secrets });
    }
  };

  const listRefunds = async (paymentIntent: string, signal: AbortSignal | undefined): Promise<Stripe.Refund[]> =>
    call('list refunds', false, signal, async (client) => {
      const out: Stripe.Refund[] = [];
      for await (const refund of client.refunds.list({ payment_intent: paymentIntent, limit: 100 })) out.push(refund);
      return out;
    });

  const capabilities: ProviderCapabilities = {
    kind: 'stripe',
    channels: ['payment_intent', 'checkout_session'],
    defaultChannel: config.defaultMode,
    channelAliases: STRIPE_CHANNEL_ALIASES,
    currencies: 'any',
    refunds: { supported: true, partial: true, multiple: true },
    retrieve: true,
    webhookEvents: WEBHOOK_EVENTS,
  };

  const adapter: StripeProvider = {
    name: provider,
    kind: 'stripe',
    capabilities,
    webhookSignatureHeaders: [STRIPE_SIGNATURE_HEADER],
    allowedRedirectOrigins: config.allowedRedirectOrigins,
    getClient,

    validatePayment(request) {
      preparePayment(request, config);
    },

    async createPayment(request, callOptions: ProviderCallOptions = {}) {
      const prepared = preparePayment(request, config);
      const requestOptions = { idempotencyKey: prepared.idempotencyKey };
      if (prepared.mode === 'payment_intent') {
        const intent = await call('create PaymentIntent', true, callOptions.signal, (client) =>
          client.paymentIntents.create(prepared.params as Stripe.PaymentIntentCreateParams, requestOptions),
        );
        return intentCreationResult(intent, request.attemptId, ctx);
      }
      const session = await call('create Checkout Session', true, callOptions.signal, (client) =>
        client.checkout.sessions.create(prepared.params as Stripe.Checkout.SessionCreateParams, requestOptions),
      );
      return sessionCreationResult(session, request.attemptId, ctx);
    },

    async retrievePayment(request: RetrievePaymentRequest, callOptions: ProviderCallOptions = {}) {
      guardRetrieveRequest(request, 'retrievePayment');
      const reference = request.providerReference;
      const mode = typeof reference === 'string' ? referenceMode(reference) : undefined;
      if (mode === 'payment_intent') {
        const intent = await call('retrieve PaymentIntent', false, callOptions.signal, (client) =>
          client.paymentIntents.retrieve(reference, { expand: ['latest_charge'] }),
        );
        return intentSnapshot(intent, await listRefunds(intent.id, callOptions.signal), ctx);
      }
      if (mode === 'checkout_session') {
        const session = await call('retrieve Checkout Session', false, callOptions.signal, (client) =>
          client.checkout.sessions.retrieve(reference, { expand: ['payment_intent', 'payment_intent.latest_charge'] }),
        );
        const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
        if (!intent) return sessionSnapshot(session, ctx);
        const status = checkoutSessionStatus(session, intent);
        return intentSnapshot(intent, await listRefunds(intent.id, callOptions.signal), ctx, { session, status });
      }
      throw new ValidationError('providerReference must be a PaymentIntent (pi_…) or Checkout Session (cs_…) id.', {
        field: 'providerReference',
        code: 'INVALID_PROVIDER_REFERENCE',
        provider,
      });
    },

    async cancelPayment(request: RetrievePaymentRequest, callOptions: ProviderCallOptions = {}) {
      guardRetrieveRequest(request, 'cancelPayment');
      const reference = request.providerReference;
      const mode = typeof reference === 'string' ? referenceMode(reference) : undefined;
      try {
        if (mode === 'payment_intent') {
          await call('cancel PaymentIntent', true, callOptions.signal, (client) =>
            client.paymentIntents.cancel(
              reference,
              { cancellation_reason: 'abandoned' },
              { idempotencyKey: `pf-cancel-${reference}` },
            ),
          );
        } else if (mode === 'checkout_session') {
          await call('expire Checkout Session', true, callOptions.signal, (client) =>
            client.checkout.sessions.expire(reference, {}, { idempotencyKey: `pf-expire-${reference}` }),
          );
        }
      } catch (error) {
        // Stripe refuses to cancel what is no longer cancelable (paid or processing meanwhile, already
        // canceled or expired): the retrieve below says which. Anything else (unreachable, 5xx) is thrown.
        if (!isPaymentError(error, 'ValidationError')) throw error;
      }
      return adapter.retrievePayment(request, callOptions);
    },

    async refundPayment(request: RefundRequest, callOptions: ProviderCallOptions = {}): Promise<RefundResult> {
      const fail: Fail = (message, field, code = 'INVALID_REFUND_REQUEST') =>
        new ValidationError(message, { field, code, provider });
      guardRefundRequest(request, 'refundPayment');
      requireKeyId(request.refundId, 'refundId', fail);
      assertMinorUnits(request.amount);
      if (request.amount === 0) throw fail('A refund amount must be greater than zero.', 'amount', 'INVALID_AMOUNT');
      const currency = normalizeCurrency(request.currency);
      const amount = toStripeAmount(request.amount, currency, provider);
      const reference = request.providerReference;
      const mode = typeof reference === 'string' ? referenceMode(reference) : undefined;
      if (!mode)
        throw fail('providerReference must be a PaymentIntent, Checkout Session or charge id.', 'providerReference');
      let target: { payment_intent: string } | { charge: string };
      if (mode === 'checkout_session') {
        const session = await call('retrieve Checkout Session', false, callOptions.signal, (client) =>
          client.checkout.sessions.retrieve(reference),
        );
        const intentId =
          typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
        if (!intentId)
          throw fail(
            'This Checkout Session has not been paid, so there is nothing to refund.',
            'providerReference',
            'NOT_PAID',
          );
        target = { payment_intent: intentId };
      } else {
        target = mode === 'charge' ? { charge: reference } : { payment_intent: reference };
      }
      const reason = request.reason && STRIPE_REFUND_REASONS.has(request.reason) ? request.reason : undefined;
      const metadata: Record<string, string> = {
        ...(request.metadata ?? {}),
        [STRIPE_METADATA_KEYS.refundId]: request.refundId,
        ...(typeof request.attemptId === 'string' && request.attemptId !== ''
          ? { [STRIPE_METADATA_KEYS.attemptId]: request.attemptId }
          : {}),
        // Stripe only takes three reason codes; keep a free-text reason (trimmed to Stripe's 500) in metadata.
        ...(request.reason && !reason ? { refund_reason: request.reason.slice(0, 500) } : {}),
      };
      const refund = await call('create refund', true, callOptions.signal, (client) =>
        client.refunds.create(
          { ...target, amount, metadata, ...(reason ? { reason } : {}) },
          { idempotencyKey: `pf-re-${request.refundId}` },
        ),
      );
      return {
        provider,
        refundId: request.refundId,
        providerRefundId: refund.id,
        status: refundStatus(refund.status),
        amount: fromStripeAmount(refund.amount, refund.currency),
        currency: refund.currency.toUpperCase(),
        raw: refund,
      };
    },

    verifyWebhook,
  };
  return sealObject(adapter, () => ({ name: provider, kind: 'stripe', capabilities }));
}

/** Races `promise` against `signal`; the losing promise's rejection is swallowed so it is never unhandled. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
