/**
 * Loads the keys the WeChat Pay adapter needs, once, at construction: the merchant API private key that
 * signs requests and client parameters, and the keys that verify what WeChat Pay signs — the WeChat Pay
 * public key (named by its id, `PUB_KEY_ID_…`) and/or platform certificates (named by their serial number).
 * Both can be configured during WeChat Pay's migration from certificates to the public key; `Wechatpay-Serial`
 * says which one signed. A missing, unreadable or malformed key is a `ConfigurationError` naming the option
 * (and the path), never the key material.
 * @module
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../core/errors.js';
import { isPemText, parseBareDer } from '../core/node-key-text.js';

/** Where a value comes from: inline text or a file path (at most one). */
export interface WechatPayKeySource {
  text?: string | undefined;
  path?: string | undefined;
}

/** Verification keys by the `Wechatpay-Serial` that names them. */
export type WechatPayVerifyKeys = ReadonlyMap<string, KeyObject>;

/** What {@link loadWechatPayVerifyKeys} reads. */
export interface WechatPayVerifySources {
  publicKey?: WechatPayKeySource;
  publicKeyId?: string | undefined;
  /** Certificates as PEM text (one string may hold several) and/or file paths (one file may hold several). */
  platformCertificates?: {
    text?: string | readonly string[] | undefined;
    path?: string | readonly string[] | undefined;
  };
}

/**
 * Reads the merchant API private key (`apiclient_key.pem`, PKCS#8 or PKCS#1 PEM, or bare base64).
 * @throws ConfigurationError when missing, unreadable, encrypted or not RSA.
 */
export function loadWechatPayPrivateKey(source: WechatPayKeySource, provider: string): KeyObject {
  const text = readSource(source, 'privateKey', 'privateKeyPath', provider, true)!;
  let key: KeyObject;
  try {
    key = isPemText(text)
      ? createPrivateKey({ key: text, format: 'pem' })
      : parseBareDer(text, (der, type) => createPrivateKey({ key: der, format: 'der', type }), ['pkcs8', 'pkcs1']);
  } catch (cause) {
    throw invalid('privateKey is not a readable unencrypted RSA private key (PEM or base64).', provider, cause);
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalid('privateKey must be an RSA key.', provider);
  return key;
}

/**
 * Reads the verification keys: the WeChat Pay public key under its id, and every platform certificate under
 * its serial number (upper-case hex, as `Wechatpay-Serial` carries it).
 * @throws ConfigurationError when neither is given, a public key has no id, or anything is malformed.
 */
export function loadWechatPayVerifyKeys(sources: WechatPayVerifySources, provider: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const publicText = readSource(
    sources.publicKey ?? {},
    'wechatpayPublicKey',
    'wechatpayPublicKeyPath',
    provider,
    false,
  );
  if (publicText !== undefined) {
    const id = sources.publicKeyId;
    if (typeof id !== 'string' || !/^PUB_KEY_ID_[0-9A-Za-z]+$/.test(id.trim())) {
      throw invalid('wechatpayPublicKeyId is required with the WeChat Pay public key (PUB_KEY_ID_…).', provider);
    }
    if (/PRIVATE KEY/.test(publicText)) {
      throw invalid('wechatpayPublicKey holds a private key; use the WeChat Pay public key.', provider);
    }
    let key: KeyObject;
    try {
      key = isPemText(publicText)
        ? createPublicKey({ key: publicText, format: 'pem' })
        : parseBareDer(publicText, (der, type) => createPublicKey({ key: der, format: 'der', type }), [
            'spki',
            'pkcs1',
          ]);
    } catch (cause) {
      throw invalid('wechatpayPublicKey is not a readable RSA public key (PEM or base64).', provider, cause);
    }
    if (key.asymmetricKeyType !== 'rsa') throw invalid('wechatpayPublicKey must be an RSA key.', provider);
    keys.set(id.trim(), key);
  } else if (sources.publicKeyId !== undefined && sources.publicKeyId !== '') {
    throw invalid('wechatpayPublicKeyId is set without wechatpayPublicKey(Path).', provider);
  }
  const certs = sources.platformCertificates ?? {};
  if (certs.text !== undefined && certs.path !== undefined) {
    throw invalid('Set platformCertificate or platformCertificatePath, not both.', provider);
  }
  if (Array.isArray(certs.path) && certs.path.length === 0) {
    throw invalid('platformCertificatePath lists no file.', provider);
  }
  const certTexts: string[] = [];
  if (certs.text !== undefined) certTexts.push(...(typeof certs.text === 'string' ? [certs.text] : certs.text));
  // Several paths: one file per certificate, as WeChat Pay's download names them (`wechatpay_<serial>.pem`).
  for (const path of certs.path === undefined ? [] : typeof certs.path === 'string' ? [certs.path] : certs.path) {
    certTexts.push(readSource({ path }, 'platformCertificate', 'platformCertificatePath', provider, true)!);
  }
  for (const text of certTexts) {
    // A file may hold several certificates (WeChat Pay rotates them with an overlap).
    const pems = unescape(text).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (pems.length === 0) throw invalid('platformCertificate holds no PEM certificate.', provider);
    for (const pem of pems) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch (cause) {
        throw invalid('platformCertificate is not a readable X.509 certificate.', provider, cause);
      }
      if (cert.publicKey.asymmetricKeyType !== 'rsa')
        throw invalid('platformCertificate must hold an RSA key.', provider);
      const serial = cert.serialNumber.toUpperCase();
      if (keys.has(serial) && !keys.get(serial)!.equals(cert.publicKey)) {
        throw invalid(`two platform certificates carry serial ${serial} with different keys.`, provider);
      }
      keys.set(serial, cert.publicKey);
    }
  }
  if (keys.size === 0) {
    throw invalid(
      'a verification key is required: wechatpayPublicKey(Path) with wechatpayPublicKeyId, or platformCertificate(Path).',
      provider,
    );
  }
  return keys;
}

// Keys pasted into env files often carry literal "\n" sequences instead of newlines.
function unescape(text: string): string {
  return text.includes('\n') ? text : text.replace(/\\n/g, '\n');
}

function readSource(
  source: WechatPayKeySource,
  textName: string,
  pathName: string,
  provider: string,
  required: boolean,
): string | undefined {
  const { text, path } = source;
  if (text !== undefined && path !== undefined) throw invalid(`Set ${textName} or ${pathName}, not both.`, provider);
  if (text !== undefined) {
    if (typeof text !== 'string' || text.trim() === '') throw invalid(`${textName} is empty.`, provider);
    return unescape(text);
  }
  if (path !== undefined) {
    if (typeof path !== 'string' || path.trim() === '') throw invalid(`${pathName} is empty.`, provider);
    try {
      return readFileSync(path, 'utf8');
    } catch (cause) {
      throw invalid(`${pathName} "${path}" cannot be read.`, provider, cause);
    }
  }
  if (required) throw invalid(`${textName} or ${pathName} is required.`, provider);
  return undefined;
}

function invalid(message: string, provider: string, cause?: unknown): ConfigurationError {
  // The cause of a parse failure is an OpenSSL error about the input, never the input itself.
  return new ConfigurationError(`WeChat Pay: ${message}`, {
    code: 'WECHATPAY_INVALID_KEY',
    provider,
    ...(cause === undefined ? {} : { cause }),
  });
}
