/**
 * WeChat Pay's value formats: RFC 3339 times in Beijing time (`2026-12-01T18:30:00+08:00`, what
 * `time_expire` wants and what `success_time` reads like), payer-facing text cleaned the way the original
 * system did, and the identifier rules of `out_trade_no` / `out_refund_no`.
 * @module
 */
import { cleanPingxxText } from '../pingxx/pingxx-text.js';

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** Longest `description` sent (DESIGN §11: ≤ 127 characters after cleaning). */
export const WECHATPAY_DESCRIPTION_MAX = 127;

/** `out_trade_no`: 6–32 letters, digits, `_`, `-`, `|` or `*` (WeChat Pay's rule). */
export const WECHATPAY_OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;

/** `out_refund_no`: 1–64 letters, digits, `_`, `-`, `|`, `*` or `@` (WeChat Pay's rule). */
export const WECHATPAY_OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

/** A date as WeChat Pay writes it: RFC 3339 in Beijing time, whole seconds, `+08:00`. */
export function wechatpayTime(date: Date): string {
  return `${new Date(date.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

/** Parses an RFC 3339 time with an offset (`2026-12-01T18:30:00+08:00`); `null` when absent or malformed. */
export function parseWechatpayTime(value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    return null;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Payer-facing text: line breaks become spaces, control characters and characters outside the Unicode BMP
 * go (WeChat Pay refuses them; the original system's rule), then cut to `max` characters.
 */
export function cleanWechatpayText(value: string, max: number): string {
  return cleanPingxxText(value, max);
}

/** A non-negative safe integer (fen), or `null`. */
export function fenValue(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}
