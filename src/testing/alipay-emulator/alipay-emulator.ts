/**
 * A local Alipay gateway for tests: the real `alipay-sdk` talks to it over HTTP, so every test exercises
 * the SDK's request signing, response verification, transport and error handling without the internet.
 *
 * It serves `/gateway.do` like Alipay: OpenAPI calls (`precreate`, `query`, `close`, `refund`,
 * `fastpay.refund.query`) as signed form POSTs, answered with JSON signed by its own Alipay key; cashier
 * URLs (`page.pay`, `wap.pay`) as signed GETs that open the trade. It checks every request's RSA2
 * signature against the application public key, keeps trades (WAIT_BUYER_PAY → TRADE_SUCCESS →
 * TRADE_CLOSED when fully refunded), signs notifications as Alipay does, posts them, and injects
 * failures (HTTP statuses, business refusals, delays, dropped connections after acting).
 * @module
 */
import { createPublicKey, createPrivateKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beijingTime, yuan } from '../../alipay/alipay-values.js';
import { generateAlipayTestKeyPair, signAlipayNotify } from '../alipay-signer.js';
import { createEmulatorFaults, postNotification } from '../emulator-faults.js';

export { generateAlipayTestKeyPair };
import {
  AlipayEmulatorStore,
  isTrade,
  refusal,
  type AlipayGatewayAnswer,
  type EmulatedAlipayRefund,
  type EmulatedAlipayTrade,
} from './alipay-emulator-store.js';
import type {
  AlipayEmulator,
  AlipayEmulatorControls,
  AlipayEmulatorFaultScope,
  AlipayEmulatorOptions,
  AlipayEmulatorRequest,
  AlipayTradeRef,
} from './alipay-emulator-types.js';

type Injection =
  | { kind: 'fail'; status: number; body: string | undefined }
  | { kind: 'refuse'; answer: AlipayGatewayAnswer }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' };

/**
 * Starts an emulator on a local port.
 *
 * @example
 * ```ts
 * const emulator = await startAlipayEmulator();
 * const alipay = createAlipayProvider({ ...emulator.providerOptions });
 * const result = await alipay.createPayment({ …, channel: 'alipay_qr' });
 * emulator.controls.pay(result.providerReference);
 * const { rawBody, headers } = emulator.controls.notificationFor(result.providerReference);
 * await alipay.verifyWebhook({ rawBody, headers }); // payment.succeeded
 * await emulator.close();
 * ```
 */
