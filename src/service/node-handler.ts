/**
 * `toNodeHandler`: runs a Web-standard handler on Node's `http` (and Express / Fastify, which build on it).
 *
 * The request body is handed over as a pull-based stream, so nothing is read until the handler asks for it:
 * a request the handler refuses first (no signature header, a `Content-Length` over the limit) costs no
 * memory, and a body that streams past `maxBodyBytes` stops being read there. A request answered before its
 * body ended is answered `Connection: close`, its socket stops reading, and the unread rest stays in the kernel's
 * buffers (not ours) for a moment, so the client reads the answer rather than a reset; then the connection is
 * closed. A body a framework already read is used as is when it is bytes (`express.raw()`, `req.rawBody`); a parsed object makes the
 * handler answer 400 `RAW_BODY_REQUIRED` with the fix for the framework, instead of silently losing the webhook.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ConfigurationError } from '../core/errors.js';
import { silentLogger, type PaymentLogger } from './hooks.js';
import { frameworkOfNodeRequest, PARSED_BODY_MARK, type ParsedBodyMark } from './raw-body-fixes.js';
import { DEFAULT_MAX_WEBHOOK_BODY_BYTES, payloadTooLargeError } from './webhook-body.js';
import { errorResponse, type WebhookHandler } from './webhook-handler.js';

/** A Node request as Express/Fastify may leave it: maybe with a body already read. */
export type NodeRequestLike = IncomingMessage & {
  /** What a body parser left: bytes from `express.raw()` are used; a parsed object is refused (`RAW_BODY_REQUIRED`). */
  body?: unknown;
  /** The raw body some frameworks keep beside the parsed one (Fastify's `rawBody` plugin, Nest's `rawBody: true`). */
  rawBody?: unknown;
  /** Express's URL before router mounts rewrote `url`: the request URL the handler sees. */
  originalUrl?: string;
};

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /** Logs failures to even build the request or write the response. @default a silent logger */
  logger?: PaymentLogger;
  /**
   * Largest body read from the Node stream, in bytes: the stream errors with `PAYLOAD_TOO_LARGE` (answered 413)
   * past it, whatever handler it feeds.
   * @default the handler's own `maxBodyBytes` (1 MiB for `createWebhookHandler`)
   */
  maxBodyBytes?: number;
}

/**
 * Adapts a Web handler to `(req, res) => void` for `http.createServer`, Express and Fastify's raw req/res.
 *
 * @example
 * ```ts
 * // Express: no JSON parser on this route; or express.raw({ type: 'application/json', limit: '1mb' }).
 * app.post('/webhooks/:provider', toNodeHandler(createWebhookHandler(service)))
 * ```
 */
