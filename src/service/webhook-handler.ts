/**
 * `createWebhookHandler`: the service's webhook flow on Web standards (`Request` → `Response`), so it runs
 * unchanged in Hono, Next.js route handlers, Bun, Deno, Cloudflare, and — through `toNodeHandler` —
 * Node's `http`, Express and Fastify.
 *
 * Status codes (what the provider does next):
 * - 200 for every processed outcome (`applied`, `duplicate`, `ignored`, `rejected`): retrying cannot help.
 * - 400 for a bad signature or a body that is not the raw bytes: the request itself is wrong.
 * - 404 for an unknown provider in the route.
 * - 503 for retryable failures (database down, a refund before its payment), 500 otherwise: the provider
 *   redelivers, and the journal makes the redelivery safe.
 * Bodies carry codes only, never internal error text.
 * @module
 */
import { isPaymentError, RawBodyRequiredError } from '../core/errors.js';
import type { PaymentLogger } from './hooks.js';
import type { PaymentService } from './payment-service.js';
import { describeError } from './service-context.js';

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /**
   * Fixed provider name, or how to read it from the request.
   * @default the last path segment (`/webhooks/stripe` → `stripe`), else the `provider` query parameter
   */
  provider?: string | ((request: Request) => string | null | undefined);
  /** @default the service's logger */
  logger?: PaymentLogger;
}

/** A Web-standard request handler. */
export type WebhookHandler = (request: Request) => Promise<Response>;

/**
 * Creates a Web-standard webhook endpoint for the service.
 *
 * @example
 * ```ts
 * const handle = createWebhookHandler(service)
 * app.post('/webhooks/:provider', (c) => handle(c.req.raw)) // Hono
 * ```
 */
export function createWebhookHandler(
  service: Pick<PaymentService, 'handleWebhook' | 'logger' | 'factory'>,
  options: WebhookHandlerOptions = {},
): WebhookHandler {
  const logger = options.logger ?? service.logger;
  return async (request) => {
    if (request.method !== 'POST') return json(405, { error: 'METHOD_NOT_ALLOWED' }, { allow: 'POST' });
    const provider = providerOf(request, options.provider);
    if (!provider || !service.factory.providers.has(provider)) return json(404, { error: 'UNKNOWN_PROVIDER' });
    try {
      // A body read earlier (e.g. `await c.req.json()` before passing `c.req.raw`) cannot be verified.
      if (request.bodyUsed)
        throw new RawBodyRequiredError('The request body was already read before the webhook handler.');
      const rawBody = new Uint8Array(await request.arrayBuffer());
      const result = await service.handleWebhook({ provider, rawBody, headers: request.headers });
      return json(200, { received: true, outcome: result.outcome });
    } catch (error) {
      return errorResponse(error, logger, provider);
    }
  };
}

/** Maps an error to the response a provider understands, logging the detail server-side. */
export function errorResponse(error: unknown, logger: PaymentLogger, provider: string | null): Response {
  if (isPaymentError(error, 'WebhookVerificationError') || isPaymentError(error, 'RawBodyRequiredError')) {
    logger.warn('webhook refused', { provider, error: describeError(error), message: error.message });
    return json(400, { error: error.code });
  }
  const retryable = !isPaymentError(error) || error.retryable;
  logger.error('webhook failed; the provider will redeliver', { provider, error: describeError(error) });
  return json(retryable ? 503 : 500, { error: isPaymentError(error) ? error.code : 'INTERNAL_ERROR' });
}

function providerOf(request: Request, option: WebhookHandlerOptions['provider']): string | null {
  if (typeof option === 'string') return option;
  if (typeof option === 'function') return option(request) ?? null;
  const url = new URL(request.url);
  const segment = url.pathname.split('/').filter(Boolean).at(-1);
  return url.searchParams.get('provider') ?? (segment ? decodeURIComponent(segment) : null);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
