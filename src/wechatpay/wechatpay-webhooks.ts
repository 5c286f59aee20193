/**
 * `createWechatPayNotifyVerifier`: verifies WeChat Pay API v3 notifications and normalises them, without a
 * provider instance (for hosts that only receive notifications).
 *
 * A notification is a JSON POST whose signature travels in headers: `Wechatpay-Signature` (RSA-SHA256, base64)
 * over `Wechatpay-Timestamp\nWechatpay-Nonce\nbody\n`, made with the WeChat Pay key that `Wechatpay-Serial`
 * names — the public key id (`PUB_KEY_ID_…`) or a platform certificate's serial. Checks, in order: the four
 * headers are present; the serial is one we hold a key for; the timestamp is within ±5 minutes of arrival (the
 * original system checked neither serial nor window); the signature verifies over the exact bytes; the body is
 * a notification; its `resource` decrypts (AEAD_AES_256_GCM with the APIv3 key); `mchid` (and `appid` for
 * payments) are ours. WeChat Pay's deliberate probes (`WECHATPAY/SIGNTEST/…` signatures) fail the check.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { WebhookVerificationError } from '../core/errors.js';
import type { PaymentEvent, WebhookInput } from '../core/types.js';
import { guardWebhookInput } from '../core/provider-input.js';
import { getHeader, requireJsonObjectStart, requireRawBody } from '../core/webhook-input.js';
import { decryptWechatPayResource, type WechatPayEncryptedResource } from './wechatpay-crypto.js';
import {
  isRefundNotification,
  wechatpayNotificationEvent,
  type WechatPayNotificationEnvelope,
} from './wechatpay-events.js';
import { printableSerial } from './wechatpay-errors.js';
import { loadWechatPayVerifyKeys } from './wechatpay-keys.js';
import { WECHATPAY_DEFAULT_TOLERANCE_SECONDS } from './wechatpay-options.js';
import {
  responseSignMessage,
  rsaVerify,
  WECHATPAY_AUTH_SCHEME,
  WECHATPAY_SIGNTEST_PREFIX,
} from './wechatpay-signature.js';

/** The headers a WeChat Pay notification is signed in (lower case). */
export const WECHATPAY_SIGNATURE_HEADERS = [
  'wechatpay-signature',
  'wechatpay-timestamp',
  'wechatpay-nonce',
  'wechatpay-serial',
] as const;

/** Options of {@link createWechatPayNotifyVerifier}. */
export interface WechatPayNotifyVerifierOptions {
  /** Our merchant id; notifications for another merchant are refused. */
  mchId: string;
  /** Our app id(s); payment notifications for another app are refused. */
  appId: string | readonly string[];
  /** The APIv3 key that decrypts `resource`. */
  apiV3Key: string;
  /** The WeChat Pay public key (PEM or bare base64), with {@link wechatpayPublicKeyId}. */
  wechatpayPublicKey?: string | undefined;
  /** Its id, `PUB_KEY_ID_…`. */
  wechatpayPublicKeyId?: string | undefined;
  /** Platform certificate(s), PEM: the old and the new one while WeChat Pay rotates them. */
  platformCertificate?: string | readonly string[] | undefined;
  /** Path(s) to PEM files of platform certificates (each file may hold several). */
  platformCertificatePath?: string | readonly string[] | undefined;
  /** Already-parsed verification keys by serial (the provider passes its own). Replaces the four above. */
  verifyKeys?: ReadonlyMap<string, KeyObject> | undefined;
  /** Provider name put on events. @default 'wechatpay' */
  provider?: string | undefined;
  /** Whether the money is real (notifications do not say). @default true */
  livemode?: boolean | undefined;
  /** Largest difference between `Wechatpay-Timestamp` and arrival. @default 300 */
  toleranceSeconds?: number | undefined;
}

/** A verifier: raw notification in, normalised event out. */
export type WechatPayNotifyVerifier = (input: WebhookInput) => Promise<PaymentEvent>;

/**
 * Creates a notification verifier.
 *
 * @example
 * ```ts
 * import { createWechatPayNotifyVerifier } from '@org/payment-factory/wechatpay';
 * const verify = createWechatPayNotifyVerifier({
 *   mchId: process.env.WECHATPAY_MCH_ID!, appId: process.env.WECHATPAY_APP_ID!,
 *   apiV3Key: process.env.WECHATPAY_API_V3_KEY!,
 *   wechatpayPublicKey: process.env.WECHATPAY_PUBLIC_KEY!, wechatpayPublicKeyId: process.env.WECHATPAY_PUBLIC_KEY_ID!,
 * });
 * const event = await verify({ rawBody, headers }); // payment.succeeded for TRANSACTION.SUCCESS
 * ```
 * @throws ConfigurationError at construction for missing or malformed keys.
 */
