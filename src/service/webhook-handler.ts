/**
 * `createWebhookHandler`: the service's webhook flow on Web standards (`Request` → `Response`), so it runs
 * unchanged in Hono, Next.js route handlers, Bun, Deno, Cloudflare, and — through `toNodeHandler` —
 * Node's `http`, Express and Fastify.
 *
 * The endpoint is public, so it refuses what it can before reading the body: a request without the
 * provider's signature header (when the adapter declares `webhookSignatureHeaders`) and a body larger than
 * `maxBodyBytes` (by its `Content-Length`, or once the streamed bytes pass the limit).
 *
 * Status codes (what the provider does next):
 * - 200 for every processed outcome (`applied`, `duplicate`, `ignored`, `rejected`): retrying cannot help.
 * - 400 for a missing or bad signature, or a body that is not the raw bytes: the request itself is wrong.
 * - 404 for an unknown provider in the route; 405 for anything but POST.
 * - 413 for a body over `maxBodyBytes`.
 * - 503 for retryable failures (database down, a refund before its payment), 500 otherwise: the provider
 *   redelivers, and the journal makes the redelivery safe.
 * Bodies carry codes only, never internal error text — except the `RAW_BODY_REQUIRED` answer, which carries
 * the fix for the framework (providers show it in their delivery logs). A provider whose sender expects
 * another answer (Alipay's plain `success`, WeChat Pay's `{"code":"SUCCESS"}`) shapes it through its optional
 * `acknowledgeWebhook` (see `PaymentProvider`) — for processed deliveries, a missing signature and failures;
 * the status rules above stay the handler's.
 * @module
 */
import { ConfigurationError, isPaymentError } from '../core/errors.js';
import type { PaymentProvider, WebhookAcknowledgement } from '../core/provider.js';
import { silentLogger, type PaymentLogger } from './hooks.js';
import type { PaymentService } from './payment-service.js';
import {
  frameworkOfWebRequest,
  parsedBodyMarkOf,
  rawBodyRequiredBody,
  type WebhookFramework,
} from './raw-body-fixes.js';
import { describeError } from './service-context.js';
import { DEFAULT_MAX_WEBHOOK_BODY_BYTES, readBoundedBody } from './webhook-body.js';

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /**
   * Fixed provider name, or how to read it from the request.
   * @default the last path segment (`/webhooks/stripe` → `stripe`), else the `provider` query parameter
   */
  provider?: string | ((request: Request) => string | null | undefined);
  /**
   * How to read a merchant account's route token (`/webhooks/:provider/:account`, docs/merchant-accounts.md).
   * @default the last path segment when it has the token's shape (`<accountId>.<64 hex>`), the provider then
   *   being the segment before it
   */
  account?: (request: Request) => string | null | undefined;
  /** @default the service's logger */
  logger?: PaymentLogger;
  /**
   * Largest body accepted, in bytes. A larger `Content-Length` is answered 413 without reading the body; a
   * body that streams past the limit stops being read and is answered 413. Real events are a few KB.
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number;
}

/**
 * A Web-standard request handler. Handlers from {@link createWebhookHandler} also carry their body limit, which
 * `toNodeHandler` applies to the Node stream too.
 */
export type WebhookHandler = ((request: Request) => Promise<Response>) & {
  /** The handler's body limit in bytes, when it has one. */
  readonly maxBodyBytes?: number;
};

/**
 * Creates a Web-standard webhook endpoint for the service.
 *
 * @example
 * ```ts
 * const handle = createWebhookHandler(service, { maxBodyBytes: 1_048_576 })
 * app.post('/webhooks/:provider', (c) => handle(c.req.raw)) // Hono
 * ```
 */
export function createWebhookHandler(
  service: Pick<PaymentService, 'handleWebhook' | 'logger' | 'factory'> & Partial<Pick<PaymentService, 'webhookRoute'>>,
  options: WebhookHandlerOptions = {},
): WebhookHandler & {
  /** The body limit in bytes this handler enforces (and `toNodeHandler` applies to the Node stream). */
  readonly maxBodyBytes: number;
} {
  if (typeof service !== 'object' || service === null || typeof service.handleWebhook !== 'function') {
    throw new ConfigurationError('createWebhookHandler needs the payment service (createPaymentService).', {
      code: 'INVALID_WEBHOOK_HANDLER_OPTIONS',
    });
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('createWebhookHandler options must be an object when given.', {
      code: 'INVALID_WEBHOOK_HANDLER_OPTIONS',
    });
  }
  const logger = options.logger ?? service.logger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new ConfigurationError('maxBodyBytes must be a positive whole number of bytes.', {
      code: 'INVALID_MAX_BODY_BYTES',
    });
  }
  const handle = async (request: Request): Promise<Response> => {
    if (request.method !== 'POST') return json(405, { error: 'METHOD_NOT_ALLOWED' }, { allow: 'POST' });
    const { provider, account } = routeOf(request, options);
    // A seller account's route: its token is checked (constant time) and its versions listed before the body
    // is read; a token the host key did not make is answered like an unknown route.
    const route =
      provider !== null && account !== null ? ((await service.webhookRoute?.(provider, account)) ?? null) : null;
    if (account !== null && route === null) return json(404, { error: 'UNKNOWN_ACCOUNT' });
    const adapter = route ? route.adapter : provider === null ? undefined : service.factory.providers.get(provider);
    if (!provider || !adapter) return json(404, { error: 'UNKNOWN_PROVIDER' });
    const signatureHeaders = adapter.webhookSignatureHeaders;
    if (signatureHeaders?.length && !signatureHeaders.some((name) => request.headers.get(name))) {
      logger.warn('webhook refused', { provider, error: 'WEBHOOK_SIGNATURE_MISSING' });
      return answer(adapter, { ok: false, status: 400, code: 'WEBHOOK_SIGNATURE_MISSING' }, logger);
    }
    // A body read earlier (e.g. `await c.req.json()` before passing `c.req.raw`) cannot be verified.
    const parsed = parsedBodyMarkOf(request);
    if (parsed || request.bodyUsed) {
      return rawBodyRequired(parsed ? parsed.framework : frameworkOfWebRequest(request), logger, service, provider);
    }
    try {
      const body = await readBoundedBody(request, maxBodyBytes);
      if (!body.ok) {
        logger.warn('webhook refused', { provider, error: 'PAYLOAD_TOO_LARGE', maxBodyBytes });
        return payloadTooLargeResponse(maxBodyBytes);
      }
      const result = await service.handleWebhook({
        provider,
        rawBody: body.bytes,
        headers: request.headers,
        ...(route ? { account: route } : {}),
      });
      return answer(adapter, { ok: true, status: 200, outcome: result.outcome }, logger);
    } catch (error) {
      if (isPaymentError(error, 'RawBodyRequiredError')) {
        return rawBodyRequired(frameworkOfWebRequest(request), logger, service, provider);
      }
      const fallback = errorResponse(error, logger, provider);
      if (!adapter.acknowledgeWebhook || fallback.status === 413) return fallback;
      const code = isPaymentError(error) ? error.code : 'INTERNAL_ERROR';
      return answer(adapter, { ok: false, status: fallback.status, code }, logger, fallback);
    }
  };
  return Object.assign(handle, { maxBodyBytes });
}

