import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../../src/core/errors.js';
import type { PaymentProvider } from '../../../src/core/provider.js';
import type { PaymentCreationResult } from '../../../src/core/types.js';
import {
  type ConformanceRunner,
  runProviderConformance,
  signStripeWebhook,
  type StripeEmulator,
} from '../../../src/testing/stripe-testing.js';
import { newId, providerFor, startEmulator, WEBHOOK_SECRET } from './harness.js';

let emulator: StripeEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

/** A runner that records the suite's tests so this test can run them and see which fail. */
function recordingRunner(): { runner: ConformanceRunner; run: () => Promise<Map<string, unknown>> } {
  const tests: Array<{ name: string; fn: () => Promise<void> }> = [];
  const runner: ConformanceRunner = {
    describe: (_name, fn) => fn(),
    it: (name, fn) => tests.push({ name, fn }),
  };
  return {
    runner,
    run: async () => {
      const failures = new Map<string, unknown>();
      for (const test of tests) {
        await test.fn().catch((error: unknown) => failures.set(test.name, error));
      }
      return failures;
    },
  };
}

/** Runs the suite against `provider` and returns the names of the failing checks. */
async function failingChecks(wrap: (real: PaymentProvider) => PaymentProvider): Promise<string[]> {
  const { runner, run } = recordingRunner();
  runProviderConformance({
    name: 'wrapped stripe',
    runner,
    setup: async () => ({ provider: wrap(providerFor(emulator)) }),
    paymentRequest: ({ orderId, attemptId }) => ({
      orderId,
      attemptId,
      amount: 1000,
      currency: 'EUR',
      channel: 'payment_intent',
      subject: 'Course',
    }),
    pay: async (result: PaymentCreationResult) => {
      emulator.succeedPayment(result.providerReference);
    },
    signedWebhook: async (result) => emulator.webhookFor(result.providerReference, 'payment_intent.succeeded'),
    requestCount: () => emulator.requestCount,
  });
  return [...(await run()).keys()];
}

describe('runProviderConformance', () => {
  it('passes the Stripe adapter untouched', async () => {
    expect(await failingChecks((real) => real)).toEqual([]);
  });

  it('catches an adapter that creates a new payment on every retry', async () => {
    const failing = await failingChecks((real) => ({
      ...real,
      createPayment: (request) => real.createPayment({ ...request, attemptId: `${request.attemptId}-${newId()}` }),
    }));
    expect(failing).toContain('returns the same remote payment when create is retried with the same attemptId');
  });

  it('catches an adapter that accepts unverified webhooks', async () => {
    const failing = await failingChecks((real) => ({
      ...real,
      // The bug: it signs whatever arrived with its own secret and then "verifies" it.
      verifyWebhook: (input) => {
        const body = typeof input.rawBody === 'string' ? input.rawBody : Buffer.from(input.rawBody).toString('utf8');
        return real.verifyWebhook({ rawBody: body, headers: signStripeWebhook(body, WEBHOOK_SECRET).headers });
      },
    }));
    expect(failing.sort()).toEqual([
      'refuses a parsed webhook object with RawBodyRequiredError',
      'refuses a tampered webhook body with WebhookVerificationError',
      'refuses an unsigned webhook with WebhookVerificationError',
    ]);
  });

  it('catches an adapter that reports a refused over-refund as a retryable failure', async () => {
    const failing = await failingChecks((real) => ({
      ...real,
      refundPayment: (request) =>
        real.refundPayment(request).catch((error: unknown) => {
          throw new ProviderUnavailableError('try again later', { cause: error });
        }),
    }));
    expect(failing).toEqual(['refunds in parts that sum to the full amount, idempotently, and refuses more']);
  });

  it('catches an adapter that reports a refused over-refund as done', async () => {
    const failing = await failingChecks((real) => ({
      ...real,
      refundPayment: (request) =>
        real.refundPayment(request).catch(() => ({
          provider: real.name,
          refundId: request.refundId,
          providerRefundId: `re_fake_${request.refundId}`,
          status: 'succeeded' as const,
          amount: request.amount,
          currency: request.currency,
          raw: null,
        })),
    }));
    expect(failing).toEqual(['refunds in parts that sum to the full amount, idempotently, and refuses more']);
  });

  it('catches an adapter that calls the provider before validating', async () => {
    const failing = await failingChecks((real) => ({
      ...real,
      createPayment: async (request) => {
        await real.retrievePayment({ providerReference: 'pi_probe' }).catch(() => undefined);
        return real.createPayment(request);
      },
    }));
    expect(failing).toContain('refuses bad input with ValidationError before any network call');
  });
});
