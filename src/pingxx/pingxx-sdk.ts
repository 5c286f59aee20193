/**
 * The shape of the untyped `pingpp` 2.1.6 SDK, as far as the adapter touches it, and its loader.
 *
 * `pingpp` is CommonJS, Node-only (Node's `http` and `crypto`; it also compiles code with `new Function`,
 * which Cloudflare workerd forbids) and an optional peer dependency. So it is loaded on the first API call,
 * never when `@org/payment-factory/pingxx` is imported, a provider is built or a webhook is verified:
 * webhooks verify on Web Crypto everywhere. The internals typed here
 * (`_request`, `_timeoutHandler`, `_responseHandler`) are read from `lib/PingppResource.js`; the
 * transport instruments them per resource instance (see `pingxx-transport.ts`).
 * @module
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { UnsupportedOperationError } from '../core/errors.js';
import { assertPeerInstalled, peerMissingError, peerRequire, type OptionalPeer } from '../core/optional-peer.js';

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

/** `pingpp`, as an optional peer: its install command and the `PINGXX_SDK_MISSING` error. */
export const PINGPP_PEER: OptionalPeer = {
  name: 'pingpp',
  range: '^2.1.6',
  code: 'PINGXX_SDK_MISSING',
  neededBy: 'The Ping++ adapter',
};

function sdkUnsupported(provider: string, why: string, cause?: unknown): UnsupportedOperationError {
  return new UnsupportedOperationError(
    `Ping++ API calls need the "pingpp" SDK, which cannot run on this JavaScript runtime (${why}). ` +
      'Verifying Ping++ webhooks works here; create charges, refunds and syncs from a Node, Bun or Deno service.',
    { code: 'PINGXX_SDK_UNSUPPORTED_RUNTIME', provider, ...(cause === undefined ? {} : { cause }) },
  );
}

/**
 * Checks, without loading it, that `pingpp` can be found, so a missing package fails when the provider is
 * built. On a runtime without CommonJS `require` nothing can be checked: API calls report it.
 * @throws ConfigurationError `PINGXX_SDK_MISSING` when `pingpp` is not installed.
 */
export function assertPingppInstalled(provider: string): void {
  assertPeerInstalled(PINGPP_PEER, provider);
}

/**
 * Loads the `pingpp` SDK (on the first API call).
 * @throws ConfigurationError `PINGXX_SDK_MISSING` when `pingpp` is not installed;
 * UnsupportedOperationError `PINGXX_SDK_UNSUPPORTED_RUNTIME` where it cannot run (no `require`, or the SDK
 * throws while loading, as on workerd).
 */
export function loadPingpp(provider: string): PingppFactory {
  const load = peerRequire();
  if (!load) throw sdkUnsupported(provider, 'no CommonJS require through node:module');
  let sdk: unknown;
  try {
    sdk = load('pingpp');
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND')
      throw peerMissingError(PINGPP_PEER, cause, provider);
    throw sdkUnsupported(provider, 'the SDK failed to load', cause);
  }
  if (typeof sdk !== 'function') throw sdkUnsupported(provider, 'the SDK did not load as a function');
  return sdk as PingppFactory;
}
