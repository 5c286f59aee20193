/**
 * A local Stripe API emulator: a `node:http` server speaking the subset of the Stripe REST API that
 * payments need (PaymentIntents, Checkout Sessions, Refunds), so the real `stripe` SDK can be tested
 * over real HTTP without the internet.
 *
 * It is stateful, form-decodes bodies like Stripe (bracket syntax, `expand[]`), requires a bearer key,
 * answers Stripe-shaped JSON and errors, and honours `Idempotency-Key` (same key + same parameters →
 * the stored response is replayed; same key + other parameters → 400 `idempotency_error`). Controls play
 * the payer (`succeedPayment`, `failPayment`), the dashboard (`createDashboardRefund`) and the network
 * (`failNext`, `delayNext`, `dropConnectionAfterActing`), and produce signed webhooks (`webhookFor`).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { buildEvent } from './stripe-emulator/events.js';
import { failureBody, FaultQueue } from './stripe-emulator/faults.js';
import { decodeStripeForm, type FormObject } from './stripe-emulator/form.js';
import { failPayment, processPayment, succeedPayment } from './stripe-emulator/payment-controls.js';
import { createRefund, updateRefund } from './stripe-emulator/refunds.js';
import { dispatch } from './stripe-emulator/routes.js';
import { clone, Store, StripeApiFailure, type StripeJson } from './stripe-emulator/store.js';
import { STRIPE_METADATA_KEYS } from '../stripe/stripe-mappers.js';
import { resolveEmulatedPayment, type EmulatedPaymentRef } from './emulated-payment-ref.js';
import { signStripeWebhook } from './stripe-signer.js';
import type {
  EmulatedCheckoutSession,
  EmulatedPaymentIntent,
  EmulatedRefund,
  EmulatorRequestLogEntry,
  StripeEmulator,
  StripeEmulatorOptions,
} from './stripe-emulator/types.js';

type Payable = EmulatedPaymentIntent | EmulatedCheckoutSession;

export type { FailPaymentOptions } from './stripe-emulator/payment-intents.js';
export type { FailureFault, FaultScope } from './stripe-emulator/faults.js';
export type { EmulatedRefundStatus } from './stripe-emulator/refunds.js';
export type { EmulatedObject, StripeJson } from './stripe-emulator/store.js';
export type {
  EmulatedCharge,
  EmulatedCheckoutSession,
  EmulatedPaymentIntent,
  EmulatedRefund,
  EmulatedWebhook,
  EmulatorRequestLogEntry,
  StripeEmulator,
  StripeEmulatorOptions,
} from './stripe-emulator/types.js';

const DEFAULT_API_VERSION = '2026-10-28.endive';

/**
 * Starts a local Stripe API emulator.
 *
 * @example
 * ```ts
 * const emulator = await startStripeEmulator({ webhookSecret: 'whsec_test' });
 * const stripe = createStripeProvider({ secretKey: 'sk_test_123', webhookSecret: 'whsec_test', ...emulator.sdkOptions });
 * const created = await stripe.createPayment({ orderId, attemptId, amount: 1999, currency: 'USD', channel: 'payment_intent', subject: 'Course' });
 * emulator.succeedPayment(created.providerReference);
 * const { rawBody, headers } = emulator.webhookFor(created.providerReference, 'payment_intent.succeeded');
 * await emulator.close();
 * ```
 */
