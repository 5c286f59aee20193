/**
 * `toNodeHandler`: runs a Web-standard handler on Node's `http` (and Express / Fastify, which build on it).
 * It reads the raw request bytes itself; when a body parser already consumed the stream and left a parsed
 * object on `req.body`, it answers 400 `RAW_BODY_REQUIRED` instead of silently losing the webhook.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RawBodyRequiredError } from '../core/errors.js';
import { silentLogger, type PaymentLogger } from './hooks.js';
import { errorResponse, type WebhookHandler } from './webhook-handler.js';

/** A Node request as Express/Fastify may leave it: maybe with a body already read. */
export type NodeRequestLike = IncomingMessage & { body?: unknown; rawBody?: unknown; originalUrl?: string };

/**
 * Adapts a Web handler to `(req, res) => void` for `http.createServer`, Express and Fastify's raw req/res.
 *
 * @example
 * ```ts
 * // Express: no JSON parser on this route; or express.raw({ type: '*\/*' }) — a Buffer body is used as is.
 * app.post('/webhooks/:provider', toNodeHandler(createWebhookHandler(service)))
 * ```
 */
export function toNodeHandler(
  handler: WebhookHandler,
  options: { logger?: PaymentLogger } = {},
): (req: NodeRequestLike, res: ServerResponse) => void {
  const logger = options.logger ?? silentLogger;
  const run = async (req: NodeRequestLike, res: ServerResponse): Promise<void> => {
    let response: Response;
    try {
      const body = await readRawBody(req);
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
      }
      const host = req.headers.host ?? 'localhost';
      const url = new URL(req.originalUrl ?? req.url ?? '/', `http://${host}`);
      response = await handler(
        new Request(url, {
          method: req.method ?? 'POST',
          headers,
          ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
        }),
      );
    } catch (error) {
      response = errorResponse(error, logger, null);
    }
    res.statusCode = response.status;
    response.headers.forEach((value, key) => res.setHeader(key, value));
    res.end(Buffer.from(await response.arrayBuffer()));
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

async function readRawBody(req: NodeRequestLike): Promise<Buffer> {
  for (const candidate of [req.rawBody, req.body]) {
    if (candidate === undefined) continue;
    if (Buffer.isBuffer(candidate)) return candidate;
    if (candidate instanceof Uint8Array) return Buffer.from(candidate);
    if (typeof candidate === 'string') return Buffer.from(candidate, 'utf8');
    if (candidate === req.body && req.readableEnded) {
      throw new RawBodyRequiredError('The request body was already parsed by a body parser.');
    }
  }
  if (req.readableEnded) throw new RawBodyRequiredError('The request body stream was already consumed.');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
