/**
 * Test helpers for Ping++ signatures: sign a webhook body the way Ping++ does, and get throwaway RSA
 * key pairs. Used by the Ping++ emulator; usable on their own to test a host's webhook endpoint.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { requireNodeBuiltin } from './node-only.js';
import { toBase64, utf8Encode } from '../core/web-crypto.js';
import { PINGXX_SIGNATURE_HEADER } from '../pingxx/pingxx-webhooks.js';

/** An RSA key pair as PEM strings (`privateKey` PKCS#8, `publicKey` SPKI). */
export interface PingxxTestKeyPair {
  /** Private key, PEM. */
  privateKey: string;
  /** Public key, PEM. */
  publicKey: string;
}

/** A webhook as Ping++ would post it: the exact body and its signature header. */
export interface SignedPingxxWebhook {
  /** The exact bytes as sent. */
  rawBody: string;
  /** The headers to send with it. */
  headers: {
    /** Base64 RSA-SHA256 signature of `rawBody` with Ping++'s private key. */
    [PINGXX_SIGNATURE_HEADER]: string;
  };
}

const pairs = new Map<string, PingxxTestKeyPair>();

/**
 * Returns an RSA-2048 key pair for tests. Generating one takes tens of milliseconds, so pairs are
 * cached per `slot` for the life of the process: the same slot always returns the same pair, different
 * slots return different pairs (e.g. the merchant's and Ping++'s).
 *
 * @example
 * ```ts
 * const pingxxKeys = generatePingxxTestKeyPair('pingxx');
 * const provider = createPingxxProvider({ …, webhookPublicKey: pingxxKeys.publicKey });
 * ```
 */
export function generatePingxxTestKeyPair(slot = 'default'): PingxxTestKeyPair {
  let pair = pairs.get(slot);
  if (!pair) {
    const { generateKeyPairSync } = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'generatePingxxTestKeyPair');
    pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    pairs.set(slot, pair);
  }
  return pair;
}

/**
 * Signs a webhook body like Ping++: base64 RSA-SHA256 over the exact bytes, in `x-pingplusplus-signature`.
 * An object payload is serialised with `JSON.stringify`; a string is signed as is.
 *
 * @example
 * ```ts
 * const { rawBody, headers } = signPingxxWebhook({ id: 'evt_…', type: 'charge.succeeded', … }, keys.privateKey);
 * await fetch(webhookUrl, { method: 'POST', body: rawBody, headers: { 'content-type': 'application/json', ...headers } });
 * ```
 */
export function signPingxxWebhook(payload: string | object, privateKey: string | KeyObject): SignedPingxxWebhook {
  const rawBody = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const { createPrivateKey, sign } = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'signPingxxWebhook');
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const signature = toBase64(sign('RSA-SHA256', utf8Encode(rawBody), key));
  return { rawBody, headers: { [PINGXX_SIGNATURE_HEADER]: signature } };
}
