/**
 * The `WECHATPAY_*` configuration keys (named as the original system named them) and how they become
 * `createWechatPayProvider`'s options. Kept beside `config.ts`, which spreads them into the one registry.
 * @module
 */
import { z } from 'zod';
import type { ConfigKeyDefinition } from './config.js';
import { utf8Length } from './web-crypto.js';

const text = z.string().trim().min(1);
const url = z.string().trim().url('must be an absolute URL');

/** WeChat Pay's API host. */
const WECHATPAY_BASE_URL_DEFAULT = 'https://api.mch.weixin.qq.com';

/** The names of the WeChat Pay keys. */
export type WechatPayConfigKey =
  | 'WECHATPAY_APP_ID'
  | 'WECHATPAY_MCH_ID'
  | 'WECHATPAY_BASE_URL'
  | 'WECHATPAY_WEBHOOK_URL'
  | 'WECHATPAY_API_V3_KEY'
  | 'WECHATPAY_MERCHANT_SERIAL_NO'
  | 'WECHATPAY_PRIVATE_KEY'
  | 'WECHATPAY_PRIVATE_KEY_PATH'
  | 'WECHATPAY_PUBLIC_KEY'
  | 'WECHATPAY_PUBLIC_KEY_PATH'
  | 'WECHATPAY_PUBLIC_KEY_ID'
  | 'WECHATPAY_PLATFORM_CERT'
  | 'WECHATPAY_PLATFORM_CERT_PATH';

/** The WeChat Pay keys, in `.env.example` order. */
export const WECHATPAY_CONFIG_KEYS: Readonly<Record<WechatPayConfigKey, ConfigKeyDefinition>> = {
  WECHATPAY_APP_ID: {
    group: 'wechatpay',
    description: 'WeChat app id payments are made for (official account, mini program or app): wx + 16 hex digits.',
    secret: false,
    example: 'wx8888888888888888',
    schema: z.string().regex(/^wx[0-9a-f]{16}$/i, 'must be a WeChat app id (wx followed by 16 hex digits)'),
  },
  WECHATPAY_MCH_ID: {
    group: 'wechatpay',
    description: 'WeChat Pay merchant id (digits).',
    secret: false,
    example: '1900000109',
    schema: z.string().regex(/^\d{8,32}$/, 'must be the digits of a WeChat Pay merchant id'),
  },
  WECHATPAY_BASE_URL: {
    group: 'wechatpay',
    description: 'WeChat Pay API v3 base URL (the backup host is https://api2.mch.weixin.qq.com).',
    secret: false,
    default: WECHATPAY_BASE_URL_DEFAULT,
    schema: url,
  },
  WECHATPAY_WEBHOOK_URL: {
    group: 'wechatpay',
    description:
      'Where WeChat Pay posts payment and refund notifications (notify_url, https), e.g. your /webhooks/wechatpay route. Never taken from a request.',
    secret: false,
    example: 'https://example.com/webhooks/wechatpay',
    schema: url,
  },
  WECHATPAY_API_V3_KEY: {
    group: 'wechatpay',
    description: 'The 32-character APIv3 key set in the merchant platform; decrypts notification resources.',
    secret: true,
    // No Buffer: the root (and so the config) also runs on workerd and Vercel Edge.
    schema: z.string().refine((v) => utf8Length(v.trim()) === 32, 'must be the 32-character APIv3 key'),
  },
  WECHATPAY_MERCHANT_SERIAL_NO: {
    group: 'wechatpay',
    description: 'Serial number (hex) of the merchant API certificate whose key signs requests.',
    secret: false,
    schema: z.string().regex(/^[0-9A-Fa-f]{8,64}$/, 'must be the hex serial number of the merchant API certificate'),
  },
  WECHATPAY_PRIVATE_KEY: {
    group: 'wechatpay',
    description:
      'Merchant API private key (apiclient_key.pem; PEM or bare base64) that signs requests and client parameters. Or use WECHATPAY_PRIVATE_KEY_PATH.',
    secret: true,
    schema: text,
  },
  WECHATPAY_PRIVATE_KEY_PATH: {
    group: 'wechatpay',
    description: 'Path to the merchant API private key file.',
    secret: false,
    example: './keys/apiclient_key.pem',
    schema: text,
  },
  WECHATPAY_PUBLIC_KEY: {
    group: 'wechatpay',
    description:
      'WeChat Pay public key (PEM or bare base64) that verifies answers and notifications, with WECHATPAY_PUBLIC_KEY_ID. Or use WECHATPAY_PUBLIC_KEY_PATH.',
    secret: false,
    schema: text,
  },
  WECHATPAY_PUBLIC_KEY_PATH: {
    group: 'wechatpay',
    description: 'Path to the WeChat Pay public key file.',
    secret: false,
    example: './keys/wechatpay_pub_key.pem',
    schema: text,
  },
  WECHATPAY_PUBLIC_KEY_ID: {
    group: 'wechatpay',
    description: 'Id of the WeChat Pay public key (PUB_KEY_ID_…), as the Wechatpay-Serial header names it.',
    secret: false,
    schema: z.string().regex(/^PUB_KEY_ID_[0-9A-Za-z]+$/, 'must be a WeChat Pay public key id (PUB_KEY_ID_…)'),
  },
  WECHATPAY_PLATFORM_CERT: {
    group: 'wechatpay',
    description:
      'WeChat Pay platform certificate(s), PEM, for merchants not yet on the public key; several PEM blocks while WeChat Pay rotates its certificate (each verifies its own Wechatpay-Serial). May be set beside the public key during the migration. Or use WECHATPAY_PLATFORM_CERT_PATH.',
    secret: false,
    schema: text,
  },
  WECHATPAY_PLATFORM_CERT_PATH: {
    group: 'wechatpay',
    description:
      'Path to a PEM file of WeChat Pay platform certificate(s); comma-separated paths for several files (the old and the new certificate during a rotation).',
    secret: false,
    example: './keys/wechatpay_platform_cert.pem',
    schema: text,
  },
};

