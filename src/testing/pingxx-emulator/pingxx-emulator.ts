/**
 * A local Ping++ API for tests: the real `pingpp` SDK talks to it over HTTP, so every test exercises
 * the SDK's request signing, transport and error handling without the internet.
 *
 * It serves the charge and refund endpoints the adapter uses, checks the secret key and the
 * `Pingplusplus-Signature` request signature against the merchant public key like Ping++, keeps state
 * (created → paid → refunded), returns per-channel `credential` objects, produces webhook events signed
 * with its own Ping++ key pair, and injects failures. Sockets are kept alive by default, which is what
 * makes an unpatched `pingpp` hang on Node ≥ 19.
 * @module
 */
import { verify as verifySignature, createPublicKey, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PingxxCharge, PingxxEvent, PingxxRefund } from '../../pingxx/pingxx-types.js';
import {
  generatePingxxTestKeyPair,
  signPingxxWebhook,
  type PingxxTestKeyPair,
  type SignedPingxxWebhook,
} from '../pingxx-signer.js';
import {
  emulatorId,
  errorResponse,
  PingxxEmulatorStore,
  type EmulatorRefundMode,
  type EmulatorResponse,
} from './emulator-store.js';

/** Options of {@link startPingxxEmulator}. */
export interface PingxxEmulatorOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Keep client sockets open between requests (a long `keepAliveTimeout`), as Ping++'s servers do. @default true */
  keepAlive?: boolean;
  /** The secret key clients must present. @default a random `sk_test_…` */
  secretKey?: string;
  /** The app id charges must name. @default a random `app_…` */
  appId?: string;
  /**
   * Merchant public key (PEM) that request signatures are checked against; `null` accepts unsigned
   * requests. @default the public half of a generated pair, whose private half is `merchantPrivateKey`
   */
  merchantPublicKey?: string | null;
  /** Ping++'s key pair, which signs webhook events. @default a generated pair */
  webhookKeyPair?: PingxxTestKeyPair;
  /** `livemode` of charges and events. @default false */
  livemode?: boolean;
  /** How new refunds start. @default 'succeeded' */
  refunds?: EmulatorRefundMode;
  /** Largest accepted skew of `Pingplusplus-Request-Timestamp`, in seconds. @default 300 */
  signatureToleranceSeconds?: number;
  /** Clock for object timestamps and expiries. @default () => new Date() */
  clock?: () => Date;
}

/** One request the emulator received. */
export interface PingxxEmulatorRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or `undefined`. */
  body: unknown;
  /** Outcome of the request-signature check. */
  signature: 'valid' | 'invalid' | 'missing' | 'unchecked';
  /** Status answered; `null` when the connection was dropped (or the answer is still pending). */
  status: number | null;
  receivedAt: Date;
}

/** An injected failure: answer `status` with `body` without acting. */
export interface PingxxEmulatorFailure {
  status: number;
  /** JSON object, or a string sent as is (e.g. an HTML error page). @default a Ping++ error body for the status */
  body?: unknown;
  /** How many requests fail. @default 1 */
  count?: number;
}

/** A signed event, ready to post. */
export interface PingxxEmulatorDelivery extends SignedPingxxWebhook {
  event: PingxxEvent;
}