export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const webhookSecret = options.webhookSecret ?? 'whsec_stripe_emulator';
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const faults = new FaultQueue();
  const idempotency = new Map<string, { fingerprint: string; status: number; body: string }>();
  const log: EmulatorRequestLogEntry[] = [];
  let store = new Store('http://pending');

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', store.baseUrl);
    const path = url.pathname;
    const bodyText = await text(req);
    const keyHeader = req.headers['idempotency-key'];
    const key = method === 'POST' && typeof keyHeader === 'string' && keyHeader !== '' ? keyHeader : null;
    const entry: EmulatorRequestLogEntry = { method, path, idempotencyKey: key, status: null, replayed: false };
    log.push(entry);
    const send = (status: number, body: string, extra: Record<string, string> = {}): void => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': `req_${randomBytes(7).toString('hex')}`,
        'stripe-version': header(req, 'stripe-version') ?? apiVersion,
        ...(key ? { 'idempotency-key': key } : {}),
        ...extra,
      });
      res.end(body);
    };
    const sendError = (status: number, error: StripeJson): void => send(status, JSON.stringify({ error }, null, 2));

    const failure = faults.take('fail', method, path)?.failure;
    if (failure) return sendError(failure.status, failureBody(failure));
    const apiKey = bearer(req);
    if (apiKey === null || !keyAccepted(apiKey, options.apiKey)) {
      return sendError(401, {
        type: 'invalid_request_error',
        message: apiKey === null ? 'You did not provide an API key.' : 'Invalid API Key provided.',
      });
    }
    const params = decodeStripeForm(method === 'GET' ? url.search.slice(1) : bodyText);
    const fingerprint = `${method} ${path} ${canonical(params)}`;
    let response: { status: number; body: string } | undefined;
    if (key) {
      const prior = idempotency.get(key);
      if (prior && prior.fingerprint !== fingerprint) {
        return sendError(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      if (prior) {
        response = prior;
        entry.replayed = true;
      }
    }
    if (!response) {
      response = act(store, method, path, params, /^(sk|rk)_live_/.test(apiKey));
      if (key && response.status < 300) idempotency.set(key, { fingerprint, ...response });
    }
    if (faults.take('drop', method, path)) {
      req.socket.destroy();
      return;
    }
    const delay = faults.take('delay', method, path)?.delayMs;
    if (delay !== undefined) await sleep(delay);
    send(response.status, response.body, entry.replayed ? { 'idempotent-replayed': 'true' } : {});
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  store = new Store(url);

  return {
    url,
    host,
    port,
    protocol: 'http',
    sdkOptions: { host, port, protocol: 'http', telemetry: false },
    webhookSecret,
    get requestCount() {
      return log.length;
    },
    get requests() {
      return log.map((e) => ({ ...e }));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    succeedPayment: (ref) => clone(succeedPayment(store, paymentId(store, ref))) as Payable,
    failPayment: (ref, opts) => clone(failPayment(store, paymentId(store, ref), opts)) as Payable,
    processPayment: (ref) => clone(processPayment(store, paymentId(store, ref))) as Payable,
    createDashboardRefund: (ref, amount) =>
      clone(
        createRefund(store, {
          payment_intent: paymentIntentId(store, ref),
          ...(amount === undefined ? {} : { amount: String(amount) }),
        }),
      ) as EmulatedRefund,
    updateRefund: (refundId, status, failureReason) =>
      clone(updateRefund(store, refundId, status, failureReason)) as EmulatedRefund,
    get: (id) => {
      const found = store.objects.get(id);
      return found ? clone(found) : undefined;
    },
    // The overloads only narrow the element type by `kind`; the objects are what the store holds for it.
    list: ((kind: string) => store.all(kind).map((o) => clone(o))) as StripeEmulator['list'],
    webhookFor: (ref, type, opts = {}) => {
      const event = buildEvent(store, typeof ref === 'string' ? ref : paymentId(store, ref), type, apiVersion);
      const signed = signStripeWebhook(
        event,
        opts.secret ?? webhookSecret,
        opts.timestamp === undefined ? {} : { timestamp: opts.timestamp },
      );
      return { event, ...signed };
    },
    deliverWebhook: async (target, webhook) => {
      const response = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          ...webhook.headers,
        },
        body: webhook.rawBody,
      });
      return { status: response.status, body: await response.text() };
    },
    failNext: (fault) => faults.add('fail', fault, { failure: fault }),
    delayNext: (ms, scope = {}) => faults.add('delay', scope, { delayMs: ms }),
    dropConnectionAfterActing: (scope = {}) => faults.add('drop', scope),
    clearFaults: () => faults.clear(),
  };
}

/**
 * The Checkout Session or PaymentIntent `ref` names. By attempt or order: the latest session or PaymentIntent
 * whose metadata carries it, leaving out PaymentIntents a session made (the session is what the adapter
 * created and what `providerReference` holds).
 */
function paymentId(store: Store, ref: EmulatedPaymentRef): string {
  if (typeof ref === 'string') return ref;
  const ofSessions = new Set(store.all('checkout.session').map((s) => s.payment_intent));
  const candidates = [...store.objects.values()].filter(
    (o) => o.object === 'checkout.session' || (o.object === 'payment_intent' && !ofSessions.has(o.id)),
  ); // creation order
  return resolveEmulatedPayment(
    ref,
    candidates,
    (o) => {
      const metadata = (o.metadata ?? {}) as Record<string, unknown>;
      return { attemptId: metadata[STRIPE_METADATA_KEYS.attemptId], orderId: metadata[STRIPE_METADATA_KEYS.orderId] };
    },
    'Checkout Session or PaymentIntent',
  );
}

/** The PaymentIntent `ref` names: itself, or the one a session made when it was paid. */
function paymentIntentId(store: Store, ref: EmulatedPaymentRef): string {
  const id = paymentId(store, ref);
  if (!id.startsWith('cs_')) return id;
  const intent = store.get('checkout.session', id, 'session').payment_intent;
  if (typeof intent !== 'string') throw new Error(`Checkout Session ${id} has no PaymentIntent yet; pay it first.`);
  return intent;
}

/** Runs the API call and renders its response, Stripe errors included, as the bytes to send (and replay). */
function act(
  store: Store,
  method: string,
  path: string,
  params: FormObject,
  livemode: boolean,
): { status: number; body: string } {
  try {
    return { status: 200, body: JSON.stringify(dispatch(store, method, path, params, livemode), null, 2) };
  } catch (error) {
    if (error instanceof StripeApiFailure)
      return { status: error.status, body: JSON.stringify({ error: error.error }, null, 2) };
    const message = error instanceof Error ? error.message : String(error);
    return { status: 500, body: JSON.stringify({ error: { type: 'api_error', message } }, null, 2) };
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearer(req: IncomingMessage): string | null {
  const match = /^Bearer (\S+)$/.exec(header(req, 'authorization') ?? '');
  return match?.[1] ?? null;
}

function keyAccepted(key: string, only: string | undefined): boolean {
  return only === undefined ? /^(sk|rk)_(test|live)_\w+$/.test(key) : key === only;
}

/** Parameters with sorted keys, so the same parameters in another order count as the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
