/**
 * Loads the RSA keys the Ping++ adapter needs, once, at construction: the merchant private key that
 * signs API requests and the Ping++ public key that verifies webhooks. A missing, unreadable or
 * malformed key is a `ConfigurationError` when the provider is built, not at the first payment.
 * Messages name the option and, for files, the path; never key material.
 * @module
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../core/errors.js';
import { registerSecrets } from '../core/secret-scrubber.js';

/** Where a key comes from: inline PEM or a file path (at most one). */
export interface KeySource {
  pem?: string | undefined;
  path?: string | undefined;
}

/**
 * Parses the merchant RSA private key (PEM, PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8 `BEGIN PRIVATE
 * KEY`). Returns `null` when neither source is given (request signing is optional at Ping++).
 * @throws ConfigurationError for both sources at once, an unreadable file, a malformed or encrypted key, or a non-RSA key.
 */
export function loadPingxxPrivateKey(source: KeySource, provider: string): KeyObject | null {
  const pem = readSource(source, 'privateKey', 'privateKeyPath', provider);
  if (pem === null) return null;
  registerSecrets([pem]);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw invalid('privateKey is not a readable unencrypted PEM private key (PKCS#1 or PKCS#8).', provider, cause);
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalid('privateKey must be an RSA key.', provider);
  return key;
}

/**
 * Parses the Ping++ RSA public key (PEM, SPKI `BEGIN PUBLIC KEY` or PKCS#1 `BEGIN RSA PUBLIC KEY`).
 * Returns `null` when neither source is given.
 * @throws ConfigurationError for both sources at once, an unreadable file, a private key, or a malformed or non-RSA key.
 */
export function loadPingxxPublicKey(source: KeySource, provider: string): KeyObject | null {
  const pem = readSource(source, 'webhookPublicKey', 'webhookPublicKeyPath', provider);
  if (pem === null) return null;
  // createPublicKey would happily derive a public key from a private one; a private key here is a
  // deployment mistake (and a leaked secret), so say so.
  if (/PRIVATE KEY/.test(pem))
    throw invalid('webhookPublicKey holds a private key; use the Ping++ public key.', provider);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw invalid('webhookPublicKey is not a readable PEM public key.', provider, cause);
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalid('webhookPublicKey must be an RSA key.', provider);
  return key;
}

function readSource(source: KeySource, pemName: string, pathName: string, provider: string): string | null {
  const { pem, path } = source;
  if (pem !== undefined && path !== undefined) throw invalid(`Set ${pemName} or ${pathName}, not both.`, provider);
  if (pem !== undefined) {
    if (typeof pem !== 'string' || pem.trim() === '') throw invalid(`${pemName} is empty.`, provider);
    // Keys pasted into env files often carry literal "\n" sequences instead of newlines.
    return pem.includes('\n') ? pem : pem.replace(/\\n/g, '\n');
  }
  if (path !== undefined) {
    if (typeof path !== 'string' || path.trim() === '') throw invalid(`${pathName} is empty.`, provider);
    try {
      return readFileSync(path, 'utf8');
    } catch (cause) {
      throw invalid(`${pathName} "${path}" cannot be read.`, provider, cause);
    }
  }
  return null;
}

function invalid(message: string, provider: string, cause?: unknown): ConfigurationError {
  // The cause of a parse failure is an OpenSSL error about the input, never the input itself.
  return new ConfigurationError(`Ping++: ${message}`, {
    code: 'PINGXX_INVALID_KEY',
    provider,
    ...(cause === undefined ? {} : { cause }),
  });
}
