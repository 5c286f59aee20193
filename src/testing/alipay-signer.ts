/**
 * Test helper for Alipay notifications: sign a notification the way Alipay does (RSA2 over the sorted
 * fields, without `sign`, `sign_type` and empty values) and form-encode it. Used by the Alipay emulator;
 * usable on its own to test a host's notification endpoint.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { alipaySignContent } from '../alipay/alipay-sign-content.js';
import { toBase64, utf8Encode } from '../core/web-crypto.js';
import { requireNodeBuiltin } from './node-only.js';

/** An RSA key pair as PEM strings (`privateKey` PKCS#8, `publicKey` SPKI). */
export interface AlipayTestKeyPair {
  /** Private key, PEM. */
  privateKey: string;
  /** Public key, PEM. */
  publicKey: string;
}

const keyPairs = new Map<string, AlipayTestKeyPair>();

/**
 * An RSA-2048 pair for tests, cached per `slot` for the life of the process (generation is slow): the same
 * slot always returns the same pair, different slots different pairs (the application's and Alipay's).
 *
 * @example
 * ```ts
 * const alipayKeys = generateAlipayTestKeyPair('alipay');
 * const { rawBody } = signAlipayNotify(fields, alipayKeys.privateKey);
 * ```
 */
export function generateAlipayTestKeyPair(slot = 'default'): AlipayTestKeyPair {
  let pair = keyPairs.get(slot);
  if (!pair) {
    const { generateKeyPairSync } = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'generateAlipayTestKeyPair');
    pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    keyPairs.set(slot, pair);
  }
  return pair;
}

/** Headers Alipay posts notifications with. */
export interface AlipayNotifyHeaders {
  /** `application/x-www-form-urlencoded; charset=utf-8`. */
  'content-type': string;
  /** No other header: Alipay signs inside the body. */
  [name: string]: string;
}

/** A notification as Alipay would post it. */
export interface SignedAlipayNotify {
  /** Every field, including `sign_type` and `sign`. */
  params: Record<string, string>;
  /** The form-encoded body. */
  rawBody: string;
  /** Request headers to post it with. */
  headers: AlipayNotifyHeaders;
}

/**
 * Signs notification fields with Alipay's private key (the emulator's `alipayKeyPair.privateKey` in
 * tests) and form-encodes them. Fields are sent in the order given, `sign_type` and `sign` last.
 *
 * @example
 * ```ts
 * const { rawBody, headers } = signAlipayNotify(
 *   { app_id, out_trade_no, trade_no: '2026…', trade_status: 'TRADE_SUCCESS', total_amount: '19.99', notify_id: 'n1', … },
 *   emulator.alipayKeyPair.privateKey,
 * );
 * await fetch(notifyUrl, { method: 'POST', body: rawBody, headers });
 * ```
 */
export function signAlipayNotify(
  fields: Readonly<Record<string, string>>,
  privateKey: string | KeyObject,
): SignedAlipayNotify {
  const { createPrivateKey, sign } = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'signAlipayNotify');
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const { sign: _sign, sign_type: _type, ...content } = fields;
  const signature = toBase64(sign('RSA-SHA256', utf8Encode(alipaySignContent(content)), key));
  const params = { ...content, sign_type: 'RSA2', sign: signature };
  return {
    params,
    rawBody: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  };
}
