/**
 * Every Alipay table restated independently and checked row by row, through the functions the adapter
 * uses (so a wrong row fails here, not in production).
 */
import { describe, expect, it } from 'vitest';
import { alipayBusinessError, alipayTransportError } from '../../../src/alipay/alipay-errors.js';
import {
  ALIPAY_GATEWAY_CODES,
  ALIPAY_NOTIFY_EVENT_TYPES,
  ALIPAY_SUB_CODE_ERRORS,
  ALIPAY_TRADE_STATUS,
  alipayErrorOutcome,
  alipayHttpOutcome,
} from '../../../src/alipay/alipay-mappers.js';
import { ALIPAY_CHANNELS } from '../../../src/alipay/alipay-channels.js';

describe('Alipay trade status table', () => {
  const expected = [
    ['WAIT_BUYER_PAY', 'requires_action'],
    ['TRADE_SUCCESS', 'succeeded'],
    ['TRADE_FINISHED', 'succeeded'],
    ['TRADE_CLOSED', 'canceled'],
  ] as const;
  it.each(expected)('%s → %s', (status, ours) => expect(ALIPAY_TRADE_STATUS[status]).toBe(ours));
  it('has no other rows', () =>
    expect(Object.keys(ALIPAY_TRADE_STATUS).sort()).toEqual(expected.map(([s]) => s).sort()));
});

describe('Alipay notification event table', () => {
  const expected = [
    ['WAIT_BUYER_PAY', 'payment.pending'],
    ['TRADE_SUCCESS', 'payment.succeeded'],
    ['TRADE_FINISHED', 'payment.succeeded'],
    ['TRADE_CLOSED', 'payment.canceled'],
  ] as const;
  it.each(expected)('%s → %s', (status, type) => expect(ALIPAY_NOTIFY_EVENT_TYPES[status]).toBe(type));
});

