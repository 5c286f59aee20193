/**
 * `createHttpForwarder`: an outbox consumer that POSTs each message to a URL the host runs (a CRM hook, a
 * queue's HTTP ingress), signed so the receiver can tell it came from us.
 * @module
 */
import { PaymentError } from '../core/errors.js';
import { requireWebCrypto, toHex, utf8Encode } from '../core/web-crypto.js';
import type { OutboxConsumer } from './outbox-consumer.js';

/** Options of {@link createHttpForwarder}. */
export interface HttpForwarderOptions {
  /** Where to POST. Its path and query are never logged or put in an error. */
  url: string;
  /** Consumer name (stable: rows remember it). @default 'http' */
  name?: string;
  /** Types to forward. @default the four payment types */
  types?: readonly string[];
  /**
   * Shared secret: adds `x-payment-outbox-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
   * @default unsigned
   */
  secret?: string;
  /** Give up on one POST after this long (the row is retried later). @default 10_000 */
  timeoutMs?: number;
  /** Extra request headers. @default none */
  headers?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Clock for the signature timestamp. @default () => new Date() */
  now?: () => Date;
}

/**
 * Creates the forwarder. The body is `{"key","type","orderId","attempt","createdAt","payload"}`, the
 * `idempotency-key` header is the message key (deliveries are at least once: the receiver drops a key it
 * has seen). A 2xx answer delivers; anything else, a timeout or a network error throws a retryable
 * `PaymentError` `NOTIFICATION_FAILED`, and the dispatcher retries with backoff.
 *
 * @example
 * ```ts
 * startPaymentWorker({ service, consumers: [createHttpForwarder({ url: 'https://crm.internal/payments', secret })] });
 * ```
 */
export function createHttpForwarder(options: HttpForwarderOptions): OutboxConsumer {
  const target = new URL(options.url);
  const host = target.host;
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => new Date());
  if (options.secret !== undefined) requireWebCrypto('subtle', 'createHttpForwarder');
  const fail = (reason: string, status?: number): PaymentError =>
    new PaymentError(`The HTTP forwarder to ${host} failed (${reason}).`, {
      code: 'NOTIFICATION_FAILED',
      retryable: true,
      details: { reason, ...(status === undefined ? {} : { status }) },
    });
  return {
    name: options.name ?? 'http',
    ...(options.types === undefined ? {} : { types: options.types }),
    deliver: async (message, { signal }) => {
      const body = JSON.stringify({
        key: message.key,
        type: message.type,
        orderId: message.orderId,
        attempt: message.attempt,
        createdAt: message.createdAt.toISOString(),
        payload: message.payload,
      });
      const headers: Record<string, string> = {
        ...options.headers,
        'content-type': 'application/json',
        'idempotency-key': message.key,
      };
      if (options.secret !== undefined) {
        const t = Math.floor(now().getTime() / 1000);
        headers['x-payment-outbox-signature'] = `t=${t},v1=${await hmacHex(options.secret, `${t}.${body}`)}`;
      }
      let response: Response;
      try {
        response = await doFetch(target, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs ?? 10_000)]),
        });
        await response.arrayBuffer(); // free the socket
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        throw fail(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error');
      }
      if (!response.ok) throw fail('http_status', response.status);
    },
  };
}

/** Hex HMAC-SHA256 of `text` under `secret` (Web Crypto). */
export async function hmacHex(secret: string, text: string): Promise<string> {
  const subtle = requireWebCrypto('subtle', 'hmacHex').subtle;
  const key = await subtle.importKey('raw', utf8Encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(new Uint8Array(await subtle.sign('HMAC', key, utf8Encode(text))));
}