/**
 * WeChat Pay credentials, present when any `WECHATPAY_*` key but the base URL is set. Named like
 * `createWechatPayProvider`'s options, so `createWechatPayProvider(config.wechatpay!)` works as is.
 */
export interface WechatPayConfig {
  /** `WECHATPAY_APP_ID`. */
  appId: string;
  /** `WECHATPAY_MCH_ID`. */
  mchId: string;
  /** `WECHATPAY_API_V3_KEY`. Secret. */
  apiV3Key: string;
  /** `WECHATPAY_MERCHANT_SERIAL_NO`. */
  merchantSerialNo: string;
  /** `WECHATPAY_PRIVATE_KEY`. Secret. */
  privateKey?: string;
  /** `WECHATPAY_PRIVATE_KEY_PATH`. */
  privateKeyPath?: string;
  /** `WECHATPAY_PUBLIC_KEY`. */
  wechatpayPublicKey?: string;
  /** `WECHATPAY_PUBLIC_KEY_PATH`. */
  wechatpayPublicKeyPath?: string;
  /** `WECHATPAY_PUBLIC_KEY_ID`. */
  wechatpayPublicKeyId?: string;
  /** `WECHATPAY_PLATFORM_CERT`. */
  platformCertificate?: string;
  /** `WECHATPAY_PLATFORM_CERT_PATH`: one path as a string, several (comma-separated in the key) as an array. */
  platformCertificatePath?: string | string[];
  /** `WECHATPAY_BASE_URL`. */
  baseUrl: string;
  /** `WECHATPAY_WEBHOOK_URL`, sent as `notify_url`. */
  notifyUrl: string;
  /** `PAYMENT_REDIRECT_ORIGINS`, or the origins of the configured URLs: where an H5 `resultUrl` may point. */
  allowedRedirectOrigins?: string[];
}

const unescape = (pem: string | undefined): string | undefined => pem?.replace(/\\n/g, '\n');

