/**
 * The adapter's facade over the official `alipay-sdk` 4.x: one SDK instance per provider, loaded lazily
 * (importing `@org/payment-factory/alipay` does not load the SDK; building a provider does), with
 * responses verified (`validateSign`), keys kept snake_case (`camelcase: false`, so objects stored and
 * compared are Alipay's own), and every failure turned into a library error.
 * @module
 */
import { ConfigurationError, IndeterminateOutcomeError, ProviderUnavailableError } from '../core/errors.js';
import { isPeerNotFound, peerMissingError, peerRequire, type OptionalPeer } from '../core/optional-peer.js';
import { alipayBusinessError, alipayTransportError, type AlipayCallKind } from './alipay-errors.js';

/** What the adapter uses of the SDK's `AlipaySdk` class (a structural subset of its types). */
interface AlipaySdkLike {
  exec(
    method: string,
    params: Record<string, unknown>,
    options: { validateSign: boolean },
  ): Promise<Record<string, unknown>>;
  pageExec(method: string, httpMethod: 'GET' | 'POST', params: Record<string, unknown>): string;
  sdkExec(method: string, params: Record<string, unknown>): string;
  checkNotifySignV2(params: Record<string, string>): boolean;
}

type AlipaySdkConstructor = new (config: Record<string, unknown>) => AlipaySdkLike;

/** One gateway answer (the `<method>_response` object), snake_case as Alipay sends it. */
export interface AlipayAnswer {
  code: string;
  msg?: string;
  sub_code?: string;
  sub_msg?: string;
  [key: string]: unknown;
}

/** Options of {@link createAlipayClient}. */
export interface AlipayClientOptions {
  provider: string;
  appId: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
  gatewayUrl: string;
  timeoutMs: number;
}

/** Per-call extras of {@link AlipayClient.call}. */
export interface AlipayCallExtra {
  /** `notify_url`, for payment calls. */
  notifyUrl?: string;
  /**
   * Stops waiting for the answer. Aborted before sending: `ProviderUnavailableError` (nothing was sent).
   * Aborted while waiting: `IndeterminateOutcomeError` for a write (Alipay may have acted), else
   * `ProviderUnavailableError`. The SDK has no abort of its own, so the request itself runs to its timeout.
   */
  signal?: AbortSignal | undefined;
}

/** The facade. */
export interface AlipayClient {
  /**
   * Calls `method` and returns Alipay's answer, success (`code` `10000`) or business refusal alike, so
   * callers can treat `ACQ.TRADE_NOT_EXIST` and friends as facts. Transport failures throw.
   */
  call(
    method: string,
    bizContent: Record<string, unknown>,
    kind: AlipayCallKind,
    extra?: AlipayCallExtra,
  ): Promise<AlipayAnswer>;
  /** Like {@link AlipayClient.call}, but a refusal throws its mapped error. */
  callOk(
    method: string,
    bizContent: Record<string, unknown>,
    kind: AlipayCallKind,
    extra?: AlipayCallExtra,
  ): Promise<AlipayAnswer>;
  /** A signed cashier URL (`pageExec` with GET). No network call. */
  pageUrl(method: string, bizContent: Record<string, unknown>, urls: { notifyUrl: string; returnUrl?: string }): string;
  /** A signed app order string (`sdkExec`). No network call. */
  appOrderString(method: string, bizContent: Record<string, unknown>, urls: { notifyUrl: string }): string;
  /** The SDK's notification check (`checkNotifySignV2`: values as received, not URL-decoded again). */
  checkNotifySign(params: Record<string, string>): boolean;
}

