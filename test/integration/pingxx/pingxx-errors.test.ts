import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { isPaymentError, type PaymentError, type PaymentErrorName } from '../../../src/core/errors.js';
import type { PaymentRequest, RefundRequest } from '../../../src/core/types.js';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { generatePingxxTestKeyPair } from '../../../src/testing/pingxx-testing.js';
import { requestMaker, useEmulatedPingxx } from './harness.js';

const pingxx = useEmulatedPingxx({ timeoutMs: 400 });
beforeEach(() => pingxx.emulator.controls.reset());
const nextRequest = requestMaker('err', {
  amount: 2000,
  currency: 'CNY',
  channel: 'alipay_qr',
  subject: 'errors',
  clientIp: '203.0.113.7',
});

async function failure(promise: Promise<unknown>, name: PaymentErrorName, code?: string): Promise<PaymentError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPaymentError(error, name), `expected ${name}, got ${String(error)}`).toBe(true);
  if (code !== undefined) expect((error as PaymentError).code).toBe(code);
  const text = `${String(error)} ${JSON.stringify((error as PaymentError).details)}`;
  expect(text).not.toContain(pingxx.emulator.secretKey);
  return error as PaymentError;
}

async function paidCharge(): Promise<{ request: PaymentRequest; chargeId: string }> {
  const request = nextRequest();
  const created = await pingxx.provider.createPayment(request);
  pingxx.emulator.controls.payCharge(created.providerReference);
  return { request, chargeId: created.providerReference };
}

const refundOf = (request: PaymentRequest, chargeId: string, refundId: string, amount: number): RefundRequest => ({
  refundId,
  attemptId: request.attemptId,
  providerReference: chargeId,
  amount,
  currency: 'CNY',
});

describe('Ping++ error bodies', () => {
  it.each<[string, number, unknown, PaymentErrorName, string]>([
    [
      'invalid_request_error',
      400,
      { error: { type: 'invalid_request_error', message: 'bad', param: 'amount' } },
      'ValidationError',
      'PINGXX_INVALID_REQUEST',
    ],
    [
      'channel_error',
      402,
      { error: { type: 'channel_error', message: 'no', code: 'SYSTEMERROR' } },
      'ProviderDeclinedError',
      'PINGXX_CHANNEL_ERROR',
    ],
    [
      'an error on 401',
      401,
      { error: { type: 'invalid_request_error', message: 'Invalid API key' } },
      'ConfigurationError',
      'PINGXX_AUTHENTICATION_FAILED',
    ],
    [
      'an error on 403 (rate limit)',
      403,
      { error: { type: 'invalid_request_error', message: 'slow down' } },
      'ProviderUnavailableError',
      'PINGXX_RATE_LIMITED',
    ],
    [
      'api_error',
      500,
      { error: { type: 'api_error', message: 'internal' } },
      'ProviderUnavailableError',
      'PINGXX_API_ERROR',
    ],
    [
      'an unknown error type',
      409,
      { error: { type: 'brand_new_error', message: '?' } },
      'ValidationError',
      'PINGXX_HTTP_409',
    ],
  ])('maps %s (HTTP %i) to %s', async (_why, status, body, name, code) => {
    pingxx.emulator.controls.failNext({ status, body });
    const request = nextRequest();
    await failure(pingxx.provider.createPayment(request), name, code);
    expect(pingxx.emulator.controls.findCharge(request.attemptId)).toBeUndefined();
  });

  it('names the Ping++ param as the field of a ValidationError', async () => {
    pingxx.emulator.controls.failNext({
      status: 400,
      body: { error: { type: 'invalid_request_error', message: 'bad', param: 'client_ip' } },
    });
    expect(await failure(pingxx.provider.createPayment(nextRequest()), 'ValidationError')).toMatchObject({
      field: 'client_ip',
    });
  });
});

describe('error statuses whose JSON body has no error key (the SDK resolves them as success)', () => {
  it.each<[number, PaymentErrorName]>([
    [400, 'ValidationError'],
    [401, 'ConfigurationError'],
    [404, 'NotFoundError'],
    [429, 'ProviderUnavailableError'],
    [500, 'IndeterminateOutcomeError'],
    [503, 'ProviderUnavailableError'],
  ])('refuses a create answered %i with a bare JSON body as %s', async (status, name) => {
    pingxx.emulator.controls.failNext({ status, body: { message: 'nope' } });
    await failure(pingxx.provider.createPayment(nextRequest()), name, `PINGXX_HTTP_${status}`);
  });

  it('refuses a retrieve answered 500 with something that looks like a charge', async () => {
    const created = await pingxx.provider.createPayment(nextRequest());
    pingxx.emulator.controls.failNext({
      status: 500,
      body: { ...pingxx.emulator.controls.getCharge(created.providerReference), paid: true },
    });
    await failure(
      pingxx.provider.retrievePayment({ providerReference: created.providerReference }),
      'ProviderUnavailableError',
      'PINGXX_HTTP_500',
    );
  });

  it('refuses a 200 answer that is not a charge', async () => {
    pingxx.emulator.controls.failNext({ status: 200, body: { ok: true } });
    await failure(
      pingxx.provider.createPayment(nextRequest()),
      'IndeterminateOutcomeError',
      'PINGXX_UNEXPECTED_RESPONSE',
    );
  });
});