/** Reads the WeChat Pay keys into {@link WechatPayConfig}, pushing every problem onto `issues`. */
export function wechatpayFrom(
  v: Readonly<Partial<Record<WechatPayConfigKey, string | undefined>>>,
  given: ReadonlySet<string>,
  issues: string[],
): WechatPayConfig | null {
  const keys = (Object.keys(WECHATPAY_CONFIG_KEYS) as WechatPayConfigKey[]).filter((k) => k !== 'WECHATPAY_BASE_URL');
  if (!keys.some((k) => given.has(k))) return null;
  const need = (key: WechatPayConfigKey, why: string) => {
    if (!given.has(key)) issues.push(`${key} is required when WeChat Pay is configured${why}.`);
  };
  need('WECHATPAY_APP_ID', '');
  need('WECHATPAY_MCH_ID', '');
  need('WECHATPAY_API_V3_KEY', ': notifications are encrypted with it');
  need('WECHATPAY_MERCHANT_SERIAL_NO', ': every request names it');
  need('WECHATPAY_WEBHOOK_URL', ' (notify_url)');
  const pair = (a: WechatPayConfigKey, b: WechatPayConfigKey) => {
    if (given.has(a) && given.has(b)) issues.push(`Set ${a} or ${b}, not both.`);
    return given.has(a) || given.has(b);
  };
  if (!pair('WECHATPAY_PRIVATE_KEY', 'WECHATPAY_PRIVATE_KEY_PATH')) {
    issues.push('WECHATPAY_PRIVATE_KEY or WECHATPAY_PRIVATE_KEY_PATH is required: WeChat Pay requests are signed.');
  }
  const publicKey = pair('WECHATPAY_PUBLIC_KEY', 'WECHATPAY_PUBLIC_KEY_PATH');
  const certificate = pair('WECHATPAY_PLATFORM_CERT', 'WECHATPAY_PLATFORM_CERT_PATH');
  if (publicKey && !given.has('WECHATPAY_PUBLIC_KEY_ID')) {
    issues.push('WECHATPAY_PUBLIC_KEY_ID is required with the WeChat Pay public key: Wechatpay-Serial names it.');
  }
  if (!publicKey && given.has('WECHATPAY_PUBLIC_KEY_ID')) {
    issues.push('WECHATPAY_PUBLIC_KEY_ID is set without WECHATPAY_PUBLIC_KEY or WECHATPAY_PUBLIC_KEY_PATH.');
  }
  if (!publicKey && !certificate) {
    issues.push(
      'WECHATPAY_PUBLIC_KEY(_PATH) with WECHATPAY_PUBLIC_KEY_ID, or WECHATPAY_PLATFORM_CERT(_PATH), is required: unverified WeChat Pay notifications are never accepted.',
    );
  }
  const certPaths = splitPaths(v.WECHATPAY_PLATFORM_CERT_PATH);
  if (v.WECHATPAY_PLATFORM_CERT_PATH !== undefined && certPaths.length === 0) {
    issues.push('WECHATPAY_PLATFORM_CERT_PATH lists no file.');
  }
  if (!v.WECHATPAY_APP_ID || !v.WECHATPAY_MCH_ID || !v.WECHATPAY_API_V3_KEY || !v.WECHATPAY_MERCHANT_SERIAL_NO)
    return null;
  if (!v.WECHATPAY_WEBHOOK_URL) return null;
  return {
    appId: v.WECHATPAY_APP_ID,
    mchId: v.WECHATPAY_MCH_ID,
    apiV3Key: v.WECHATPAY_API_V3_KEY,
    merchantSerialNo: v.WECHATPAY_MERCHANT_SERIAL_NO,
    baseUrl: v.WECHATPAY_BASE_URL ?? WECHATPAY_BASE_URL_DEFAULT,
    notifyUrl: v.WECHATPAY_WEBHOOK_URL,
    ...(v.WECHATPAY_PRIVATE_KEY ? { privateKey: unescape(v.WECHATPAY_PRIVATE_KEY)! } : {}),
    ...(v.WECHATPAY_PRIVATE_KEY_PATH ? { privateKeyPath: v.WECHATPAY_PRIVATE_KEY_PATH } : {}),
    ...(v.WECHATPAY_PUBLIC_KEY ? { wechatpayPublicKey: unescape(v.WECHATPAY_PUBLIC_KEY)! } : {}),
    ...(v.WECHATPAY_PUBLIC_KEY_PATH ? { wechatpayPublicKeyPath: v.WECHATPAY_PUBLIC_KEY_PATH } : {}),
    ...(v.WECHATPAY_PUBLIC_KEY_ID ? { wechatpayPublicKeyId: v.WECHATPAY_PUBLIC_KEY_ID } : {}),
    ...(v.WECHATPAY_PLATFORM_CERT ? { platformCertificate: unescape(v.WECHATPAY_PLATFORM_CERT)! } : {}),
    ...(certPaths.length === 1 ? { platformCertificatePath: certPaths[0]! } : {}),
    ...(certPaths.length > 1 ? { platformCertificatePath: certPaths } : {}),
  };
}

/** `a.pem, b.pem` → `['a.pem', 'b.pem']`; empty entries (a trailing comma) are dropped. */
function splitPaths(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');
}
