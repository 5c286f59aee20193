/**
 * What the webhook endpoint answers when it did not get the raw request bytes — usually a JSON body parser in
 * front of the route. Providers show response bodies in their delivery logs (Stripe → Developers → Webhooks,
 * Ping++ → Webhooks), so the 400 body itself carries the fix for the framework in use, or for every framework
 * the handler cannot tell apart.
 * @module
 */

/** Frameworks the endpoint recognises and has a fix for. */
export type WebhookFramework = 'express' | 'fastify' | 'nextjs' | 'hono';

/**
 * The one change that gives the webhook route its raw bytes, per framework. Tested row by row; keep in step
 * with `docs/webhooks.md` and the examples.
 *
 * @example
 * ```ts
 * RAW_BODY_FIXES.express // "Register the webhook route before app.use(express.json()) with …"
 * ```
 */
export const RAW_BODY_FIXES: Readonly<Record<WebhookFramework, string>> = {
  express:
    "Register the webhook route before app.use(express.json()), with express.raw({ type: 'application/json', limit: '1mb' }) on that route only.",
  fastify:
    "Register the webhook route in its own plugin with scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1048576 }, (_req, body, done) => done(null, body)).",
  nextjs:
    'App Router: pass the unread Request to the handler (no request.json() before it). Pages Router: export const config = { api: { bodyParser: false } }.',
  hono: 'Pass c.req.raw to the handler without calling c.req.json() or a validator on this route first.',
};

/** Display names, in the order fixes are listed when the framework is unknown. */
const FRAMEWORK_NAMES: Readonly<Record<WebhookFramework, string>> = {
  express: 'Express',
  fastify: 'Fastify',
  nextjs: 'Next.js',
  hono: 'Hono',
};

/** The JSON body of a `400 RAW_BODY_REQUIRED` answer. */
export interface RawBodyRequiredBody {
  /** The code, as in every error answer of the endpoint. */
  error: 'RAW_BODY_REQUIRED';
  /** What went wrong, in one sentence. */
  message: string;
  /** The framework detected from the request, or `null` when it could not be told. */
  framework: WebhookFramework | null;
  /** The fix for `framework`, or for every framework when it is `null`. */
  fix: string;
}

/**
 * Builds the `400 RAW_BODY_REQUIRED` body: the situation and the fix for `framework` (or all fixes).
 *
 * @example
 * ```ts
 * rawBodyRequiredBody('express').fix === RAW_BODY_FIXES.express // true
 * ```
 */
export function rawBodyRequiredBody(framework: WebhookFramework | null): RawBodyRequiredBody {
  const message =
    'The webhook body was parsed or consumed before the handler; signatures are checked over the exact bytes the provider sent.';
  const fix = framework
    ? RAW_BODY_FIXES[framework]
    : (Object.keys(FRAMEWORK_NAMES) as WebhookFramework[])
        .map((name) => `${FRAMEWORK_NAMES[name]}: ${RAW_BODY_FIXES[name]}`)
        .join(' ');
  return { error: 'RAW_BODY_REQUIRED', message, framework, fix };
}

/**
 * The framework a Node request came through, from what each one leaves on it: Express sets `req.app` and
 * `req.originalUrl`, Next.js API routes set `req.previewData` / `req.draftMode`. Fastify's raw request carries
 * no trace of Fastify, so it is `null` there (and the answer lists every fix).
 */
export function frameworkOfNodeRequest(req: object): WebhookFramework | null {
  const r = req as { app?: unknown; originalUrl?: unknown };
  if (typeof r.app === 'function' && typeof r.originalUrl === 'string') return 'express';
  if ('previewData' in req || 'draftMode' in req) return 'nextjs';
  return null;
}

/** The framework a Web `Request` came through: Next.js passes a `NextRequest` (with `nextUrl`); others are plain. */
export function frameworkOfWebRequest(request: Request): WebhookFramework | null {
  return 'nextUrl' in request ? 'nextjs' : null;
}

/**
 * Marks a `Request` built by `toNodeHandler` from a Node request whose body a parser had already consumed,
 * so the Web handler answers with the right fix. `Symbol.for`, so two copies of the package agree.
 */
export const PARSED_BODY_MARK: unique symbol = Symbol.for('@org/payment-factory/parsed-body');

/** What {@link PARSED_BODY_MARK} holds. */
export interface ParsedBodyMark {
  framework: WebhookFramework | null;
}

/** The mark `toNodeHandler` left on `request`, if any. */
export function parsedBodyMarkOf(request: Request): ParsedBodyMark | undefined {
  return (request as Request & { [PARSED_BODY_MARK]?: ParsedBodyMark })[PARSED_BODY_MARK];
}
