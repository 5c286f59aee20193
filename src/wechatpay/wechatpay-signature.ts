/**
 * The signatures of WeChat Pay API v3, all RSA-SHA256 (PKCS#1 v1.5) with base64 output:
 *
 * | what | signed text | key |
 * |---|---|---|
 * | a request (`Authorization: WECHATPAY2-SHA256-RSA2048 …`) | `METHOD\npath?query\ntimestamp\nnonce\nbody\n` | merchant private key |
 * | a response or notification (`Wechatpay-Signature`) | `timestamp\nnonce\nbody\n` | WeChat Pay's key (public key id or platform certificate serial in `Wechatpay-Serial`) |
 * | JSAPI / mini-program client parameters (`paySign`) | `appId\ntimeStamp\nnonceStr\npackage\n` | merchant private key |
 * | App client parameters (`sign`) | `appid\ntimestamp\nnoncestr\nprepayid\n` | merchant private key |
 *
 * Bodies are signed as the exact bytes sent, so messages are built from bytes, never from re-serialised JSON.
 * @module
 */
import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/** The `Authorization` scheme of API v3 requests. */
export const WECHATPAY_AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/** The prefix WeChat Pay puts on deliberately wrong signatures to probe that merchants verify them. */
export const WECHATPAY_SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

/** A 32-character random string, as nonces are. */
export function wechatpayNonce(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** `METHOD\npath?query\ntimestamp\nnonce\nbody\n`. `body` is `''` for a GET. */
export function requestSignMessage(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** `timestamp\nnonce\nbody\n`, as bytes (the body exactly as received). */
export function responseSignMessage(timestamp: string, nonce: string, body: Uint8Array | string): Buffer {
  const bytes =
    typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), bytes, Buffer.from('\n', 'utf8')]);
}

/** RSA-SHA256 signature of `message`, base64. */
export function rsaSign(message: string | Buffer, key: KeyObject): string {
  return sign('RSA-SHA256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, key).toString(
    'base64',
  );
}

/**
 * Checks an RSA-SHA256 base64 signature. Strict base64 first: decoders skip stray characters, so a
 * changed signature could otherwise still verify.
 */
export function rsaVerify(message: string | Buffer, signature: string, key: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify(
      'RSA-SHA256',
      typeof message === 'string' ? Buffer.from(message, 'utf8') : message,
      key,
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** The parts of an `Authorization` header. */
export interface WechatPayAuthorization {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

/** `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`. */
export function formatAuthorization(auth: WechatPayAuthorization): string {
  const { mchid, nonce_str, signature, timestamp, serial_no } = auth;
  return `${WECHATPAY_AUTH_SCHEME} mchid="${mchid}",nonce_str="${nonce_str}",signature="${signature}",timestamp="${timestamp}",serial_no="${serial_no}"`;
}

/** Parses an `Authorization` header; `null` when it is not a complete `WECHATPAY2-SHA256-RSA2048` one. */
export function parseAuthorization(header: string | undefined): WechatPayAuthorization | null {
  if (!header?.startsWith(`${WECHATPAY_AUTH_SCHEME} `)) return null;
  const fields: Record<string, string> = {};
  for (const match of header.slice(WECHATPAY_AUTH_SCHEME.length + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    fields[match[1]!] = match[2]!;
  }
  const { mchid, nonce_str, signature, timestamp, serial_no } = fields;
  if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return null;
  return { mchid, nonce_str, signature, timestamp, serial_no };
}

/** Signs one request: the `Authorization` header value for `method path?query` with `body`. */
export function signRequest(input: {
  method: string;
  pathAndQuery: string;
  body: string;
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
  now: Date;
  nonce?: string;
}): string {
  const timestamp = String(Math.floor(input.now.getTime() / 1000));
  const nonce = input.nonce ?? wechatpayNonce();
  const message = requestSignMessage(input.method, input.pathAndQuery, timestamp, nonce, input.body);
  return formatAuthorization({
    mchid: input.mchId,
    nonce_str: nonce,
    signature: rsaSign(message, input.privateKey),
    timestamp,
    serial_no: input.serialNo,
  });
}

/** The parameters `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` / `wx.requestPayment` take. */
export interface WechatPayJsapiParams extends Record<string, string> {
  /** The app the payment is for (official account or mini program). */
  appId: string;
  /** Unix seconds, as a string. */
  timeStamp: string;
  /** A random string. */
  nonceStr: string;
  /** `prepay_id=…`. */
  package: string;
  /** Always `RSA` in API v3. */
  signType: 'RSA';
  /** RSA-SHA256 over `appId
timeStamp
nonceStr
package
` with the merchant key, base64. */
  paySign: string;
}

/** Signs the JSAPI / mini-program client parameters for a `prepay_id`. */
export function jsapiClientParams(
  appId: string,
  prepayId: string,
  privateKey: KeyObject,
  now: Date,
  nonce = wechatpayNonce(),
): WechatPayJsapiParams {
  const timeStamp = String(Math.floor(now.getTime() / 1000));
  const pkg = `prepay_id=${prepayId}`;
  const paySign = rsaSign(`${appId}\n${timeStamp}\n${nonce}\n${pkg}\n`, privateKey);
  return { appId, timeStamp, nonceStr: nonce, package: pkg, signType: 'RSA', paySign };
}

/** The parameters the WeChat Open SDK's `PayReq` takes in an app. */
export interface WechatPayAppParams extends Record<string, string> {
  /** The mobile app's app id. */
  appid: string;
  /** The merchant id. */
  partnerid: string;
  /** The `prepay_id` of the order. */
  prepayid: string;
  /** Always `Sign=WXPay`. */
  package: 'Sign=WXPay';
  /** A random string. */
  noncestr: string;
  /** Unix seconds, as a string. */
  timestamp: string;
  /** RSA-SHA256 over `appid
timestamp
noncestr
prepayid
` with the merchant key, base64. */
  sign: string;
}

/** Signs the App client parameters for a `prepay_id`. */
export function appClientParams(
  appId: string,
  mchId: string,
  prepayId: string,
  privateKey: KeyObject,
  now: Date,
  nonce = wechatpayNonce(),
): WechatPayAppParams {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = rsaSign(`${appId}\n${timestamp}\n${nonce}\n${prepayId}\n`, privateKey);
  return {
    appid: appId,
    partnerid: mchId,
    prepayid: prepayId,
    package: 'Sign=WXPay',
    noncestr: nonce,
    timestamp,
    sign: signature,
  };
}
