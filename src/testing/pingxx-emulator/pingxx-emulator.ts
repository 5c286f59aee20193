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
import type { PingxxEvent } from '../../pingxx/pingxx-types.js';
import { resolveEmulatedPayment, type EmulatedPaymentRef } from '../emulated-payment-ref.js';
import { generatePingxxTestKeyPair, signPingxxWebhook } from '../pingxx-signer.js';
import { createEmulatorFaults, postNotification } from '../emulator-faults.js';
import { emulatorId, errorResponse, PingxxEmulatorStore, type EmulatorResponse } from './emulator-store.js';
import type {
  PingxxEmulator,
  PingxxEmulatorControls,
  PingxxEmulatorFailure,
  PingxxEmulatorOptions,
  PingxxEmulatorProviderOptions,
  PingxxEmulatorRequest,
} from './emulator-types.js';

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
  const faults = createEmulatorFaults<Injection>();
  const inject = (injection: Injection, count = 1): void => faults.inject(injection, Math.max(1, count));

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
    if ((m = /^\/v1\/charges\/(ch_[0-9A-Za-z]+)\/reverse$/.exec(path)) && method === 'POST')
      return store.reverseCharge(m[1] as string);
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
    const injection = faults.take();
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
    if (injection?.kind === 'delay') await faults.sleep(injection.ms);
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

  /** The charge id `ref` names: itself, or the latest charge of that attempt (`order_no`) or order (metadata). */
  const chargeIdOf = (ref: EmulatedPaymentRef): string =>
    resolveEmulatedPayment(
      ref,
      store.all(),
      (c) => ({ attemptId: c.order_no, orderId: (c.metadata as Record<string, unknown> | undefined)?.['order_bid'] }),
      'charge',
    );

  const eventFor: PingxxEmulatorControls['eventFor'] = (ref, type, eventOptions = {}) => {
    const chargeId = chargeIdOf(ref);
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
    payCharge: (ref, o = {}) => store.pay(chargeIdOf(ref), o.transactionNo),
    failCharge: (ref, o = {}) =>
      store.fail(chargeIdOf(ref), o.code ?? 'PAY_FAILED', o.message ?? 'The payment channel reported a failure.'),
    settleRefund: (ref, refundId, status) => store.settleRefund(chargeIdOf(ref), refundId, status),
    getCharge: (chargeId) => store.get(chargeId),
    findCharge: (orderNo) => store.findByOrderNo(orderNo),
    charges: () => store.all(),
    eventFor,
    signWebhook: (payload) => signPingxxWebhook(payload, webhookKeyPair.privateKey),
    deliverEvent: (url, delivery) =>
      postNotification(
        url,
        { 'content-type': 'application/json; charset=utf-8', ...delivery.headers },
        delivery.rawBody,
      ),
    failNext: (failure) => inject({ kind: 'fail', failure }, failure.count),
    delayNext: (ms, o = {}) => inject({ kind: 'delay', ms }, o.count),
    dropConnectionAfterActing: (o = {}) => inject({ kind: 'drop' }, o.count),
    reset() {
      faults.clear();
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
      faults.cancelTimers();
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
