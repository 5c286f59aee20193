/**
 * A typed facade over one `pingpp` SDK instance: the five calls the adapter makes, each bounded by a
 * deadline, cancellable, and mapped onto the library's errors.
 *
 * One instance per provider, configured on its own SDK object (never the SDK's module-level
 * defaults): secret key, optional request-signing key, a finite timeout, the `Connection: close`
 * header that avoids the keep-alive hang on Node ≥ 19, and the emulator host when testing.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import { mapPingxxError, unexpectedPingxxResponse, type PingxxFailureContext } from './pingxx-errors.js';
import type { PingxxOperation } from './pingxx-mappers.js';
import type { PingxxPrivateKey } from './pingxx-keys.js';
import { assertPingppInstalled, loadPingpp, type PingppChargesResource, type PingppInstance } from './pingxx-sdk.js';
import { instrumentPingppResource, PingxxCallTrace } from './pingxx-transport.js';
import {
  isPingxxCharge,
  isPingxxRefund,
  isPingxxRefundList,
  type PingxxCharge,
  type PingxxChargeParams,
  type PingxxList,
  type PingxxRefund,
  type PingxxRefundParams,
} from './pingxx-types.js';

/** Options of {@link createPingxxClient}. */
export interface PingxxClientOptions {
  secretKey: string;
  /** Signs every request (`Pingplusplus-Signature`) when set. */
  privateKey: PingxxPrivateKey | null;
  /** Longest a call may take end to end, and the SDK's socket idle timeout. */
  timeoutMs: number;
  /** API host; the SDK's default (`api.pingxx.com`) when omitted. */
  host?: string | undefined;
  /** @default 443, or 80 with `protocol: 'http'` */
  port?: number | undefined;
  /** @default 'https' */
  protocol?: 'http' | 'https' | undefined;
  /** Provider instance name, carried by errors. */
  provider: string;
}

/** Per-call options. */
export interface PingxxCallOptions {
  signal?: AbortSignal | undefined;
}

/** The calls the adapter makes. Every method rejects with a `PaymentError`. */
export interface PingxxClient {
  createCharge(params: PingxxChargeParams, options?: PingxxCallOptions): Promise<PingxxCharge>;
  retrieveCharge(chargeId: string, options?: PingxxCallOptions): Promise<PingxxCharge>;
  /** Reverses (closes) an unpaid charge; Ping++ refuses a paid one. */
  reverseCharge(chargeId: string, options?: PingxxCallOptions): Promise<PingxxCharge>;
  /** `charges.createRefund` (the SDK's `chargeRefunds.create` is broken in 2.1.6). */
  createRefund(chargeId: string, params: PingxxRefundParams, options?: PingxxCallOptions): Promise<PingxxRefund>;
  listRefunds(
    chargeId: string,
    params: { limit?: number; starting_after?: string },
    options?: PingxxCallOptions,
  ): Promise<PingxxList<PingxxRefund>>;
  retrieveRefund(chargeId: string, refundId: string, options?: PingxxCallOptions): Promise<PingxxRefund>;
}

/**
 * Builds a client on its own SDK instance.
 *
 * @example
 * ```ts
 * const client = createPingxxClient({ secretKey, privateKey, timeoutMs: 15_000, provider: 'pingxx' });
 * const charge = await client.retrieveCharge('ch_…');
 * ```
 * The SDK is loaded and configured on the first call, never before (see `pingxx-sdk.ts`).
 * @throws ConfigurationError when `pingpp` is not installed (checked without loading it).
 */
