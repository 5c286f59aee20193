/**
 * A local WeChat Pay API v3 for tests: the real adapter talks to it over HTTP, so every test exercises request
 * signing, answer verification, transport and error handling without the internet.
 *
 * It serves the endpoints the adapter uses — create (`native`, `jsapi`, `h5`, `app`), query by
 * `out_trade_no`, close, refund and refund query — checks every request's `Authorization` (merchant id,
 * certificate serial, ±5 minute timestamp, RSA-SHA256 signature with the merchant public key), signs every
 * answer with its WeChat Pay key under a `PUB_KEY_ID_…` serial (or, after `signWith`, with one of its extra
 * signers — platform certificates mid-rotation), keeps orders and refunds with WeChat Pay's
 * rules, builds notifications as WeChat Pay does (encrypted resource, signed headers), posts them, and injects
 * failures (HTTP statuses with or without an error body, delays, dropped connections after acting, forged
 * answer signatures).
 * @module
 */
import { createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  parseAuthorization,
  requestSignMessage,
  responseSignMessage,
  rsaSign,
  rsaVerify,
  WECHATPAY_AUTH_SCHEME,
  wechatpayNonce,
} from '../../wechatpay/wechatpay-signature.js';
import { createEmulatorFaults, postNotification } from '../emulator-faults.js';
import { generateWechatPayTestKeyPair, signWechatPayNotification } from '../wechatpay-signer.js';
import {
  wechatpayFailure,
  WechatPayEmulatorStore,
  type EmulatedWechatPayOrder,
  type WechatPayEmulatorAnswer,
} from './wechatpay-emulator-store.js';
import type {
  WechatPayEmulator,
  WechatPayEmulatorControls,
  WechatPayEmulatorOptions,
  WechatPayEmulatorRequest,
  WechatPayOrderRef,
} from './wechatpay-emulator-types.js';

type Injection =
  | { kind: 'fail'; status: number; code: string | undefined; message: string | undefined }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'tamper' };

/**
 * Starts an emulator on a local port.
 *
 * @example
 * ```ts
 * const emulator = await startWechatPayEmulator();
 * const wechatpay = createWechatPayProvider({ ...emulator.providerOptions });
 * const result = await wechatpay.createPayment({ …, channel: 'wx_pub_qr' });
 * emulator.controls.pay(result.providerReference);
 * const { rawBody, headers } = emulator.controls.notificationFor(result.providerReference);
 * await wechatpay.verifyWebhook({ rawBody, headers }); // payment.succeeded
 * await emulator.close();
 * ```
 */
