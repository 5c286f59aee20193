/**
 * Options of `createAlipayProvider`, and their validation at construction.
 * @module
 */
import { ConfigurationError } from '../core/errors.js';
import { readRedirectOriginsOption } from '../core/redirect-origins.js';
import { requireProviderOptions } from '../core/require-provider-options.js';
import { ALIPAY_CHANNEL_IDS, isAlipayChannel, type AlipayChannel } from './alipay-channels.js';

/** Alipay's production gateway. */
export const ALIPAY_PRODUCTION_GATEWAY = 'https://openapi.alipay.com/gateway.do';

/** Default {@link AlipayProviderOptions.timeoutMs}. */
export const ALIPAY_DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Options of `createAlipayProvider`. The `ALIPAY_*` configuration keys map onto them one to one
 * (`loadPaymentConfig(env).alipay` can be passed as is).
 */
export interface AlipayProviderOptions {
  /** Instance name, the registry key. @default 'alipay' */
  name?: string | undefined;
  /** Open-platform application id, digits (`ALIPAY_APP_ID`). */
  appId: string;
  /**
   * Application RSA2 private key that signs every request (`ALIPAY_APP_PRIVATE_KEY`): PEM, or the bare
   * base64 the Alipay console shows; PKCS#1 or PKCS#8. Set this or `privateKeyPath`.
   */
  privateKey?: string | undefined;
  /** Path to the application private key file (`ALIPAY_APP_PRIVATE_KEY_PATH`). */
  privateKeyPath?: string | undefined;
  /** Alipay public key (PEM or bare base64) that verifies responses and notifications (`ALIPAY_PUBLIC_KEY`). */
  alipayPublicKey?: string | undefined;
  /** Path to the Alipay public key file (`ALIPAY_PUBLIC_KEY_PATH`). */
  alipayPublicKeyPath?: string | undefined;
  /** Gateway URL (`ALIPAY_GATEWAY_URL`); the emulator's is `startAlipayEmulator().gatewayUrl`. @default ALIPAY_PRODUCTION_GATEWAY */
  gatewayUrl?: string | undefined;
  /**
   * Where Alipay posts notifications (`ALIPAY_WEBHOOK_URL`), sent as `notify_url` with every payment.
   * Configuration only: a caller's `extra.notify_url` is ignored, so a request cannot redirect them.
   */
  notifyUrl: string;
  /**
   * `PAYMENT_REDIRECT_ORIGINS`: origins a per-request `extra.successUrl` (→ `return_url`) or `extra.cancelUrl`
   * (→ `quit_url`) may point to (`alipay_pc_direct`, `alipay_wap`); any other is refused with `ValidationError`
   * `REDIRECT_URL_NOT_ALLOWED` before anything is signed or sent. Bare origins only (`https://shop.example`).
   * @default none: the adapter has no configured URLs, so no per-request redirect URL is accepted until set
   */
  allowedRedirectOrigins?: readonly string[] | undefined;
  /** Channels enabled for this app; others are refused before any call. @default every channel of `ALIPAY_CHANNELS` */
  channels?: readonly AlipayChannel[] | undefined;
  /** Longest an API call may take (the SDK's `timeout`). @default 15000 */
  timeoutMs?: number | undefined;
  /**
   * Whether payments are real money. Alipay has no test flag on its objects: it is the gateway that
   * decides (the sandbox is a different host). @default true for the production gateway, false otherwise
   */
  livemode?: boolean | undefined;
  /** Clock for `time_expire` and timestamps. @default () => new Date() */
  clock?: (() => Date) | undefined;
}

/** Options after validation, with defaults applied (keys are loaded separately). */
export interface ResolvedAlipayOptions {
  name: string;
  appId: string;
  gatewayUrl: string;
  notifyUrl: string;
  channels: readonly AlipayChannel[];
  /** Origins per-request redirect URLs may point to. */
  allowedRedirectOrigins: readonly string[];
  timeoutMs: number;
  livemode: boolean;
  clock: () => Date;
}

/**
 * Validates options (never echoing key material) and applies defaults.
 * @throws ConfigurationError `ALIPAY_NOT_CONFIGURED` for `null` / `undefined` options (naming the environment
 * keys), otherwise listing every problem found.
 */
export function resolveAlipayOptions(input: AlipayProviderOptions): ResolvedAlipayOptions {
  const options = requireProviderOptions(input, {
    label: 'Alipay',
    factory: 'createAlipayProvider',
    kind: 'alipay',
    envKeys: [
      'ALIPAY_APP_ID',
      'ALIPAY_APP_PRIVATE_KEY (or ALIPAY_APP_PRIVATE_KEY_PATH)',
      'ALIPAY_PUBLIC_KEY (or ALIPAY_PUBLIC_KEY_PATH)',
      'ALIPAY_WEBHOOK_URL',
    ],
    configField: 'alipay',
    code: 'ALIPAY_NOT_CONFIGURED',
  });
  const name = options.name ?? 'alipay';
  const issues: string[] = [];
  if (typeof name !== 'string' || name.trim() === '') issues.push('name must be a non-empty string.');
  if (typeof options.appId !== 'string' || !/^\d{8,32}$/.test(options.appId)) {
    issues.push('appId must be the digits of an Alipay application id.');
  }
  const gatewayUrl = options.gatewayUrl ?? ALIPAY_PRODUCTION_GATEWAY;
  if (!isHttpUrl(gatewayUrl)) issues.push('gatewayUrl must be an absolute http(s) URL.');
  if (!isHttpUrl(options.notifyUrl)) issues.push('notifyUrl must be an absolute http(s) URL.');
  const timeoutMs = options.timeoutMs ?? ALIPAY_DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647) {
    issues.push('timeoutMs must be a positive whole number of milliseconds.');
  }
  const channels = options.channels ?? ALIPAY_CHANNEL_IDS;
  if (!Array.isArray(channels) || channels.length === 0) issues.push('channels must list at least one channel.');
  for (const channel of Array.isArray(channels) ? channels : []) {
    if (!isAlipayChannel(channel)) issues.push(`channels: "${String(channel)}" is not a supported Alipay channel.`);
  }
  if (options.livemode !== undefined && typeof options.livemode !== 'boolean')
    issues.push('livemode must be a boolean.');
  const allowedRedirectOrigins = readRedirectOriginsOption(options.allowedRedirectOrigins, [], issues);
  if (issues.length > 0) {
    throw new ConfigurationError(`Alipay provider options are invalid: ${issues.join(' ')}`, {
      code: 'ALIPAY_INVALID_OPTIONS',
      provider: typeof name === 'string' ? name : 'alipay',
      issues,
    });
  }
  return {
    name,
    appId: options.appId,
    gatewayUrl,
    notifyUrl: options.notifyUrl,
    channels,
    allowedRedirectOrigins,
    timeoutMs,
    livemode: options.livemode ?? new URL(gatewayUrl).host === new URL(ALIPAY_PRODUCTION_GATEWAY).host,
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
