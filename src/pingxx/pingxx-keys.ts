/**
 * Loads the RSA keys the Ping++ adapter needs, once, at construction: the merchant private key that
 * signs API requests and the Ping++ public key that verifies webhooks. A missing, unreadable or
 * malformed key is a `ConfigurationError` when the provider is built, not at the first payment.
 * Messages name the option and, for files, the path; never key material.
 *
 * Nothing here imports a Node built-in: the public key is parsed into SPKI DER for Web Crypto (every
 * runtime); files and the private key (which only the Node-only `pingpp` SDK uses) reach `node:fs` /
 * `node:crypto` through {@link nodeBuiltin} where the runtime has them.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import type * as NodeFs from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { ConfigurationError } from '../core/errors.js';
import { registerSecrets } from '../core/secret-scrubber.js';
import { nodeBuiltin } from '../core/node-builtin.js';
import { parseRsaPublicKeyPem, type RsaPublicKeyDer } from '../core/rsa-public-key.js';

/** The merchant private key: a `KeyObject` where `node:crypto` exists, else the checked PEM text. */
export type PingxxPrivateKey = KeyObject | string;

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
export function loadPingxxPrivateKey(source: KeySource, provider: string): PingxxPrivateKey | null {
  const pem = readSource(source, 'privateKey', 'privateKeyPath', provider);
  if (pem === null) return null;
  registerSecrets([pem]);
  const crypto = nodeBuiltin<typeof NodeCrypto>('node:crypto');
  if (!crypto) {
    // No node:crypto, so no pingpp either: API calls will say so. Still refuse what cannot be a key.
    if (!/-----BEGIN (?:RSA )?PRIVATE KEY-----[A-Za-z0-9+/=\s]+-----END (?:RSA )?PRIVATE KEY-----/.test(pem))
      throw invalid('privateKey is not a readable unencrypted PEM private key (PKCS#1 or PKCS#8).', provider);
    return pem;
  }
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw invalid('privateKey is not a readable unencrypted PEM private key (PKCS#1 or PKCS#8).', provider, cause);
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalid('privateKey must be an RSA key.', provider);
  return key;
}

/**
 * Parses the Ping++ RSA public key (PEM, SPKI `BEGIN PUBLIC KEY` or PKCS#1 `BEGIN RSA PUBLIC KEY`) into
 * SPKI DER for Web Crypto. Returns `null` when neither source is given.
 * @throws ConfigurationError for both sources at once, an unreadable file, a private key (a deployment
 * mistake and a leaked secret), or a malformed or non-RSA key.
 */
export function loadPingxxPublicKey(source: KeySource, provider: string): RsaPublicKeyDer | null {
  const pem = readSource(source, 'webhookPublicKey', 'webhookPublicKeyPath', provider);
  if (pem === null) return null;
  const parsed = parseRsaPublicKeyPem(pem);
  if (typeof parsed === 'string') throw invalid(`webhookPublicKey ${parsed}`, provider);
  return parsed;
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
    const fs = nodeBuiltin<typeof NodeFs>('node:fs');
    if (!fs) {
      throw new ConfigurationError(
        `Ping++: ${pathName} needs a file system (node:fs), which this JavaScript runtime does not provide; pass the PEM text in ${pemName}.`,
        { code: 'RUNTIME_FEATURE_MISSING', provider, details: { feature: 'node:fs' } },
      );
    }
    try {
      return fs.readFileSync(path, 'utf8');
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
