/**
 * Ping++ webhook verification: `x-pingplusplus-signature` is a base64 RSA-SHA256 (RSASSA-PKCS1-v1_5)
 * signature of the exact request bytes, made with Ping++'s private key; it is checked with the Ping++
 * public key from the dashboard, on `node:crypto` where the runtime has it (a synchronous verify, several
 * times cheaper than Web Crypto's) and on Web Crypto elsewhere, so it runs on every runtime (Node, Bun, Deno,
 * Cloudflare workerd, Vercel Edge) and never loads the `pingpp` SDK.
 *
 * Ping++ signs no timestamp, so a signature never goes stale: replays are stopped by the event-id
 * journal of the payment service (`order_payment_events`), not here.
 * @module
 */
import type * as NodeBuffer from 'node:buffer';
import type * as NodeCrypto from 'node:crypto';
import { nodeBuiltin } from '../core/node-builtin.js';
import { PINGXX_WEBHOOK_KEY_HINT } from '../core/setup-hints.js';
import { ConfigurationError, WebhookVerificationError } from '../core/errors.js';
import { importRsaVerifyKey } from '../core/rsa-public-key.js';
import type { PaymentEvent, WebhookInput } from '../core/types.js';
import { fromBase64, requireWebCrypto, utf8Decode, utf8Encode } from '../core/web-crypto.js';
import { guardWebhookInput } from '../core/provider-input.js';
import { getHeader, requireRawJsonBody } from '../core/webhook-input.js';
import { loadPingxxPublicKey } from './pingxx-keys.js';
import { normalizePingxxEvent } from './pingxx-events.js';
import type { PingxxEvent } from './pingxx-types.js';

/** The header Ping++ puts its signature in (matched case-insensitively). */
export const PINGXX_SIGNATURE_HEADER = 'x-pingplusplus-signature';

/** Options of {@link createPingxxWebhookVerifier}: the Ping++ public key, and nothing else. */
export interface PingxxWebhookVerifierOptions {
  /**
   * Ping++'s RSA public key as PEM, SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`);
   * literal `\n` sequences are accepted (`PINGXX_WEBHOOK_PUBLIC_KEY`). Set this or `webhookPublicKeyPath`.
   */
  webhookPublicKey?: string | undefined;
  /** Path to the Ping++ public key PEM (`PINGXX_WEBHOOK_PUBLIC_KEY_PATH`); needs `node:fs`. */
  webhookPublicKeyPath?: string | undefined;
  /** Provider instance name carried by events and errors. @default 'pingxx' */
  name?: string | undefined;
  /** Accepts unsigned webhooks. Only for local experiments; never in production. @default false */
  unsafeSkipVerification?: boolean | undefined;
}

/** A verifier: raw bytes and headers in, a normalised {@link PaymentEvent} out (or a typed refusal). */
export type PingxxWebhookVerifier = (input: WebhookInput) => Promise<PaymentEvent>;

/**
 * Builds a standalone Ping++ webhook verifier that needs nothing but the Ping++ public key: no secret key,
 * no app id, no SDK, no payment service. The key is parsed here (a bad key fails now) and imported into
 * Web Crypto once.
 *
 * Refusals, all `WebhookVerificationError` (or `RawBodyRequiredError` for a parsed body):
 * `WEBHOOK_SIGNATURE_MISSING`, `WEBHOOK_SIGNATURE_MALFORMED` (not base64), `WEBHOOK_SIGNATURE_INVALID`
 * (tampered body or another key), `WEBHOOK_PAYLOAD_INVALID` (signed, but not a Ping++ event).
 *
 * @example
 * ```ts
 * import { createPingxxWebhookVerifier } from '@org/payment-factory/pingxx';
 *
 * const verifyPingxx = createPingxxWebhookVerifier({ webhookPublicKey: env.PINGXX_WEBHOOK_PUBLIC_KEY });
 * const event = await verifyPingxx({ rawBody: await request.text(), headers: request.headers });
 * event.type // 'payment.succeeded'
 * ```
 * @throws ConfigurationError at construction when there is no key and verification is not explicitly
 * skipped (`PINGXX_WEBHOOK_KEY_MISSING`), for an unreadable or malformed key (`PINGXX_INVALID_KEY`), or on a
 * runtime without Web Crypto (`RUNTIME_FEATURE_MISSING`).
 */
