/**
 * What the original system answered a charge request with (`BuyRecordDTO.__json__` of its
 * `generate_charge`), so legacy clients keep working unchanged: the `channel` label, `qr_url` and
 * `payment_payload` per provider and channel, the already-paid and the free-order answers (DESIGN §9).
 * @module
 */
import type { JsonValue } from '../persistence/records.js';

/** The provider-dependent part of the original response. */
export interface LegacyPaymentFields {
  /** `channel`: the Ping++ channel, `stripe` / `stripe:checkout_session`, or the hint as asked (already paid). */
  channel: string;
  /** `qr_url`: a QR string, a Stripe client secret or Checkout URL, the `wx_pub` JSAPI object, or `''`. */
  qrUrl: string | { [key: string]: JsonValue };
  /** `payment_channel`: the provider (`pingxx`, `stripe`, …); the order's stored one when already paid. */
  paymentChannel: string;
  /** `payment_payload`: `{qr_url, credential}` (Ping++), the Stripe ids and secrets, or `{}`. */
  paymentPayload: { [key: string]: JsonValue };
}

/**
 * Where the original took a Ping++ charge's `qr_url` from, per channel: `credential` = `charge.credential[channel]`
 * (a QR string for `alipay_qr` / `wx_pub_qr`, the JSAPI parameter object for `wx_pub`), `empty` = `''` (`wx_wap`:
 * the client reads `payment_payload.credential`). Channels the original did not offer read their credential.
 */
export const PINGXX_LEGACY_QR_URL: Readonly<Record<string, 'credential' | 'empty'>> = Object.freeze({
  alipay_qr: 'credential',
  wx_pub_qr: 'credential',
  wx_pub: 'credential',
  wx_wap: 'empty',
});

/** The original's `channel` label: Stripe answered `stripe` for a PaymentIntent and `stripe:<mode>` otherwise. */
export function legacyChannelLabel(kind: string, channel: string): string {
  if (kind !== 'stripe') return channel;
  return channel === 'payment_intent' ? 'stripe' : `stripe:${channel}`;
}

type JsonObject = { [key: string]: JsonValue };
const asObject = (value: unknown): JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
const asString = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The original response fields for a payment just created (or reused), from the provider object and the
 * attempt's ids.
 *
 * @example
 * ```ts
 * legacyPaymentFields({ kind: 'pingxx', provider: 'pingxx', channel: 'wx_pub', raw: charge, ids: {} })
 * // { channel: 'wx_pub', qrUrl: { appId: …, paySign: … }, paymentChannel: 'pingxx', paymentPayload: { qr_url: {…}, credential: {…} } }
 * ```
 */
export function legacyPaymentFields(input: {
  kind: string;
  provider: string;
  channel: string;
  /** The provider object: Ping++ charge, Stripe PaymentIntent or Checkout Session. */
  raw: unknown;
  /** Stripe ids as recorded on the attempt. */
  ids: { paymentIntentId?: string | null; checkoutSessionId?: string | null; latestChargeId?: string | null };
  /** The normalised `qrUrl`, for kinds the original did not have. */
  qrUrl?: string | null;
}): LegacyPaymentFields {
  const { kind, provider, channel } = input;
  const raw = asObject(input.raw);
  const label = legacyChannelLabel(kind, channel);
  if (kind === 'pingxx') {
    const credential = asObject(raw['credential']);
    const value = credential[channel];
    const qrUrl =
      PINGXX_LEGACY_QR_URL[channel] === 'empty'
        ? ''
        : typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value))
          ? value
          : '';
    return { channel: label, qrUrl, paymentChannel: provider, paymentPayload: { qr_url: qrUrl, credential } };
  }
  if (kind === 'stripe') {
    const session = raw['object'] === 'checkout.session';
    const clientSecret = session ? '' : asString(raw['client_secret']);
    const url = session ? asString(raw['url']) : '';
    return {
      channel: label,
      qrUrl: url || clientSecret,
      paymentChannel: provider,
      paymentPayload: {
        mode: channel,
        client_secret: clientSecret,
        checkout_session_url: url,
        checkout_session_id: input.ids.checkoutSessionId ?? '',
        payment_intent_id: input.ids.paymentIntentId ?? '',
        latest_charge_id: input.ids.latestChargeId ?? '',
      },
    };
  }
  const qrUrl = input.qrUrl ?? '';
  return { channel: label, qrUrl, paymentChannel: provider, paymentPayload: { qr_url: qrUrl } };
}

/**
 * The original answer for an order that needs no provider call: already paid (`channel` is the hint as
 * asked, `payment_channel` the order's stored provider) or free (paid at once; the label and provider the
 * request routed to). `qr_url` is `''`, `payment_payload` `{}`.
 */
export function legacyNoPaymentFields(channel: string, paymentChannel: string): LegacyPaymentFields {
  return { channel, qrUrl: '', paymentChannel, paymentPayload: {} };
}
