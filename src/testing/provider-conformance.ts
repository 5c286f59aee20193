/**
 * A published conformance suite for {@link PaymentProvider} adapters.
 *
 * It drives one adapter through the life of a payment — create → next action → retried create →
 * pay → verified webhook → retrieve → partial + partial refund — and through the refusals every adapter
 * owes its callers (tampered or unsigned webhook, parsed body, bad input before any network call).
 * The adapter's {@link ProviderCapabilities} decide which checks run: an adapter without refunds is not
 * asked to refund.
 *
 * The suite is test-runner-agnostic: pass your runner's `describe`/`it` (and `beforeAll`/`afterAll` when
 * it has them — vitest, jest and `node:test` all do). Assertions use `node:assert/strict`, so a failure
 * is an `AssertionError` every runner reports.
 *
 * The suite never talks to a provider itself: `setup` builds the adapter (usually against a local
 * emulator such as `startStripeEmulator`), `pay` asks that emulator to mark a payment paid, and
 * `signedWebhook` produces the signed notification the provider would send.
 * @module
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isPaymentError, type PaymentErrorName } from '../core/errors.js';
import type { PaymentProvider } from '../core/provider.js';
import type {
  NextAction,
  PaymentCreationResult,
  PaymentEvent,
  PaymentRequest,
  RefundResult,
  WebhookInput,
} from '../core/types.js';
import type { ConformanceRunner } from './repository-conformance.js';

// Both conformance suites take the same runner; it is defined once, beside the repository suite.
export type { ConformanceRunner };

/** What `setup` returns: the adapter under test and how to dispose of what was started for it. */
export interface ProviderConformanceContext {
  /** Provider instance name (registry key). */
  provider: PaymentProvider;
  /** Releases what the context holds. */
  teardown?(): Promise<void>;
}

/** A webhook as the provider would deliver it: the exact bytes and the signature headers. */
export interface SignedWebhook {
  /** The exact bytes as sent. */
  rawBody: string;
  /** Request headers. */
  headers: Record<string, string>;
}

/** Webhook kinds the suite asks `signedWebhook` for. */
export type ConformanceWebhookKind = 'payment.succeeded';

/** Options of {@link runProviderConformance}. */
export interface ProviderConformanceOptions {
  /** Shown in the suite title, e.g. `'stripe (payment_intent)'`. */
  name: string;
  /**
   * The runner's functions. With `beforeAll` the adapter is built once up front (otherwise lazily by the
   * first test); without `afterAll`, `teardown` is never called.
   */
  runner: ConformanceRunner;
  /** Builds the adapter (and whatever it talks to). Called once. */
  setup: () => Promise<ProviderConformanceContext>;
  /**
   * A valid request for this adapter with the given ids. Its `amount` must be at least 2 so it can be
   * refunded in two parts.
   */
  paymentRequest: (ids: { orderId: string; attemptId: string }) => PaymentRequest;
  /** Makes the provider (emulator) consider the payment paid. Without it, checks that need a paid payment are skipped. */
  pay?: (result: PaymentCreationResult) => Promise<void>;
  /** Produces the signed webhook the provider sends for `kind`. Without it, webhook checks are skipped. */
  signedWebhook?: (result: PaymentCreationResult, kind: ConformanceWebhookKind) => Promise<SignedWebhook>;
  /** Number of requests the provider (emulator) has received so far; proves validation happens before any call. */
  requestCount?: () => number;
  /**
   * The same delivery without its signature. @default the delivery with no headers (for providers that
   * sign in a header); providers that sign inside the body (Alipay's `sign` field) remove it there.
   */
  unsignWebhook?: (webhook: SignedWebhook) => SignedWebhook;
  /** Parses a delivery's body as a framework's body parser would. @default JSON.parse */
  parseWebhookBody?: (rawBody: string) => unknown;
  /** Extra requests the adapter must refuse with `ValidationError`, beside the built-in ones. */
  invalidRequests?: (base: PaymentRequest) => ReadonlyArray<{
    /** What is wrong with it, for the test name: `'missing openid for wx_pub'`. */
    why: string;
    /** `base` with the mistake in it. */
    request: PaymentRequest;
  }>;
  /**
   * Whether `retrievePayment` reports refunded amounts (`amountRefunded`). Providers whose payment query
   * does not (WeChat Pay's order query only says `REFUND`) set `false`; their refunds are settled by refund
   * answers and refund notifications instead. @default true
   */
  snapshotReportsRefunds?: boolean;
}

