/**
 * The native WeChat Pay API v3 adapter: {@link PaymentProvider} on `fetch` and `node:crypto`.
 * @module
 */
import { IndeterminateOutcomeError, IntegrityError, isPaymentError } from '../core/errors.js';
import { MAX_REFERENCE_LENGTH, requireId } from '../core/input-guards.js';
import type { PaymentProvider, WebhookAcknowledgement, WebhookAnswer } from '../core/provider.js';
import { guardPaymentRequest, guardRefundRequest, guardRetrieveRequest } from '../core/provider-input.js';
import { registerSecrets, sealObject } from '../core/secret-scrubber.js';
import type {
  PaymentCreationResult,
  PaymentSnapshot,
  ProviderCapabilities,
  ProviderRefund,
  RefundResult,
  RetrievePaymentRequest,
} from '../core/types.js';
import { createWechatPayClient } from './wechatpay-client.js';
import { loadWechatPayPrivateKey, loadWechatPayVerifyKeys } from './wechatpay-keys.js';
import { resolveWechatPayOptions, type WechatPayProviderOptions } from './wechatpay-options.js';
import { buildWechatPayRefund, buildWechatPayTransaction, outRefundNo, outTradeNo } from './wechatpay-params.js';
import {
  wechatpayCreationResult,
  wechatpayMissingSnapshot,
  wechatpayRefund,
  wechatpayRefundResult,
  wechatpaySnapshot,
} from './wechatpay-results.js';
import { appClientParams, jsapiClientParams } from './wechatpay-signature.js';
import { createWechatPayNotifyVerifier, WECHATPAY_SIGNATURE_HEADERS } from './wechatpay-webhooks.js';

/** What {@link WechatPayProvider.closeOrder} found. */
export type WechatPayCloseOutcome =
  /** The order was open (or already closed) and now accepts no money. */
  | 'closed'
  /** WeChat Pay has no such order: nothing to close. */
  | 'not_found'
  /** The order is paid: it cannot be closed; record the payment. */
  | 'paid';

/** A native WeChat Pay adapter instance. */
export interface WechatPayProvider extends PaymentProvider {
  readonly kind: 'wechatpay';
  /** The default app id. */
  readonly appId: string;
  /** The merchant id. */
  readonly mchId: string;
  /** Whether payments are real money (WeChat Pay's hosts). */
  readonly livemode: boolean;
  /**
   * Closes an unpaid order (`POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`) so it stops
   * accepting money. `outTradeNo` is the attempt's `providerReference`.
   */
  closeOrder(outTradeNo: string): Promise<WechatPayCloseOutcome>;
  /** Reads one refund (`GET /v3/refund/domestic/refunds/{out_refund_no}`) by our refund id. */
  retrieveRefund(refundId: string): Promise<RefundResult>;
}

/**
 * Creates a native WeChat Pay API v3 adapter.
 *
 * Channels: `wx_pub_qr` (Native → `code_url` as a QR code), `wx_pub` / `wx_lite` (JSAPI / mini program →
 * `prepay_id` → signed client parameters), `wx_wap` (H5 → `h5_url`), `wx` (App → signed app parameters). The
 * attempt id is the order's `out_trade_no` (so a retried create is the same order) and our order id its
 * `attach`; refunds use our refund id as `out_refund_no`. Requests are signed with the merchant key, answers
 * and notifications verified with the WeChat Pay public key or platform certificate, notification resources
 * decrypted with the APIv3 key, and notifications answered the way WeChat Pay expects (`acknowledgeWebhook`).
 *
 * Keys are parsed here, so a malformed key fails at startup (`ConfigurationError`), not at the first payment.
 *
 * @example
 * ```ts
 * import { createWechatPayProvider } from '@org/payment-factory/wechatpay';
 *
 * const wechatpay = createWechatPayProvider({
 *   appId: 'wx8888888888888888', mchId: '1900000109',
 *   apiV3Key: process.env.WECHATPAY_API_V3_KEY!, merchantSerialNo: process.env.WECHATPAY_MERCHANT_SERIAL_NO!,
 *   privateKeyPath: './keys/apiclient_key.pem',
 *   wechatpayPublicKeyPath: './keys/pub_key.pem', wechatpayPublicKeyId: 'PUB_KEY_ID_0119…',
 *   notifyUrl: 'https://shop.example/webhooks/wechatpay',
 * });
 * const result = await wechatpay.createPayment({
 *   orderId, attemptId, amount: 9900, currency: 'CNY', channel: 'wx_pub_qr', subject: 'Python 进阶课',
 * });
 * result.nextAction // { type: 'qr_code', content: 'weixin://wxpay/bizpayurl?pr=…' }
 * ```
 * @throws ConfigurationError for invalid options or unreadable / malformed keys.
 */
