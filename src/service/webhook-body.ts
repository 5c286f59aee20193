/**
 * Reading a webhook body with a size limit, on Web streams only (`ReadableStream` readers, `Uint8Array`), so
 * the same code runs on Node, workerd, Deno and Bun.
 *
 * Real provider events are a few kilobytes (a Stripe event with expanded objects stays well under 1 MiB),
 * but the endpoint is public: reading whatever arrives before the signature check lets anyone fill the
 * host's memory. A declared `Content-Length` above the limit is refused without reading a byte; a body that
 * streams past it (chunked, or a length that lies) stops being read at the limit.
 * @module
 */

import { ValidationError } from '../core/errors.js';

/**
 * Default limit of a webhook body: 1 MiB, the size `express.raw({ limit: '1mb' })` and Fastify's default
 * `bodyLimit` allow.
 */
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 1_048_576;

/** What {@link readBoundedBody} found: the bytes, or that the body is larger than the limit. */
export type BoundedBody = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too_large' };

/**
 * Whether a request declares a body longer than `maxBodyBytes` in its `Content-Length`.
 *
 * @example
 * ```ts
 * declaresTooLarge(new Headers({ 'content-length': '209715200' }), 1_048_576) // true
 * ```
 */
export function declaresTooLarge(headers: Headers, maxBodyBytes: number): boolean {
  const declared = headers.get('content-length');
  if (declared === null || !/^\s*\d+\s*$/.test(declared)) return false;
  return Number(declared) > maxBodyBytes;
}

/**
 * Reads `request`'s body, refusing it as soon as it is known to exceed `maxBodyBytes`: at once when its
 * `Content-Length` says so, else when the streamed bytes pass the limit (the stream is then cancelled, not
 * drained). An error while reading (the client went away) is thrown as is.
 *
 * @example
 * ```ts
 * const body = await readBoundedBody(request, 1_048_576)
 * if (!body.ok) return new Response('{"error":"PAYLOAD_TOO_LARGE"}', { status: 413 })
 * ```
 */
export async function readBoundedBody(request: Request, maxBodyBytes: number): Promise<BoundedBody> {
  if (declaresTooLarge(request.headers, maxBodyBytes)) return { ok: false, reason: 'too_large' };
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBodyBytes) {
      chunks.length = 0;
      // Not awaited: a Node source that is never drained may only settle when its socket closes.
      reader.cancel().catch(() => {});
      return { ok: false, reason: 'too_large' };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: concat(chunks, total) };
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The error a body source raises once it delivered more than `limit` bytes (code `PAYLOAD_TOO_LARGE`); the
 * webhook handler answers it 413.
 */
export function payloadTooLargeError(limit: number): ValidationError {
  return new ValidationError(`The webhook body is larger than ${limit} bytes.`, {
    code: 'PAYLOAD_TOO_LARGE',
    details: { maxBodyBytes: limit },
  });
}