export function toNodeHandler(
  handler: WebhookHandler,
  options: NodeHandlerOptions = {},
): (req: NodeRequestLike, res: ServerResponse) => void {
  if (typeof handler !== 'function' || typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'toNodeHandler needs a webhook handler (createWebhookHandler) and, optionally, an options object.',
      {
        code: 'INVALID_WEBHOOK_HANDLER_OPTIONS',
      },
    );
  }
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? handler.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
  const run = async (req: NodeRequestLike, res: ServerResponse): Promise<void> => {
    let response: Response;
    try {
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
      }
      const body = bodyOf(req);
      const host = req.headers.host ?? 'localhost';
      const url = new URL(req.originalUrl ?? req.url ?? '/', `http://${host}`);
      const method = req.method ?? 'POST';
      const hasBody = method !== 'GET' && method !== 'HEAD';
      const parsed = typeof body === 'object' && !(body instanceof Uint8Array) ? body : null;
      const init: RequestInit & { duplex?: 'half' } = { method, headers };
      if (hasBody && body === 'stream')
        Object.assign(init, { body: nodeBodyStream(req, maxBodyBytes), duplex: 'half' });
      else if (hasBody && body instanceof Uint8Array) init.body = body as Uint8Array<ArrayBuffer>;
      const request = new Request(url, init);
      if (parsed) Object.defineProperty(request, PARSED_BODY_MARK, { value: parsed });
      response = await handler(request);
    } catch (error) {
      response = errorResponse(error, logger, null);
    }
    res.statusCode = response.status;
    response.headers.forEach((value, key) => res.setHeader(key, value));
    if (!req.complete) closeUnread(req, res);
    res.end(new Uint8Array(await response.arrayBuffer()));
  };
  // A plain `(req, res) => void` for http.createServer; a failure to even write the response is logged.
  return (req, res) => {
    run(req, res).catch((error: unknown) => {
      logger.error('webhook response failed', { error: error instanceof Error ? error.name : typeof error });
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
}

/**
 * Answers a request whose body has not ended (refused at its `Content-Length`, at the limit, or before any read)
 * without reading the rest and without resetting the client.
 *
 * Left alone, Node either drains the unread rest after the answer so the connection can be reused (`_dump`: the
 * client pushes megabytes through our process, +70 MiB of transient buffers for 50 × 10 MB on Node 22/24) or,
 * for a client that sent `Connection: close`, destroys the socket as soon as the answer is written; closing with
 * unread bytes makes the kernel send a reset, which can overtake the answer in the client. So:
 * - the answer says `Connection: close` (the connection can never carry another request);
 * - the socket stops reading, for good: the rest waits in the kernel's socket buffers, and TCP flow control
 *   stops the client once they are full;
 * - the answer is followed by a FIN (`end()`), and the socket is destroyed `LINGER_MS` later, once the client
 *   has read the answer and stopped sending.
 */
function closeUnread(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket as Socket | null;
  if (!socket || socket.destroyed) return;
  res.setHeader('connection', 'close');
  // Stop reading, and undo every later resume in the same tick (Node's drain of the body, its keep-alive logic):
  // the handle is started and stopped before the event loop could read into it.
  socket.pause();
  socket.on('resume', () => socket.pause());
  // Node ends a `Connection: close` answer with `socket.destroySoon()`, which closes as soon as the answer is
  // written; here that is only the FIN, and the close comes `LINGER_MS` after the answer.
  socket.destroySoon = function endOnly(this: Socket) {
    if (this.writable) this.end();
  };
  res.once('finish', () => {
    if (socket.writable) socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}

/** How long a refused request's unread rest stays in the socket, after the answer, before the socket closes. */
const LINGER_MS = 2_000;

/** The body a framework left on the request (bytes, or a parsed object), or `'stream'` to read it ourselves. */
function bodyOf(req: NodeRequestLike): Uint8Array | ParsedBodyMark | 'stream' {
  for (const candidate of [req.rawBody, req.body]) {
    if (candidate === undefined) continue;
    if (candidate instanceof Uint8Array) return candidate; // Buffer included
    if (typeof candidate === 'string') return new TextEncoder().encode(candidate);
    if (candidate === req.body && req.readableEnded) return { framework: frameworkOfNodeRequest(req) };
  }
  if (req.readableEnded) return { framework: frameworkOfNodeRequest(req) };
  return 'stream';
}

/**
 * The Node request body as a Web stream that reads one chunk per pull (high-water mark 0: nothing is read
 * before the handler asks) and errors with `PAYLOAD_TOO_LARGE` once more than `limit` bytes were delivered.
 */
function nodeBodyStream(req: IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  let total = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (total > limit) return controller.error(payloadTooLargeError(limit));
        const chunk = await nextChunk(req);
        if (chunk === null) return controller.close();
        total += chunk.byteLength;
        controller.enqueue(chunk);
      },
      // Nothing to do: the unread rest is never received (the answer closes the connection).
      cancel() {},
    },
    { highWaterMark: 0 },
  );
}

function nextChunk(req: IncomingMessage): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    if (req.readableEnded) return resolve(null);
    const settle = (finish: () => void): void => {
      req.off('readable', onReadable);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      finish();
    };
    const onReadable = (): void => {
      const chunk = req.read() as Uint8Array | string | null;
      // A Buffer is a Uint8Array: passed on without a copy.
      if (chunk !== null) settle(() => resolve(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk));
    };
    const onEnd = (): void => settle(() => resolve(null));
    const onError = (error: Error): void => settle(() => reject(error));
    const onClose = (): void =>
      settle(() =>
        req.readableEnded ? resolve(null) : reject(new Error('The request was aborted before its body ended.')),
      );
    req.on('readable', onReadable);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    onReadable();
  });
}