export function createPingxxClient(options: PingxxClientOptions): PingxxClient {
  const { provider, timeoutMs } = options;
  const protocol = options.protocol ?? 'https';
  assertPingppInstalled(provider);
  let loaded: { sdk: PingppInstance; run: ReturnType<typeof instrumentPingppResource> } | null = null;
  const sdkOnce = (): NonNullable<typeof loaded> => {
    if (loaded) return loaded;
    const sdk = loadPingpp(provider)(options.secretKey);
    sdk.setTimeout(timeoutMs);
    // Node ≥ 19 pools keep-alive sockets, on which the SDK never writes (DESIGN §10).
    sdk._setParsedHeader('Connection', 'close');
    if (options.privateKey) sdk.setPrivateKey(options.privateKey);
    if (options.host !== undefined)
      sdk.setHost(options.host, options.port ?? (protocol === 'http' ? 80 : 443), protocol);
    loaded = { sdk, run: instrumentPingppResource(sdk.charges, protocol) };
    return loaded;
  };

  async function call<T>(
    operation: PingxxOperation,
    invoke: (charges: PingppChargesResource) => Promise<unknown>,
    accept: (value: unknown) => value is T,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    // Outside the mapping below: "pingpp cannot run here" is the caller's answer, not a provider failure.
    const { sdk, run } = sdkOnce();
    const trace = new PingxxCallTrace();
    const context = (): PingxxFailureContext => ({
      operation,
      provider,
      status: trace.status,
      sent: trace.sent,
      timedOut: trace.timedOut,
      aborted: trace.aborted,
    });
    if (signal?.aborted) {
      trace.aborted = true;
      throw mapPingxxError(signal.reason, context());
    }
    const deadline = setTimeout(() => trace.cancel('timeout'), timeoutMs);
    const onAbort = (): void => trace.cancel('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    let value: unknown;
    try {
      value = await run(trace, () => invoke(sdk.charges));
    } catch (error) {
      throw mapPingxxError(error, context());
    } finally {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
    }
    // The SDK resolves a 4xx/5xx JSON body that has no `error` key as if it were the object asked for.
    if (trace.status !== undefined && trace.status >= 400) throw mapPingxxError(undefined, context());
    if (!accept(value)) throw unexpectedPingxxResponse(context());
    return value;
  }

  // Ids are checked here, before `call`, so a malformed one is a ValidationError and never a request.
  const chargeId = (id: string): string => checkId(id, CHARGE_ID, 'providerReference', provider);
  return {
    async createCharge(params, o) {
      return call('create_charge', (c) => c.create(params), isPingxxCharge, o?.signal);
    },
    async retrieveCharge(id, o) {
      const ch = chargeId(id);
      return call('retrieve_charge', (c) => c.retrieve(ch), isPingxxCharge, o?.signal);
    },
    async reverseCharge(id, o) {
      const ch = chargeId(id);
      return call('reverse_charge', (c) => c.reverse(ch), isPingxxCharge, o?.signal);
    },
    async createRefund(id, params, o) {
      const ch = chargeId(id);
      return call('create_refund', (c) => c.createRefund(ch, params), isPingxxRefund, o?.signal);
    },
    async listRefunds(id, params, o) {
      const ch = chargeId(id);
      return call('list_refunds', (c) => c.listRefunds(ch, params), isPingxxRefundList, o?.signal);
    },
    async retrieveRefund(id, refundId, o) {
      const ch = chargeId(id);
      const re = checkId(refundId, REFUND_ID, 'providerRefundId', provider);
      return call('retrieve_refund', (c) => c.retrieveRefund(ch, re), isPingxxRefund, o?.signal);
    },
  };
}

const CHARGE_ID = { prefix: 'ch_', pattern: /^ch_[0-9A-Za-z]{1,64}$/ } as const;
const REFUND_ID = { prefix: 're_', pattern: /^re_[0-9A-Za-z]{1,64}$/ } as const;

/** The SDK interpolates ids into the URL unescaped: only well-formed ids may reach it. */
function checkId(
  id: string,
  { prefix, pattern }: { prefix: string; pattern: RegExp },
  field: string,
  provider: string,
): string {
  if (typeof id !== 'string' || !pattern.test(id)) {
    throw new ValidationError(`Ping++: ${field} must be a Ping++ id (${prefix}…).`, {
      field,
      code: 'INVALID_PINGXX_ID',
      provider,
    });
  }
  return id;
}
