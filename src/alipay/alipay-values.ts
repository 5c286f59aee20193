/**
 * Alipay's value formats: yuan strings from fen (exactly, never through a float), Beijing-time
 * timestamps (`yyyy-MM-dd HH:mm:ss`, UTC+8 all year), and payer-facing text cleaned the way the
 * original system did.
 * @module
 */
import { fromMinorUnits, toMinorUnits } from '../core/money.js';
import { cleanPingxxText } from '../pingxx/pingxx-text.js';

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** `1999` → `'19.99'`. */
export function yuan(fen: number): string {
  return fromMinorUnits(fen, 'CNY');
}

/** `'19.99'` → `1999`; `null` for anything that is not an exact yuan amount. */
export function fenOf(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d+(\.\d{1,2})?$/.test(value)) return null;
  try {
    return toMinorUnits(value, 'CNY');
  } catch {
    return null;
  }
}

/** A date as Alipay writes it, in Beijing time: `2026-12-01 22:04:16`. */
export function beijingTime(date: Date): string {
  return new Date(date.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses `yyyy-MM-dd HH:mm:ss` (Beijing time); `null` when absent or malformed. */
export function parseBeijingTime(value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return null;
  const date = new Date(`${value.replace(' ', 'T')}+08:00`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Payer-facing text: line breaks become spaces, control characters and characters outside the Unicode
 * BMP go (the original system's rule, which WeChat Pay needs and Alipay tolerates), then cut to `max`.
 */
export function cleanText(value: string, max: number): string {
  return cleanPingxxText(value, max);
}
