/**
 * The Feishu (Lark) custom-bot signature, kept apart from the notifier so it can be checked on its own.
 * @module
 */
import { requireWebCrypto, toBase64, utf8Encode } from '../core/web-crypto.js';

/**
 * Signs a Feishu custom-bot request the way the bot's "signature verification" security setting expects:
 * `base64(HMAC-SHA256(key = "<timestamp>\n<secret>", message = ""))`.
 *
 * The scheme is unusual — the secret goes into the HMAC *key* together with the timestamp and the message
 * is empty — so a "normal" HMAC over the timestamp fails with Feishu code 19021. Feishu refuses timestamps
 * more than one hour away from its own clock.
 *
 * Computed with Web Crypto (`crypto.subtle`), so it runs on every runtime; hence asynchronous.
 *
 * @param timestamp - Unix time in seconds, sent as the body's `timestamp` field.
 * @param secret - The secret shown in the bot's security settings.
 * @returns The body's `sign` field.
 *
 * @example
 * ```ts
 * const timestamp = Math.floor(Date.now() / 1000)
 * const body = { timestamp: String(timestamp), sign: await signFeishuRequest(timestamp, secret), msg_type: 'text', content: { text } }
 * ```
 */
export async function signFeishuRequest(timestamp: number, secret: string): Promise<string> {
  const { subtle } = requireWebCrypto('subtle', 'signFeishuRequest');
  const key = await subtle.importKey(
    'raw',
    utf8Encode(`${timestamp}\n${secret}`),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return toBase64(new Uint8Array(await subtle.sign('HMAC', key, new Uint8Array(0))));
}
