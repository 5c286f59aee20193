/**
 * Shared helpers for adapters' webhook verification: raw-body checks and case-insensitive headers.
 * @module
 */
import { RawBodyRequiredError } from './errors.js';
import type { HeadersInput } from './types.js';
import { utf8Encode } from './web-crypto.js';

/**
 * Returns the raw webhook body as bytes (a `Uint8Array`; a Node `Buffer` is passed through), refusing anything that is not raw (a parsed JSON object,
 * `undefined` because a body parser consumed the stream, an empty body).
 *
 * @throws RawBodyRequiredError with the framework-specific fix in its message.
 */
export function requireRawBody(rawBody: unknown, provider?: string): Uint8Array {
  if (typeof rawBody === 'string') {
    if (rawBody.length === 0) throw new RawBodyRequiredError('Webhook body is empty.', opts(provider));
    return utf8Encode(rawBody);
  }
  if (rawBody instanceof Uint8Array) {
    if (rawBody.byteLength === 0) throw new RawBodyRequiredError('Webhook body is empty.', opts(provider));
    // A Node Buffer is a Uint8Array: returned as is, no copy and no dependency on the Buffer global.
    return rawBody;
  }
  if (rawBody instanceof ArrayBuffer) return requireRawBody(new Uint8Array(rawBody), provider);
  const what = rawBody === null || rawBody === undefined ? String(rawBody) : `a parsed ${typeof rawBody}`;
  throw new RawBodyRequiredError(`Webhook body is ${what}, not the raw request bytes.`, opts(provider));
}

/** Reads a header case-insensitively from Web `Headers` or a Node-style record; joins repeated values with `,`. */
export function getHeader(headers: HeadersInput | undefined | null, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value.join(',') : value;
  }
  return undefined;
}

function opts(provider: string | undefined): { provider?: string } {
  return provider === undefined ? {} : { provider };
}
