/**
 * What the payer's client does next, read from `charge.credential[channel]` according to the channel
 * table.
 * @module
 */
import type { NextAction } from '../core/types.js';
import type { PingxxChannelSpec } from './pingxx-channels.js';
import type { PingxxCharge } from './pingxx-types.js';
import { isHttpUrl } from './pingxx-values.js';

/** The next action and the legacy `qrUrl` string. */
export interface PingxxNextAction {
  nextAction: NextAction;
  /** The QR link or redirect URL when the credential is one; else `null`. */
  qrUrl: string | null;
}

/** The parameters `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` / `wx.requestPayment` take. */
const JSAPI_KEYS = ['appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const;

/** Charge fields pingpp-js (`pingpp.createPayment(charge)`) and the Ping++ app SDKs read. */
const BROWSER_CHARGE_KEYS = [
  'id',
  'object',
  'created',
  'livemode',
  'paid',
  'app',
  'channel',
  'order_no',
  'amount',
  'currency',
  'subject',
  'body',
  'time_expire',
  'extra',
  'credential',
] as const;

/**
 * Builds the next action for `charge`, or `null` when its credential is missing or unusable.
 *
 * - `qr_code` channels: the credential string is the QR content (and `qrUrl`).
 * - `wechat_jsapi` channels: the six JSAPI parameters, as strings.
 * - `redirect` channels: the credential URL (and `qrUrl`); an object credential falls back to `sdk_credential`.
 * - `sdk_credential` channels: a browser-safe copy of the charge (no `client_ip`, `metadata`, …) for
 *   `pingpp.createPayment(charge)`; a plain URL credential becomes a `redirect` instead.
 *
 * @example
 * ```ts
 * pingxxNextAction(charge, PINGXX_CHANNELS.alipay_qr, null)
 * // { nextAction: { type: 'qr_code', content: 'https://qr.alipay.com/…' }, qrUrl: 'https://qr.alipay.com/…' }
 * ```
 */
export function pingxxNextAction(
  charge: PingxxCharge,
  spec: PingxxChannelSpec,
  expiresAt: Date | null,
): PingxxNextAction | null {
  const credential: unknown = charge.credential?.[spec.channel];
  switch (spec.nextAction) {
    case 'qr_code': {
      if (typeof credential !== 'string' || credential === '') return null;
      const nextAction: NextAction = expiresAt
        ? { type: 'qr_code', content: credential, expiresAt }
        : { type: 'qr_code', content: credential };
      return { nextAction, qrUrl: credential };
    }
    case 'wechat_jsapi': {
      if (typeof credential !== 'object' || credential === null) return null;
      const params: Record<string, string> = {};
      for (const key of JSAPI_KEYS) {
        const value = (credential as Record<string, unknown>)[key];
        if (typeof value !== 'string' && typeof value !== 'number') return null;
        params[key] = String(value);
      }
      return { nextAction: { type: 'wechat_jsapi', params }, qrUrl: null };
    }
    case 'redirect':
    case 'sdk_credential': {
      if (typeof credential === 'string' && isHttpUrl(credential)) {
        return { nextAction: { type: 'redirect', url: credential }, qrUrl: credential };
      }
      if (credential === undefined || credential === null || credential === '') return null;
      return { nextAction: { type: 'sdk_credential', charge: browserCharge(charge) }, qrUrl: null };
    }
  }
}

function browserCharge(charge: PingxxCharge): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of BROWSER_CHARGE_KEYS) {
    if (charge[key] !== undefined) out[key] = charge[key];
  }
  return out;
}
