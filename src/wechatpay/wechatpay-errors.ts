/**
 * Turns WeChat Pay's error answers and transport failures into the library's errors, through the tables of
 * `wechatpay-mappers.ts`. The library's code is `WECHATPAY_` + WeChat Pay's `code` for an error answer
 * (`WECHATPAY_ORDER_NOT_EXIST`), or one of the transport codes below. WeChat Pay's `message` explains our
 * request (it never holds a secret) and is kept; nothing else from the answer goes into a message.
 * @module
 */
import { PaymentError, ProviderUnavailableError } from '../core/errors.js';
import { errorForOutcome, failedBeforeSending } from '../core/provider-outcome-errors.js';
import { wechatpayErrorOutcome } from './wechatpay-mappers.js';

/** Whether a call changes anything at WeChat Pay: a failed write may have acted, a failed read did not. */
export type WechatPayCallKind = 'write' | 'read';

/**
 * Codes of failures that are not a WeChat Pay error answer.
 *
 * | code | when | class |
 * |---|---|---|
 * | `WECHATPAY_UNREACHABLE` | connection refused / host unknown: nothing was sent | `ProviderUnavailableError` |
 * | `WECHATPAY_TRANSPORT_ERROR` | timeout, dropped connection, aborted after sending | write: `IndeterminateOutcomeError`; read: `ProviderUnavailableError` |
 * | `WECHATPAY_ABORTED` | the caller's `signal` aborted: before sending (unavailable) or after (write: indeterminate) | as said |
 * | `WECHATPAY_RATE_LIMITED` | HTTP 429 (`FREQUENCY_LIMITED`) | `ProviderUnavailableError` |
 * | `WECHATPAY_HTTP_ERROR` | another failed status without a JSON error body (a gateway page) | by status |
 * | `WECHATPAY_RESPONSE_UNSIGNED` | a 2xx answer without `Wechatpay-Signature` | write: indeterminate; read: unavailable |
 * | `WECHATPAY_RESPONSE_SIGNATURE_INVALID` | a 2xx answer whose signature does not verify | write: indeterminate; read: unavailable |
 * | `WECHATPAY_RESPONSE_SERIAL_UNKNOWN` | a 2xx answer signed under a `Wechatpay-Serial` no configured key carries (WeChat Pay rotated its certificate or key: add the new one) | write: indeterminate; read: unavailable |
 * | `WECHATPAY_RESPONSE_MALFORMED` | a 2xx answer that is not the JSON expected | write: indeterminate; read: unavailable |
 */
export const WECHATPAY_TRANSPORT_CODES = [
  'WECHATPAY_UNREACHABLE',
  'WECHATPAY_TRANSPORT_ERROR',
  'WECHATPAY_ABORTED',
  'WECHATPAY_RATE_LIMITED',
  'WECHATPAY_HTTP_ERROR',
  'WECHATPAY_RESPONSE_UNSIGNED',
  'WECHATPAY_RESPONSE_SIGNATURE_INVALID',
  'WECHATPAY_RESPONSE_SERIAL_UNKNOWN',
  'WECHATPAY_RESPONSE_MALFORMED',
] as const;

/** The body of a WeChat Pay error answer. */
export interface WechatPayErrorBody {
  code?: string | undefined;
  message?: string | undefined;
}

