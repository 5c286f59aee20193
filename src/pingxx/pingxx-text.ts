/**
 * Cleans payer-facing text (`subject`, `body`, refund `description`) the way Ping++'s channels need it.
 * @module
 */
import { utf8Length } from '../core/web-crypto.js';

// Line breaks and tabs become a space: the words stay apart, but WeChat and Alipay refuse the characters.
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// Other C0/C1 controls, and every UTF-16 surrogate: removing surrogates drops each character outside
// the Basic Multilingual Plane (emoji, rare CJK) as well as any lone half of a pair.
// eslint-disable-next-line no-control-regex
const REMOVED = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/g;
// The zero-width joiner and emoji variation selectors: leftovers of emoji sequences once those are gone.
const EMOJI_GLUE = /\u200d|\ufe0e|\ufe0f/g;

/**
 * Returns `value` with line breaks and tabs replaced by single spaces, control characters and
 * characters outside the Unicode BMP removed, trimmed, then truncated to `maxChars` characters (code
 * points; after cleaning, every character is one UTF-16 unit) and, when given, to `maxBytes` UTF-8 bytes
 * without splitting a character.
 *
 * @example
 * ```ts
 * cleanPingxxText('Python 课程\n🎉 进阶', 32) // 'Python 课程 进阶'
 * ```
 */
export function cleanPingxxText(value: string, maxChars: number, maxBytes: number | null = null): string {
  let text = value.replace(BREAKS, ' ').replace(REMOVED, '').replace(EMOJI_GLUE, '').replace(/ {2,}/g, ' ').trim();
  if (text.length > maxChars) text = text.slice(0, maxChars);
  if (maxBytes !== null) {
    while (utf8Length(text) > maxBytes) text = text.slice(0, -1);
  }
  return text.trimEnd();
}