/** The provider's own answer when it shapes one, else the default JSON answer. */
function answer(
  adapter: PaymentProvider,
  ack: WebhookAcknowledgement,
  logger: PaymentLogger,
  fallback?: Response,
): Response {
  const standard = (): Response =>
    fallback ?? json(ack.status, ack.ok ? { received: true, outcome: ack.outcome } : { error: ack.code });
  if (!adapter.acknowledgeWebhook) return standard();
  try {
    const shaped = adapter.acknowledgeWebhook(ack);
    return new Response(shaped.body, {
      status: shaped.status,
      headers: { 'content-type': shaped.contentType ?? 'application/json' },
    });
  } catch (error) {
    // A broken acknowledgement must not turn a processed delivery into a lost one: answer the default.
    logger.error('acknowledgeWebhook failed; answering the default', {
      provider: adapter.name,
      error: describeError(error),
    });
    return standard();
  }
}

/** Maps an error to the response a provider understands, logging the detail server-side. */
export function errorResponse(error: unknown, logger: PaymentLogger, provider: string | null): Response {
  if (isPaymentError(error) && error.code === 'PAYLOAD_TOO_LARGE') {
    logger.warn('webhook refused', { provider, error: 'PAYLOAD_TOO_LARGE' });
    const limit = (error.details as { maxBodyBytes?: unknown } | undefined)?.maxBodyBytes;
    return payloadTooLargeResponse(typeof limit === 'number' ? limit : null);
  }
  if (isPaymentError(error, 'WebhookVerificationError') || isPaymentError(error, 'RawBodyRequiredError')) {
    logger.warn('webhook refused', { provider, error: describeError(error), message: error.message });
    return json(400, { error: error.code });
  }
  const retryable = !isPaymentError(error) || error.retryable;
  logger.error('webhook failed; the provider will redeliver', { provider, error: describeError(error) });
  return json(retryable ? 503 : 500, { error: isPaymentError(error) ? error.code : 'INTERNAL_ERROR' });
}

/** The 413 answer: `{"error":"PAYLOAD_TOO_LARGE","maxBodyBytes":…}`. */
export function payloadTooLargeResponse(maxBodyBytes: number | null): Response {
  return json(413, { error: 'PAYLOAD_TOO_LARGE', maxBodyBytes });
}

/** Services already warned on the console about a raw-body mistake (once each; a silent logger hides it). */
const warnedServices = new WeakSet<object>();

function rawBodyRequired(
  framework: WebhookFramework | null,
  logger: PaymentLogger,
  service: object,
  provider: string,
): Response {
  const body = rawBodyRequiredBody(framework);
  logger.warn('webhook refused: the body is not the raw request bytes', { provider, framework, fix: body.fix });
  if (logger === silentLogger && !warnedServices.has(service)) {
    warnedServices.add(service);
    console.warn(
      `[@org/payment-factory] Webhook for "${provider}" answered 400 RAW_BODY_REQUIRED: ${body.message} ` +
        `Fix: ${body.fix} (Shown once: pass a logger to createPaymentService to see every refused webhook.)`,
    );
  }
  return json(400, body);
}

/** A merchant account route token: `<accountId>.<64 hex>`; no provider name looks like one. */
const ACCOUNT_TOKEN = /^[^/]+\.[0-9a-f]{64}$/;

/**
 * The provider, and the merchant account token when the route has one (`/webhooks/:provider/:account`): by
 * default the last path segment is the token when it looks like one, and the provider the segment before it.
 */
function routeOf(
  request: Request,
  options: WebhookHandlerOptions,
): { provider: string | null; account: string | null } {
  const url = new URL(request.url);
  const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
  const last = segments.at(-1) ?? null;
  const fromPath = typeof options.account === 'function' ? (options.account(request) ?? null) : undefined;
  const account = fromPath !== undefined ? fromPath : last !== null && ACCOUNT_TOKEN.test(last) ? last : null;
  const option = options.provider;
  if (typeof option === 'string') return { provider: option, account };
  if (typeof option === 'function') return { provider: option(request) ?? null, account };
  const segment = account !== null && fromPath === undefined ? (segments.at(-2) ?? null) : last;
  return { provider: url.searchParams.get('provider') ?? segment, account };
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
