/**
 * Turns a normalised {@link PaymentRequest} into the body of `POST /v1/charges`, validating everything
 * Ping++ would refuse — before any network call, with a `ValidationError` naming the field.
 * @module
 */
import { isIPv4, isIPv6 } from './pingxx-ip.js';
import { ValidationError } from '../core/errors.js';
import { echo } from '../core/input-guards.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import { assertRedirectUrlAllowed } from '../core/redirect-origins.js';
import type { PaymentRequest } from '../core/types.js';
import { isPingxxChannel, PINGXX_CHANNELS, type PingxxChannelSpec, type PingxxExtraField } from './pingxx-channels.js';
import { cleanPingxxText } from './pingxx-text.js';
import type { PingxxChargeParams } from './pingxx-types.js';
import { copyStringMetadata, isHttpUrl } from './pingxx-values.js';

/** Ping++ limits on `subject` and `body`, in characters. */
export const PINGXX_SUBJECT_MAX = 32;
export const PINGXX_BODY_MAX = 128;
/** Ping++ refuses a `time_expire` less than a minute after creation. */
const MIN_EXPIRE_SECONDS = 60;
/** Kept off a channel's longest expiry, so a clock slightly ahead of Ping++'s never overshoots it. */
const CLOCK_MARGIN_SECONDS = 60;

/** What {@link buildPingxxChargeParams} needs beside the request. */
export interface ChargeParamsContext {
  appId: string;
  /** Channels this provider instance accepts. */
  channels: ReadonlySet<string>;
  /** IPv4 address sent when the request has no client IP or only an IPv6 one. */
  clientIpFallback: string | undefined;
  /** Origins `url` extras (success / cancel / result pages) may point to. @default none */
  allowedRedirectOrigins?: readonly string[];
  now: Date;
  provider: string;
}

/**
 * Validates `request` and builds the Ping++ charge body.
 *
 * @example
 * ```ts
 * const { params } = buildPingxxChargeParams(
 *   { orderId, attemptId, amount: 990, currency: 'CNY', channel: 'wx_pub_qr', subject: '课程', clientIp: '1.2.3.4', productId: 'p1' },
 *   { appId: 'app_x', channels: new Set(['wx_pub_qr']), clientIpFallback: undefined, now: new Date(), provider: 'pingxx' },
 * );
 * ```
 * @throws ValidationError naming the field at fault.
 */
export function buildPingxxChargeParams(
  request: PaymentRequest,
  context: ChargeParamsContext,
): { spec: PingxxChannelSpec; params: PingxxChargeParams } {
  const fail = (field: string, message: string, code = 'INVALID_PINGXX_REQUEST'): never => {
    throw new ValidationError(`Ping++: ${message}`, { field, code, provider: context.provider });
  };
  const { channel } = request;
  if (!isPingxxChannel(channel) || !context.channels.has(channel)) {
    fail('channel', `channel "${echo(channel)}" is not enabled on this provider.`, 'UNSUPPORTED_CHANNEL');
  }
  const spec = PINGXX_CHANNELS[channel as keyof typeof PINGXX_CHANNELS];
  if (typeof request.orderId !== 'string' || request.orderId.trim() === '') fail('orderId', 'orderId is required.');
  checkOrderNo(request.attemptId, spec, fail);
  if (normalizeCurrency(request.currency) !== 'CNY') {
    fail('currency', `Ping++ charges in CNY only, not ${echo(request.currency)}.`, 'UNSUPPORTED_CURRENCY');
  }
  assertMinorUnits(request.amount);
  if (request.amount <= 0) fail('amount', 'amount must be at least 1 fen.', 'INVALID_AMOUNT');

  if (typeof request.subject !== 'string') fail('subject', 'subject is required.');
  const subject = cleanPingxxText(request.subject, PINGXX_SUBJECT_MAX, spec.subjectMaxBytes);
  if (subject === '') fail('subject', 'subject is empty once newlines and unsupported characters are removed.');
  const body = cleanPingxxText(request.body ?? '', PINGXX_BODY_MAX) || subject;

  const params: PingxxChargeParams = {
    order_no: request.attemptId,
    app: { id: context.appId },
    channel,
    amount: request.amount,
    client_ip: resolvePingxxClientIp(request.clientIp, context.clientIpFallback, context.provider),
    currency: 'cny',
    subject,
    body,
    extra: buildPingxxExtra(spec, request, fail, context),
    metadata: buildMetadata(request, fail),
  };
  if (request.expiresAt !== undefined) params.time_expire = expiry(request.expiresAt, spec, context.now, fail);
  else if (request.orderExpiresAt instanceof Date && !Number.isNaN(request.orderExpiresAt.getTime())) {
    params.time_expire = orderExpiry(request.orderExpiresAt, spec, context.now);
  }
  return { spec, params };
}

/**
 * The client IP Ping++ gets. Ping++ documents `client_ip` as IPv4, so: IPv4 passes; an IPv4-mapped IPv6
 * address (`::ffff:1.2.3.4`, what Node reports on dual-stack sockets) is unwrapped; any other IPv6
 * address, or no address, uses `fallback` when configured and is refused otherwise.
 * @throws ValidationError (`field: 'clientIp'`).
 */
