/**
 * The WeChat Pay API v3 transport, on `fetch` and `node:crypto`: every request is signed
 * (`Authorization: WECHATPAY2-SHA256-RSA2048 …` over `METHOD\npath?query\ntimestamp\nnonce\nbody\n` with the
 * merchant key), every successful answer must carry a `Wechatpay-Signature` that verifies with the WeChat Pay
 * key its `Wechatpay-Serial` names (an unsigned 2xx is treated as forged), and every failure becomes a typed
 * error through `wechatpay-errors.ts`.
 *
 * Why not a library: WeChat Pay publishes no Node SDK, and the community packages wrap `axios`/`request`,
 * skip response verification or the public-key mode, and lag behind WeChat Pay's changes; the protocol is
 * four RSA/AES primitives that `node:crypto` has, so the adapter owns them (see docs/providers/wechatpay.md).
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { IndeterminateOutcomeError, ProviderUnavailableError } from '../core/errors.js';
import { getHeader } from '../core/webhook-input.js';
import {
  wechatpayApiError,
  wechatpayResponseError,
  wechatpaySerialUnknownError,
  wechatpayTransportError,
  type WechatPayCallKind,
  type WechatPayErrorBody,
} from './wechatpay-errors.js';
import { responseSignMessage, rsaVerify, signRequest } from './wechatpay-signature.js';

/** What the client needs. */
export interface WechatPayClientConfig {
  provider: string;
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
  verifyKeys: ReadonlyMap<string, KeyObject>;
  baseUrl: string;
  timeoutMs: number;
  clock: () => Date;
}

/** One call. */
export interface WechatPayCall {
  /** Names the call in errors (`create native`, `query`, `close`, `refund`, `refund query`). */
  operation: string;
  kind: WechatPayCallKind;
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/v3/pay/transactions/out-trade-no/abc?mchid=1900000109`. */
  path: string;
  body?: Record<string, unknown>;
  signal?: AbortSignal | undefined;
}

/** A verified successful answer. `data` is `null` for 204 No Content. */
export interface WechatPayAnswer {
  status: number;
  data: Record<string, unknown> | null;
}

/** A signed, verifying API client. */
export interface WechatPayClient {
  /**
   * Sends one call. Resolves with a verified 2xx answer.
   * @throws PaymentError for every failure: error answers through the error tables, transport failures as
   *   unavailable (not sent) or indeterminate (a write that may have acted).
   */
  call(call: WechatPayCall): Promise<WechatPayAnswer>;
}

/** Creates the client. */
export function createWechatPayClient(config: WechatPayClientConfig): WechatPayClient {
  const base = config.baseUrl.replace(/\/+$/, '');
  return {
    async call(call) {
      if (call.signal?.aborted) {
        throw new ProviderUnavailableError(`WeChat Pay ${call.operation} was aborted before it was sent.`, {
          code: 'WECHATPAY_ABORTED',
          provider: config.provider,
          details: { operation: call.operation },
        });
      }
      const url = new URL(base + call.path);
      const body = call.body === undefined ? '' : JSON.stringify(call.body);
      const authorization = signRequest({
        method: call.method,
        pathAndQuery: url.pathname + url.search,
        body,
        mchId: config.mchId,
        serialNo: config.serialNo,
        privateKey: config.privateKey,
        now: config.clock(),
      });
      const timeout = AbortSignal.timeout(config.timeoutMs);
      const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: call.method,
          headers: {
            Accept: 'application/json',
            ...(call.method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
            Authorization: authorization,
            'User-Agent': '@org/payment-factory (node)',
          },
          ...(call.method === 'POST' ? { body } : {}),
          signal,
        });
        text = await response.text();
      } catch (error) {
        if (call.signal?.aborted) {
          const options = {
            code: 'WECHATPAY_ABORTED',
            provider: config.provider,
            details: { operation: call.operation },
          };
          throw call.kind === 'write'
            ? new IndeterminateOutcomeError(
                `WeChat Pay ${call.operation} was aborted after it was sent; WeChat Pay may have acted.`,
                options,
              )
            : new ProviderUnavailableError(
                `WeChat Pay ${call.operation} was aborted while waiting for the answer.`,
                options,
              );
        }
        throw wechatpayTransportError(error, call.operation, call.kind, config.provider);
      }
      if (response.status < 200 || response.status >= 300) {
        throw wechatpayApiError(response.status, parseErrorBody(text), call.operation, call.kind, config.provider);
      }
      const signature = getHeader(response.headers, 'wechatpay-signature');
      const timestamp = getHeader(response.headers, 'wechatpay-timestamp');
      const nonce = getHeader(response.headers, 'wechatpay-nonce');
      const serial = getHeader(response.headers, 'wechatpay-serial');
      if (!signature || !timestamp || !nonce || !serial) {
        throw wechatpayResponseError('WECHATPAY_RESPONSE_UNSIGNED', call.operation, call.kind, config.provider);
      }
      const key = config.verifyKeys.get(serial.trim());
      if (!key) {
        throw wechatpaySerialUnknownError(
          serial.trim(),
          config.verifyKeys.keys(),
          call.operation,
          call.kind,
          config.provider,
        );
      }
      if (!rsaVerify(responseSignMessage(timestamp, nonce, text), signature, key)) {
        throw wechatpayResponseError(
          'WECHATPAY_RESPONSE_SIGNATURE_INVALID',
          call.operation,
          call.kind,
          config.provider,
        );
      }
      if (response.status === 204 || text === '') return { status: response.status, data: null };
      try {
        const data = JSON.parse(text) as unknown;
        if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new TypeError('not an object');
        return { status: response.status, data: data as Record<string, unknown> };
      } catch {
        throw wechatpayResponseError('WECHATPAY_RESPONSE_MALFORMED', call.operation, call.kind, config.provider);
      }
    },
  };
}

function parseErrorBody(text: string): WechatPayErrorBody | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { code, message } = parsed as Record<string, unknown>;
    return {
      code: typeof code === 'string' ? code : undefined,
      message: typeof message === 'string' ? message : undefined,
    };
  } catch {
    return null;
  }
}