describe('gateway pages that are not JSON', () => {
  it('lets the SDK retry a read once after a 502 page, then succeeds', async () => {
    const created = await pingxx.provider.createPayment(nextRequest());
    const before = pingxx.emulator.requests.length;
    pingxx.emulator.controls.failNext({ status: 502, body: '<html>Bad Gateway</html>' });
    const snapshot = await pingxx.provider.retrievePayment({ providerReference: created.providerReference });
    expect(snapshot.providerReference).toBe(created.providerReference);
    expect(pingxx.emulator.requests.slice(before).map((r) => r.status)).toEqual([502, 200]);
  });

  it('never re-sends a create after a 502 page: it may have gone through, so it is indeterminate', async () => {
    pingxx.emulator.controls.failNext({ status: 502, body: '<html>Bad Gateway</html>' });
    const before = pingxx.emulator.requests.length;
    await failure(pingxx.provider.createPayment(nextRequest()), 'IndeterminateOutcomeError', 'PINGXX_HTTP_502');
    expect(pingxx.emulator.requests.slice(before).map((r) => r.status)).toEqual([502]);
  });

  it('reports a 503 page as unavailable', async () => {
    pingxx.emulator.controls.failNext({ status: 503, body: '<html>Maintenance</html>' });
    await failure(pingxx.provider.createPayment(nextRequest()), 'ProviderUnavailableError', 'PINGXX_HTTP_503');
  });
});

describe('lost responses', () => {
  it('reports a create that timed out after sending as indeterminate; Ping++ did create the charge', async () => {
    pingxx.emulator.controls.delayNext(3_000);
    const request = nextRequest();
    await failure(pingxx.provider.createPayment(request), 'IndeterminateOutcomeError', 'PINGXX_TIMEOUT');
    expect(pingxx.emulator.controls.findCharge(request.attemptId)?.amount).toBe(2000);
    // Retrying the same attempt returns that very charge (Ping++ reuses an identical order_no).
    const retried = await pingxx.provider.createPayment(request);
    expect(retried.providerReference).toBe(pingxx.emulator.controls.findCharge(request.attemptId)?.id);
  });

  it('reports a read that timed out as unavailable', async () => {
    const created = await pingxx.provider.createPayment(nextRequest());
    pingxx.emulator.controls.delayNext(3_000);
    await failure(
      pingxx.provider.retrievePayment({ providerReference: created.providerReference }),
      'ProviderUnavailableError',
      'PINGXX_TIMEOUT',
    );
  });

  it('reports a connection dropped after acting as indeterminate', async () => {
    pingxx.emulator.controls.dropConnectionAfterActing();
    const request = nextRequest();
    await failure(pingxx.provider.createPayment(request), 'IndeterminateOutcomeError', 'PINGXX_CONNECTION_ERROR');
    expect(pingxx.emulator.controls.findCharge(request.attemptId)).toBeDefined();
  });

  it('returns the refund that was made when a refund is retried after a lost response', async () => {
    const { request, chargeId } = await paidCharge();
    pingxx.emulator.controls.reset();
    // The refund lookup (list) goes through; the create is acted on and its response lost.
    pingxx.emulator.controls.failNext({ status: 200, body: { object: 'list', has_more: false, data: [] } });
    pingxx.emulator.controls.dropConnectionAfterActing();
    await failure(
      pingxx.provider.refundPayment(refundOf(request, chargeId, 'refundA', 500)),
      'IndeterminateOutcomeError',
    );
    const made = pingxx.emulator.controls.getCharge(chargeId)!.refunds!.data;
    expect(made).toHaveLength(1);

    const retried = await pingxx.provider.refundPayment(refundOf(request, chargeId, 'refundA', 500));
    expect(retried.providerRefundId).toBe(made[0]!.id);
    expect(pingxx.emulator.controls.getCharge(chargeId)!.refunds!.data).toHaveLength(1);
  });

  it('reports a refused connection as unavailable: nothing was sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = createPingxxProvider({ ...pingxx.emulator.providerOptions, port, timeoutMs: 2_000 });
    const error = await failure(
      offline.createPayment(nextRequest()),
      'ProviderUnavailableError',
      'PINGXX_CONNECTION_ERROR',
    );
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ sent: false });
  });
});