/** The error for a failed answer of `operation`. */
export function wechatpayApiError(
  status: number,
  body: WechatPayErrorBody | null,
  operation: string,
  kind: WechatPayCallKind,
  provider: string,
): PaymentError {
  const code = typeof body?.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(body.code) ? body.code : undefined;
  const outcome = wechatpayErrorOutcome(status, code);
  const why = typeof body?.message === 'string' ? body.message.slice(0, 200) : '';
  const details = { operation, status, code: code ?? null };
  if (status === 429 || code === 'FREQUENCY_LIMITED') {
    return new ProviderUnavailableError(`WeChat Pay ${operation} was rate limited (HTTP ${status}).`, {
      code: 'WECHATPAY_RATE_LIMITED',
      provider,
      details,
    });
  }
  if (code === undefined) {
    return errorForOutcome(outcome, kind, `WeChat Pay ${operation} failed with HTTP ${status}.`, {
      code: 'WECHATPAY_HTTP_ERROR',
      provider,
      details,
    });
  }
  return errorForOutcome(
    outcome,
    kind,
    `WeChat Pay ${operation} answered ${status} ${code}${why ? ` (${why})` : ''}.`,
    {
      code: `WECHATPAY_${code}`,
      provider,
      details,
    },
  );
}

/**
 * The error for a failed exchange (nothing usable came back). Connection refused or unknown host: nothing was
 * sent. Anything else after the request left — timeout, dropped connection, abort — may have acted.
 */
export function wechatpayTransportError(
  error: unknown,
  operation: string,
  kind: WechatPayCallKind,
  provider: string,
): PaymentError {
  if (error instanceof PaymentError) return error;
  const base = { provider, cause: error, details: { operation } };
  if (failedBeforeSending(error)) {
    return new ProviderUnavailableError(`WeChat Pay ${operation} could not reach the API.`, {
      ...base,
      code: 'WECHATPAY_UNREACHABLE',
    });
  }
  return errorForOutcome(
    'uncertain',
    kind,
    `WeChat Pay ${operation} failed in transit (timeout, dropped connection or abort).`,
    {
      ...base,
      code: 'WECHATPAY_TRANSPORT_ERROR',
    },
  );
}

/**
 * A serial as it may appear in a message: certificate serials are hex and public key ids `PUB_KEY_ID_…`, neither
 * secret; anything else is cut to what those alphabets allow.
 */
export function printableSerial(serial: string): string {
  return serial.replace(/[^0-9A-Za-z_]/g, '').slice(0, 64);
}

/**
 * The error for a 2xx answer signed under a serial we hold no key for. WeChat Pay signs with its newest
 * platform certificate as soon as it is issued, so this is what a merchant sees when the new certificate was
 * not added beside the old one. The message names the serial and the keys we hold (public identifiers).
 */
export function wechatpaySerialUnknownError(
  serial: string,
  known: Iterable<string>,
  operation: string,
  kind: WechatPayCallKind,
  provider: string,
): PaymentError {
  const shown = printableSerial(serial);
  const held = [...known];
  return errorForOutcome(
    'uncertain',
    kind,
    `WeChat Pay ${operation} answered signed under Wechatpay-Serial ${shown}, which no configured key carries ` +
      `(held: ${held.join(', ')}). Add the new platform certificate (WECHATPAY_PLATFORM_CERT(_PATH)) or public key ` +
      `(WECHATPAY_PUBLIC_KEY(_PATH) + WECHATPAY_PUBLIC_KEY_ID) beside the current one.`,
    { code: 'WECHATPAY_RESPONSE_SERIAL_UNKNOWN', provider, details: { operation, serial: shown, knownSerials: held } },
  );
}

/** The error for a 2xx answer that cannot be trusted or read. */
export function wechatpayResponseError(
  code: 'WECHATPAY_RESPONSE_UNSIGNED' | 'WECHATPAY_RESPONSE_SIGNATURE_INVALID' | 'WECHATPAY_RESPONSE_MALFORMED',
  operation: string,
  kind: WechatPayCallKind,
  provider: string,
): PaymentError {
  const what =
    code === 'WECHATPAY_RESPONSE_UNSIGNED'
      ? 'without a signature'
      : code === 'WECHATPAY_RESPONSE_SIGNATURE_INVALID'
        ? 'with a signature that does not verify'
        : 'with a body that is not the JSON expected';
  return errorForOutcome('uncertain', kind, `WeChat Pay ${operation} answered ${what}.`, {
    code,
    provider,
    details: { operation },
  });
}
