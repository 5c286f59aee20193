/**
 * Test helpers for Ping++ signatures: sign a webhook body the way Ping++ does, and get throwaway RSA
 * key pairs. Used by the Ping++ emulator; usable on their own to test a host's webhook endpoint.
 * @module
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
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
  /** Request headers. */
  headers: { [PINGXX_SIGNATURE_HEADER]: string };
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
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const signature = sign('RSA-SHA256', Buffer.from(rawBody, 'utf8'), key).toString('base64');
  return { rawBody, headers: { [PINGXX_SIGNATURE_HEADER]: signature } };
}
