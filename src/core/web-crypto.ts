/**
 * The Web-standard primitives the library uses instead of Node's `crypto` and `Buffer`, so the package root,
 * the service and the adapters' webhook paths run on every JavaScript runtime (Node, Bun, Deno, Cloudflare
 * workerd without compatibility flags, Vercel Edge): `globalThis.crypto` (Web Crypto), `TextEncoder`,
 * `TextDecoder`, `atob` / `btoa`.
 *
 * A runtime that lacks one of them fails where the library is *built* (service, verifier, notifier) with a
 * `ConfigurationError` coded `RUNTIME_FEATURE_MISSING` that names the missing global, never later with a
 * `ReferenceError` per request (which a web handler would answer with a retryable 5xx forever).
 * @module
 */
import { ConfigurationError } from './errors.js';

/** A Web Crypto feature the library may need. */
export type WebCryptoFeature = 'getRandomValues' | 'subtle';

/**
 * Returns `globalThis.crypto` after checking that it offers `feature`.
 *
 * @param feature - `getRandomValues` (ids) or `subtle` (HMACs, RSA signatures).
 * @param user - What needs it, for the message (`createPaymentService`, `createFeishuNotifier`, …).
 * @throws ConfigurationError `RUNTIME_FEATURE_MISSING` naming the missing global.
 *
 * @example
 * ```ts
 * const crypto = requireWebCrypto('subtle', 'createPingxxWebhookVerifier');
 * ```
 */
export function requireWebCrypto(feature: WebCryptoFeature, user: string): Crypto {
  const crypto = (globalThis as { crypto?: Crypto }).crypto;
  const present =
    feature === 'subtle'
      ? typeof crypto?.subtle?.importKey === 'function'
      : typeof crypto?.getRandomValues === 'function';
  if (crypto === undefined || !present) {
    throw new ConfigurationError(
      `${user} needs Web Crypto (globalThis.crypto.${feature}), which this JavaScript runtime does not provide.`,
      { code: 'RUNTIME_FEATURE_MISSING', details: { feature: `globalThis.crypto.${feature}` } },
    );
  }
  return crypto;
}

/**
 * `bytes` random bytes as lower-case hex, from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * randomHex(16) // '9f86d081884c7d659a2feaa0c55ad015'
 * ```
 */
export function randomHex(bytes: number): string {
  return toHex(requireWebCrypto('getRandomValues', 'randomHex').getRandomValues(new Uint8Array(bytes)));
}

/** Bytes as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Bytes as standard base64 (`btoa` over a binary string, chunked so large inputs do not overflow the stack). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Standard base64 (whitespace ignored) as bytes; `null` when the text is not base64.
 *
 * @example
 * ```ts
 * fromBase64('aGk=') // Uint8Array [104, 105]
 * ```
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  let binary: string;
  try {
    binary = atob(compact);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the text, as Buffer#toString did: the bytes are what was signed.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A string as UTF-8 bytes. */
export function utf8Encode(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** UTF-8 bytes as a string (invalid sequences become U+FFFD, like `Buffer#toString('utf8')`). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The number of bytes `text` takes in UTF-8. */
export function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}