/**
 * Registers the provider conformance suite with the given runner.
 *
 * @example
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest';
 * import { runProviderConformance, startStripeEmulator, type StripeEmulator } from '@org/payment-factory/testing';
 * import { createStripeProvider } from '@org/payment-factory/stripe';
 *
 * let emulator: StripeEmulator;
 * runProviderConformance({
 *   name: 'stripe',
 *   runner: { describe, it, beforeAll, afterAll },
 *   setup: async () => {
 *     emulator = await startStripeEmulator({ webhookSecret: 'whsec_test' });
 *     const provider = createStripeProvider({ secretKey: 'sk_test_x', webhookSecret: 'whsec_test', ...emulator.sdkOptions });
 *     return { provider, teardown: () => emulator.close() };
 *   },
 *   paymentRequest: ({ orderId, attemptId }) => ({ orderId, attemptId, amount: 1999, currency: 'USD', channel: 'payment_intent', subject: 'Course' }),
 *   pay: async (result) => {
 *     emulator.succeedPayment(result.providerReference);
 *   },
 *   signedWebhook: async (result) => emulator.webhookFor(result.providerReference, 'payment_intent.succeeded'),
 *   requestCount: () => emulator.requestCount,
 * });
 * ```
 */
export function runProviderConformance(options: ProviderConformanceOptions): void {
  const { runner } = options;
  let context: Promise<ProviderConformanceContext> | undefined;
  const provider = async (): Promise<PaymentProvider> => {
    context ??= options.setup();
    return (await context).provider;
  };

  runner.describe(`provider conformance: ${options.name}`, () => {
    runner.beforeAll?.(async () => {
      await provider();
    });
    runner.afterAll?.(async () => {
      if (context) await (await context).teardown?.();
    });

    const freshRequest = (): PaymentRequest => {
      const request = options.paymentRequest({ orderId: newId(), attemptId: newId() });
      assert.ok(
        Number.isSafeInteger(request.amount) && request.amount >= 2,
        'paymentRequest().amount must be an integer >= 2',
      );
      return request;
    };
    const create = async (): Promise<{ request: PaymentRequest; result: PaymentCreationResult }> => {
      const request = freshRequest();
      return { request, result: await (await provider()).createPayment(request) };
    };
    const createPaid = async (): Promise<{ request: PaymentRequest; result: PaymentCreationResult }> => {
      const created = await create();
      await options.pay?.(created.result);
      return created;
    };

    runner.it('creates a payment with a usable next action that echoes attemptId, amount and currency', async () => {
      const p = await provider();
      const { request, result } = await create();
      assert.equal(result.provider, p.name);
      assert.equal(result.attemptId, request.attemptId);
      assert.equal(result.amount, request.amount);
      assert.equal(result.currency, request.currency.toUpperCase());
      assert.ok(p.capabilities.channels.includes(result.channel), `channel ${result.channel} is not in capabilities`);
      assert.equal(typeof result.providerReference, 'string');
      assert.ok(result.providerReference.length > 0, 'providerReference is empty');
      assert.equal(typeof result.livemode, 'boolean');
      assertUsableNextAction(result.nextAction);
      assert.ok(!('raw' in result.public), 'the public view must not carry the raw provider object');
      assert.equal(result.public.attemptId, request.attemptId);
      assert.equal(result.public.amount, request.amount);
      assert.equal(result.public.currency, result.currency);
      assert.deepEqual(result.public.nextAction, result.nextAction);
    });

    runner.it('returns the same remote payment when create is retried with the same attemptId', async () => {
      const p = await provider();
      const request = freshRequest();
      const first = await p.createPayment(request);
      const second = await p.createPayment({ ...request });
      assert.equal(second.providerReference, first.providerReference);
      assert.equal(second.amount, first.amount);
    });

    runner.it('creates a distinct remote payment for a different attemptId', async () => {
      const a = await create();
      const b = await create();
      assert.notEqual(a.result.providerReference, b.result.providerReference);
    });

    runner.it('refuses bad input with ValidationError before any network call', async () => {
      const p = await provider();
      const base = freshRequest();
      const cases: Array<{ why: string; request: PaymentRequest }> = [
        { why: 'negative amount', request: { ...base, amount: -1 } },
        { why: 'fractional amount', request: { ...base, amount: 1.5 } },
        { why: 'unknown currency', request: { ...base, currency: 'QQQ' } },
        { why: 'empty attemptId', request: { ...base, attemptId: '' } },
        { why: 'empty orderId', request: { ...base, orderId: '' } },
        { why: 'unknown channel', request: { ...base, channel: 'no-such-channel-xyz' } },
        ...(options.invalidRequests?.(base) ?? []),
      ];
      for (const { why, request } of cases) {
        const before = options.requestCount?.();
        await assertRejectsWith(() => p.createPayment(request), 'ValidationError', why);
        if (before !== undefined) assert.equal(options.requestCount?.(), before, `${why}: a request was sent`);
      }
    });

    if (options.signedWebhook && options.pay) {
      const signed = options.signedWebhook;
      const paidWebhook = async (): Promise<{ result: PaymentCreationResult; webhook: SignedWebhook }> => {
        const { result } = await createPaid();
        return { result, webhook: await signed(result, 'payment.succeeded') };
      };

      runner.it('verifies a signed success webhook and normalises it', async () => {
        const p = await provider();
        const { result, webhook } = await paidWebhook();
        const event: PaymentEvent = await p.verifyWebhook({ rawBody: webhook.rawBody, headers: webhook.headers });
        assert.equal(event.provider, p.name);
        assert.equal(event.type, 'payment.succeeded');
        assert.equal(event.attemptId, result.attemptId);
        assert.equal(event.providerReference, result.providerReference);
        assert.equal(event.amount, result.amount);
        assert.equal(event.currency, result.currency);
        assert.equal(event.livemode, result.livemode);
        assert.ok(event.eventId.length > 0, 'eventId is empty');
        assert.ok(event.occurredAt instanceof Date && !Number.isNaN(event.occurredAt.getTime()), 'occurredAt');
      });

      runner.it('accepts the raw body as bytes as well as a string', async () => {
        const p = await provider();
        const { webhook } = await paidWebhook();
        const event = await p.verifyWebhook({
          rawBody: Buffer.from(webhook.rawBody, 'utf8'),
          headers: webhook.headers,
        });
        assert.equal(event.type, 'payment.succeeded');
      });

      runner.it('refuses a tampered webhook body with WebhookVerificationError', async () => {
        const p = await provider();
        const { webhook } = await paidWebhook();
        for (const rawBody of tamperings(webhook.rawBody)) {
          await assertRejectsWith(
            () => p.verifyWebhook({ rawBody, headers: webhook.headers }),
            'WebhookVerificationError',
            'tampered body',
          );
        }
      });

      runner.it('refuses an unsigned webhook with WebhookVerificationError', async () => {
        const p = await provider();
        const { webhook } = await paidWebhook();
        const unsigned = options.unsignWebhook?.(webhook) ?? { rawBody: webhook.rawBody, headers: {} };
        await assertRejectsWith(() => p.verifyWebhook(unsigned), 'WebhookVerificationError', 'unsigned webhook');
      });

      runner.it('refuses a parsed webhook object with RawBodyRequiredError', async () => {
        const p = await provider();
        const { webhook } = await paidWebhook();
        const parsed = (options.parseWebhookBody ?? JSON.parse)(webhook.rawBody) as unknown;
        await assertRejectsWith(
          () => p.verifyWebhook({ rawBody: parsed, headers: webhook.headers } as unknown as WebhookInput),
          'RawBodyRequiredError',
          'parsed body',
        );
      });
    }

    if (options.pay) {
      runner.it('retrieves a paid payment as a succeeded snapshot', async () => {
        const p = await provider();
        if (!p.capabilities.retrieve) return;
        const { request, result } = await createPaid();
        const snapshot = await p.retrievePayment({
          providerReference: result.providerReference,
          attemptId: result.attemptId,
          channel: result.channel,
        });
        assert.equal(snapshot.provider, p.name);
        assert.equal(snapshot.status, 'succeeded');
        assert.equal(snapshot.providerReference, result.providerReference);
        assert.equal(snapshot.amount, request.amount);
        assert.equal(snapshot.currency, result.currency);
        assert.equal(snapshot.amountRefunded, 0);
        if (snapshot.attemptId !== null) assert.equal(snapshot.attemptId, request.attemptId);
      });

      runner.it('refunds in parts that sum to the full amount, idempotently, and refuses more', async () => {
        const p = await provider();
        const { refunds } = p.capabilities;
        if (!refunds.supported) return;
        const { request, result } = await createPaid();
        const refund = (refundId: string, amount: number): Promise<RefundResult> =>
          p.refundPayment({
            refundId,
            attemptId: result.attemptId,
            providerReference: result.providerReference,
            channel: result.channel,
            amount,
            currency: result.currency,
          });
        const parts = refunds.partial && refunds.multiple ? split(request.amount) : [request.amount];
        const done: RefundResult[] = [];
        for (const amount of parts) {
          const refundId = newId();
          const first = await refund(refundId, amount);
          assert.equal(first.provider, p.name);
          assert.equal(first.refundId, refundId);
          assert.equal(first.amount, amount);
          assert.equal(first.currency, result.currency);
          assert.ok(first.status === 'succeeded' || first.status === 'pending', `refund status ${first.status}`);
          const again = await refund(refundId, amount);
          assert.equal(again.providerRefundId, first.providerRefundId, 'a retried refund created a second refund');
          done.push(first);
        }
        assert.equal(
          done.reduce((sum, r) => sum + r.amount, 0),
          request.amount,
        );
        assert.equal(new Set(done.map((r) => r.providerRefundId)).size, done.length);
        if (p.capabilities.retrieve) {
          const snapshot = await p.retrievePayment({
            providerReference: result.providerReference,
            channel: result.channel,
          });
          if (options.snapshotReportsRefunds !== false) assert.equal(snapshot.amountRefunded, request.amount);
        }
        await assert.rejects(
          () => refund(newId(), 1),
          (error: unknown) => {
            assert.ok(isPaymentError(error), `expected a PaymentError, got ${String(error)}`);
            assert.equal(error.retryable, false, 'refusing an over-refund must not be retryable');
            return true;
          },
          'a refund beyond the paid amount was accepted',
        );
      });
    }
  });
}