export function createWechatPayNotifyVerifier(options: WechatPayNotifyVerifierOptions): WechatPayNotifyVerifier {
  const provider = options.provider ?? 'wechatpay';
  const livemode = options.livemode ?? true;
  const tolerance = options.toleranceSeconds ?? WECHATPAY_DEFAULT_TOLERANCE_SECONDS;
  const appIds = new Set(typeof options.appId === 'string' ? [options.appId] : options.appId);
  const keys =
    options.verifyKeys ??
    loadWechatPayVerifyKeys(
      {
        publicKey: { text: options.wechatpayPublicKey },
        publicKeyId: options.wechatpayPublicKeyId,
        platformCertificates: { text: options.platformCertificate, path: options.platformCertificatePath },
      },
      provider,
    );
  const refuse = (message: string, code: string): never => {
    throw new WebhookVerificationError(`WeChat Pay notification ${message}`, { code, provider });
  };

  return async (input) => {
    guardWebhookInput(input, 'verifyWebhook');
    const body = requireRawBody(input.rawBody, provider);
    const signature = getHeader(input.headers, 'wechatpay-signature');
    const timestamp = getHeader(input.headers, 'wechatpay-timestamp');
    const nonce = getHeader(input.headers, 'wechatpay-nonce');
    const serial = getHeader(input.headers, 'wechatpay-serial')?.trim();
    if (!signature || !timestamp || !nonce || !serial) {
      return refuse(
        'is not signed (Wechatpay-Signature, -Timestamp, -Nonce and -Serial are required).',
        'WECHATPAY_SIGNATURE_MISSING',
      );
    }
    const type = getHeader(input.headers, 'wechatpay-signature-type');
    if (type !== undefined && type !== WECHATPAY_AUTH_SCHEME) {
      refuse(
        `is signed with ${JSON.stringify(type.slice(0, 40))}, not ${WECHATPAY_AUTH_SCHEME}.`,
        'WECHATPAY_SIGNATURE_TYPE_UNSUPPORTED',
      );
    }
    const key = keys.get(serial);
    if (!key) {
      // WeChat Pay signs with a new platform certificate as soon as it exists: the fix is to add it beside the
      // old one. The answer is a 4xx, and WeChat Pay redelivers, so nothing is lost once the key is added.
      throw new WebhookVerificationError(
        `WeChat Pay notification is signed under Wechatpay-Serial ${printableSerial(serial)}, which no configured ` +
          `key carries (held: ${[...keys.keys()].join(', ')}); add the new platform certificate or public key.`,
        {
          code: 'WECHATPAY_SERIAL_UNKNOWN',
          provider,
          details: { serial: printableSerial(serial), knownSerials: [...keys.keys()] },
        },
      );
    }
    if (!/^\d{1,12}$/.test(timestamp))
      refuse('has a malformed Wechatpay-Timestamp.', 'WECHATPAY_TIMESTAMP_OUT_OF_TOLERANCE');
    const now = (input.receivedAt ?? new Date()).getTime() / 1000;
    if (Math.abs(now - Number(timestamp)) > tolerance) {
      refuse(
        `is older or newer than ${tolerance} seconds (replayed or clock skew).`,
        'WECHATPAY_TIMESTAMP_OUT_OF_TOLERANCE',
      );
    }
    if (
      signature.startsWith(WECHATPAY_SIGNTEST_PREFIX) ||
      !rsaVerify(responseSignMessage(timestamp, nonce, body), signature, key)
    ) {
      refuse('signature does not verify.', 'WECHATPAY_SIGNATURE_INVALID');
    }
    requireJsonObjectStart(body, provider);
    const envelope = parseEnvelope(body);
    if (!envelope) return refuse('body is not a WeChat Pay notification.', 'WECHATPAY_NOTIFICATION_MALFORMED');
    const plain = decryptWechatPayResource(envelope.resource, options.apiV3Key);
    if (plain === null) return refuse('resource does not decrypt with the APIv3 key.', 'WECHATPAY_DECRYPTION_FAILED');
    let resource: Record<string, unknown>;
    try {
      const parsed = JSON.parse(plain) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
      resource = parsed as Record<string, unknown>;
    } catch {
      return refuse('resource is not a JSON object.', 'WECHATPAY_NOTIFICATION_MALFORMED');
    }
    if (resource['mchid'] !== options.mchId) refuse('is for another merchant id.', 'WECHATPAY_MCHID_MISMATCH');
    if (!isRefundNotification(envelope.meta, resource) && !appIds.has(String(resource['appid']))) {
      refuse('is for another app id.', 'WECHATPAY_APPID_MISMATCH');
    }
    return wechatpayNotificationEvent(envelope.meta, resource, {
      provider,
      livemode,
      receivedAt: input.receivedAt ?? new Date(),
    });
  };
}

function parseEnvelope(
  body: Uint8Array,
): { meta: WechatPayNotificationEnvelope; resource: WechatPayEncryptedResource } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const o = parsed as Record<string, unknown>;
  const resource = o['resource'] as Record<string, unknown> | undefined;
  if (typeof o['id'] !== 'string' || o['id'] === '' || typeof o['event_type'] !== 'string') return null;
  if (typeof resource !== 'object' || resource === null) return null;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    meta: {
      id: o['id'],
      event_type: o['event_type'],
      create_time: str(o['create_time']),
      resource_type: str(o['resource_type']),
      summary: str(o['summary']),
    },
    resource: {
      algorithm: str(resource['algorithm']) ?? '',
      ciphertext: str(resource['ciphertext']) ?? '',
      nonce: str(resource['nonce']) ?? '',
      associated_data: str(resource['associated_data']),
      original_type: str(resource['original_type']),
    },
  };
}
