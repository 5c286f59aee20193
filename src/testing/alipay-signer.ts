/**
 * Test helper for Alipay notifications: sign a notification the way Alipay does (RSA2 over the sorted
 * fields, without `sign`, `sign_type` and empty values) and form-encode it. Used by the Alipay emulator;
 * usable on its own to test a host's notification endpoint.
 * @module
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { alipaySignContent } from '../alipay/alipay-webhooks.js';

/** A notification as Alipay would post it. */
export interface SignedAlipayNotify {
  /** Every field, including `sign_type` and `sign`. */
  params: Record<string, string>;
  /** The form-encoded body. */
  rawBody: string;
  headers: { 'content-type': string };
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
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const { sign: _sign, sign_type: _type, ...content } = fields;
  const signature = sign('RSA-SHA256', Buffer.from(alipaySignContent(content), 'utf8'), key).toString('base64');
  const params = { ...content, sign_type: 'RSA2', sign: signature };
  return {
    params,
    rawBody: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  };
}