describe('aborts', () => {
  it('refuses to start with an aborted signal and sends nothing', async () => {
    const before = pingxx.emulator.requestCount;
    const signal = AbortSignal.abort();
    await failure(
      pingxx.provider.createPayment(nextRequest(), { signal }),
      'ProviderUnavailableError',
      'PINGXX_REQUEST_ABORTED',
    );
    expect(pingxx.emulator.requestCount).toBe(before);
  });

  it('reports a create aborted while Ping++ is working as indeterminate', async () => {
    const patient = createPingxxProvider({ ...pingxx.emulator.providerOptions, timeoutMs: 10_000 });
    pingxx.emulator.controls.delayNext(5_000);
    const controller = new AbortController();
    const before = pingxx.emulator.requestCount;
    const pending = patient.createPayment(nextRequest(), { signal: controller.signal });
    while (pingxx.emulator.requestCount === before) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await failure(pending, 'IndeterminateOutcomeError', 'PINGXX_REQUEST_ABORTED');
  });
});

describe('credentials', () => {
  it('maps a wrong secret key to ConfigurationError', async () => {
    const wrong = createPingxxProvider({
      ...pingxx.emulator.providerOptions,
      secretKey: 'sk_test_wrongwrongwrongwrongwrong',
    });
    await failure(wrong.createPayment(nextRequest()), 'ConfigurationError', 'PINGXX_AUTHENTICATION_FAILED');
  });

  it('maps a request signed with the wrong merchant key to ConfigurationError', async () => {
    const other = generatePingxxTestKeyPair('errors-other-merchant');
    const wrong = createPingxxProvider({ ...pingxx.emulator.providerOptions, privateKey: other.privateKey });
    await failure(wrong.createPayment(nextRequest()), 'ConfigurationError');
    expect(pingxx.emulator.requests.at(-1)!.signature).toBe('invalid');
  });

  it('maps unsigned requests to ConfigurationError when Ping++ expects signatures', async () => {
    const { privateKey: _privateKey, ...unsigned } = pingxx.emulator.providerOptions;
    await failure(createPingxxProvider(unsigned).createPayment(nextRequest()), 'ConfigurationError');
    expect(pingxx.emulator.requests.at(-1)!.signature).toBe('missing');
  });
});

describe('refund refusals', () => {
  it('refuses a refund beyond the paid amount, not retryable', async () => {
    const { request, chargeId } = await paidCharge();
    const error = await failure(
      pingxx.provider.refundPayment(refundOf(request, chargeId, 'tooMuch', 2001)),
      'ValidationError',
    );
    expect(error.retryable).toBe(false);
  });

  it('refuses a refund of an unpaid charge', async () => {
    const request = nextRequest();
    const created = await pingxx.provider.createPayment(request);
    await failure(
      pingxx.provider.refundPayment(refundOf(request, created.providerReference, 'early', 100)),
      'ValidationError',
    );
  });

  it('refuses a retried refund id with another amount as an integrity problem', async () => {
    const { request, chargeId } = await paidCharge();
    await pingxx.provider.refundPayment(refundOf(request, chargeId, 'refundB', 300));
    await failure(
      pingxx.provider.refundPayment(refundOf(request, chargeId, 'refundB', 400)),
      'IntegrityError',
      'PINGXX_REFUND_MISMATCH',
    );
  });

  it.each<[string, Partial<RefundRequest>, string]>([
    ['a malformed charge id', { providerReference: 'ch_../../v1/x' }, 'providerReference'],
    ['a zero amount', { amount: 0 }, 'amount'],
    ['another currency', { currency: 'USD' }, 'currency'],
    ['an empty refund id', { refundId: '' }, 'refundId'],
  ])('refuses %s before any request', async (_why, overrides, field) => {
    const before = pingxx.emulator.requestCount;
    const base = refundOf(nextRequest(), 'ch_000000000000000000000000', 'r1', 100);
    expect(await failure(pingxx.provider.refundPayment({ ...base, ...overrides }), 'ValidationError')).toMatchObject({
      field,
    });
    expect(pingxx.emulator.requestCount).toBe(before);
  });

  it('refuses to retrieve a malformed charge id before any request', async () => {
    const before = pingxx.emulator.requestCount;
    await failure(pingxx.provider.retrievePayment({ providerReference: 'ch_x?evil=1' }), 'ValidationError');
    expect(pingxx.emulator.requestCount).toBe(before);
  });

  it('maps retrieving an unknown charge to NotFoundError', async () => {
    await failure(
      pingxx.provider.retrievePayment({ providerReference: 'ch_000000000000000000000000' }),
      'NotFoundError',
      'PINGXX_NOT_FOUND',
    );
  });
});
