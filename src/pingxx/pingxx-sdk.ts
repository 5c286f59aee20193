/**
 * The shape of the untyped `pingpp` 2.1.6 SDK, as far as the adapter touches it, and its loader.
 *
 * `pingpp` is CommonJS and an optional peer dependency, so it is loaded lazily, when a provider is
 * built, never when `@org/payment-factory/pingxx` is imported. The internals typed here
 * (`_request`, `_timeoutHandler`, `_responseHandler`) are read from `lib/PingppResource.js`; the
 * transport instruments them per resource instance (see `pingxx-transport.ts`).
 * @module
 */
import { createRequire } from 'node:module';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { ConfigurationError } from '../core/errors.js';

/** Node-style callback the SDK's request machinery calls once per call. */
export type PingppCallback = (error: unknown, response: unknown) => void;

/** The request internals of one `PingppResource` instance (`lib/PingppResource.js`). */
export interface PingppResourceInternals {
  _request: (
    this: PingppResourceInternals,
    method: string,
    path: string,
    data: unknown,
    auth: string | null,
    callback: PingppCallback,
  ) => void;
  _timeoutHandler: (
    this: PingppResourceInternals,
    timeout: number,
    req: ClientRequest,
    callback: PingppCallback,
  ) => () => void;
  _responseHandler: (
    this: PingppResourceInternals,
    req: ClientRequest,
    callback: PingppCallback,
    retryCallback?: PingppCallback,
  ) => (res: IncomingMessage) => void;
}

/** `pingpp.charges`: charges and their refunds (`chargeRefunds.create` is broken in 2.1.6; never used). */
export interface PingppChargesResource extends PingppResourceInternals {
  create(params: object): Promise<unknown>;
  retrieve(chargeId: string): Promise<unknown>;
  /** `POST /v1/charges/{id}/reverse`: closes an unpaid charge (撤销). */
  reverse(chargeId: string): Promise<unknown>;
  createRefund(chargeId: string, params: object): Promise<unknown>;
  listRefunds(chargeId: string, params: object): Promise<unknown>;
  retrieveRefund(chargeId: string, refundId: string): Promise<unknown>;
}

/** One SDK instance (`require('pingpp')(secretKey)`); all configuration lives on it. */
export interface PingppInstance {
  setHost(host: string, port?: number | string, protocol?: string): void;
  setTimeout(timeoutMs: number): void;
  /** Accepts a PEM string or a `KeyObject`: the SDK only passes it to `crypto.Sign#sign`. */
  setPrivateKey(privateKey: unknown): void;
  _setParsedHeader(name: string, value: string): void;
  charges: PingppChargesResource;
}

/** `require('pingpp')`. */
export type PingppFactory = (secretKey: string) => PingppInstance;

/**
 * Loads the `pingpp` SDK with a `require` anchored at this module, so the copy installed next to the
 * library is found. Works from both builds: the CJS build has `__filename`; the ESM build uses
 * `import.meta.url` (a bare `require` would be rewritten by the bundler into a throwing shim).
 * @throws ConfigurationError when `pingpp` is not installed.
 */
export function loadPingpp(provider: string): PingppFactory {
  try {
    const anchor = typeof __filename === 'string' ? __filename : import.meta.url;
    return createRequire(anchor)('pingpp') as PingppFactory;
  } catch (cause) {
    throw new ConfigurationError('The Ping++ adapter needs the "pingpp" package (npm install pingpp@^2.1.6).', {
      code: 'PINGXX_SDK_MISSING',
      cause,
      provider,
    });
  }
}
