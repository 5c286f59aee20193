/**
 * Options of `createWechatPayProvider`, and their validation at construction.
 * @module
 */
import { ConfigurationError } from '../core/errors.js';
import { readRedirectOriginsOption } from '../core/redirect-origins.js';
import { requireProviderOptions } from '../core/require-provider-options.js';
import { isWechatPayChannel, WECHATPAY_CHANNEL_IDS, type WechatPayChannel } from './wechatpay-channels.js';
import { isApiV3Key } from './wechatpay-crypto.js';

/** WeChat Pay's API host (the backup host is `https://api2.mch.weixin.qq.com`). */
export const WECHATPAY_PRODUCTION_BASE_URL = 'https://api.mch.weixin.qq.com';

/** Default {@link WechatPayProviderOptions.timeoutMs}. */
export const WECHATPAY_DEFAULT_TIMEOUT_MS = 15_000;

/** Default {@link WechatPayProviderOptions.webhookToleranceSeconds}: WeChat Pay's own ±5 minutes. */
export const WECHATPAY_DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Options of `createWechatPayProvider`. The `WECHATPAY_*` configuration keys map onto them one to one
 * (`loadPaymentConfig(env).wechatpay` can be passed as is).
 */
export interface WechatPayProviderOptions {
  /** Instance name, the registry key. @default 'wechatpay' */
  name?: string | undefined;
  /** The `appid` payments are made for: official account, mini program or app (`WECHATPAY_APP_ID`). */
  appId: string;
  /**
   * Per-channel app ids, when a channel pays in another WeChat app than `appId` (a mini program for
   * `wx_lite`, a mobile app for `wx`). Notifications for any of these app ids are accepted.
   * @default every channel uses `appId`
   */
  channelAppIds?: Partial<Record<WechatPayChannel, string>> | undefined;
  /** Merchant id, digits (`WECHATPAY_MCH_ID`). */
  mchId: string;
  /** The APIv3 key, 32 characters, that decrypts notification resources (`WECHATPAY_API_V3_KEY`). Secret. */
  apiV3Key: string;
  /** Serial number of the merchant API certificate whose key signs requests (`WECHATPAY_MERCHANT_SERIAL_NO`). */
  merchantSerialNo: string;
  /** Merchant API private key, `apiclient_key.pem` (`WECHATPAY_PRIVATE_KEY`). Set this or `privateKeyPath`. Secret. */
  privateKey?: string | undefined;
  /** Path to the merchant API private key (`WECHATPAY_PRIVATE_KEY_PATH`). */
  privateKeyPath?: string | undefined;
  /** The WeChat Pay public key that verifies answers and notifications (`WECHATPAY_PUBLIC_KEY`). */
  wechatpayPublicKey?: string | undefined;
  /** Path to the WeChat Pay public key (`WECHATPAY_PUBLIC_KEY_PATH`). */
  wechatpayPublicKeyPath?: string | undefined;
  /** The public key's id, `PUB_KEY_ID_…`, as `Wechatpay-Serial` names it (`WECHATPAY_PUBLIC_KEY_ID`). */
  wechatpayPublicKeyId?: string | undefined;
  /**
   * Platform certificate(s), PEM, for merchants not yet on the public key (`WECHATPAY_PLATFORM_CERT`). Each
   * verifies what arrives with its serial number, so while WeChat Pay rotates its certificate the old and the
   * new one are both given (several PEM blocks in one string, or an array). May be given beside the public key
   * during the migration to it.
   */
  platformCertificate?: string | readonly string[] | undefined;
  /**
   * Path(s) to PEM files of platform certificates (`WECHATPAY_PLATFORM_CERT_PATH`, comma-separated there): one
   * file may hold several certificates, and several files may be listed (`wechatpay_<serial>.pem` each).
   */
  platformCertificatePath?: string | readonly string[] | undefined;
  /** API base URL (`WECHATPAY_BASE_URL`); the emulator's is `startWechatPayEmulator().baseUrl`. @default WECHATPAY_PRODUCTION_BASE_URL */
  baseUrl?: string | undefined;
  /**
   * Where WeChat Pay posts notifications (`WECHATPAY_WEBHOOK_URL`), sent as `notify_url` with every payment
   * and refund. Configuration only: a caller's `extra.notify_url` is ignored. WeChat Pay requires https in
   * production.
   */
  notifyUrl: string;
  /** Channels enabled for this merchant; others are refused before any call. @default every channel of `WECHATPAY_CHANNELS` */
  channels?: readonly WechatPayChannel[] | undefined;
  /** Longest an API call may take. @default 15000 */
  timeoutMs?: number | undefined;
  /** Largest difference between `Wechatpay-Timestamp` and the arrival of a notification. @default 300 */
  webhookToleranceSeconds?: number | undefined;
  /**
   * Whether payments are real money. WeChat Pay API v3 has no sandbox: it is the host that decides.
   * @default true for WeChat Pay's hosts, false otherwise (an emulator)
   */
  livemode?: boolean | undefined;
  /**
   * Origins an H5 (`wx_wap`) `extra.resultUrl` / `extra.returnUrl` may point to; it is appended to `h5_url` as
   * `redirect_url` (`PAYMENT_REDIRECT_ORIGINS`). WeChat Pay also checks it against the H5 domain configured in
   * the merchant platform. @default [] (no per-request redirect URL is accepted)
   */
  allowedRedirectOrigins?: string | readonly string[] | undefined;
  /** Clock for `time_expire`, request timestamps and client parameters. @default () => new Date() */
  clock?: (() => Date) | undefined;
}

