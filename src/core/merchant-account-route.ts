/**
 * Webhook route tokens of merchant accounts: `<accountId>.<hex HMAC-SHA256(routeKey, accountId)>`. The token
 * in `POST /webhooks/:provider/:account` tells the handler whose secret verifies the body before anything is
 * parsed, and cannot be made up for another account without the host key. Web Crypto only (every runtime).
 * @module
 */
import { ConfigurationError } from './errors.js';
import { requireWebCrypto, toHex, utf8Encode } from './web-crypto.js';

/** Shortest accepted route key, in bytes. */
const MIN_KEY_BYTES = 32;
/** Longest accepted account id. */
const MAX_ACCOUNT_ID = 128;

const keys = new WeakMap<object, Promise<CryptoKey>>();
const textKeys = new Map<string, Promise<CryptoKey>>();

function importKey(routeKey: string | Uint8Array): Promise<CryptoKey> {
  const bytes = typeof routeKey === 'string' ? utf8Encode(routeKey) : routeKey;
  if (bytes.byteLength < MIN_KEY_BYTES) {
    throw new ConfigurationError(`The merchant account route key must be at least ${MIN_KEY_BYTES} bytes.`, {
      code: 'MERCHANT_ROUTE_KEY_TOO_SHORT',
    });
  }
  const crypto = requireWebCrypto('subtle', 'merchant account route tokens');
  return crypto.subtle.importKey('raw', new Uint8Array(bytes), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** The HMAC key for `routeKey`, imported once. */
function hmacKey(routeKey: string | Uint8Array): Promise<CryptoKey> {
  if (typeof routeKey === 'string') {
    let key = textKeys.get(routeKey);
    if (!key) {
      key = importKey(routeKey);
      if (textKeys.size > 16) textKeys.clear(); // a handful of keys per process; never unbounded
      textKeys.set(routeKey, key);
    }
    return key;
  }
  let key = keys.get(routeKey);
  if (!key) {
    key = importKey(routeKey);
    keys.set(routeKey, key);
  }
  return key;
}

/** Whether `accountId` can be put in a route token. */
export function isValidAccountId(accountId: unknown): accountId is string {
  return (
    typeof accountId === 'string' &&
    accountId.length > 0 &&
    accountId.length <= MAX_ACCOUNT_ID &&
    !/[/\s?#%]/.test(accountId)
  );
}

/**
 * The route token of a merchant account, for the webhook URL the seller registers at their provider:
 * `https://host/webhooks/<provider>/<token>`.
 *
 * @param routeKey - The host key given to `createPaymentService({ merchantAccounts: { routeKey } })`.
 * @throws ConfigurationError `MERCHANT_ROUTE_KEY_TOO_SHORT` for a key under 32 bytes, `INVALID_ACCOUNT_ID` for
 *   an account id that cannot be part of a URL path segment.
 *
 * @example
 * ```ts
 * const token = await merchantAccountRouteToken(process.env.MERCHANT_ROUTE_KEY!, 'acct_seller_42');
 * // 'acct_seller_42.5f0c…' → register https://shop.example/webhooks/stripe/acct_seller_42.5f0c…
 * ```
 */
export async function merchantAccountRouteToken(routeKey: string | Uint8Array, accountId: string): Promise<string> {
  if (!isValidAccountId(accountId)) {
    throw new ConfigurationError(
      'A merchant account id must be 1–128 characters without "/", "?", "#", "%" or spaces.',
      {
        code: 'INVALID_ACCOUNT_ID',
      },
    );
  }
  return `${accountId}.${await mac(routeKey, accountId)}`;
}

async function mac(routeKey: string | Uint8Array, accountId: string): Promise<string> {
  const crypto = requireWebCrypto('subtle', 'merchant account route tokens');
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(routeKey), utf8Encode(accountId));
  return toHex(new Uint8Array(signature));
}

/**
 * The account id a route token names, or `null` when the token is not one the host key made. The MAC is
 * compared in constant time (every character, whatever differs first).
 *
 * @example
 * ```ts
 * await accountIdFromRouteToken(key, token) // 'acct_seller_42', or null
 * ```
 */
export async function accountIdFromRouteToken(routeKey: string | Uint8Array, token: string): Promise<string | null> {
  if (typeof token !== 'string') return null;
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const accountId = token.slice(0, dot);
  const given = token.slice(dot + 1);
  if (!isValidAccountId(accountId)) return null;
  const expected = await mac(routeKey, accountId);
  return constantTimeEqual(given, expected) ? accountId : null;
}

/** Compares two strings without an early exit on the first difference. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