describe('Alipay business answers', () => {
  const bySubCode = [
    ['ACQ.SYSTEM_ERROR', 'IndeterminateOutcomeError', 'ProviderUnavailableError'],
    ['aop.ACQ.SYSTEM_ERROR', 'IndeterminateOutcomeError', 'ProviderUnavailableError'],
    ['ACQ.INVALID_PARAMETER', 'ValidationError', 'ValidationError'],
    ['ACQ.EXIST_FORBIDDEN_WORD', 'ValidationError', 'ValidationError'],
    ['ACQ.TOTAL_FEE_EXCEED', 'ValidationError', 'ValidationError'],
    ['ACQ.ACCESS_FORBIDDEN', 'ConfigurationError', 'ConfigurationError'],
    ['ACQ.PARTNER_ERROR', 'ConfigurationError', 'ConfigurationError'],
    ['ACQ.CONTEXT_INCONSISTENT', 'IntegrityError', 'IntegrityError'],
    ['ACQ.TRADE_HAS_SUCCESS', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.TRADE_HAS_CLOSE', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.TRADE_HAS_FINISHED', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.TRADE_STATUS_ERROR', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.REASON_TRADE_BEEN_FREEZEN', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.SELLER_BALANCE_NOT_ENOUGH', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.REFUND_FEE_ERROR', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.TRADE_NOT_ALLOW_REFUND', 'ProviderDeclinedError', 'ProviderDeclinedError'],
    ['ACQ.TRADE_NOT_EXIST', 'NotFoundError', 'NotFoundError'],
    ['isv.invalid-signature', 'ConfigurationError', 'ConfigurationError'],
    ['isv.missing-signature', 'ConfigurationError', 'ConfigurationError'],
    ['isv.invalid-app-id', 'ConfigurationError', 'ConfigurationError'],
    ['isv.insufficient-isv-permissions', 'ConfigurationError', 'ConfigurationError'],
  ] as const;
  it.each(bySubCode)('%s → %s on a write, %s on a read', (subCode, write, read) => {
    expect(alipayBusinessError({ code: '40004', sub_code: subCode }, 'm', 'write', 'alipay').name).toBe(write);
    expect(alipayBusinessError({ code: '40004', sub_code: subCode }, 'm', 'read', 'alipay').name).toBe(read);
  });
  it('has no sub_code rows beyond those', () =>
    expect(Object.keys(ALIPAY_SUB_CODE_ERRORS).sort()).toEqual(bySubCode.map(([c]) => c).sort()));

  const byCode = [
    ['20000', 'uncertain'],
    ['20001', 'configuration'],
    ['40001', 'validation'],
    ['40002', 'validation'],
    ['40004', 'declined'],
    ['40006', 'configuration'],
  ] as const;
  it.each(byCode)('gateway code %s without a known sub_code → %s', (code, outcome) => {
    expect(alipayErrorOutcome(code, 'ACQ.SOMETHING_NEW')).toBe(outcome);
    expect(ALIPAY_GATEWAY_CODES[code]).toBe(outcome);
  });
  it('treats an unknown code as a final refusal', () =>
    expect(alipayErrorOutcome('99999', undefined)).toBe('declined'));
  it('names the code without secrets and keeps Alipay sub_msg', () => {
    const error = alipayBusinessError(
      { code: '40004', sub_code: 'ACQ.TRADE_HAS_CLOSE', sub_msg: '交易已经关闭' },
      'alipay.trade.refund',
      'write',
      'alipay',
    );
    expect(error).toMatchObject({ code: 'ALIPAY_ACQ_TRADE_HAS_CLOSE', retryable: false, provider: 'alipay' });
    expect(error.message).toBe('Alipay alipay.trade.refund answered ACQ.TRADE_HAS_CLOSE (交易已经关闭).');
  });
});

describe('Alipay HTTP failures', () => {
  const rows = [
    [429, 'ProviderUnavailableError', 'ProviderUnavailableError', 'ALIPAY_RATE_LIMITED'],
    [500, 'IndeterminateOutcomeError', 'ProviderUnavailableError', 'ALIPAY_HTTP_ERROR'],
    [502, 'IndeterminateOutcomeError', 'ProviderUnavailableError', 'ALIPAY_HTTP_ERROR'],
    [503, 'IndeterminateOutcomeError', 'ProviderUnavailableError', 'ALIPAY_HTTP_ERROR'],
    [504, 'IndeterminateOutcomeError', 'ProviderUnavailableError', 'ALIPAY_HTTP_ERROR'],
    [418, 'IndeterminateOutcomeError', 'ProviderUnavailableError', 'ALIPAY_HTTP_ERROR'],
  ] as const;
  it.each(rows)('HTTP %i → %s on a write, %s on a read', (status, write, read, code) => {
    // The SDK's own message shape for a non-200 answer.
    const sdkError = Object.assign(new Error(`HTTP 请求错误, status: ${status}`), { name: 'AlipayRequestError' });
    expect(alipayTransportError(sdkError, 'm', 'write', 'alipay')).toMatchObject({
      name: write,
      code,
      retryable: true,
    });
    expect(alipayTransportError(sdkError, 'm', 'read', 'alipay')).toMatchObject({ name: read, code, retryable: true });
  });
  it('429 is the only status that says nothing was done', () => {
    expect(alipayHttpOutcome(429)).toBe('unavailable');
    for (const status of [500, 502, 503, 504, 400]) expect(alipayHttpOutcome(status)).toBe('uncertain');
  });
  it('a refused connection was never sent; a timeout may have been', () => {
    const refused = new Error('HttpClient Request error: connect ECONNREFUSED', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(alipayTransportError(refused, 'm', 'write', 'alipay').name).toBe('ProviderUnavailableError');
    const timeout = new Error('HttpClient Request error: Request timeout for 5000 ms', {
      cause: Object.assign(new Error('timeout'), { name: 'HttpClientRequestTimeoutError' }),
    });
    expect(alipayTransportError(timeout, 'm', 'write', 'alipay').name).toBe('IndeterminateOutcomeError');
    expect(alipayTransportError(timeout, 'm', 'read', 'alipay').name).toBe('ProviderUnavailableError');
  });
  it('a badly signed answer is never trusted, and its text is not copied into the message', () => {
    const bad = new Error("验签失败，服务端返回的 sign: 'x' 无效, validateStr: '{\"secret\":1}'");
    const error = alipayTransportError(bad, 'alipay.trade.refund', 'write', 'alipay');
    expect(error).toMatchObject({ name: 'IndeterminateOutcomeError', code: 'ALIPAY_RESPONSE_SIGNATURE_INVALID' });
    expect(error.message).not.toContain('validateStr');
  });
});

describe('Alipay channel table', () => {
  const rows = [
    ['alipay_qr', 'alipay.trade.precreate', 'exec', null, 'qr_code', []],
    ['alipay_pc_direct', 'alipay.trade.page.pay', 'page', 'FAST_INSTANT_TRADE_PAY', 'redirect', ['successUrl']],
    ['alipay_wap', 'alipay.trade.wap.pay', 'page', 'QUICK_WAP_WAY', 'redirect', ['successUrl']],
    ['alipay', 'alipay.trade.app.pay', 'app', 'QUICK_MSECURITY_PAY', 'sdk_credential', []],
  ] as const;
  it.each(rows)('%s calls %s (%s, %s) → %s', (channel, method, call, productCode, nextAction, requiredExtra) => {
    expect(ALIPAY_CHANNELS[channel]).toEqual({ method, call, productCode, nextAction, requiredExtra });
  });
  it('has no other channels', () => expect(Object.keys(ALIPAY_CHANNELS)).toEqual(rows.map(([c]) => c)));
});