export function resolvePingxxClientIp(
  clientIp: string | undefined,
  fallback: string | undefined,
  provider: string,
): string {
  const refuse = (message: string): never => {
    throw new ValidationError(`Ping++: ${message}`, { field: 'clientIp', code: 'INVALID_CLIENT_IP', provider });
  };
  if (clientIp === undefined || clientIp === null || clientIp.trim() === '') {
    return fallback ?? refuse("clientIp is required (the payer's IPv4 address).");
  }
  const ip = String(clientIp).trim();
  if (isIPv4(ip)) return ip;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)?.[1];
  if (mapped !== undefined && isIPv4(mapped)) return mapped;
  if (isIPv6(ip)) {
    return (
      fallback ?? refuse('Ping++ accepts IPv4 client addresses only; configure clientIpFallback to charge IPv6 payers.')
    );
  }
  return refuse('clientIp is not an IP address.');
}

function checkOrderNo(attemptId: unknown, spec: PingxxChannelSpec, fail: (f: string, m: string) => never): void {
  const { min, max } = spec.orderNoLength;
  if (typeof attemptId !== 'string' || attemptId === '') return fail('attemptId', 'attemptId is required.');
  if (!/^[0-9A-Za-z]+$/.test(attemptId))
    fail('attemptId', 'attemptId must be letters and digits only (it is the Ping++ order_no).');
  if (attemptId.length < min || attemptId.length > max) {
    fail(
      'attemptId',
      `attemptId must be ${min}–${max} characters on channel ${spec.channel} (it is the Ping++ order_no).`,
    );
  }
}

/**
 * Ping++'s `extra` for the channel: only the channel's own fields (so a caller's `notify_url` or any other key
 * never reaches Ping++ — notifications go where the Ping++ app is configured), each validated, redirect URLs
 * checked against the allow-list.
 */
function buildPingxxExtra(
  spec: PingxxChannelSpec,
  request: PaymentRequest,
  fail: (field: string, message: string, code?: string) => never,
  context: Pick<ChargeParamsContext, 'allowedRedirectOrigins' | 'provider'>,
): Record<string, string> {
  const given = request.extra ?? {};
  const extra: Record<string, string> = {};
  for (const field of spec.extra) {
    let value: unknown = given[field.from];
    if (isBlank(value) && field.fallbackToRequestProductId) value = request.productId;
    const name = `extra.${field.from}`;
    if (isBlank(value)) {
      if (field.required) {
        fail(name, `channel ${spec.channel} requires ${name} (sent as extra.${field.to}).`, 'MISSING_CHANNEL_EXTRA');
      }
      continue;
    }
    extra[field.to] = checkExtraValue(value, field, name, fail);
    if (field.format === 'url')
      assertRedirectUrlAllowed(extra[field.to], context.allowedRedirectOrigins ?? [], name, context.provider);
  }
  return extra;
}

function checkExtraValue(
  value: unknown,
  field: PingxxExtraField,
  name: string,
  fail: (field: string, message: string) => never,
): string {
  if (typeof value !== 'string') return fail(name, `${name} must be a string.`);
  const text = value.trim();
  if (text.length > field.maxLength) fail(name, `${name} must be at most ${field.maxLength} characters.`);
  if (field.format === 'url' && !isHttpUrl(text)) fail(name, `${name} must be an absolute http(s) URL.`);
  return text;
}

function buildMetadata(
  request: PaymentRequest,
  fail: (field: string, message: string) => never,
): Record<string, string> {
  const metadata = copyStringMetadata(request.metadata, fail);
  // Ours win over the caller's: webhooks and reconciliation match on them.
  metadata.order_bid = request.orderId;
  if (request.userId !== undefined) metadata.user_bid = request.userId;
  if (request.productId !== undefined) metadata.shifu_bid = request.productId;
  return metadata;
}

function expiry(expiresAt: Date, spec: PingxxChannelSpec, now: Date, fail: (f: string, m: string) => never): number {
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()))
    return fail('expiresAt', 'expiresAt must be a valid Date.');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  if (seconds < nowSeconds + MIN_EXPIRE_SECONDS) {
    fail('expiresAt', `expiresAt must be at least ${MIN_EXPIRE_SECONDS} seconds in the future.`);
  }
  // Expiring earlier than asked is safe (the payer just has less time); later would be refused.
  return Math.min(seconds, nowSeconds + spec.maxExpireSeconds - CLOCK_MARGIN_SECONDS);
}

/**
 * The order's deadline as `time_expire`, clamped into what Ping++ accepts: at least a minute from now (an order
 * about to expire still gets a payable charge; `reconcile` reverses it at the timeout), at most the channel's
 * longest window.
 */
function orderExpiry(deadline: Date, spec: PingxxChannelSpec, now: Date): number {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const seconds = Math.floor(deadline.getTime() / 1000);
  return Math.min(
    Math.max(seconds, nowSeconds + MIN_EXPIRE_SECONDS + 1),
    nowSeconds + spec.maxExpireSeconds - CLOCK_MARGIN_SECONDS,
  );
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}
