/**
 * Loads the two RSA keys the Alipay adapter needs, once, at construction: the application private key
 * that signs requests and the Alipay public key that verifies responses and notifications. Alipay's
 * console hands both out as bare base64 (no PEM armour); PEM is accepted too. A missing, unreadable or
 * malformed key is a `ConfigurationError` naming the option (and the path), never the key material.
 * @module
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../core/errors.js';
import { isPemText, parseBareDer } from '../core/node-key-text.js';

/** Where a key comes from: inline text or a file path (exactly one). */
export interface AlipayKeySource {
  text?: string | undefined;
  path?: string | undefined;
}

/** The parsed keys, as the SDK wants them: PKCS#8 and SPKI PEM. */
export interface AlipayKeys {
  privateKeyPem: string;
  publicKeyPem: string;
  publicKey: KeyObject;
}

/**
 * Reads and parses both keys.
 * @throws ConfigurationError for a missing key, both sources at once, an unreadable file, a malformed,
 * encrypted or non-RSA key, or a private key given as the Alipay public key.
 */
export function loadAlipayKeys(
  privateSource: AlipayKeySource,
  publicSource: AlipayKeySource,
  provider: string,
): AlipayKeys {
  const privateText = readSource(privateSource, 'privateKey', 'privateKeyPath', provider);
  const publicText = readSource(publicSource, 'alipayPublicKey', 'alipayPublicKeyPath', provider);
  let privateKey: KeyObject;
  try {
    privateKey = isPemText(privateText)
      ? createPrivateKey({ key: privateText, format: 'pem' })
      : parseBareDer(privateText, (der, type) => createPrivateKey({ key: der, format: 'der', type }), [
          'pkcs8',
          'pkcs1',
        ]);
  } catch (cause) {
    throw invalid(
      'privateKey is not a readable unencrypted RSA private key (PEM or base64, PKCS#1 or PKCS#8).',
      provider,
      cause,
    );
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw invalid('privateKey must be an RSA key.', provider);
  const publicKey = parseAlipayPublicKey(publicText, provider);
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicKey,
  };
}

/**
 * Parses the Alipay public key text (PEM, or the bare base64 the console hands out; SPKI or PKCS#1): the one
 * parser behind both `createAlipayProvider` and `createAlipayNotifyVerifier`.
 * @throws ConfigurationError `ALIPAY_INVALID_KEY` for a private key, a malformed or a non-RSA key.
 */
export function parseAlipayPublicKey(text: string, provider: string): KeyObject {
  if (/PRIVATE KEY/.test(text))
    throw invalid('alipayPublicKey holds a private key; use the Alipay public key.', provider);
  let publicKey: KeyObject;
  try {
    publicKey = isPemText(text)
      ? createPublicKey({ key: text, format: 'pem' })
      : parseBareDer(text, (der, type) => createPublicKey({ key: der, format: 'der', type }), ['spki', 'pkcs1']);
  } catch (cause) {
    throw invalid('alipayPublicKey is not a readable RSA public key (PEM or base64).', provider, cause);
  }
  if (publicKey.asymmetricKeyType !== 'rsa') throw invalid('alipayPublicKey must be an RSA key.', provider);
  return publicKey;
}

function readSource(source: AlipayKeySource, textName: string, pathName: string, provider: string): string {
  const { text, path } = source;
  if (text !== undefined && path !== undefined) throw invalid(`Set ${textName} or ${pathName}, not both.`, provider);
  if (text !== undefined) {
    if (typeof text !== 'string' || text.trim() === '') throw invalid(`${textName} is empty.`, provider);
    // Keys pasted into env files often carry literal "\n" sequences instead of newlines.
    return text.includes('\n') ? text : text.replace(/\\n/g, '\n');
  }
  if (path !== undefined) {
    if (typeof path !== 'string' || path.trim() === '') throw invalid(`${pathName} is empty.`, provider);
    try {
      return readFileSync(path, 'utf8');
    } catch (cause) {
      throw invalid(`${pathName} "${path}" cannot be read.`, provider, cause);
    }
  }
  throw invalid(`${textName} or ${pathName} is required.`, provider);
}

function invalid(message: string, provider: string, cause?: unknown): ConfigurationError {
  // The cause of a parse failure is an OpenSSL error about the input, never the input itself.
  return new ConfigurationError(`Alipay: ${message}`, {
    code: 'ALIPAY_INVALID_KEY',
    provider,
    ...(cause === undefined ? {} : { cause }),
  });
}
