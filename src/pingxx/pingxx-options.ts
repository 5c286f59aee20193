/**
 * Options of `createPingxxProvider`, and their validation at construction.
 * @module
 */
import { isIPv4 } from './pingxx-ip.js';
import { ConfigurationError } from '../core/errors.js';
import { readRedirectOriginsOption } from '../core/redirect-origins.js';
import { requireProviderOptions } from '../core/require-provider-options.js';
import { isPingxxChannel, PINGXX_CHANNEL_IDS, type PingxxChannel } from './pingxx-channels.js';

/**
 * Options of `createPingxxProvider`. The `PINGXX_*` configuration keys map onto them one to one
 * (`loadPaymentConfig(env).pingxx` can be passed as is).
 */
export interface PingxxProviderOptions {
  /** Instance name, the registry key. @default 'pingxx' */
  name?: string | undefined;
  /** Secret API key, `sk_live_…` or `sk_test_…` (`PINGXX_SECRET_KEY`). */
  secretKey: string;
  /** Application id, `app_…` (`PINGXX_APP_ID`). */
  appId: string;
  /**
   * Merchant RSA private key, PEM (PKCS#1 or PKCS#8), that signs every API request
   * (`PINGXX_PRIVATE_KEY`; literal `\n` sequences are accepted). Required by Ping++ when request signing
   * is enabled in the dashboard. Set this or `privateKeyPath`.
   */
  privateKey?: string | undefined;
  /** Path to the merchant private key PEM file (`PINGXX_PRIVATE_KEY_PATH`). */
  privateKeyPath?: string | undefined;
  /** Ping++'s RSA public key, PEM, that verifies webhooks (`PINGXX_WEBHOOK_PUBLIC_KEY`). */
  webhookPublicKey?: string | undefined;
  /** Path to the Ping++ public key PEM file (`PINGXX_WEBHOOK_PUBLIC_KEY_PATH`). */
  webhookPublicKeyPath?: string | undefined;
  /**
   * Accept webhooks without checking their signature. Anyone could then fake a payment: use only for
   * local experiments. Without it, a missing webhook key is a `ConfigurationError`.
   * @default false
   */
  unsafeSkipWebhookVerification?: boolean | undefined;
  /** Longest an API call may take, end to end. @default 15000 */
  timeoutMs?: number | undefined;
  /** API host, for the emulator (`startPingxxEmulator().providerOptions`). @default 'api.pingxx.com' */
  host?: string | undefined;
  /** @default 443, or 80 with `protocol: 'http'` */
  port?: number | undefined;
  /** @default 'https' */
  protocol?: 'http' | 'https' | undefined;
  /** Channels enabled on this app; others are refused before any call. @default every channel of `PINGXX_CHANNELS` */
  channels?: readonly PingxxChannel[] | undefined;
  /**
   * IPv4 address sent as `client_ip` when a request has none or only an IPv6 one (Ping++ takes IPv4
   * only). Without it such requests are refused. Avoid it for `wx_wap`, where WeChat compares the
   * address with the payer's.
   */
  clientIpFallback?: string | undefined;
  /**
   * `PAYMENT_REDIRECT_ORIGINS`: origins a per-request `extra.successUrl`, `cancelUrl` or `resultUrl` may point to
   * (`alipay_wap`, `alipay_pc_direct`, `wx_wap`, `upacp_wap`, `upacp_pc`); any other is refused with
   * `ValidationError` `REDIRECT_URL_NOT_ALLOWED` before anything is sent. Bare origins only (`https://shop.example`).
   * @default none: the adapter has no configured URLs, so no per-request redirect URL is accepted until set
   */
  allowedRedirectOrigins?: readonly string[] | undefined;
  /** Live or test mode, when the secret key does not say (`sk_live_` / `sk_test_`). */
  livemode?: boolean | undefined;
  /** Clock for `time_expire` and expiry checks. @default () => new Date() */
  clock?: (() => Date) | undefined;
}