/** Builds the facade and its SDK instance. @throws ConfigurationError when `alipay-sdk` is missing. */
export function createAlipayClient(options: AlipayClientOptions): AlipayClient {
  const AlipaySdk = loadAlipaySdk(options.provider);
  const sdk = new AlipaySdk({
    appId: options.appId,
    privateKey: options.privateKeyPem,
    keyType: 'PKCS8',
    alipayPublicKey: options.publicKeyPem,
    gateway: options.gatewayUrl,
    timeout: options.timeoutMs,
    camelcase: false,
    signType: 'RSA2',
  });
  const { provider } = options;

  const call: AlipayClient['call'] = async (method, bizContent, kind, extra = {}) => {
    const { signal } = extra;
    if (signal?.aborted) {
      throw new ProviderUnavailableError(`Alipay ${method} was aborted before it was sent.`, {
        code: 'ALIPAY_ABORTED',
        provider,
        details: { method },
      });
    }
    let answer: Record<string, unknown>;
    let onAbort: (() => void) | undefined;
    try {
      const request = sdk.exec(
        method,
        { bizContent, ...(extra.notifyUrl === undefined ? {} : { notifyUrl: extra.notifyUrl }) },
        { validateSign: true },
      );
      if (signal) request.catch(() => undefined); // an abandoned request's late failure is not unhandled
      answer = signal
        ? await Promise.race([
            request,
            new Promise<never>((_, reject) => {
              onAbort = () => reject(abortedInFlight(method, kind, provider));
              signal.addEventListener('abort', onAbort, { once: true });
            }),
          ])
        : await request;
    } catch (error) {
      throw alipayTransportError(error, method, kind, provider);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
    if (typeof answer.code !== 'string') {
      throw alipayTransportError(new Error('Response has no code'), method, kind, provider);
    }
    return answer as AlipayAnswer;
  };

  return {
    call,
    async callOk(method, bizContent, kind, extra) {
      const answer = await call(method, bizContent, kind, extra);
      if (answer.code !== '10000') throw alipayBusinessError(answer, method, kind, provider);
      return answer;
    },
    pageUrl: (method, bizContent, urls) =>
      sdk.pageExec(method, 'GET', {
        bizContent,
        notifyUrl: urls.notifyUrl,
        ...(urls.returnUrl === undefined ? {} : { returnUrl: urls.returnUrl }),
      }),
    appOrderString: (method, bizContent, urls) => sdk.sdkExec(method, { bizContent, notifyUrl: urls.notifyUrl }),
    checkNotifySign: (params) => {
      try {
        return sdk.checkNotifySignV2(params);
      } catch {
        return false; // a malformed signature makes node:crypto throw; it is simply not valid
      }
    },
  };
}

function abortedInFlight(method: string, kind: AlipayCallKind, provider: string): Error {
  const options = { code: 'ALIPAY_ABORTED', provider, details: { method } };
  return kind === 'write'
    ? new IndeterminateOutcomeError(`Alipay ${method} was aborted after it was sent; Alipay may have acted.`, options)
    : new ProviderUnavailableError(`Alipay ${method} was aborted while waiting for the answer.`, options);
}

/** `alipay-sdk`, an optional peer dependency. */
export const ALIPAY_PEER: OptionalPeer = {
  name: 'alipay-sdk',
  range: '^4.0.0',
  code: 'ALIPAY_SDK_MISSING',
  neededBy: 'The Alipay adapter',
};

/**
 * Loads `alipay-sdk` with a `require` anchored at this package (it ships CommonJS beside ESM), so the copy
 * installed next to the library is found from both builds. Missing: `ALIPAY_SDK_MISSING`, whose message is the
 * install command.
 */
function loadAlipaySdk(provider: string): AlipaySdkConstructor {
  const load = peerRequire();
  if (!load) {
    throw new ConfigurationError(
      'The Alipay adapter needs require() to load "alipay-sdk"; run it on Node, Bun or Deno.',
      {
        code: 'RUNTIME_FEATURE_MISSING',
        provider,
        details: { feature: 'node:module' },
      },
    );
  }
  let sdk: { AlipaySdk?: AlipaySdkConstructor; default?: AlipaySdkConstructor };
  try {
    sdk = load(ALIPAY_PEER.name) as typeof sdk;
  } catch (cause) {
    if (isPeerNotFound(ALIPAY_PEER, cause)) throw peerMissingError(ALIPAY_PEER, cause, provider);
    throw new ConfigurationError('The Alipay adapter could not load "alipay-sdk".', {
      code: 'ALIPAY_SDK_MISSING',
      cause,
      provider,
    });
  }
  const ctor = sdk.AlipaySdk ?? sdk.default;
  if (typeof ctor !== 'function') {
    throw new ConfigurationError(
      `"alipay-sdk" exports no AlipaySdk class; install ${ALIPAY_PEER.name}@${ALIPAY_PEER.range}.`,
      {
        code: 'ALIPAY_SDK_MISSING',
        provider,
      },
    );
  }
  return ctor;
}
