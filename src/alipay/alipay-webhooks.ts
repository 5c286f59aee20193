/**
 * `createAlipayNotifyVerifier`: verifies Alipay's asynchronous notifications and normalises them, without
 * a provider instance (for hosts that only receive notifications).
 *
 * A notification is a form-encoded POST. Its signature (`sign`, RSA2) covers every other field except
 * `sign_type` and empty values, sorted by name and joined as `k=v&…` with the values as received; it is
 * checked with the Alipay public key. Then `app_id` must be ours: a notification signed by Alipay for
 * another app is not ours to apply.
 * @module
 */
import { verify, type KeyObject } from 'node:crypto';
import { IntegrityError, ProviderUnavailableError, WebhookVerificationError } from '../core/errors.js';
import { guardWebhookInput } from '../core/provider-input.js';
import type { PaymentEvent, WebhookInput } from '../core/types.js';
import { requireRawBody } from '../core/webhook-input.js';
import { alipayNotificationEvent, isRefundNotification } from './alipay-events.js';
import { parseAlipayPublicKey } from './alipay-keys.js';
import { alipaySignContent } from './alipay-sign-content.js';
import { fenOf } from './alipay-values.js';

export { alipaySignContent };

/** Options of {@link createAlipayNotifyVerifier}. */
export interface AlipayNotifyVerifierOptions {
  /** Our application id; notifications for another app are refused. */
  appId: string;
  /** The Alipay public key (PEM or bare base64, or a parsed `KeyObject`). */
  alipayPublicKey: string | KeyObject;
  /** Provider name put on events. @default 'alipay' */
  provider?: string;
  /** Whether the money is real (Alipay's notifications do not say). @default true */
  livemode?: boolean;
  /**
   * The signature check. @default RSA-SHA256 over the sorted content with `node:crypto`; the provider
   * passes the SDK's own `checkNotifySignV2` instead.
   */
  checkSign?: (params: Readonly<Record<string, string>>) => boolean;
  /**
   * Looks up the amount of the refund a refund notification reports, by its `out_biz_no` (our refund id, the
   * `out_request_no`): the notification's `refund_fee` is the trade's cumulative refunded amount, which is not the
   * refund's own amount once a trade has had two refunds. The provider passes an
   * `alipay.trade.fastpay.refund.query` (`refund_amount`). Resolve `null` when Alipay does not know the refund
   * (yet): the verifier then throws a retryable `ALIPAY_REFUND_NOT_FOUND`, so the notification is answered
   * `failure` and redelivered. Without this option, a refund notification becomes a `refund.succeeded` event with
   * no refund list and a null `amount` (`raw.refund_fee` still holds the cumulative figure): never a guessed amount.
   */
  refundAmount?: (params: Readonly<Record<string, string>>) => Promise<number | null>;
}

/** A verifier: raw notification in, normalised event out. */
export type AlipayNotifyVerifier = (input: WebhookInput) => Promise<PaymentEvent>;

/**
 * Creates a notification verifier.
 *
 * @example
 * ```ts
 * import { createAlipayNotifyVerifier } from '@org/payment-factory/alipay';
 * const verify = createAlipayNotifyVerifier({ appId: process.env.ALIPAY_APP_ID!, alipayPublicKey });
 * const event = await verify({ rawBody, headers }); // payment.succeeded for TRADE_SUCCESS
 * ```
 * @throws ConfigurationError `ALIPAY_INVALID_KEY` at construction for a malformed, private or non-RSA public key.
 */