/** Controls over the emulator's state and behaviour. */
export interface PingxxEmulatorControls {
  /** Marks a charge paid, as when the payer completes the payment (idempotent). */
  payCharge(chargeId: string, options?: { transactionNo?: string }): PingxxCharge;
  /** Marks an unpaid charge failed. */
  failCharge(chargeId: string, options?: { code?: string; message?: string }): PingxxCharge;
  /** Settles a pending refund (see the `refunds: 'pending'` option). */
  settleRefund(chargeId: string, refundId: string, status: 'succeeded' | 'failed'): PingxxRefund;
  getCharge(chargeId: string): PingxxCharge | undefined;
  /** The charge last created with this `order_no` (our attempt id). */
  findCharge(orderNo: string): PingxxCharge | undefined;
  charges(): PingxxCharge[];
  /**
   * The event Ping++ would send about a charge, signed with the emulator's Ping++ key. `refund.*`
   * events carry the refund `refundId`, or the latest one.
   */
  eventFor(chargeId: string, type: string, options?: { refundId?: string; eventId?: string }): PingxxEmulatorDelivery;
  /** Signs any payload with the emulator's Ping++ key. */
  signWebhook(payload: string | object): SignedPingxxWebhook;
  /** POSTs a delivery to `url` like Ping++'s webhook sender. */
  deliverEvent(url: string, delivery: PingxxEmulatorDelivery): Promise<{ status: number; body: string }>;
  /** The next request(s) get `status` without anything happening. */
  failNext(failure: PingxxEmulatorFailure): void;
  /** The next request(s) are processed, then answered after `ms` (so a client timeout leaves the effect in place). */
  delayNext(ms: number, options?: { count?: number }): void;
  /** The next request(s) are processed, then the connection is destroyed without an answer. */
  dropConnectionAfterActing(options?: { count?: number }): void;
  /** Forgets injected failures and the request log; keeps charges. */
  reset(): void;
}

/** The options a `createPingxxProvider` needs to talk to this emulator. */
export interface PingxxEmulatorProviderOptions {
  secretKey: string;
  appId: string;
  host: string;
  port: number;
  protocol: 'http';
  /** The merchant private key (absent when the emulator was given someone else's public key or `null`). */
  privateKey?: string;
  webhookPublicKey: string;
}

/** A running emulator. */
export interface PingxxEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  host: string;
  port: number;
  protocol: 'http';
  secretKey: string;
  appId: string;
  /** The merchant key pair's private half, when the emulator generated it. */
  merchantPrivateKey: string | null;
  merchantPublicKey: string | null;
  /** Ping++'s key pair: events are signed with `privateKey`; adapters verify with `publicKey`. */
  webhookKeyPair: PingxxTestKeyPair;
  /** Spread into `createPingxxProvider`. */
  providerOptions: PingxxEmulatorProviderOptions;
  controls: PingxxEmulatorControls;
  /** Every request received, oldest first. */
  readonly requests: readonly PingxxEmulatorRequest[];
  readonly requestCount: number;
  close(): Promise<void>;
}

type Injection = { kind: 'fail'; failure: PingxxEmulatorFailure } | { kind: 'delay'; ms: number } | { kind: 'drop' };

/**
 * Starts an emulator on a local port.
 *
 * @example
 * ```ts
 * const emulator = await startPingxxEmulator();
 * const pingxx = createPingxxProvider({ ...emulator.providerOptions });
 * const result = await pingxx.createPayment({ …, channel: 'alipay_qr' });
 * emulator.controls.payCharge(result.providerReference);
 * const { rawBody, headers } = emulator.controls.eventFor(result.providerReference, 'charge.succeeded');
 * await pingxx.verifyWebhook({ rawBody, headers }); // payment.succeeded
 * await emulator.close();
 * ```
 */