export async function startAlipayEmulator(options: AlipayEmulatorOptions = {}): Promise<AlipayEmulator> {
  const host = options.host ?? '127.0.0.1';
  const appId = options.appId ?? `20210${String(randomBytes(6).readUIntBE(0, 6)).padStart(11, '0').slice(0, 11)}`;
  const appKeyPair = options.appKeyPair ?? generateAlipayTestKeyPair('alipay-emulator-app');
  const alipayKeyPair = options.alipayKeyPair ?? generateAlipayTestKeyPair('alipay-emulator-alipay');
  const appPublicKey: KeyObject = createPublicKey(appKeyPair.publicKey);
  const alipayPrivateKey: KeyObject = createPrivateKey(alipayKeyPair.privateKey);
  const clock = options.clock ?? (() => new Date());
  const store = new AlipayEmulatorStore(clock, options.refunds ?? 'succeeded');
  const log: AlipayEmulatorRequest[] = [];
  // Faults are scoped to an OpenAPI method when one is named (so concurrent traffic does not take them).
  const faults = createEmulatorFaults<Injection>();
  let portalRefunds = 0;

  const inject = (injection: Injection, scope: AlipayEmulatorFaultScope = {}): void => {
    const count = scope.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error('Fault count must be a positive integer.');
    faults.inject(injection, count, scope.method);
  };

  /** Checks the request signature: every parameter but `sign`, sorted, `k=v&…`, RSA-SHA256. */
  const checkSignature = (params: Record<string, string>): AlipayEmulatorRequest['signature'] => {
    const signature = params['sign'];
    if (!signature) return 'missing';
    const content = Object.keys(params)
      .filter((k) => k !== 'sign')
      .sort()
      .map((k) => `${k}=${params[k]}`)
      .join('&');
    try {
      return verify('RSA-SHA256', Buffer.from(content, 'utf8'), appPublicKey, Buffer.from(signature, 'base64'))
        ? 'valid'
        : 'invalid';
    } catch {
      return 'invalid';
    }
  };

  const bizOf = (params: Record<string, string>): Record<string, unknown> | null => {
    try {
      const biz = JSON.parse(params['biz_content'] ?? '{}') as unknown;
      return typeof biz === 'object' && biz !== null ? (biz as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };

  /** The gateway's answer to an authenticated call (before any injected refusal). */
  const answerFor = (params: Record<string, string>): AlipayGatewayAnswer => {
    const biz = bizOf(params);
    if (!biz) return refusal('isv.invalid-biz-content', 'biz_content 不是 JSON', '40002');
    switch (params['method']) {
      case 'alipay.trade.precreate':
        return store.precreate(biz, params['notify_url'] ?? null);
      case 'alipay.trade.query':
        return store.query(biz);
      case 'alipay.trade.close':
        return store.close(biz);
      case 'alipay.trade.refund':
        return store.refund(biz);
      case 'alipay.trade.fastpay.refund.query':
        return store.refundQuery(biz);
      default:
        return refusal('isv.invalid-method', '不存在的方法名', '40002');
    }
  };

  /** `{"<method>_response":{…},"sign":"…"}`, signed over the response object's exact text. */
  const signedJson = (method: string, answer: AlipayGatewayAnswer): string => {
    const body = JSON.stringify(answer);
    const signature = sign('RSA-SHA256', Buffer.from(body, 'utf8'), alipayPrivateKey).toString('base64');
    return `{"${method.replaceAll('.', '_')}_response":${body},"sign":"${signature}"}`;
  };

  const authenticate = (params: Record<string, string>, entry: AlipayEmulatorRequest): AlipayGatewayAnswer | null => {
    if (params['app_id'] !== appId) return refusal('isv.invalid-app-id', '无效的AppID参数', '40002');
    entry.signature = checkSignature(params);
    if (entry.signature === 'missing') return refusal('isv.missing-signature', '缺少签名参数', '40001');
    if (entry.signature === 'invalid') return refusal('isv.invalid-signature', '验签出错', '40002');
    if (params['sign_type'] !== 'RSA2') return refusal('isv.invalid-signature-type', '无效签名类型', '40002');
    return null;
  };

  const send = (
    entry: AlipayEmulatorRequest,
    res: ServerResponse,
    status: number,
    body: string,
    type: string,
  ): void => {
    entry.status = status;
    if (res.destroyed || res.writableEnded) return;
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType.includes('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params[k] = v;
    }
    const entry: AlipayEmulatorRequest = {
      method: req.method ?? 'GET',
      apiMethod: params['method'] ?? null,
      url: req.url ?? '/',
      params,
      signature: 'missing',
      status: null,
      receivedAt: new Date(),
    };
    log.push(entry);
    if (url.pathname !== '/gateway.do') return send(entry, res, 404, 'Not Found', 'text/plain');
    const injection = faults.take(params['method'] ?? null);
    if (injection?.kind === 'fail') {
      return send(
        entry,
        res,
        injection.status,
        injection.body ?? '<html><body>Error</body></html>',
        'text/html; charset=utf-8',
      );
    }
    const method = params['method'] ?? 'unknown';
    if (req.method === 'GET') {
      // A payer's browser opening a cashier URL.
      const denied = authenticate(params, entry);
      const opened =
        denied ??
        (method === 'alipay.trade.page.pay' || method === 'alipay.trade.wap.pay'
          ? store.open(method, bizOf(params) ?? {}, params['notify_url'] ?? null)
          : refusal('isv.invalid-method', '不存在的方法名', '40002'));
      if (!isTrade(opened)) return send(entry, res, 400, cashierError(opened), 'text/html; charset=utf-8');
      return send(entry, res, 200, cashierPage(opened), 'text/html; charset=utf-8');
    }
    const denied = authenticate(params, entry);
    const answer = denied ?? (injection?.kind === 'refuse' ? injection.answer : answerFor(params));
    if (injection?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (injection?.kind === 'delay') await faults.sleep(injection.ms);
    send(entry, res, 200, signedJson(method, answer), 'application/json;charset=utf-8');
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
  const baseUrl = `http://${host}:${port}`;
  const gatewayUrl = `${baseUrl}/gateway.do`;

  const trade = (ref: AlipayTradeRef): EmulatedAlipayTrade => {
    const outTradeNo = outTradeNoOf(ref);
    const found = store.get(outTradeNo);
    if (!found) throw new Error(`No trade ${outTradeNo} in the Alipay emulator.`);
    return found;
  };

  const notificationFor: AlipayEmulatorControls['notificationFor'] = (ref, o = {}) => {
    const t = trade(ref);
    const outTradeNo = t.outTradeNo;
    const succeeded = t.refunds.filter((r) => r.status === 'succeeded');
    const refund =
      o.refund === undefined
        ? undefined
        : o.refund === true
          ? succeeded.at(-1)
          : t.refunds.find((r) => r.outRequestNo === o.refund);
    if (o.refund !== undefined && !refund) throw new Error(`No refund to report on trade ${outTradeNo}.`);
    if (refund && refund.status !== 'succeeded')
      throw new Error(`Refund ${refund.outRequestNo} is ${refund.status}: Alipay notifies a refund once it succeeded.`);
    // refund_fee: the trade's cumulative refunded amount when this refund succeeded, as Alipay sends it.
    const refundedUpTo = refund
      ? succeeded.filter((r) => r.at.getTime() <= refund.at.getTime()).reduce((s, r) => s + r.amount, 0)
      : 0;
    const fields: Record<string, string> = {
      notify_time: beijingTime(clock()),
      notify_type: 'trade_status_sync',
      notify_id: o.notifyId ?? randomBytes(16).toString('hex'),
      app_id: appId,
      charset: 'utf-8',
      version: '1.0',
      trade_no: t.tradeNo,
      out_trade_no: t.outTradeNo,
      buyer_id: '2088102177846880',
      buyer_logon_id: t.buyerLogonId,
      seller_id: '2088101117955611',
      trade_status: refund ? (refundedUpTo === t.totalAmount ? 'TRADE_CLOSED' : 'TRADE_SUCCESS') : t.status,
      total_amount: yuan(t.totalAmount),
      subject: t.subject,
      ...(t.body ? { body: t.body } : {}),
      gmt_create: beijingTime(t.createdAt),
      ...(t.paidAt
        ? {
            gmt_payment: beijingTime(t.paidAt),
            receipt_amount: yuan(t.totalAmount),
            buyer_pay_amount: yuan(t.totalAmount),
          }
        : {}),
      ...(t.closedAt && (!refund || refundedUpTo === t.totalAmount) ? { gmt_close: beijingTime(t.closedAt) } : {}),
      ...(refund
        ? { out_biz_no: refund.outRequestNo, refund_fee: yuan(refundedUpTo), gmt_refund: beijingTime(refund.at) }
        : {}),
      ...o.overrides,
    };
    return { ...signAlipayNotify(fields, alipayPrivateKey), url: t.notifyUrl };
  };

  const controls: AlipayEmulatorControls = {
    pay(ref) {
      const t = trade(ref);
      store.pay(t);
      return t;
    },
    scan(ref) {
      const t = trade(ref);
      t.scanned = true;
      return t;
    },
    close(ref) {
      const t = trade(ref);
      store.closeTrade(t);
      return t;
    },
    fail(ref) {
      return controls.close(ref);
    },
    async openPage(pageUrl) {
      const response = await fetch(pageUrl);
      const text = await response.text();
      const found = /data-out-trade-no="([^"]+)"/.exec(text)?.[1];
      if (!response.ok || !found) throw new Error(`The cashier refused the page: ${text.slice(0, 200)}`);
      return trade(found);
    },
    openAppOrder(orderString) {
      const params = Object.fromEntries(new URLSearchParams(orderString));
      const entry: AlipayEmulatorRequest = {
        method: 'APP',
        apiMethod: params['method'] ?? null,
        url: 'app://order',
        params,
        signature: 'missing',
        status: null,
        receivedAt: new Date(),
      };
      const denied = authenticate(params, entry);
      if (denied) throw new Error(`The Alipay app refused the order string: ${denied['sub_code']}`);
      const opened = store.open(params['method'] ?? '', bizOf(params) ?? {}, params['notify_url'] ?? null);
      if (!isTrade(opened)) throw new Error(`The Alipay app refused the order: ${opened['sub_code']}`);
      return opened;
    },
    getTrade: (ref) => store.get(outTradeNoOf(ref)),
    trades: () => store.all(),
    notificationFor,
    async deliver(notification, url) {
      const target = url ?? notification.url;
      if (!target) throw new Error('The trade has no notify_url; pass a url.');
      return postNotification(target, notification.headers, notification.rawBody);
    },
    refund(ref, r = {}) {
      const t = trade(ref);
      portalRefunds += 1;
      const outRequestNo = r.outRequestNo ?? `portal${String(portalRefunds).padStart(4, '0')}${t.tradeNo.slice(-8)}`;
      if (t.refunds.some((x) => x.outRequestNo === outRequestNo))
        throw new Error(`Trade ${t.outTradeNo} already has a refund ${outRequestNo}.`);
      const left = t.totalAmount - t.refunds.reduce((s, x) => s + x.amount, 0);
      const amount = r.amount ?? left;
      const refused = store.addRefund(t, {
        outRequestNo,
        amount,
        reason: r.reason ?? null,
        status: 'succeeded',
        source: 'portal',
      });
      if (refused) throw new Error(`Alipay's portal refused the refund: ${refused['sub_code']}`);
      return t.refunds.at(-1) as EmulatedAlipayRefund;
    },
    settleRefund(ref, outRequestNo, status) {
      const t = trade(ref);
      const refund = t.refunds.find((r) => r.outRequestNo === outRequestNo);
      store.settleRefund(t, outRequestNo, status);
      return refund as EmulatedAlipayRefund;
    },
    setRefundMode(mode) {
      store.refundMode = mode;
    },
    failNext: (f) => inject({ kind: 'fail', status: f.status, body: f.body }, f),
    refuseNext: (r) =>
      inject({ kind: 'refuse', answer: refusal(r.subCode, r.subMsg ?? r.subCode, r.code ?? '40004') }, r),
    delayNext: (ms, o = {}) => inject({ kind: 'delay', ms }, o),
    dropConnectionAfterActing: (o = {}) => inject({ kind: 'drop' }, o),
    reset() {
      faults.clear();
      log.length = 0;
    },
  };

  return {
    url: baseUrl,
    gatewayUrl,
    appId,
    appKeyPair,
    alipayKeyPair,
    providerOptions: {
      appId,
      privateKey: appKeyPair.privateKey,
      alipayPublicKey: alipayKeyPair.publicKey,
      gatewayUrl,
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

/** The `out_trade_no` a test's reference names (see {@link AlipayTradeRef}). */
function outTradeNoOf(ref: AlipayTradeRef): string {
  if (typeof ref === 'string') return ref;
  const dto = ref as { paymentPayload?: { attemptId?: unknown } | null; attemptId?: unknown };
  const attemptId = dto.paymentPayload?.attemptId ?? dto.attemptId;
  if (typeof attemptId === 'string') return attemptId;
  throw new Error(
    'Name the Alipay trade by out_trade_no, { attemptId } or the createCharge DTO (trades carry no order id).',
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

function cashierPage(trade: EmulatedAlipayTrade): string {
  return `<!doctype html><html><body><h1>支付宝收银台 (emulator)</h1><p data-out-trade-no="${escapeHtml(trade.outTradeNo)}">${escapeHtml(trade.subject)} ¥${yuan(trade.totalAmount)}</p></body></html>`;
}

function cashierError(answer: AlipayGatewayAnswer): string {
  return `<!doctype html><html><body><h1>错误</h1><p>${escapeHtml(answer['sub_code'] ?? answer['code'] ?? '')}</p></body></html>`;
}