/** 32 hex characters, the shape of the original system's ids. */
function newId(): string {
  return randomUUID().replace(/-/g, '');
}

/** Splits an amount into two positive parts. */
function split(amount: number): [number, number] {
  const first = Math.floor(amount / 2);
  return [first, amount - first];
}

/** Two ways to change the signed bytes: a changed digit (same shape, other meaning) and appended whitespace. */
function tamperings(rawBody: string): string[] {
  const out = [`${rawBody} `];
  const index = rawBody.search(/\d/);
  if (index >= 0) {
    const digit = rawBody.charAt(index);
    out.push(rawBody.slice(0, index) + (digit === '9' ? '8' : String(Number(digit) + 1)) + rawBody.slice(index + 1));
  }
  return out;
}

function assertUsableNextAction(action: NextAction): void {
  switch (action.type) {
    case 'redirect':
      assert.doesNotThrow(() => new URL(action.url), 'redirect url must be absolute');
      return;
    case 'qr_code':
      assert.ok(action.content.length > 0, 'qr_code content is empty');
      return;
    case 'client_secret':
      assert.ok(action.clientSecret.length > 0, 'clientSecret is empty');
      return;
    case 'wechat_jsapi':
      assert.ok(Object.keys(action.params).length > 0, 'wechat_jsapi params are empty');
      return;
    case 'sdk_credential':
      assert.equal(typeof action.charge, 'object');
      return;
    case 'none':
      assert.fail('a new payment must tell the payer what to do next (nextAction is none)');
  }
}

async function assertRejectsWith(fn: () => Promise<unknown>, name: PaymentErrorName, why: string): Promise<void> {
  try {
    await fn();
  } catch (error) {
    assert.ok(
      isPaymentError(error, name),
      `${why}: expected ${name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    return;
  }
  assert.fail(`${why}: expected ${name}, but the call succeeded`);
}
