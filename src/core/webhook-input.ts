/**
 * Shared helpers for adapters' webhook verification: raw-body checks and case-insensitive headers.
 * @module
 */
import { RawBodyRequiredError } from './errors.js';
import type { HeadersInput } from './types.js';

/**
 * Returns the raw webhook body as bytes, refusing anything that is not raw (a parsed JSON object,
 * `undefined` because a body parser consumed the stream, an empty body).
 *
 * @throws RawBodyRequiredError with the framework-specific fix in its message.
 */
export function requireRawBody(rawBody: unknown, provider?: string): Buffer {
  if (typeof rawBody === 'string') {
    if (rawBody.length === 0) throw new RawBodyRequiredError('Webhook body is empty.', opts(provider));
    return Buffer.from(rawBody, 'utf8');
  }
  if (rawBody instanceof Uint8Array) {
    if (rawBody.byteLength === 0) throw new RawBodyRequiredError('Webhook body is empty.', opts(provider));
    return Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
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