export async function startWechatPayEmulator(options: WechatPayEmulatorOptions = {}): Promise<WechatPayEmulator> {
  const host = options.host ?? '127.0.0.1';
  const mchId = options.mchId ?? `19${String(randomBytes(6).readUIntBE(0, 6)).padStart(8, '0').slice(0, 8)}`;
  const appId = options.appId ?? `wx${randomBytes(8).toString('hex')}`;
  const merchantKeyPair = options.merchantKeyPair ?? generateWechatPayTestKeyPair('wechatpay-emulator-merchant');
  const wechatpayKeyPair = options.wechatpayKeyPair ?? generateWechatPayTestKeyPair('wechatpay-emulator-wechatpay');
  const merchantSerialNo = (options.merchantSerialNo ?? randomBytes(20).toString('hex')).toUpperCase();
  const publicKeyId =
    options.publicKeyId ?? `PUB_KEY_ID_01${String(randomBytes(6).readUIntBE(0, 6)).padStart(14, '0')}`;
  const apiV3Key = options.apiV3Key ?? randomBytes(16).toString('hex');
  const merchantPublicKey: KeyObject = createPublicKey(merchantKeyPair.publicKey);
  // Every key WeChat Pay may sign with, by serial; `signing` is the one in use.
  const signingKeys = new Map<string, KeyObject>([[publicKeyId, createPrivateKey(wechatpayKeyPair.privateKey)]]);
  const certificates: string[] = [];
  for (const signer of options.signers ?? []) {
    const serial = signer.serial ?? (signer.certificate ? new X509Certificate(signer.certificate).serialNumber : '');
    if (serial === '') throw new Error('A WeChat Pay emulator signer needs a serial or a certificate.');
    signingKeys.set(serial.toUpperCase(), createPrivateKey(signer.privateKey));
    if (signer.certificate) certificates.push(signer.certificate);
  }
  let signing = publicKeyId;
  const signingKey = (serial: string): KeyObject => {
    const key = signingKeys.get(serial);
    if (!key) throw new Error(`The WeChat Pay emulator holds no key for serial ${serial}.`);
    return key;
  };
  const clock = options.clock ?? (() => new Date());
  let baseUrl = '';
  let refundStatus = options.refundStatus ?? 'PROCESSING';
  const store = new WechatPayEmulatorStore(
    clock,
    mchId,
    () => baseUrl,
    () => refundStatus,
  );
  const log: WechatPayEmulatorRequest[] = [];
  const faults = createEmulatorFaults<Injection>();
  const inject = (injection: Injection, count = 1): void => faults.inject(injection, Math.max(1, count));

  /** Checks `Authorization` the way WeChat Pay does. */
  const authenticate = (req: IncomingMessage, body: string): WechatPayEmulatorRequest['signature'] => {
    const header = req.headers['authorization'];
    if (!header) return 'missing';
    const auth = parseAuthorization(Array.isArray(header) ? header[0] : header);
    if (!auth) return 'invalid';
    if (auth.mchid !== mchId || auth.serial_no.toUpperCase() !== merchantSerialNo) return 'invalid';
    if (!/^\d{1,12}$/.test(auth.timestamp) || Math.abs(clock().getTime() / 1000 - Number(auth.timestamp)) > 300) {
      return 'invalid';
    }
    const message = requestSignMessage(req.method ?? 'GET', req.url ?? '/', auth.timestamp, auth.nonce_str, body);
    return rsaVerify(message, auth.signature, merchantPublicKey) ? 'valid' : 'invalid';
  };

  /** The API's answer to an authenticated call (before injections). */
  const route = (method: string, url: URL, body: string): WechatPayEmulatorAnswer => {
    let json: Record<string, unknown> = {};
    if (method === 'POST') {
      try {
        const parsed = JSON.parse(body) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new TypeError('not an object');
        json = parsed as Record<string, unknown>;
      } catch {
        return wechatpayFailure(400, 'PARAM_ERROR', '请求体不是合法的JSON');
      }
    }
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (method === 'POST' && (m = /^\/v3\/pay\/transactions\/(native|jsapi|h5|app)$/.exec(path))) {
      return store.create(m[1] as 'native' | 'jsapi' | 'h5' | 'app', json);
    }
    if (method === 'GET' && (m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path))) {
      return store.query(decodeURIComponent(m[1]!), url.searchParams.get('mchid'));
    }
    if (method === 'POST' && (m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(path))) {
      return store.close(decodeURIComponent(m[1]!), json);
    }
    if (method === 'POST' && path === '/v3/refund/domestic/refunds') return store.refund(json);
    if (method === 'GET' && (m = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path))) {
      return store.refundQuery(decodeURIComponent(m[1]!));
    }
    return wechatpayFailure(404, 'NOT_FOUND', '请求的资源不存在');
  };

  const send = (
    entry: WechatPayEmulatorRequest,
    res: ServerResponse,
    answer: WechatPayEmulatorAnswer,
    tamper = false,
  ): void => {
    entry.status = answer.status;
    if (res.destroyed || res.writableEnded) return;
    const text = answer.body === null ? '' : JSON.stringify(answer.body);
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    const nonce = wechatpayNonce();
    const signed = responseSignMessage(timestamp, nonce, tamper ? `${text} ` : text);
    res.statusCode = answer.status;
    res.setHeader('Request-ID', randomBytes(16).toString('hex'));
    res.setHeader('Wechatpay-Nonce', nonce);
    res.setHeader('Wechatpay-Serial', signing);
    res.setHeader('Wechatpay-Signature', rsaSign(signed, signingKey(signing)));
    res.setHeader('Wechatpay-Signature-Type', WECHATPAY_AUTH_SCHEME);
    res.setHeader('Wechatpay-Timestamp', timestamp);
    if (answer.body !== null) res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://emulator');
    const entry: WechatPayEmulatorRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      body,
      signature: 'missing',
      status: null,
      receivedAt: new Date(),
    };
    log.push(entry);
    if (url.pathname.startsWith('/cgi-bin/mmpayweb-bin/checkmweb')) {
      // The H5 cashier page a payer's browser opens.
      entry.status = 200;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end('<!doctype html><html><body><h1>微信支付 (emulator)</h1></body></html>');
      return;
    }
    const injection = faults.take();
    if (injection?.kind === 'fail') {
      if (injection.code === undefined) {
        entry.status = injection.status;
        res.statusCode = injection.status;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end('<html><body>Bad Gateway</body></html>');
        return;
      }
      return send(entry, res, wechatpayFailure(injection.status, injection.code, injection.message ?? injection.code));
    }
    entry.signature = authenticate(req, body);
    const answer =
      entry.signature === 'valid'
        ? route(req.method ?? 'GET', url, body)
        : wechatpayFailure(401, 'SIGN_ERROR', entry.signature === 'missing' ? '缺少签名信息' : '签名错误');
    if (injection?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (injection?.kind === 'delay') await faults.sleep(injection.ms);
    send(entry, res, answer, injection?.kind === 'tamper');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.end(`Emulator error: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  const order = (ref: WechatPayOrderRef): EmulatedWechatPayOrder => {
    const outTradeNo = outTradeNoOf(ref);
    const found = store.get(outTradeNo);
    if (!found) throw new Error(`No order ${outTradeNo} in the WeChat Pay emulator.`);
    return found;
  };

  const notificationFor: WechatPayEmulatorControls['notificationFor'] = (ref, o = {}) => {
    const found = order(ref);
    const sign = (eventType: string, resource: Record<string, unknown>, url: string | null) => ({
      ...signWechatPayNotification(
        { eventType, resource, ...(o.id ? { id: o.id } : {}), createTime: clock() },
        {
          apiV3Key,
          privateKey: signingKey(o.serial ?? signing),
          serial: o.serial ?? signing,
          timestamp: o.timestamp ?? clock(),
        },
      ),
      url,
      resource,
    });
    if (o.refund !== undefined) {
      const refund = o.refund === true ? found.refunds.at(-1) : found.refunds.find((r) => r.outRefundNo === o.refund);
      if (!refund) throw new Error(`No refund to report on order ${found.outTradeNo}.`);
      const eventType = o.eventType ?? (refund.status === 'PROCESSING' ? 'REFUND.SUCCESS' : `REFUND.${refund.status}`);
      return sign(eventType, { ...store.refundResource(refund, found), ...o.overrides }, refund.notifyUrl);
    }
    return sign(o.eventType ?? 'TRANSACTION.SUCCESS', { ...store.transaction(found), ...o.overrides }, found.notifyUrl);
  };

  const controls: WechatPayEmulatorControls = {
    pay(ref, o = {}) {
      const found = order(ref);
      store.pay(found, o.openid ?? null);
      return found;
    },
    fail(ref) {
      const found = order(ref);
      store.fail(found);
      return found;
    },
    userPaying(ref) {
      const found = order(ref);
      store.userPaying(found);
      return found;
    },
    close(ref) {
      const found = order(ref);
      store.closeOrder(found);
      return found;
    },
    settleRefund(outRefundNo, status = 'SUCCESS') {
      const refund = store.refundByNo(outRefundNo);
      if (!refund) throw new Error(`No refund ${outRefundNo} in the WeChat Pay emulator.`);
      store.settleRefund(refund, status);
      return refund;
    },
    getOrder: (ref) => store.get(outTradeNoOf(ref)),
    orders: () => store.all(),
    notificationFor,
    async deliver(notification, url) {
      const target = url ?? notification.url;
      if (!target) throw new Error('The order has no notify_url; pass a url.');
      return postNotification(target, notification.headers, notification.rawBody);
    },
    signWith(serial) {
      signingKey(serial);
      signing = serial;
    },
    failNext: (f) => inject({ kind: 'fail', status: f.status, code: f.code, message: f.message }, f.count),
    delayNext: (ms, o = {}) => inject({ kind: 'delay', ms }, o.count),
    dropConnectionAfterActing: (o = {}) => inject({ kind: 'drop' }, o.count),
    tamperNextResponse: (o = {}) => inject({ kind: 'tamper' }, o.count),
    reset() {
      faults.clear();
      log.length = 0;
      refundStatus = options.refundStatus ?? 'PROCESSING';
      signing = publicKeyId;
    },
  };

  return {
    url: baseUrl,
    mchId,
    appId,
    apiV3Key,
    merchantSerialNo,
    publicKeyId,
    serials: [...signingKeys.keys()],
    merchantKeyPair,
    wechatpayKeyPair,
    providerOptions: {
      appId,
      mchId,
      apiV3Key,
      merchantSerialNo,
      privateKey: merchantKeyPair.privateKey,
      wechatpayPublicKey: wechatpayKeyPair.publicKey,
      wechatpayPublicKeyId: publicKeyId,
      ...(certificates.length > 0 ? { platformCertificate: certificates } : {}),
      baseUrl,
      notifyUrl: options.notifyUrl ?? `${baseUrl}/notify`,
      livemode: false,
    },
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

/** The `out_trade_no` a test's reference names (see {@link WechatPayOrderRef}). */
function outTradeNoOf(ref: WechatPayOrderRef): string {
  if (typeof ref === 'string') return ref;
  const dto = ref as { paymentPayload?: { attemptId?: unknown } | null; attemptId?: unknown };
  const attemptId = dto.paymentPayload?.attemptId ?? dto.attemptId;
  if (typeof attemptId === 'string') return attemptId;
  throw new Error('Name the WeChat Pay order by out_trade_no, { attemptId } or the createCharge DTO.');
}
