/**
 * The Ping++ adapter: {@link PaymentProvider} on the official `pingpp` SDK.
 * @module
 */
import { IndeterminateOutcomeError, IntegrityError, isPaymentError } from '../core/errors.js';
import type { PaymentProvider } from '../core/provider.js';
import { guardPaymentRequest, guardRefundRequest, guardRetrieveRequest } from '../core/provider-input.js';
import { registerSecrets, sealObject } from '../core/secret-scrubber.js';
import type { PaymentCreationResult, PaymentRequest, PaymentSnapshot, ProviderCapabilities } from '../core/types.js';
import { buildPingxxChargeParams } from './pingxx-charge-params.js';
import { createPingxxClient } from './pingxx-client.js';
import { toProviderRefund } from './pingxx-events.js';
import { loadPingxxPrivateKey } from './pingxx-keys.js';
import { PINGXX_CHARGE_STATUS, pingxxChargeState } from './pingxx-mappers.js';
import { pingxxNextAction } from './pingxx-next-action.js';
import { resolvePingxxOptions, type PingxxProviderOptions } from './pingxx-options.js';
import { buildPingxxRefundParams, findPingxxRefund, toRefundResult } from './pingxx-refunds.js';
import type { PingxxCharge } from './pingxx-types.js';
import { createPingxxWebhookVerifier, PINGXX_SIGNATURE_HEADER } from './pingxx-webhooks.js';

/** A Ping++ adapter instance. */
export interface PingxxProvider extends PaymentProvider {
  readonly kind: 'pingxx';
  /** The Ping++ app id charges are created in. */
  readonly appId: string;
  /** Live or test mode as configured or read from the key prefix; `null` when unknown. */
  readonly livemode: boolean | null;
}

/**
 * Creates a Ping++ adapter with its own `pingpp` SDK instance.
 *
 * Keys are read and parsed here, so a missing webhook key or a malformed private key fails at startup
 * (`ConfigurationError`), not at the first payment; a missing `pingpp` package too (checked, not loaded).
 * The SDK itself is loaded on the first API call and never for webhooks, which verify on Web Crypto: on
 * runtimes where `pingpp` cannot run (Cloudflare workerd, Vercel Edge) the provider verifies webhooks and
 * its API calls reject with `UnsupportedOperationError` `PINGXX_SDK_UNSUPPORTED_RUNTIME`.
 *
 * @example
 * ```ts
 * import { createPingxxProvider } from '@org/payment-factory/pingxx';
 *
 * const pingxx = createPingxxProvider({
 *   secretKey: process.env.PINGXX_SECRET_KEY!,
 *   appId: process.env.PINGXX_APP_ID!,
 *   privateKeyPath: './keys/pingxx_private.pem',
 *   webhookPublicKeyPath: './keys/pingxx_public.pem',
 * });
 * const result = await pingxx.createPayment({
 *   orderId, attemptId, amount: 9900, currency: 'CNY', channel: 'wx_pub_qr',
 *   subject: 'Python 进阶课', clientIp: '203.0.113.7', productId: 'course42',
 * });
 * result.nextAction // { type: 'qr_code', content: 'weixin://wxpay/bizpayurl?pr=…' }
 * ```
 * @throws ConfigurationError for invalid options, unreadable or malformed keys, a missing webhook key
 * (unless `unsafeSkipWebhookVerification`), or a missing `pingpp` package.
 */
