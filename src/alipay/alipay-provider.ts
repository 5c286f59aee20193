/**
 * The native Alipay adapter: {@link PaymentProvider} on the official `alipay-sdk` 4.x.
 * @module
 */
import { IndeterminateOutcomeError, IntegrityError } from '../core/errors.js';
import { guardPaymentRequest, guardRefundRequest, guardRetrieveRequest } from '../core/provider-input.js';
import { registerSecrets, sealObject } from '../core/secret-scrubber.js';
import type { PaymentProvider, WebhookAcknowledgement, WebhookAnswer } from '../core/provider.js';
import type {
  PaymentCreationResult,
  PaymentSnapshot,
  ProviderCapabilities,
  ProviderRefund,
  RefundResult,
} from '../core/types.js';
import type { AlipayAnswer } from './alipay-client.js';
import { createAlipayClient } from './alipay-client.js';
import { alipayBusinessError } from './alipay-errors.js';
import { loadAlipayKeys } from './alipay-keys.js';
import { resolveAlipayOptions, type AlipayProviderOptions } from './alipay-options.js';
import { buildAlipayRefundParams, buildAlipayTradeParams, outTradeNo } from './alipay-params.js';
import {
  alipayCreationResult,
  alipayQueriedRefund,
  alipayRefundResult,
  alipaySnapshot,
  alipayUnopenedSnapshot,
} from './alipay-results.js';
import { fenOf } from './alipay-values.js';
import { createAlipayNotifyVerifier } from './alipay-webhooks.js';

/** What {@link AlipayProvider.closeTrade} found. */
export type AlipayCloseOutcome =
  /** The trade was open and is now closed. */
  | 'closed'
  /** Alipay has no such trade yet (a QR code nobody scanned): nothing to close; `time_expire` still applies. */
  | 'not_opened'
  /** The trade is already paid (or finished): it cannot be closed; record the payment. */
  | 'paid';

/** A native Alipay adapter instance. */
export interface AlipayProvider extends PaymentProvider {
  readonly kind: 'alipay';
  /** The Alipay application id. */
  readonly appId: string;
  /** Whether payments are real money (the production gateway). */
  readonly livemode: boolean;
  /**
   * Closes an unpaid trade (`alipay.trade.close`) so it stops accepting money, e.g. when its order times
   * out. `outTradeNo` is the attempt's `providerReference`.
   */
  closeTrade(outTradeNo: string): Promise<AlipayCloseOutcome>;
}

/**
 * Creates a native Alipay adapter with its own `alipay-sdk` instance.
 *
 * Channels: `alipay_qr` (`alipay.trade.precreate` → QR content), `alipay_pc_direct` / `alipay_wap`
 * (`alipay.trade.page.pay` / `wap.pay` → a signed cashier URL), `alipay` (`alipay.trade.app.pay` → an order
 * string for the app SDK). The attempt id is the trade's `out_trade_no`, so a retried create is the same
 * trade; refunds use our refund id as `out_request_no`. Notifications are verified with the SDK's
 * `checkNotifySignV2` and answered with the plain text Alipay expects (see `acknowledgeWebhook`).
 *
 * Keys are parsed here, so a malformed key fails at startup (`ConfigurationError`), not at the first
 * payment; `alipay-sdk` is loaded here too, never at import.
 *
 * @example
 * ```ts
 * import { createAlipayProvider } from '@org/payment-factory/alipay';
 *
 * const alipay = createAlipayProvider({
 *   appId: process.env.ALIPAY_APP_ID!,
 *   privateKeyPath: './keys/alipay_app_private.pem',
 *   alipayPublicKeyPath: './keys/alipay_public.pem',
 *   notifyUrl: 'https://shop.example/webhooks/alipay',
 * });
 * const result = await alipay.createPayment({
 *   orderId, attemptId, amount: 9900, currency: 'CNY', channel: 'alipay_qr', subject: 'Python 进阶课',
 * });
 * result.nextAction // { type: 'qr_code', content: 'https://qr.alipay.com/…' }
 * ```
 * @throws ConfigurationError for invalid options, unreadable or malformed keys, or a missing `alipay-sdk`.
 */