export function createPingxxWebhookVerifier(options: PingxxWebhookVerifierOptions): PingxxWebhookVerifier {
  const provider = options.name ?? 'pingxx';
  const skip = options.unsafeSkipVerification === true;
  const parsed = loadPingxxPublicKey({ pem: options.webhookPublicKey, path: options.webhookPublicKeyPath }, provider);
  if (!parsed && !skip) {
    throw new ConfigurationError(
      `Ping++: webhookPublicKey (or webhookPublicKeyPath; PINGXX_WEBHOOK_PUBLIC_KEY[_PATH]) is required; unsigned webhooks are never accepted. ${PINGXX_WEBHOOK_KEY_HINT}`,
      { code: 'PINGXX_WEBHOOK_KEY_MISSING', provider },
    );
  }
  let key: Promise<CryptoKey> | NodeKey | null = null;
  const crypto = nodeBuiltin<typeof NodeCrypto>('node:crypto');
  if (parsed && !skip && crypto) {
    try {
      key = {
        crypto,
        // Node's Buffer encodes the body and decodes the signature several times faster than TextEncoder / atob.
        buffer: nodeBuiltin<typeof NodeBuffer>('node:buffer')?.Buffer,
        key: crypto.createPublicKey({
          key: parsed.spki as unknown as Buffer /* any ArrayBufferView; no Buffer global needed */,
          format: 'der',
          type: 'spki',
        }),
      };
    } catch (cause) {
      throw new ConfigurationError('Ping++: webhookPublicKey is not a usable RSA public key.', {
        code: 'PINGXX_INVALID_KEY',
        provider,
        cause,
      });
    }
  } else if (parsed && !skip) {
    const { subtle } = requireWebCrypto('subtle', 'createPingxxWebhookVerifier');
    key = importRsaVerifyKey(subtle, parsed.spki);
    // Awaited by every verification; a rejection here is reported there, never as an unhandled rejection.
    key.catch(() => undefined);
  }
  return async (input) => {
    guardWebhookInput(input, 'verifyWebhook');
    const raw = requireRawJsonBody(input.rawBody, provider);
    if (key) {
      // Synchronous on `node:crypto`: no promise of its own per webhook.
      const pending = checkSignature(raw, getHeader(input.headers, PINGXX_SIGNATURE_HEADER), key, provider);
      if (pending) await pending;
    }
    return normalizePingxxEvent(parseEvent(raw, provider), provider);
  };
}

/** A public key parsed by `node:crypto`, with the module that verifies with it. */
interface NodeKey {
  crypto: typeof NodeCrypto;
  /** `Buffer` from `node:buffer`, where the runtime has it. */
  buffer: typeof Buffer | undefined;
  key: NodeCrypto.KeyObject;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict base64 (shape already checked by {@link BASE64}) to bytes, `null` when malformed, as `fromBase64`. */
function decodeBase64(text: string, buffer: typeof Buffer | undefined): Uint8Array | null {
  if (!buffer) return fromBase64(text);
  // Buffer decodes leniently: refuse what `atob` refuses (a dangling character, padding that does not end a quad).
  if (text.length % 4 === 1 || (text.endsWith('=') && text.length % 4 !== 0)) return null;
  return buffer.from(text, 'base64');
}

/** Checks the signature: synchronously (`undefined`) with `node:crypto`, else a promise (Web Crypto). */
function checkSignature(
  raw: string | Uint8Array,
  header: string | undefined,
  keyPromise: Promise<CryptoKey> | NodeKey,
  provider: string,
): Promise<void> | undefined {
  const fail = (message: string, code: string): never => {
    throw new WebhookVerificationError(`Ping++ webhook: ${message}`, {
      code,
      provider,
      ...(header === undefined ? {} : { header }),
    });
  };
  if (header === undefined || header.trim() === '')
    return fail(`the ${PINGXX_SIGNATURE_HEADER} header is missing.`, 'WEBHOOK_SIGNATURE_MISSING');
  const signature = header.trim();
  const node = 'crypto' in keyPromise ? keyPromise : undefined;
  const bytes = BASE64.test(signature) ? decodeBase64(signature, node?.buffer) : null;
  if (!bytes) return fail('the signature is not base64.', 'WEBHOOK_SIGNATURE_MALFORMED');
  if (node) {
    const body = typeof raw !== 'string' ? raw : node.buffer ? node.buffer.from(raw, 'utf8') : utf8Encode(raw);
    let valid = false;
    try {
      valid = node.crypto.verify('RSA-SHA256', body, node.key, bytes);
    } catch {
      valid = false;
    }
    if (!valid) fail('the signature does not match the body and the Ping++ public key.', 'WEBHOOK_SIGNATURE_INVALID');
    return undefined;
  }
  return verifyWithWebCrypto(
    typeof raw === 'string' ? utf8Encode(raw) : raw,
    bytes,
    keyPromise as Promise<CryptoKey>,
    provider,
    fail,
  );
}

async function verifyWithWebCrypto(
  body: Uint8Array,
  bytes: Uint8Array,
  keyPromise: Promise<CryptoKey>,
  provider: string,
  fail: (message: string, code: string) => never,
): Promise<void> {
  let key: CryptoKey;
  try {
    key = await keyPromise;
  } catch (cause) {
    throw new ConfigurationError('Ping++: webhookPublicKey could not be imported into Web Crypto.', {
      code: 'PINGXX_INVALID_KEY',
      provider,
      cause,
    });
  }
  let valid = false;
  try {
    valid = await globalThis.crypto.subtle.verify(
      'RSASSA-PKCS1-v1_5',
      key,
      bytes as Uint8Array<ArrayBuffer>,
      body as Uint8Array<ArrayBuffer>,
    );
  } catch {
    valid = false;
  }
  if (!valid) fail('the signature does not match the body and the Ping++ public key.', 'WEBHOOK_SIGNATURE_INVALID');
}

function parseEvent(body: string | Uint8Array, provider: string): PingxxEvent {
  let event: unknown;
  try {
    event = JSON.parse(typeof body === 'string' ? body : utf8Decode(body));
  } catch {
    event = undefined;
  }
  const e = event as Partial<PingxxEvent> | undefined;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.id !== 'string' ||
    typeof e.type !== 'string' ||
    typeof e.created !== 'number' ||
    typeof e.data !== 'object' ||
    e.data === null
  ) {
    throw new WebhookVerificationError('Ping++ webhook: the body is not a Ping++ event.', {
      code: 'WEBHOOK_PAYLOAD_INVALID',
      provider,
    });
  }
  return e as PingxxEvent;
}
