import { describe, expect, it } from 'vitest';
import {
  WECHATPAY_ERROR_CODES,
  WECHATPAY_HTTP_STATUS_ERRORS,
  WECHATPAY_NOTIFY_EVENT_TYPES,
  WECHATPAY_REFUND_STATUS,
  WECHATPAY_TRADE_STATE,
  WECHATPAY_TRADE_STATE_EVENTS,
  wechatpayErrorOutcome,
} from '../../../src/wechatpay/wechatpay-mappers.js';
import { wechatpayApiError, wechatpayTransportError } from '../../../src/wechatpay/wechatpay-errors.js';

describe('WeChat Pay trade_state table', () => {
  it.each([
    ['SUCCESS', 'succeeded', 'payment.succeeded'],
    ['REFUND', 'succeeded', 'payment.succeeded'],
    ['NOTPAY', 'requires_action', 'payment.pending'],
    ['USERPAYING', 'processing', 'payment.pending'],
    ['CLOSED', 'canceled', 'payment.canceled'],
    ['REVOKED', 'canceled', 'payment.canceled'],
    ['PAYERROR', 'failed', 'payment.failed'],
  ] as const)('%s → %s / %s', (state, status, event) => {
    expect(WECHATPAY_TRADE_STATE[state]).toBe(status);
    expect(WECHATPAY_TRADE_STATE_EVENTS[state]).toBe(event);
  });

  it('has exactly the seven states WeChat Pay documents', () => {
    expect(Object.keys(WECHATPAY_TRADE_STATE).sort()).toEqual(
      ['CLOSED', 'NOTPAY', 'PAYERROR', 'REFUND', 'REVOKED', 'SUCCESS', 'USERPAYING'].sort(),
    );
  });
});

describe('WeChat Pay refund status and notification tables', () => {
  it.each([
    ['SUCCESS', 'succeeded'],
    ['PROCESSING', 'pending'],
    ['ABNORMAL', 'failed'],
    ['CLOSED', 'failed'],
  ] as const)('refund %s → %s', (state, status) => {
    expect(WECHATPAY_REFUND_STATUS[state]).toBe(status);
  });

  it.each([
    ['TRANSACTION.SUCCESS', 'payment.succeeded'],
    ['REFUND.SUCCESS', 'refund.succeeded'],
    ['REFUND.ABNORMAL', 'refund.failed'],
    ['REFUND.CLOSED', 'refund.failed'],
  ])('event %s → %s', (type, event) => {
    expect(WECHATPAY_NOTIFY_EVENT_TYPES[type]).toBe(event);
  });
});

describe('WeChat Pay error tables', () => {
  it.each([
    [400, 'PARAM_ERROR', 'validation', 'ValidationError'],
    [400, 'INVALID_REQUEST', 'validation', 'ValidationError'],
    [400, 'APPID_MCHID_NOT_MATCH', 'configuration', 'ConfigurationError'],
    [400, 'MCH_NOT_EXISTS', 'configuration', 'ConfigurationError'],
    [401, 'SIGN_ERROR', 'configuration', 'ConfigurationError'],
    [403, 'NO_AUTH', 'configuration', 'ConfigurationError'],
    [403, 'ACCOUNT_ERROR', 'configuration', 'ConfigurationError'],
    [403, 'OUT_TRADE_NO_USED', 'integrity', 'IntegrityError'],
    [400, 'ORDERPAID', 'declined', 'ProviderDeclinedError'],
    [400, 'ORDER_CLOSED', 'declined', 'ProviderDeclinedError'],
    [403, 'TRADE_ERROR', 'declined', 'ProviderDeclinedError'],
    [403, 'RULE_LIMIT', 'declined', 'ProviderDeclinedError'],
    [403, 'NOT_ENOUGH', 'declined', 'ProviderDeclinedError'],
    [403, 'USER_ACCOUNT_ABNORMAL', 'declined', 'ProviderDeclinedError'],
    [400, 'INVALID_TRANSACTIONID', 'validation', 'ValidationError'],
    [404, 'ORDER_NOT_EXIST', 'not_found', 'NotFoundError'],
    [404, 'RESOURCE_NOT_EXISTS', 'not_found', 'NotFoundError'],
    [429, 'FREQUENCY_LIMITED', 'unavailable', 'ProviderUnavailableError'],
    [500, 'SYSTEM_ERROR', 'uncertain', 'IndeterminateOutcomeError'],
    [500, 'BANK_ERROR', 'uncertain', 'IndeterminateOutcomeError'],
  ] as const)('%i %s → %s (%s on a write)', (status, code, outcome, name) => {
    expect(WECHATPAY_ERROR_CODES[code]).toBe(outcome);
    const error = wechatpayApiError(status, { code, message: '说明' }, 'refund', 'write', 'wechatpay');
    expect(error.name).toBe(name);
    expect(error.code).toBe(code === 'FREQUENCY_LIMITED' ? 'WECHATPAY_RATE_LIMITED' : `WECHATPAY_${code}`);
  });

  it('covers every code of the table in the row test above', () => {
    expect(Object.keys(WECHATPAY_ERROR_CODES)).toHaveLength(20);
  });

  it.each([
    [400, 'validation'],
    [401, 'configuration'],
    [403, 'declined'],
    [404, 'not_found'],
    [429, 'unavailable'],
    [500, 'uncertain'],
    [502, 'uncertain'],
    [503, 'uncertain'],
    [504, 'uncertain'],
    [418, 'uncertain'],
  ] as const)('HTTP %i without a known code → %s', (status, outcome) => {
    expect(wechatpayErrorOutcome(status, undefined)).toBe(outcome);
    expect(wechatpayErrorOutcome(status, 'SOMETHING_NEW')).toBe(outcome);
    const row = WECHATPAY_HTTP_STATUS_ERRORS.find((r) => r.status === status) ?? WECHATPAY_HTTP_STATUS_ERRORS.at(-1);
    expect(row?.outcome).toBe(outcome);
  });

  it('makes an uncertain failure indeterminate on a write and unavailable on a read', () => {
    expect(wechatpayApiError(503, null, 'create native', 'write', 'wechatpay').name).toBe('IndeterminateOutcomeError');
    expect(wechatpayApiError(503, null, 'query', 'read', 'wechatpay').name).toBe('ProviderUnavailableError');
    expect(wechatpayApiError(502, null, 'query', 'read', 'wechatpay').code).toBe('WECHATPAY_HTTP_ERROR');
  });

  it('calls a refused connection unreachable and anything after sending a transport error', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(wechatpayTransportError(refused, 'refund', 'write', 'wechatpay').code).toBe('WECHATPAY_UNREACHABLE');
    expect(wechatpayTransportError(refused, 'refund', 'write', 'wechatpay').name).toBe('ProviderUnavailableError');
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const write = wechatpayTransportError(timeout, 'refund', 'write', 'wechatpay');
    expect([write.name, write.code]).toEqual(['IndeterminateOutcomeError', 'WECHATPAY_TRANSPORT_ERROR']);
    expect(wechatpayTransportError(timeout, 'query', 'read', 'wechatpay').name).toBe('ProviderUnavailableError');
  });

  it('never takes a code that is not WeChat Pay-shaped into our code', () => {
    expect(wechatpayApiError(400, { code: 'x; drop', message: 'm' }, 'query', 'read', 'wechatpay').code).toBe(
      'WECHATPAY_HTTP_ERROR',
    );
  });
});