export function createAlipayProvider(options: AlipayProviderOptions): AlipayProvider {
  const config = resolveAlipayOptions(options);
  const { name, clock, livemode } = config;
  const keys = loadAlipayKeys(
    { text: options.privateKey, path: options.privateKeyPath },
    { text: options.alipayPublicKey, path: options.alipayPublicKeyPath },
    name,
  );
  // The application key in every form it may show up in (as given, and as handed to the SDK).
  registerSecrets([options.privateKey, keys.privateKeyPem]);
  const client = createAlipayClient({
    provider: name,
    appId: config.appId,
    privateKeyPem: keys.privateKeyPem,
    publicKeyPem: keys.publicKeyPem,
    gatewayUrl: config.gatewayUrl,
    timeoutMs: config.timeoutMs,
  });
  const channels = new Set<string>(config.channels);
  const { allowedRedirectOrigins } = config;

  const queryRefund = async (tradeNo: string, refundId: string, signal?: AbortSignal): Promise<AlipayAnswer> =>
    client.callOk('alipay.trade.fastpay.refund.query', { out_trade_no: tradeNo, out_request_no: refundId }, 'read', {
      signal,
    });

  const verify = createAlipayNotifyVerifier({
    provider: name,
    appId: config.appId,
    alipayPublicKey: keys.publicKey,
    livemode,
    checkSign: (params) => client.checkNotifySign({ ...params }),
    // refund_amount is the amount of this out_request_no; the notification's refund_fee is the trade's running total.
    refundAmount: async (params) => {
      const answer = await queryRefund(params['out_trade_no'] ?? '', params['out_biz_no'] ?? '');
      return fenOf(answer['refund_amount']);
    },
  });

  const capabilities: ProviderCapabilities = {
    kind: 'alipay',
    channels: [...config.channels],
    defaultChannel: channels.has('alipay_qr') ? 'alipay_qr' : (config.channels[0] ?? null),
    currencies: ['CNY'],
    refunds: { supported: true, partial: true, multiple: true },
    retrieve: true,
    webhookEvents: ['payment.succeeded', 'payment.canceled', 'payment.pending', 'refund.succeeded', 'unsupported'],
  };

  const retrieve = async (
    reference: string,
    channel: string | null,
    signal?: AbortSignal,
  ): Promise<PaymentSnapshot> => {
    const tradeNo = outTradeNo(reference, name);
    const answer = await client.call('alipay.trade.query', { out_trade_no: tradeNo }, 'read', { signal });
    const ctx = { provider: name, livemode, outTradeNo: tradeNo, channel };
    if (answer.code === '10000') return alipaySnapshot(answer, ctx);
    if (answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return alipayUnopenedSnapshot({ ...ctx, answer });
    throw alipayBusinessError(answer, 'alipay.trade.query', 'read', name);
  };

  const adapter: AlipayProvider = {
    name,
    kind: 'alipay',
    appId: config.appId,
    livemode,
    capabilities,
    allowedRedirectOrigins: config.allowedRedirectOrigins,
    // No webhookSignatureHeaders: Alipay signs inside the form body (`sign`), not in a header.

    validatePayment(request) {
      guardPaymentRequest(request, 'validatePayment');
      buildAlipayTradeParams(request, { channels, now: clock(), provider: name, allowedRedirectOrigins });
    },

    async createPayment(request, callOptions = {}) {
      guardPaymentRequest(request, 'createPayment');
      const { signal } = callOptions;
      const trade = buildAlipayTradeParams(request, { channels, now: clock(), provider: name, allowedRedirectOrigins });
      const base = {
        provider: name,
        channel: trade.channel,
        attemptId: request.attemptId,
        amount: request.amount,
        // What Alipay was told (time_expire): the order's deadline moved into Alipay's window, or the explicit one.
        expiresAt: trade.expiresAt,
        livemode,
      };
      const urls = { notifyUrl: config.notifyUrl };
      callOptions.onRequest?.({
        method: trade.spec.method,
        biz_content: trade.bizContent,
        notify_url: config.notifyUrl,
        ...(trade.returnUrl ? { return_url: trade.returnUrl } : {}),
      });
      if (trade.spec.call === 'page') {
        const url = client.pageUrl(trade.spec.method, trade.bizContent, { ...urls, returnUrl: trade.returnUrl! });
        return alipayCreationResult({
          ...base,
          status: 'requires_action',
          nextAction: { type: 'redirect', url },
          qrUrl: url,
          raw: { method: trade.spec.method, biz_content: trade.bizContent, url },
        });
      }
      if (trade.spec.call === 'app') {
        const orderString = client.appOrderString(trade.spec.method, trade.bizContent, urls);
        return alipayCreationResult({
          ...base,
          status: 'requires_action',
          nextAction: { type: 'sdk_credential', charge: { channel: 'alipay', orderString } },
          qrUrl: orderString,
          raw: { method: trade.spec.method, biz_content: trade.bizContent },
        });
      }
      const answer = await client.call(trade.spec.method, trade.bizContent, 'write', { ...urls, signal });
      if (answer.code !== '10000') {
        if (answer.sub_code === 'ACQ.TRADE_HAS_SUCCESS') return alreadyPaid(request.attemptId, request.amount);
        throw alipayBusinessError(answer, trade.spec.method, 'write', name);
      }
      if (answer['out_trade_no'] !== undefined && answer['out_trade_no'] !== request.attemptId) {
        throw new IntegrityError(`Alipay answered precreate for another out_trade_no.`, {
          code: 'ALIPAY_TRADE_MISMATCH',
          provider: name,
        });
      }
      const qr = answer['qr_code'];
      if (typeof qr !== 'string' || qr === '') {
        throw new IndeterminateOutcomeError('Alipay precreate succeeded without a qr_code.', {
          code: 'ALIPAY_QR_CODE_MISSING',
          provider: name,
          details: { providerReference: request.attemptId },
        });
      }
      return alipayCreationResult({
        ...base,
        status: 'requires_action',
        nextAction: { type: 'qr_code', content: qr, ...(trade.expiresAt ? { expiresAt: trade.expiresAt } : {}) },
        qrUrl: qr,
        raw: answer,
      });

      // A retried create after the payer already paid: report the payment instead of a new QR code.
      async function alreadyPaid(attemptId: string, amount: number): Promise<PaymentCreationResult> {
        const snapshot = await retrieve(attemptId, trade.channel, signal);
        if (snapshot.status !== 'succeeded' || snapshot.amount !== amount) {
          throw new IntegrityError('Alipay says this out_trade_no is paid, but not for this amount.', {
            code: 'ALIPAY_TRADE_MISMATCH',
            provider: name,
            details: { providerReference: attemptId },
          });
        }
        return alipayCreationResult({
          ...base,
          status: 'succeeded',
          nextAction: { type: 'none' },
          qrUrl: null,
          raw: snapshot.raw,
        });
      }
    },

    async retrievePayment(request, callOptions = {}) {
      guardRetrieveRequest(request, 'retrievePayment');
      const snapshot = await retrieve(request.providerReference, request.channel ?? null, callOptions.signal);
      if (request.attemptId !== undefined && snapshot.attemptId !== request.attemptId) {
        throw new IntegrityError('Alipay trade belongs to another attempt.', {
          code: 'ALIPAY_ATTEMPT_MISMATCH',
          provider: name,
          details: { providerReference: request.providerReference },
        });
      }
      // The trade query shows no partial refunds: each refund asked about (the ledger's pending ones) is read by
      // its out_request_no. Only a paid trade has refunds.
      const refundIds = snapshot.status === 'succeeded' ? new Set(request.refundIds ?? []) : new Set<string>();
      const refunds: ProviderRefund[] = [];
      for (const refundId of refundIds) {
        const answer = await queryRefund(snapshot.providerReference, refundId, callOptions.signal);
        const otherTrade =
          answer['out_trade_no'] !== undefined && answer['out_trade_no'] !== snapshot.providerReference;
        const otherRefund = answer['out_request_no'] !== undefined && answer['out_request_no'] !== refundId;
        if (otherTrade || otherRefund) {
          throw new IntegrityError(`Alipay answered the query of refund ${refundId} about another refund or trade.`, {
            code: 'ALIPAY_REFUND_MISMATCH',
            provider: name,
            details: { refundId, providerReference: snapshot.providerReference },
          });
        }
        const refund = alipayQueriedRefund(answer, refundId);
        if (refund) refunds.push(refund);
      }
      if (refunds.length === 0) return snapshot;
      const settled = refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
      return { ...snapshot, refunds, amountRefunded: Math.max(snapshot.amountRefunded, settled) };
    },

    validateRefund(request) {
      guardRefundRequest(request, 'validateRefund');
      buildAlipayRefundParams(request, name);
    },

    async refundPayment(request, callOptions = {}): Promise<RefundResult> {
      guardRefundRequest(request, 'refundPayment');
      const { signal } = callOptions;
      const biz = buildAlipayRefundParams(request, name);
      const answer = await client.callOk('alipay.trade.refund', biz, 'write', { signal });
      if (answer['fund_change'] === 'Y')
        return alipayRefundResult(name, request.refundId, request.amount, 'succeeded', answer);
      // fund_change N: this out_request_no was already handled (a retry) or no money moved yet; ask.
      const found = await queryRefund(biz['out_trade_no'] as string, request.refundId, signal);
      const amount = fenOf(found['refund_amount']);
      if (amount !== null && amount !== request.amount) {
        throw new IntegrityError(`Alipay refund ${request.refundId} exists with another amount.`, {
          code: 'ALIPAY_REFUND_MISMATCH',
          provider: name,
          details: { refundId: request.refundId, amount, requested: request.amount },
        });
      }
      const settled = found['refund_status'] === 'REFUND_SUCCESS';
      return alipayRefundResult(name, request.refundId, request.amount, settled ? 'succeeded' : 'pending', found);
    },

    async verifyWebhook(input) {
      return verify(input);
    },

    acknowledgeWebhook: alipayAcknowledgement,

    closeTrade: (reference) => closeTrade(reference),

    async cancelPayment(request, callOptions = {}) {
      guardRetrieveRequest(request, 'cancelPayment');
      const { signal } = callOptions;
      const outcome = await closeTrade(request.providerReference, signal);
      const snapshot = await adapter.retrievePayment(request, { ...(signal ? { signal } : {}) });
      // A trade Alipay never opened (a QR code nobody scanned) cannot be closed; its time_expire, sent from the
      // order's expiry, stops it. The caller cancels only past that window, so it is reported canceled.
      if (outcome === 'not_opened' && snapshot.status === 'requires_action') return { ...snapshot, status: 'canceled' };
      return snapshot;
    },
  };
  async function closeTrade(reference: string, signal?: AbortSignal): Promise<AlipayCloseOutcome> {
    const tradeNo = outTradeNo(reference, name);
    const answer = await client.call('alipay.trade.close', { out_trade_no: tradeNo }, 'write', { signal });
    if (answer.code === '10000') return 'closed';
    if (answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return 'not_opened';
    if (answer.sub_code === 'ACQ.TRADE_STATUS_ERROR' || answer.sub_code === 'ACQ.TRADE_HAS_SUCCESS') return 'paid';
    throw alipayBusinessError(answer, 'alipay.trade.close', 'write', name);
  }
  return sealObject(adapter, () => ({ name, kind: 'alipay', appId: config.appId, livemode, capabilities }));
}

/**
 * Alipay's answer to a notification: the plain text `success` once processed (anything else makes it
 * redeliver, for about 25 hours), `failure` with the handler's status otherwise.
 */
export function alipayAcknowledgement(ack: WebhookAcknowledgement): WebhookAnswer {
  return ack.ok
    ? { status: 200, body: 'success', contentType: 'text/plain; charset=utf-8' }
    : { status: ack.status, body: 'failure', contentType: 'text/plain; charset=utf-8' };
}
