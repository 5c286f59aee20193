/**
 * Test helper for WeChat Pay notifications: build a notification the way WeChat Pay does — the resource
 * encrypted with AEAD_AES_256_GCM under the APIv3 key, the body signed (RSA-SHA256 over
 * `timestamp\nnonce\nbody\n`) with WeChat Pay's private key and the serial that names its public key. Used by
 * the WeChat Pay emulator; usable on its own to test a host's notification endpoint.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { toBase64, utf8Encode } from '../core/web-crypto.js';
import { wechatpayTime } from '../wechatpay/wechatpay-values.js';
import { requireNodeBuiltin } from './node-only.js';

/** An RSA key pair as PEM strings (PKCS#8 private, SPKI public). */
export interface WechatPayTestKeyPair {
  /** Private key, PEM. */
  privateKey: string;
  /** Public key, PEM. */
  publicKey: string;
}

const keyPairs = new Map<string, WechatPayTestKeyPair>();

/**
 * An RSA-2048 pair for tests, cached per `slot` for the life of the process (generation is slow): the same slot
 * always returns the same pair, different slots different pairs (the merchant's and WeChat Pay's).
 *
 * @example
 * ```ts
 * const wechatpayKeys = generateWechatPayTestKeyPair('wechatpay');
 * ```
 */
export function generateWechatPayTestKeyPair(slot = 'default'): WechatPayTestKeyPair {
  let pair = keyPairs.get(slot);
  if (!pair) {
    const { generateKeyPairSync } = requireNodeBuiltin<typeof NodeCrypto>(
      'node:crypto',
      'generateWechatPayTestKeyPair',
    );
    pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    keyPairs.set(slot, pair);
  }
  return pair;
}

/** What a notification says. */
export interface WechatPayNotificationInput {
  /** `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, … */
  eventType: string;
  /** The plaintext resource (a transaction or a refund, as WeChat Pay's query answers show them). */
  resource: Record<string, unknown>;
  /** @default 'refund' for `REFUND.*`, else 'transaction' */
  originalType?: string;
  /** @default '支付成功' / '退款成功' / '退款异常' / '退款关闭' */
  summary?: string;
  /** Notification id (redeliveries keep it). @default a random UUID */
  id?: string;
  /** @default now */
  createTime?: Date;
}

/** How it is sealed. */
export interface WechatPayNotificationKeys {
  /** The merchant's APIv3 key. */
  apiV3Key: string;
  /** WeChat Pay's private key (the emulator's `wechatpayKeyPair.privateKey`). */
  privateKey: string | KeyObject;
  /** `Wechatpay-Serial`: the public key id (`PUB_KEY_ID_…`) or platform certificate serial. */
  serial: string;
  /** `Wechatpay-Timestamp`. @default now */
  timestamp?: Date;
  /** `Wechatpay-Nonce`. @default random */
  nonce?: string;
}

/** A notification as WeChat Pay would post it. */
export interface SignedWechatPayNotification {
  /** The JSON body, parsed (with the encrypted resource). */
  envelope: Record<string, unknown>;
  /** The exact body. */
  rawBody: string;
  /** `Content-Type`, `Wechatpay-Nonce`, `-Serial`, `-Signature`, `-Signature-Type` and `-Timestamp`, as WeChat Pay sends them. */
  headers: Record<string, string>;
}

const SUMMARIES: Record<string, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
};

/**
 * Encrypts, serialises and signs one notification.
 *
 * @example
 * ```ts
 * const { rawBody, headers } = signWechatPayNotification(
 *   { eventType: 'TRANSACTION.SUCCESS', resource: { mchid, appid, out_trade_no, trade_state: 'SUCCESS', amount: { total: 1999, currency: 'CNY' }, … } },
 *   { apiV3Key, privateKey: emulator.wechatpayKeyPair.privateKey, serial: emulator.publicKeyId },
 * );
 * await fetch(notifyUrl, { method: 'POST', body: rawBody, headers });
 * ```
 */
export function signWechatPayNotification(
  input: WechatPayNotificationInput,
  keys: WechatPayNotificationKeys,
): SignedWechatPayNotification {
  // Reached when called, not at import: the portable kit exports this on runtimes without node:crypto too.
  const crypto = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'signWechatPayNotification');
  const key = typeof keys.privateKey === 'string' ? crypto.createPrivateKey(keys.privateKey) : keys.privateKey;
  const originalType = input.originalType ?? (input.eventType.startsWith('REFUND.') ? 'refund' : 'transaction');
  const nonce = crypto.randomBytes(6).toString('hex');
  // AEAD_AES_256_GCM under the APIv3 key: the ciphertext with the 16-byte tag appended, base64.
  const cipher = crypto.createCipheriv('aes-256-gcm', utf8Encode(keys.apiV3Key), utf8Encode(nonce), {
    authTagLength: 16,
  });
  cipher.setAAD(utf8Encode(originalType));
  const sealed = [cipher.update(utf8Encode(JSON.stringify(input.resource))), cipher.final(), cipher.getAuthTag()];
  const ciphertext = toBase64(Uint8Array.from(sealed.flatMap((part) => [...part])));
  const envelope = {
    id: input.id ?? crypto.randomUUID(),
    create_time: wechatpayTime(input.createTime ?? new Date()),
    resource_type: 'encrypt-resource',
    event_type: input.eventType,
    summary: input.summary ?? SUMMARIES[input.eventType] ?? input.eventType,
    resource: {
      original_type: originalType,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext,
      associated_data: originalType,
      nonce,
    },
  };
  const rawBody = JSON.stringify(envelope);
  const timestamp = String(Math.floor((keys.timestamp ?? new Date()).getTime() / 1000));
  const headerNonce = keys.nonce ?? crypto.randomBytes(16).toString('hex').toUpperCase();
  const signature = toBase64(crypto.sign('RSA-SHA256', utf8Encode(`${timestamp}\n${headerNonce}\n${rawBody}\n`), key));
  return {
    envelope,
    rawBody,
    headers: {
      'Content-Type': 'application/json',
      'Wechatpay-Nonce': headerNonce,
      'Wechatpay-Serial': keys.serial,
      'Wechatpay-Signature': signature,
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
      'Wechatpay-Timestamp': timestamp,
    },
  };
}
