/**
 * Key text as hosts paste it for the native providers (Alipay, WeChat Pay): PEM, or the bare base64 DER the
 * providers' consoles hand out. Node-only (`node:crypto` key objects); imported only by those adapters.
 * @module
 */
import type { KeyObject } from 'node:crypto';

/** Whether `text` is PEM (has a `-----BEGIN` line) rather than bare base64 DER. */
export function isPemText(text: string): boolean {
  return text.includes('-----BEGIN');
}

/**
 * Parses bare base64 DER (whitespace ignored) with `parse`, trying each encoding in `types` in turn (e.g.
 * `pkcs8` then `pkcs1`); throws the last parser's error when none fits.
 */
export function parseBareDer<T extends string>(
  text: string,
  parse: (der: Buffer, type: T) => KeyObject,
  types: T[],
): KeyObject {
  const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
  let last: unknown;
  for (const type of types) {
    try {
      return parse(der, type);
    } catch (error) {
      last = error;
    }
  }
  throw last;
}
