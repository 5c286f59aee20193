/**
 * Instruments one `pingpp` resource instance so every call is observable and finite.
 *
 * `pingpp` 2.1.6 has three transport defects the adapter must not inherit (DESIGN §10):
 *
 * 1. **It hangs on Node ≥ 19.** It writes the request only when the socket emits `connect`; a pooled
 *    keep-alive socket from `http.globalAgent` is already connected and never emits it. The client sets
 *    `Connection: close` so its own sockets never return to the pool; this module also covers a pooled
 *    socket left by *other* code in the process: when the SDK is handed an already-connected socket,
 *    the request is written here.
 * 2. **Errors carry no HTTP status**, and a 4xx/5xx JSON body without an `error` key resolves as a
 *    success. The response handler is wrapped to record `res.statusCode` on the call's trace.
 * 3. **Its timeout is an idle timeout** and cannot be cancelled. The timeout handler is wrapped so a
 *    deadline or an `AbortSignal` can abort the request through the SDK's own timeout path, and so the
 *    trace knows whether the request may have reached Ping++ (`sent`), which decides between "nothing
 *    happened, retry" and "maybe acted, reconcile".
 *
 * The hooks are installed on the resource *instance* (never on the SDK's prototypes), so two providers
 * in one process do not affect each other.
 * @module
 */
import type { Socket } from 'node:net';
import type { PingppCallback, PingppResourceInternals } from './pingxx-sdk.js';

/** What one SDK call did on the wire; read by the error mapper. */
export class PingxxCallTrace {
  /** HTTP status of the last response received, if any. */
  status: number | undefined = undefined;
  /** Whether the request may have reached Ping++ (a socket connected and the SDK wrote to it). */
  sent = false;
  /** Whether the call ended because a timeout or the deadline fired. */
  timedOut = false;
  /** Whether the caller aborted the call (`AbortSignal`). */
  aborted = false;
  #abortInFlight: (() => void) | undefined;
  #cancelled = false;

  /** Aborts the call; the SDK then rejects with its timeout error. Safe to call at any time, repeatedly. */
  cancel(reason: 'timeout' | 'abort'): void {
    if (reason === 'timeout') this.timedOut = true;
    else this.aborted = true;
    this.#cancelled = true;
    this.#abortInFlight?.();
  }

  /** Called by the transport once the SDK created its request. */
  bind(abortInFlight: () => void): void {
    this.#abortInFlight = abortInFlight;
    // Deferred: the SDK attaches its `error` listener right after creating the request.
    if (this.#cancelled) queueMicrotask(abortInFlight);
  }
}

/** Runs one SDK call with `trace` attached to the HTTP request it makes. */
export type TracedCall = <T>(trace: PingxxCallTrace, call: () => Promise<T>) => Promise<T>;

interface CallState {
  trace: PingxxCallTrace;
  /** The exact bytes the SDK signs and writes (needed to write on a pooled socket). */
  body: string;
}

/**
 * Installs the hooks on `resource` and returns the function that runs a call with a trace.
 *
 * The trace is handed over synchronously: the SDK's method wrapper calls `_request` inside a
 * `Promise` executor, i.e. before `call()` returns, so no other call can interleave.
 */
export function instrumentPingppResource(resource: PingppResourceInternals, protocol: 'http' | 'https'): TracedCall {
  const sdkRequest = resource._request;
  const sdkTimeoutHandler = resource._timeoutHandler;
  const sdkResponseHandler = resource._responseHandler;
  const connectEvent = protocol === 'http' ? 'connect' : 'secureConnect';
  const states = new WeakMap<PingppCallback, CallState>();
  let handoff: PingxxCallTrace | undefined;

  resource._request = function (method, path, data, auth, callback) {
    const trace = handoff ?? new PingxxCallTrace();
    handoff = undefined;
    // Mirrors PingppResource#_request: POST/PUT send JSON, GET/DELETE send nothing.
    const body = method === 'POST' || method === 'PUT' ? JSON.stringify(data ?? {}) : '';
    const traced: PingppCallback = (error, response) => callback(error, response);
    states.set(traced, { trace, body });
    sdkRequest.call(this, method, path, data, auth, traced);
  };

  resource._timeoutHandler = function (timeout, req, callback) {
    const onTimeout = sdkTimeoutHandler.call(this, timeout, req, callback);
    const state = states.get(callback);
    if (!state) return onTimeout;
    const { trace, body } = state;
    const abort = (): void => {
      // The SDK's handler sets `_isAborted`; never run it twice for one request.
      if (!(req as { _isAborted?: boolean })._isAborted) onTimeout();
    };
    req.once('socket', (socket: Socket) => {
      if (socket.connecting) {
        socket.once(connectEvent, () => {
          trace.sent = true;
        });
        return;
      }
      // A pooled, already-connected socket: the SDK would wait forever for `connect`. Write it here.
      trace.sent = true;
      req.write(body);
      req.end();
    });
    trace.bind(abort);
    return () => {
      trace.timedOut = true;
      abort();
    };
  };

  resource._responseHandler = function (req, callback, retryCallback) {
    // The SDK silently re-sends a request once after a 502 with a non-JSON body. Harmless for reads; for a
    // POST the gateway may have passed the first one on, and Ping++ refunds have no idempotency key, so a
    // mutating call surfaces the 502 (as an indeterminate outcome) instead of acting twice.
    const method = (req as { method?: string }).method;
    const handle = sdkResponseHandler.call(this, req, callback, method === 'GET' ? retryCallback : undefined);
    const state = states.get(callback);
    return (res) => {
      if (state) state.trace.status = res.statusCode;
      handle(res);
    };
  };

  return <T>(trace: PingxxCallTrace, call: () => Promise<T>): Promise<T> => {
    handoff = trace;
    try {
      return call();
    } finally {
      handoff = undefined;
    }
  };
}