/** Options after validation, with defaults applied. */
export interface ResolvedPingxxOptions {
  name: string;
  secretKey: string;
  appId: string;
  timeoutMs: number;
  channels: readonly PingxxChannel[];
  clientIpFallback: string | undefined;
  /** Origins per-request redirect URLs may point to. */
  allowedRedirectOrigins: readonly string[];
  /** `null` when neither the option nor the key prefix says. */
  livemode: boolean | null;
  clock: () => Date;
  endpoint: { host?: string; port?: number; protocol: 'http' | 'https' };
}

/** Default {@link PingxxProviderOptions.timeoutMs}. */
export const PINGXX_DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Validates options (never echoing secret values) and applies defaults.
 * @throws ConfigurationError `PINGXX_NOT_CONFIGURED` for `null` / `undefined` options (naming the environment
 * keys), otherwise listing every problem found.
 */
export function resolvePingxxOptions(input: PingxxProviderOptions): ResolvedPingxxOptions {
  const options = requireProviderOptions(input, {
    label: 'Ping++',
    factory: 'createPingxxProvider',
    kind: 'pingxx',
    envKeys: ['PINGXX_SECRET_KEY', 'PINGXX_APP_ID', 'PINGXX_WEBHOOK_PUBLIC_KEY (or PINGXX_WEBHOOK_PUBLIC_KEY_PATH)'],
    configField: 'pingxx',
    code: 'PINGXX_NOT_CONFIGURED',
  });
  const name = options.name ?? 'pingxx';
  const issues: string[] = [];
  if (typeof name !== 'string' || name.trim() === '') issues.push('name must be a non-empty string.');
  if (typeof options.secretKey !== 'string' || !/^(?:sk|rk)_[0-9A-Za-z_]+$/.test(options.secretKey)) {
    issues.push('secretKey must be a Ping++ secret key (sk_live_… or sk_test_…).');
  }
  if (typeof options.appId !== 'string' || !/^app_[0-9A-Za-z]+$/.test(options.appId)) {
    issues.push('appId must be a Ping++ app id (app_…).');
  }
  const timeoutMs = options.timeoutMs ?? PINGXX_DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647) {
    issues.push('timeoutMs must be a positive whole number of milliseconds.');
  }
  const channels = options.channels ?? PINGXX_CHANNEL_IDS;
  if (!Array.isArray(channels) || channels.length === 0) issues.push('channels must list at least one channel.');
  for (const channel of Array.isArray(channels) ? channels : []) {
    if (!isPingxxChannel(channel)) issues.push(`channels: "${String(channel)}" is not a supported Ping++ channel.`);
  }
  if (options.clientIpFallback !== undefined && !isIPv4(options.clientIpFallback)) {
    issues.push('clientIpFallback must be an IPv4 address.');
  }
  const protocol = options.protocol ?? 'https';
  if (protocol !== 'http' && protocol !== 'https') issues.push("protocol must be 'http' or 'https'.");
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)) {
    issues.push('port must be an integer between 1 and 65535.');
  }
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host.trim() === '')) {
    issues.push('host must be a non-empty string.');
  }
  const allowedRedirectOrigins = readRedirectOriginsOption(options.allowedRedirectOrigins, [], issues);
  if (issues.length > 0) {
    throw new ConfigurationError(`Ping++ provider options are invalid: ${issues.join(' ')}`, {
      code: 'PINGXX_INVALID_OPTIONS',
      provider: typeof name === 'string' ? name : 'pingxx',
      issues,
    });
  }
  const keyMode = /_live_/.test(options.secretKey) ? true : /_test_/.test(options.secretKey) ? false : null;
  return {
    name,
    secretKey: options.secretKey,
    appId: options.appId,
    timeoutMs,
    channels,
    clientIpFallback: options.clientIpFallback,
    allowedRedirectOrigins,
    livemode: options.livemode ?? keyMode,
    clock: options.clock ?? (() => new Date()),
    endpoint: {
      protocol,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
    },
  };
}