export function createAlipayNotifyVerifier(options: AlipayNotifyVerifierOptions): AlipayNotifyVerifier {
  const provider = options.provider ?? 'alipay';
  const livemode = options.livemode ?? true;
  const key =
    typeof options.alipayPublicKey === 'string'
      ? parseAlipayPublicKey(options.alipayPublicKey, provider)
      : options.alipayPublicKey;
  const checkSign =
    options.checkSign ?? ((params: Readonly<Record<string, string>>) => verifyAlipaySignature(params, key));

  return async (input) => {
    guardWebhookInput(input, 'verifyWebhook');
    const params = parseNotification(requireRawBody(input.rawBody, provider), provider);
    if (!params['sign']) {
      throw new WebhookVerificationError('Alipay notification is not signed.', {
        code: 'ALIPAY_SIGNATURE_MISSING',
        provider,
      });
    }
    if (params['sign_type'] && params['sign_type'] !== 'RSA2') {
      throw new WebhookVerificationError('Alipay notification is not signed with RSA2.', {
        code: 'ALIPAY_SIGN_TYPE_UNSUPPORTED',
        provider,
      });
    }
    // Strict base64 first: decoders skip stray characters, so a changed signature could still verify.
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(params['sign']) || !checkSign(params)) {
      throw new WebhookVerificationError('Alipay notification signature does not verify.', {
        code: 'ALIPAY_SIGNATURE_INVALID',
        provider,
      });
    }
    if (params['app_id'] !== options.appId) {
      throw new WebhookVerificationError('Alipay notification is for another app id.', {
        code: 'ALIPAY_APP_ID_MISMATCH',
        provider,
      });
    }
    const refundAmount =
      isRefundNotification(params) && options.refundAmount
        ? await lookUpRefund(params, options.refundAmount, provider)
        : null;
    return alipayNotificationEvent(params, {
      provider,
      livemode,
      receivedAt: input.receivedAt ?? new Date(),
      refundAmount,
    });
  };
}

/**
 * The refund's own amount, through `lookUp`. Alipay may not show a refund in its query for some seconds after it
 * notified it: that is a retryable error (the notification is redelivered), never a fall-back to `refund_fee`. An
 * amount above the trade's cumulative `refund_fee` cannot be this refund's: refused as an integrity failure.
 */
async function lookUpRefund(
  params: Readonly<Record<string, string>>,
  lookUp: (params: Readonly<Record<string, string>>) => Promise<number | null>,
  provider: string,
): Promise<number> {
  const amount = await lookUp(params);
  const details = { outTradeNo: params['out_trade_no'] ?? null, refundId: params['out_biz_no'] ?? null };
  if (amount === null) {
    throw new ProviderUnavailableError('Alipay does not show the notified refund yet; it will be redelivered.', {
      code: 'ALIPAY_REFUND_NOT_FOUND',
      provider,
      details,
    });
  }
  const cumulative = fenOf(params['refund_fee']) as number;
  if (amount > cumulative) {
    throw new IntegrityError('Alipay reports a refund larger than everything refunded on its trade.', {
      code: 'ALIPAY_REFUND_MISMATCH',
      provider,
      details: { ...details, amount, refundFee: cumulative },
    });
  }
  return amount;
}

/** RSA-SHA256 check of a notification's `sign`. */
export function verifyAlipaySignature(params: Readonly<Record<string, string>>, key: KeyObject): boolean {
  const signature = params['sign'];
  // Strict base64: Buffer.from would skip stray characters, so a changed signature could still verify.
  if (!signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify('RSA-SHA256', Buffer.from(alipaySignContent(params), 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Parses a form-encoded body. Empty values are dropped (Alipay signs without them, and the SDK's check
 * would count them). A JSON body, or a field sent twice, is refused.
 */
export function parseNotification(body: Uint8Array, provider: string): Record<string, string> {
  // Not trimmed: the bytes are what was signed, and a changed byte must fail the check.
  const text = new TextDecoder().decode(body);
  if (/^\s*[{[]/.test(text)) {
    throw new WebhookVerificationError('Alipay notifications are form-encoded; this body is JSON.', {
      code: 'ALIPAY_NOTIFICATION_MALFORMED',
      provider,
    });
  }
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.prototype.hasOwnProperty.call(params, key)) {
      throw new WebhookVerificationError(`Alipay notification repeats the field ${JSON.stringify(key.slice(0, 40))}.`, {
        code: 'ALIPAY_NOTIFICATION_MALFORMED',
        provider,
      });
    }
    if (value !== '') params[key] = value;
  }
  if (Object.keys(params).length === 0) {
    throw new WebhookVerificationError('Alipay notification body has no fields.', {
      code: 'ALIPAY_NOTIFICATION_MALFORMED',
      provider,
    });
  }
  return params;
}