export function createPingxxProvider(options: PingxxProviderOptions): PingxxProvider {
  const config = resolvePingxxOptions(options);
  const { name, clock } = config;
  registerSecrets([config.secretKey]);
  const privateKey = loadPingxxPrivateKey({ pem: options.privateKey, path: options.privateKeyPath }, name);
  const verify = createPingxxWebhookVerifier({
    name,
    webhookPublicKey: options.webhookPublicKey,
    webhookPublicKeyPath: options.webhookPublicKeyPath,
    unsafeSkipVerification: options.unsafeSkipWebhookVerification === true,
  });
  const client = createPingxxClient({
    secretKey: config.secretKey,
    privateKey,
    timeoutMs: config.timeoutMs,
    provider: name,
    ...config.endpoint,
  });
  const channels = new Set<string>(config.channels);
  const livemodeOf = (object: { livemode?: unknown }): boolean =>
    typeof object.livemode === 'boolean' ? object.livemode : (config.livemode ?? false);

  const capabilities: ProviderCapabilities = {
    kind: 'pingxx',
    channels: [...config.channels],
    defaultChannel: null,
    currencies: ['CNY'],
    refunds: { supported: true, partial: true, multiple: true },
    retrieve: true,
    webhookEvents: ['payment.succeeded', 'refund.succeeded', 'unsupported'],
  };

  const adapter: PingxxProvider = {
    name,
    kind: 'pingxx',
    appId: config.appId,
    livemode: config.livemode,
    capabilities,
    allowedRedirectOrigins: config.allowedRedirectOrigins,
    // Without verification (a local experiment), an unsigned request must still reach verifyWebhook.
    ...(options.unsafeSkipWebhookVerification === true ? {} : { webhookSignatureHeaders: [PINGXX_SIGNATURE_HEADER] }),

    validatePayment(request) {
      guardPaymentRequest(request, 'validatePayment');
      buildPingxxChargeParams(request, {
        appId: config.appId,
        channels,
        clientIpFallback: config.clientIpFallback,
        allowedRedirectOrigins: config.allowedRedirectOrigins,
        now: clock(),
        provider: name,
      });
    },

    async createPayment(request, callOptions) {
      guardPaymentRequest(request, 'createPayment');
      const now = clock();
      const { spec, params } = buildPingxxChargeParams(request, {
        appId: config.appId,
        channels,
        clientIpFallback: config.clientIpFallback,
        allowedRedirectOrigins: config.allowedRedirectOrigins,
        now,
        provider: name,
      });
      const charge = await client.createCharge(params, callOptions);
      assertSameCharge(charge, request, name);
      const status = PINGXX_CHARGE_STATUS[pingxxChargeState(charge, now)];
      const expiresAt = typeof charge.time_expire === 'number' ? new Date(charge.time_expire * 1000) : null;
      const action =
        status === 'requires_action'
          ? pingxxNextAction(charge, spec, expiresAt)
          : { nextAction: { type: 'none' as const }, qrUrl: null };
      if (!action) {
        throw new IndeterminateOutcomeError(
          `Ping++ created charge ${charge.id} without a usable ${spec.channel} credential.`,
          {
            code: 'PINGXX_CREDENTIAL_MISSING',
            provider: name,
            details: { providerReference: charge.id, channel: spec.channel },
          },
        );
      }
      const result: PaymentCreationResult = {
        provider: name,
        channel: spec.channel,
        attemptId: request.attemptId,
        providerReference: charge.id,
        status,
        amount: charge.amount,
        currency: 'CNY',
        nextAction: action.nextAction,
        qrUrl: action.qrUrl,
        expiresAt,
        livemode: livemodeOf(charge),
        raw: charge,
        public: {
          provider: name,
          channel: spec.channel,
          attemptId: request.attemptId,
          status,
          amount: charge.amount,
          currency: 'CNY',
          nextAction: action.nextAction,
          qrUrl: action.qrUrl,
          expiresAt,
        },
      };
      return result;
    },

    async retrievePayment(request, callOptions) {
      guardRetrieveRequest(request, 'retrievePayment');
      const charge = await client.retrieveCharge(request.providerReference, callOptions);
      if (request.attemptId !== undefined && charge.order_no !== request.attemptId) {
        throw new IntegrityError(`Ping++ charge ${charge.id} belongs to another attempt.`, {
          code: 'PINGXX_ATTEMPT_MISMATCH',
          provider: name,
          details: { providerReference: charge.id },
        });
      }
      return snapshotOf(charge, clock(), name, livemodeOf(charge));
    },

    async cancelPayment(request, callOptions) {
      guardRetrieveRequest(request, 'cancelPayment');
      try {
        await client.reverseCharge(request.providerReference, callOptions);
      } catch (error) {
        // Ping++ refuses to reverse a charge that was paid (or closed) meanwhile: the retrieve says which.
        if (!isPaymentError(error, 'ValidationError')) throw error;
      }
      return adapter.retrievePayment(request, callOptions);
    },

    async refundPayment(request, callOptions) {
      guardRefundRequest(request, 'refundPayment');
      const params = buildPingxxRefundParams(request, name);
      const existing = await findPingxxRefund(client, request.providerReference, request.refundId, callOptions?.signal);
      if (existing) {
        if (existing.amount !== request.amount) {
          throw new IntegrityError(
            `Ping++ refund ${existing.id} for refund id ${request.refundId} has another amount.`,
            {
              code: 'PINGXX_REFUND_MISMATCH',
              provider: name,
              details: { providerRefundId: existing.id, amount: existing.amount, requested: request.amount },
            },
          );
        }
        return toRefundResult(existing, request.refundId, name);
      }
      const refund = await client.createRefund(request.providerReference, params, callOptions);
      return toRefundResult(refund, request.refundId, name);
    },

    async verifyWebhook(input) {
      return verify(input);
    },
  };
  return sealObject(adapter, () => ({
    name,
    kind: 'pingxx',
    appId: config.appId,
    livemode: config.livemode,
    capabilities,
  }));
}

function assertSameCharge(charge: PingxxCharge, request: PaymentRequest, provider: string): void {
  if (charge.order_no === request.attemptId && charge.amount === request.amount && charge.channel === request.channel)
    return;
  // Ping++ returns an existing charge for a repeated order_no; it must be the one we asked for.
  throw new IntegrityError(
    `Ping++ returned charge ${charge.id}, which does not match the requested order_no, amount and channel.`,
    {
      code: 'PINGXX_CHARGE_MISMATCH',
      provider,
      details: { providerReference: charge.id },
    },
  );
}

function snapshotOf(charge: PingxxCharge, now: Date, provider: string, livemode: boolean): PaymentSnapshot {
  return {
    provider,
    channel: charge.channel,
    attemptId: charge.order_no,
    providerReference: charge.id,
    status: PINGXX_CHARGE_STATUS[pingxxChargeState(charge, now)],
    amount: charge.amount,
    currency: 'CNY',
    amountRefunded: Number.isSafeInteger(charge.amount_refunded) ? charge.amount_refunded : 0,
    refunds: Array.isArray(charge.refunds?.data) ? charge.refunds.data.map(toProviderRefund) : [],
    livemode,
    paidAt: typeof charge.time_paid === 'number' ? new Date(charge.time_paid * 1000) : null,
    raw: charge,
  };
}