/** Options after validation, with defaults applied (keys are loaded separately). */
export interface ResolvedWechatPayOptions {
  name: string;
  appId: string;
  channelAppIds: Readonly<Record<WechatPayChannel, string>>;
  mchId: string;
  apiV3Key: string;
  merchantSerialNo: string;
  baseUrl: string;
  notifyUrl: string;
  channels: readonly WechatPayChannel[];
  timeoutMs: number;
  webhookToleranceSeconds: number;
  livemode: boolean;
  allowedRedirectOrigins: readonly string[];
  clock: () => Date;
}

const APP_ID = /^wx[0-9a-f]{16}$/i;

/**
 * Validates options (never echoing key material) and applies defaults.
 * @throws ConfigurationError `WECHATPAY_NOT_CONFIGURED` for `null` / `undefined` options (naming the environment
 *   keys), otherwise `WECHATPAY_INVALID_OPTIONS` listing every problem found.
 */
export function resolveWechatPayOptions(input: WechatPayProviderOptions): ResolvedWechatPayOptions {
  const options = requireProviderOptions(input, {
    label: 'WeChat Pay',
    factory: 'createWechatPayProvider',
    kind: 'wechatpay',
    envKeys: [
      'WECHATPAY_APP_ID',
      'WECHATPAY_MCH_ID',
      'WECHATPAY_API_V3_KEY',
      'WECHATPAY_MERCHANT_SERIAL_NO',
      'WECHATPAY_PRIVATE_KEY(_PATH)',
      'WECHATPAY_PUBLIC_KEY(_PATH) with WECHATPAY_PUBLIC_KEY_ID or WECHATPAY_PLATFORM_CERT(_PATH)',
      'WECHATPAY_WEBHOOK_URL',
    ],
    configField: 'wechatpay',
    code: 'WECHATPAY_NOT_CONFIGURED',
  });
  const name = options.name ?? 'wechatpay';
  const issues: string[] = [];
  if (typeof name !== 'string' || name.trim() === '') issues.push('name must be a non-empty string.');
  if (typeof options.appId !== 'string' || !APP_ID.test(options.appId)) {
    issues.push('appId must be a WeChat app id (wx followed by 16 hex digits).');
  }
  const channelAppIds = {} as Record<WechatPayChannel, string>;
  for (const channel of WECHATPAY_CHANNEL_IDS) channelAppIds[channel] = options.appId;
  for (const [channel, appId] of Object.entries(options.channelAppIds ?? {})) {
    if (!isWechatPayChannel(channel)) issues.push(`channelAppIds: "${channel}" is not a WeChat Pay channel.`);
    else if (typeof appId !== 'string' || !APP_ID.test(appId))
      issues.push(`channelAppIds.${channel} must be a WeChat app id.`);
    else channelAppIds[channel] = appId;
  }
  if (typeof options.mchId !== 'string' || !/^\d{8,32}$/.test(options.mchId)) {
    issues.push('mchId must be the digits of a WeChat Pay merchant id.');
  }
  if (!isApiV3Key(options.apiV3Key)) issues.push('apiV3Key must be the 32-character APIv3 key.');
  if (typeof options.merchantSerialNo !== 'string' || !/^[0-9A-Fa-f]{8,64}$/.test(options.merchantSerialNo)) {
    issues.push('merchantSerialNo must be the hex serial number of the merchant API certificate.');
  }
  const baseUrl = options.baseUrl ?? WECHATPAY_PRODUCTION_BASE_URL;
  if (!isHttpUrl(baseUrl)) issues.push('baseUrl must be an absolute http(s) URL.');
  if (!isHttpUrl(options.notifyUrl)) issues.push('notifyUrl must be an absolute http(s) URL.');
  const timeoutMs = options.timeoutMs ?? WECHATPAY_DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647) {
    issues.push('timeoutMs must be a positive whole number of milliseconds.');
  }
  const tolerance = options.webhookToleranceSeconds ?? WECHATPAY_DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isSafeInteger(tolerance) || tolerance <= 0) {
    issues.push('webhookToleranceSeconds must be a positive whole number of seconds.');
  }
  const channels = options.channels ?? WECHATPAY_CHANNEL_IDS;
  if (!Array.isArray(channels) || channels.length === 0) issues.push('channels must list at least one channel.');
  for (const channel of Array.isArray(channels) ? channels : []) {
    if (!isWechatPayChannel(channel))
      issues.push(`channels: "${String(channel)}" is not a supported WeChat Pay channel.`);
  }
  if (options.livemode !== undefined && typeof options.livemode !== 'boolean')
    issues.push('livemode must be a boolean.');
  const allowedRedirectOrigins = readRedirectOriginsOption(options.allowedRedirectOrigins, [], issues);
  if (issues.length > 0) {
    throw new ConfigurationError(`WeChat Pay provider options are invalid: ${issues.join(' ')}`, {
      code: 'WECHATPAY_INVALID_OPTIONS',
      provider: typeof name === 'string' ? name : 'wechatpay',
      issues,
    });
  }
  const host = new URL(baseUrl).hostname;
  return {
    name,
    appId: options.appId,
    channelAppIds,
    mchId: options.mchId,
    apiV3Key: options.apiV3Key,
    merchantSerialNo: options.merchantSerialNo.toUpperCase(),
    baseUrl,
    notifyUrl: options.notifyUrl,
    channels,
    timeoutMs,
    webhookToleranceSeconds: tolerance,
    livemode: options.livemode ?? /(^|\.)mch\.weixin\.qq\.com$/.test(host),
    allowedRedirectOrigins,
    clock: options.clock ?? (() => new Date()),
  };
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