export async function startPingxxEmulator(options: PingxxEmulatorOptions = {}): Promise<PingxxEmulator> {
  const host = options.host ?? '127.0.0.1';
  const keepAlive = options.keepAlive ?? true;
  const secretKey = options.secretKey ?? emulatorId('sk_test_');
  const appId = options.appId ?? emulatorId('app_').slice(0, 20);
  const livemode = options.livemode ?? false;
  const clock = options.clock ?? (() => new Date());
  const tolerance = options.signatureToleranceSeconds ?? 300;
  const generatedMerchant =
    options.merchantPublicKey === undefined ? generatePingxxTestKeyPair('pingxx-emulator-merchant') : null;
  const merchantPublicKey = generatedMerchant ? generatedMerchant.publicKey : (options.merchantPublicKey ?? null);
  const merchantKey: KeyObject | null = merchantPublicKey === null ? null : createPublicKey(merchantPublicKey);
  const webhookKeyPair = options.webhookKeyPair ?? generatePingxxTestKeyPair('pingxx-emulator-webhook');
  const store = new PingxxEmulatorStore({ appId, livemode, refundMode: options.refunds ?? 'succeeded', clock });
  const log: PingxxEmulatorRequest[] = [];
  const injections: Array<{ injection: Injection; remaining: number }> = [];
  const timers = new Set<NodeJS.Timeout>();

  const inject = (injection: Injection, count = 1): void => {
    injections.push({ injection, remaining: Math.max(1, count) });
  };
  const takeInjection = (): Injection | undefined => {
    const head = injections[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) injections.shift();
    return head.injection;
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const authenticate = (headers: IncomingHttpHeaders): EmulatorResponse | null => {
    const header = headers.authorization ?? '';
    let key: string | undefined;
    if (header.startsWith('Basic ')) key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0];
    else if (header.startsWith('Bearer ')) key = header.slice(7);
    if (!key) return errorResponse(401, 'invalid_request_error', 'No API key provided.');
    return key === secretKey
      ? null
      : errorResponse(401, 'invalid_request_error', 'Invalid API key.', { code: 'api_key_invalid' });
  };

  const checkRequestSignature = (req: IncomingMessage, rawBody: string): PingxxEmulatorRequest['signature'] => {
    if (!merchantKey) return 'unchecked';
    const signature = req.headers['pingplusplus-signature'];
    const timestamp = req.headers['pingplusplus-request-timestamp'];
    if (typeof signature !== 'string' || typeof timestamp !== 'string') return 'missing';
    // The SDK signs body + path (with query) + timestamp; the timestamp is wall-clock seconds.
    if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance) return 'invalid';
    const data = Buffer.from(rawBody + (req.url ?? '') + timestamp, 'utf8');
    try {
      return verifySignature('RSA-SHA256', data, merchantKey, Buffer.from(signature, 'base64')) ? 'valid' : 'invalid';
    } catch {
      return 'invalid';
    }
  };

  const route = (method: string, url: URL, body: unknown): EmulatorResponse => {
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (path === '/v1/charges' && method === 'POST') return store.createCharge(body);
    if ((m = /^\/v1\/charges\/(ch_[0-9A-Za-z]+)$/.exec(path)) && method === 'GET')
      return store.retrieveCharge(m[1] as string);
    if ((m = /^\/v1\/charges\/(ch_[0-9A-Za-z]+)\/refunds$/.exec(path))) {
      if (method === 'POST') return store.createRefund(m[1] as string, body);
      if (method === 'GET') return store.listRefunds(m[1] as string, url.searchParams);
    }
    if ((m = /^\/v1\/charges\/(ch_[0-9A-Za-z]+)\/refunds\/(re_[0-9A-Za-z]+)$/.exec(path)) && method === 'GET') {
      return store.retrieveRefund(m[1] as string, m[2] as string);
    }
    return errorResponse(404, 'invalid_request_error', `Unrecognized request URL (${method} ${path}).`);
  };

  const send = (entry: PingxxEmulatorRequest, res: ServerResponse, status: number, body: unknown): void => {
    entry.status = status;
    if (res.destroyed || res.writableEnded) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.statusCode = status;
    res.setHeader(
      'Content-Type',
      typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    );
    if (!keepAlive) res.setHeader('Connection', 'close');
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const entry: PingxxEmulatorRequest = {
      method,
      url: req.url ?? '/',
      headers: req.headers,
      rawBody,
      body: undefined,
      signature: 'unchecked',
      status: null,
      receivedAt: new Date(),
    };
    log.push(entry);
    const injection = takeInjection();
    if (injection?.kind === 'fail') {
      const { status, body } = injection.failure;
      return send(entry, res, status, body === undefined ? defaultErrorBody(status) : body);
    }
    const denied = authenticate(req.headers);
    if (denied) return send(entry, res, denied.status, denied.body);
    entry.signature = checkRequestSignature(req, rawBody);
    if (entry.signature === 'missing' || entry.signature === 'invalid') {
      const denial = errorResponse(401, 'invalid_request_error', 'Request signature verification failed.', {
        code: 'signature_invalid',
      });
      return send(entry, res, denial.status, denial.body);
    }
    if (rawBody !== '') {
      try {
        entry.body = JSON.parse(rawBody);
      } catch {
        const bad = errorResponse(400, 'invalid_request_error', 'Request body is not valid JSON.');
        return send(entry, res, bad.status, bad.body);
      }
    }
    const response = route(method, new URL(entry.url, 'http://emulator'), entry.body);
    if (injection?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (injection?.kind === 'delay') await sleep(injection.ms);
    send(entry, res, response.status, response.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const failure = errorResponse(
        500,
        'api_error',
        `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = failure.status;
        res.end(JSON.stringify(failure.body));
      }
    });
  });
  // Ping++'s servers keep connections open; so must we, to reproduce the SDK's keep-alive hang.
  if (keepAlive) server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const eventFor: PingxxEmulatorControls['eventFor'] = (chargeId, type, eventOptions = {}) => {
    const charge = store.get(chargeId);
    if (!charge) throw new Error(`No charge ${chargeId} in the emulator.`);
    let object: unknown = charge;
    if (type.startsWith('refund.')) {
      const refunds = charge.refunds?.data ?? [];
      const refund =
        eventOptions.refundId === undefined ? refunds[0] : refunds.find((r) => r.id === eventOptions.refundId);
      if (!refund) throw new Error(`No refund to report on charge ${chargeId}.`);
      object = refund;
    }
    const event: PingxxEvent = {
      id: eventOptions.eventId ?? emulatorId('evt_'),
      object: 'event',
      created: Math.floor(clock().getTime() / 1000),
      livemode,
      type,
      data: { object },
      pending_webhooks: 1,
      request: emulatorId('iar_'),
    };
    return { event, ...signPingxxWebhook(event, webhookKeyPair.privateKey) };
  };

  const controls: PingxxEmulatorControls = {
    payCharge: (chargeId, o = {}) => store.pay(chargeId, o.transactionNo),
    failCharge: (chargeId, o = {}) =>
      store.fail(chargeId, o.code ?? 'PAY_FAILED', o.message ?? 'The payment channel reported a failure.'),
    settleRefund: (chargeId, refundId, status) => store.settleRefund(chargeId, refundId, status),
    getCharge: (chargeId) => store.get(chargeId),
    findCharge: (orderNo) => store.findByOrderNo(orderNo),
    charges: () => store.all(),
    eventFor,
    signWebhook: (payload) => signPingxxWebhook(payload, webhookKeyPair.privateKey),
    async deliverEvent(url, delivery) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...delivery.headers },
        body: delivery.rawBody,
      });
      return { status: response.status, body: await response.text() };
    },
    failNext: (failure) => inject({ kind: 'fail', failure }, failure.count),
    delayNext: (ms, o = {}) => inject({ kind: 'delay', ms }, o.count),
    dropConnectionAfterActing: (o = {}) => inject({ kind: 'drop' }, o.count),
    reset() {
      injections.length = 0;
      log.length = 0;
    },
  };

  const providerOptions: PingxxEmulatorProviderOptions = {
    secretKey,
    appId,
    host,
    port,
    protocol: 'http',
    webhookPublicKey: webhookKeyPair.publicKey,
    ...(generatedMerchant ? { privateKey: generatedMerchant.privateKey } : {}),
  };

  return {
    url: `http://${host}:${port}`,
    host,
    port,
    protocol: 'http',
    secretKey,
    appId,
    merchantPrivateKey: generatedMerchant?.privateKey ?? null,
    merchantPublicKey,
    webhookKeyPair,
    providerOptions,
    controls,
    get requests() {
      return log;
    },
    get requestCount() {
      return log.length;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function defaultErrorBody(status: number): unknown {
  if (status === 402)
    return {
      error: { type: 'channel_error', message: 'The payment channel refused the request.', code: 'channel_refused' },
    };
  if (status >= 500) return { error: { type: 'api_error', message: 'Internal server error.' } };
  return { error: { type: 'invalid_request_error', message: `Request failed with status ${status}.` } };
}