export function createWechatPayProvider(options: WechatPayProviderOptions): WechatPayProvider {
  const config = resolveWechatPayOptions(options);
  // `options` is an object from here on (resolveWechatPayOptions refuses null with WECHATPAY_NOT_CONFIGURED).
  const { name, clock, livemode, mchId } = config;
  const privateKey = loadWechatPayPrivateKey({ text: options.privateKey, path: options.privateKeyPath }, name);
  const verifyKeys = loadWechatPayVerifyKeys(
    {
      publicKey: { text: options.wechatpayPublicKey, path: options.wechatpayPublicKeyPath },
      publicKeyId: options.wechatpayPublicKeyId,
      platformCertificates: { text: options.platformCertificate, path: options.platformCertificatePath },
    },
    name,
  );
  // The merchant key as given and as exported, and the APIv3 key: never in a message, log or row.
  registerSecrets([
    options.privateKey,
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    config.apiV3Key,
  ]);
  const client = createWechatPayClient({
    provider: name,
    mchId,
    serialNo: config.merchantSerialNo,
    privateKey,
    verifyKeys,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    clock,
  });
  const channels = new Set<string>(config.channels);
  const verify = createWechatPayNotifyVerifier({
    provider: name,
    mchId,
    appId: [...new Set(Object.values(config.channelAppIds))],
    apiV3Key: config.apiV3Key,
    verifyKeys,
    livemode,
    toleranceSeconds: config.webhookToleranceSeconds,
  });
  const paramsContext = () => ({
    channels,
    appIdFor: (channel: keyof typeof config.channelAppIds) => config.channelAppIds[channel],
    mchId,
    notifyUrl: config.notifyUrl,
    allowedRedirectOrigins: config.allowedRedirectOrigins,
    now: clock(),
    provider: name,
  });

  const capabilities: ProviderCapabilities = {
    kind: 'wechatpay',
    channels: [...config.channels],
    defaultChannel: channels.has('wx_pub_qr') ? 'wx_pub_qr' : (config.channels[0] ?? null),
    currencies: ['CNY'],
    refunds: { supported: true, partial: true, multiple: true },
    retrieve: true,
    webhookEvents: [
      'payment.succeeded',
      'payment.failed',
      'payment.canceled',
      'payment.pending',
      'refund.succeeded',
      'refund.failed',
      'unsupported',
    ],
  };

  const query = async (reference: string, channel: string | null, signal?: AbortSignal): Promise<PaymentSnapshot> => {
    const tradeNo = outTradeNo(reference, name);
    const ctx = { provider: name, livemode, outTradeNo: tradeNo, channel };
    try {
      const answer = await client.call({
        operation: 'query',
        kind: 'read',
        method: 'GET',
        path: `/v3/pay/transactions/out-trade-no/${encodeURIComponent(tradeNo)}?mchid=${encodeURIComponent(mchId)}`,
        signal,
      });
      const tx = answer.data ?? {};
      if (tx['mchid'] !== undefined && tx['mchid'] !== mchId) {
        throw new IntegrityError('WeChat Pay answered a query with another merchant id.', {
          code: 'WECHATPAY_TRADE_MISMATCH',
          provider: name,
          details: { providerReference: tradeNo },
        });
      }
      return wechatpaySnapshot(tx, ctx);
    } catch (error) {
      // An order WeChat Pay does not know (a create that never arrived, or not yet visible): nothing to apply.
      // Only cancelPayment, at the order's timeout, reads the absence as final.
      if (isPaymentError(error) && error.code === 'WECHATPAY_ORDER_NOT_EXIST') {
        return wechatpayMissingSnapshot({ ...ctx, status: 'requires_action' });
      }
      throw error;
    }
  };

  const refundQuery = async (refundId: string, signal?: AbortSignal): Promise<Record<string, unknown>> => {
    const answer = await client.call({
      operation: 'refund query',
      kind: 'read',
      method: 'GET',
      path: `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo(refundId, name))}`,
      signal,
    });
    return answer.data ?? {};
  };

  /** A refund by our id, or `null` when WeChat Pay has none (its create never arrived). */
  const findRefund = async (
    refundId: string,
    signal?: AbortSignal,
  ): Promise<{ refund: ProviderRefund; raw: Record<string, unknown> } | null> => {
    try {
      const raw = await refundQuery(refundId, signal);
      return { refund: wechatpayRefund(raw, refundId), raw };
    } catch (error) {
      if (isPaymentError(error) && error.code === 'WECHATPAY_RESOURCE_NOT_EXISTS') return null;
      throw error;
    }
  };

  const closeOrder = async (reference: string, signal?: AbortSignal): Promise<WechatPayCloseOutcome> => {
    const tradeNo = outTradeNo(reference, name);
    try {
      await client.call({
        operation: 'close',
        kind: 'write',
        method: 'POST',
        path: `/v3/pay/transactions/out-trade-no/${encodeURIComponent(tradeNo)}/close`,
        body: { mchid: mchId },
        signal,
      });
      return 'closed';
    } catch (error) {
      if (isPaymentError(error) && error.code === 'WECHATPAY_ORDERPAID') return 'paid';
      if (isPaymentError(error) && error.code === 'WECHATPAY_ORDER_CLOSED') return 'closed';
      if (isPaymentError(error) && error.code === 'WECHATPAY_ORDER_NOT_EXIST') return 'not_found';
      throw error;
    }
  };

  const adapter: WechatPayProvider = {
    name,
    kind: 'wechatpay',
    appId: config.appId,
    mchId,
    livemode,
    capabilities,
    webhookSignatureHeaders: WECHATPAY_SIGNATURE_HEADERS,
    allowedRedirectOrigins: config.allowedRedirectOrigins,

    validatePayment(request) {
      guardPaymentRequest(request, 'validatePayment');
      buildWechatPayTransaction(request, paramsContext());
    },

    async createPayment(request, callOptions) {
      guardPaymentRequest(request, 'createPayment');
      const ctx = paramsContext();
      const tx = buildWechatPayTransaction(request, ctx);
      const base = {
        provider: name,
        channel: tx.channel,
        attemptId: request.attemptId,
        amount: request.amount,
        expiresAt: tx.expiresAt,
        livemode,
      };
      let data: Record<string, unknown>;
      callOptions?.onRequest?.(tx.body);
      try {
        const answer = await client.call({
          operation: `create ${tx.spec.endpoint}`,
          kind: 'write',
          method: 'POST',
          path: `/v3/pay/transactions/${tx.spec.endpoint}`,
          body: tx.body,
          signal: callOptions?.signal,
        });
        data = answer.data ?? {};
      } catch (error) {
        // A retried create after the payer already paid: report the payment instead of a new one.
        if (isPaymentError(error) && error.code === 'WECHATPAY_ORDERPAID') return alreadyPaid();
        throw error;
      }
      const field = tx.spec.endpoint === 'native' ? 'code_url' : tx.spec.endpoint === 'h5' ? 'h5_url' : 'prepay_id';
      const value = data[field];
      if (typeof value !== 'string' || value === '') {
        throw new IndeterminateOutcomeError(`WeChat Pay created the order without a ${field}.`, {
          code: 'WECHATPAY_ANSWER_INCOMPLETE',
          provider: name,
          details: { providerReference: request.attemptId, field },
        });
      }
      const now = clock();
      switch (tx.spec.nextAction) {
        case 'qr_code':
          return wechatpayCreationResult({
            ...base,
            status: 'requires_action',
            nextAction: { type: 'qr_code', content: value, ...(tx.expiresAt ? { expiresAt: tx.expiresAt } : {}) },
            qrUrl: value,
            raw: data,
          });
        case 'redirect': {
          const url = tx.redirectUrl ? `${value}&redirect_url=${encodeURIComponent(tx.redirectUrl)}` : value;
          return wechatpayCreationResult({
            ...base,
            status: 'requires_action',
            nextAction: { type: 'redirect', url },
            qrUrl: url,
            raw: data,
          });
        }
        case 'wechat_jsapi':
          return wechatpayCreationResult({
            ...base,
            status: 'requires_action',
            nextAction: { type: 'wechat_jsapi', params: jsapiClientParams(tx.appId, value, privateKey, now) },
            qrUrl: null,
            raw: data,
          });
        case 'sdk_credential':
          return wechatpayCreationResult({
            ...base,
            status: 'requires_action',
            nextAction: {
              type: 'sdk_credential',
              charge: { channel: 'wx', ...appClientParams(tx.appId, mchId, value, privateKey, now) },
            },
            qrUrl: null,
            raw: data,
          });
      }

      async function alreadyPaid(): Promise<PaymentCreationResult> {
        const snapshot = await query(request.attemptId, tx.channel, callOptions?.signal);
        if (snapshot.status !== 'succeeded' || snapshot.amount !== request.amount) {
          throw new IntegrityError('WeChat Pay says this out_trade_no is paid, but not for this amount.', {
            code: 'WECHATPAY_TRADE_MISMATCH',
            provider: name,
            details: { providerReference: request.attemptId },
          });
        }
        return wechatpayCreationResult({
          ...base,
          status: 'succeeded',
          nextAction: { type: 'none' },
          qrUrl: null,
          raw: snapshot.raw,
        });
      }
    },

    async retrievePayment(request: RetrievePaymentRequest, callOptions) {
      guardRetrieveRequest(request, 'retrievePayment');
      const snapshot = await query(request.providerReference, request.channel ?? null, callOptions?.signal);
      if (request.attemptId !== undefined && snapshot.attemptId !== request.attemptId) {
        throw new IntegrityError('WeChat Pay order belongs to another attempt.', {
          code: 'WECHATPAY_ATTEMPT_MISMATCH',
          provider: name,
          details: { providerReference: request.providerReference },
        });
      }
      // The order query does not report refunds: each one asked about is read by its out_refund_no.
      const refunds = [];
      for (const refundId of new Set(request.refundIds ?? [])) {
        const found = await findRefund(refundId, callOptions?.signal);
        if (found === null) continue;
        if (found.raw['out_trade_no'] !== undefined && found.raw['out_trade_no'] !== snapshot.providerReference) {
          throw new IntegrityError(`WeChat Pay refund ${refundId} belongs to another order.`, {
            code: 'WECHATPAY_REFUND_MISMATCH',
            provider: name,
            details: { refundId, providerReference: snapshot.providerReference },
          });
        }
        refunds.push(found.refund);
      }
      if (refunds.length === 0) return snapshot;
      const amountRefunded = refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
      return { ...snapshot, refunds, amountRefunded };
    },

    async cancelPayment(request, callOptions) {
      guardRetrieveRequest(request, 'cancelPayment');
      const outcome = await closeOrder(request.providerReference, callOptions?.signal);
      if (outcome === 'not_found') {
        return wechatpayMissingSnapshot({
          provider: name,
          livemode,
          outTradeNo: request.providerReference,
          channel: request.channel ?? null,
          status: 'canceled',
        });
      }
      // Closed or paid: WeChat Pay's truth decides (a payment that raced the close is recorded as paid).
      return adapter.retrievePayment(request, callOptions);
    },

    validateRefund(request) {
      guardRefundRequest(request, 'validateRefund');
      // The same checks refundPayment makes (CNY, positive amount, out_trade_no / out_refund_no format), so the
      // service refuses a refund id WeChat Pay cannot carry before it writes the refund row.
      buildWechatPayRefund(request, { notifyUrl: config.notifyUrl, provider: name });
    },

    async refundPayment(request, callOptions): Promise<RefundResult> {
      guardRefundRequest(request, 'refundPayment');
      const { outTradeNo: tradeNo, body } = buildWechatPayRefund(request, {
        notifyUrl: config.notifyUrl,
        provider: name,
      });
      // WeChat Pay wants the payment's total with every refund; the service passes it, others get it asked.
      const total =
        request.paymentAmount ?? (await query(tradeNo, request.channel ?? null, callOptions?.signal)).amount;
      const answer = await client.call({
        operation: 'refund',
        kind: 'write',
        method: 'POST',
        path: '/v3/refund/domestic/refunds',
        body: { ...body, amount: { refund: request.amount, total, currency: 'CNY' } },
        signal: callOptions?.signal,
      });
      const result = wechatpayRefundResult(name, request.refundId, answer.data ?? {});
      if (result.amount !== request.amount) {
        throw new IntegrityError(`WeChat Pay refund ${request.refundId} exists with another amount.`, {
          code: 'WECHATPAY_REFUND_MISMATCH',
          provider: name,
          details: { refundId: request.refundId, amount: result.amount, requested: request.amount },
        });
      }
      return result;
    },

    async retrieveRefund(refundId) {
      requireId({ refundId }, 'refundId', 'retrieveRefund', MAX_REFERENCE_LENGTH);
      return wechatpayRefundResult(name, refundId, await refundQuery(refundId));
    },

    async verifyWebhook(input) {
      return verify(input);
    },

    acknowledgeWebhook: wechatpayAcknowledgement,

    closeOrder: (reference) => closeOrder(reference),
  };
  return sealObject(adapter, () => ({ name, kind: 'wechatpay', appId: config.appId, mchId, livemode, capabilities }));
}

/**
 * WeChat Pay's answer to a notification: 200 `{"code":"SUCCESS"}` once processed (WeChat Pay accepts 200 or
 * 204 and redelivers on anything else, over about a day), otherwise the handler's 4xx/5xx with
 * `{"code":"FAIL","message":"…"}`, the message saying only whether to fix or to wait — no internal detail.
 */
export function wechatpayAcknowledgement(ack: WebhookAcknowledgement): WebhookAnswer {
  if (ack.ok) return { status: 200, body: JSON.stringify({ code: 'SUCCESS' }), contentType: 'application/json' };
  const status = ack.status >= 400 ? ack.status : 500;
  const message = status < 500 ? 'notification refused' : 'temporary failure, retry later';
  return { status, body: JSON.stringify({ code: 'FAIL', message }), contentType: 'application/json' };
}
