/**
 * Turns what `alipay-sdk` throws or answers into the library's errors, through the tables of
 * `alipay-mappers.ts`. Messages are built from codes, never from the SDK's text (which quotes the
 * response it failed to verify).
 * @module
 */
import { PaymentError, ProviderUnavailableError } from '../core/errors.js';
import { errorForOutcome, failedBeforeSending } from '../core/provider-outcome-errors.js';
import { alipayErrorOutcome, alipayHttpOutcome } from './alipay-mappers.js';

/** Whether a call changes anything at Alipay: a failed write may have acted, a failed read did not. */
export type AlipayCallKind = 'write' | 'read';

/** A business answer (`code` other than `10000`). */
export interface AlipayBusinessAnswer {
  code: string;
  msg?: string | undefined;
  sub_code?: string | undefined;
  sub_msg?: string | undefined;
}

/** The error for a business refusal of `method`. */
export function alipayBusinessError(
  answer: AlipayBusinessAnswer,
  method: string,
  kind: AlipayCallKind,
  provider: string,
): PaymentError {
  const outcome = alipayErrorOutcome(answer.code, answer.sub_code);
  const code = answer.sub_code ?? answer.code;
  // sub_msg is Alipay's explanation of our request (e.g. "交易不存在"): useful, and it never holds a secret.
  const why = answer.sub_msg ?? answer.msg ?? '';
  return errorForOutcome(outcome, kind, `Alipay ${method} answered ${code}${why ? ` (${why})` : ''}.`, {
    code: `ALIPAY_${code
      .replace(/^aop\./, '')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .toUpperCase()}`,
    provider,
    details: { method, code: answer.code, subCode: answer.sub_code ?? null },
  });
}

/**
 * The error for anything `alipay-sdk` threw. Connection refused or unresolved host: nothing was sent
 * (`ProviderUnavailableError`). Timeouts, dropped connections, 5xx, unparsable or badly signed answers:
 * a write may have acted (`IndeterminateOutcomeError`), a read is simply unavailable.
 */
export function alipayTransportError(
  error: unknown,
  method: string,
  kind: AlipayCallKind,
  provider: string,
): PaymentError {
  if (error instanceof PaymentError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const base = { provider, cause: error, details: { method } };
  const status = /status: (\d{3})/.exec(message)?.[1];
  if (status !== undefined) {
    const outcome = kind === 'read' && Number(status) !== 429 ? 'unavailable' : alipayHttpOutcome(Number(status));
    return errorForOutcome(outcome, kind, `Alipay ${method} failed with HTTP ${status}.`, {
      ...base,
      code: Number(status) === 429 ? 'ALIPAY_RATE_LIMITED' : 'ALIPAY_HTTP_ERROR',
      details: { method, status: Number(status) },
    });
  }
  if (message.includes('验签失败')) {
    return errorForOutcome(
      kind === 'write' ? 'uncertain' : 'unavailable',
      kind,
      `Alipay ${method} answered with a bad signature.`,
      {
        ...base,
        code: 'ALIPAY_RESPONSE_SIGNATURE_INVALID',
      },
    );
  }
  if (failedBeforeSending(error)) {
    return new ProviderUnavailableError(`Alipay ${method} could not reach the gateway.`, {
      ...base,
      code: 'ALIPAY_UNREACHABLE',
    });
  }
  return errorForOutcome(
    kind === 'write' ? 'uncertain' : 'unavailable',
    kind,
    `Alipay ${method} failed in transit (timeout, dropped connection or unreadable answer).`,
    {
      ...base,
      code: 'ALIPAY_TRANSPORT_ERROR',
    },
  );
}
