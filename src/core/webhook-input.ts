/**
 * Shared helpers for adapters' webhook verification: raw-body checks and case-insensitive headers.
 * @module
 */
import { RawBodyRequiredError, ValidationError, WebhookVerificationError } from './errors.js';
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

/**
 * Refuses a webhook body that starts with a UTF-8 BOM or whitespace before its JSON. Providers sign the exact bytes of a JSON object; a UTF-8
 * BOM or any other bytes before it would be signed too, yet a decoder may drop them (Stripe's SDK decodes with
 * `TextDecoder`, which strips a BOM), so the bytes verified would not be the bytes parsed. Nothing a provider
 * sends starts otherwise.
 *
 * @throws WebhookVerificationError `WEBHOOK_BODY_MALFORMED` (answer 400).
 */
export function requireJsonObjectStart(body: Uint8Array, provider?: string): void {
  const first = body[0];
  const bom = first === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  // Other leading bytes make the body unparseable, which the verifier's own JSON check refuses.
  if (!bom && first !== 0x20 && first !== 0x09 && first !== 0x0a && first !== 0x0d) return;
  const what = bom ? 'a UTF-8 byte-order mark' : 'whitespace';
  throw new WebhookVerificationError(`Webhook body starts with ${what} before the JSON object; refused.`, {
    code: 'WEBHOOK_BODY_MALFORMED',
    ...opts(provider),
  });
}

/**
 * {@link requireRawBody} then {@link requireJsonObjectStart}, keeping a string body a string (a verifier that
 * reads text, like Stripe's, then neither encodes nor decodes it).
 */
export function requireRawJsonBody(rawBody: unknown, provider?: string): string | Uint8Array {
  if (typeof rawBody !== 'string' || rawBody.length === 0) {
    const bytes = requireRawBody(rawBody, provider);
    requireJsonObjectStart(bytes, provider);
    return bytes;
  }
  const first = rawBody.charCodeAt(0);
  if (first === 0xfeff || first === 0x20 || first === 0x09 || first === 0x0a || first === 0x0d) {
    requireJsonObjectStart(utf8Encode(rawBody.slice(0, 1)), provider);
  }
  return rawBody;
}

/**
 * Reads a header case-insensitively from Web `Headers` or a Node-style record; joins repeated values with `,`.
 * A value that is not a string (or an array of strings) in a record counts as absent.
 * @throws ValidationError (`field: 'name'`) when `name` is not a string.
 */
export function getHeader(headers: HeadersInput | undefined | null, name: string): string | undefined {
  if (typeof name !== 'string') {
    throw new ValidationError(`getHeader: name must be a string (got ${name === null ? 'null' : typeof name}).`, {
      field: 'name',
      code: name === undefined || name === null ? 'MISSING_FIELD' : 'INVALID_FIELD',
    });
  }
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  }
  return undefined;
}

function opts(provider: string | undefined): { provider?: string } {
  return provider === undefined ? {} : { provider };
}
