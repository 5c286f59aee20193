/**
 * What the native attempt tables' `raw_request` and `raw_notification` columns receive: the provider payload
 * with signatures and ciphertext left out, configured secrets scrubbed, and a bounded size, so a logging column
 * can never carry a credential or grow a row without limit.
 * @module
 */
import { scrubValue } from '../core/secret-scrubber.js';
import { NATIVE_ATTEMPT_KINDS, type JsonValue } from '../persistence/records.js';
import { toJsonValue } from '../persistence/record-validation.js';

/** Longest JSON text kept in a native raw column; a longer payload is stored as a summary with its head. */
export const NATIVE_RAW_MAX_CHARS = 16_384;
/** How much of an oversized payload's JSON text the summary keeps. */
const HEAD_CHARS = 2_048;
/**
 * Keys dropped at any depth: signatures (Alipay `sign`, the JSAPI `paySign`, a `signature` field) prove nothing
 * once stored and are not ours to keep; `ciphertext` is WeChat Pay's encrypted resource, stored decrypted instead.
 */
const DROPPED_KEYS = new Set(['sign', 'paySign', 'signature', 'ciphertext']);

/** Whether attempts of this provider kind have the native raw columns. */
export function hasNativeRawColumns(kind: string): boolean {
  return NATIVE_ATTEMPT_KINDS.includes(kind);
}

/**
 * `value` as a native raw column stores it: signature keys removed, secret strings scrubbed, and, when its JSON
 * text is longer than {@link NATIVE_RAW_MAX_CHARS}, `{ truncated: true, chars, head }` instead.
 */
export function nativeRawValue(value: unknown): JsonValue | null {
  const json = toJsonValue(scrubValue(withoutSignatures(value)));
  if (json === null) return null;
  const text = JSON.stringify(json);
  if (text.length <= NATIVE_RAW_MAX_CHARS) return json;
  return { truncated: true, chars: text.length, head: text.slice(0, HEAD_CHARS) };
}

function withoutSignatures(value: unknown, depth = 8): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date || depth <= 0) return value;
  if (Array.isArray(value)) return value.map((item) => withoutSignatures(item, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!DROPPED_KEYS.has(key)) out[key] = withoutSignatures(item, depth - 1);
  }
  return out;
}
