/**
 * A scriptable in-memory payment provider. It implements the whole {@link PaymentProvider} contract
 * (idempotency per attempt and refund id, signed webhooks, retrieve, partial refunds) with no network,
 * so hosts can test their flows and failure handling, and adapter authors can read a complete adapter
 * in one file.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import {
  IndeterminateOutcomeError,
  ProviderDeclinedError,
  ProviderUnavailableError,
  ValidationError,
  WebhookVerificationError,
} from '../core/errors.js';
import { normalizeCurrency } from '../core/money.js';
import type { PaymentProvider } from '../core/provider.js';
import { echo } from '../core/input-guards.js';
import {
  guardPaymentRequest,
  guardRefundRequest,
  guardRetrieveRequest,
  guardWebhookInput,
} from '../core/provider-input.js';
import type {
  NextAction,
  PaymentCreationResult,
  PaymentEvent,
  PaymentEventType,
  PaymentRequest,
  PaymentSnapshot,
  PaymentStatus,
  ProviderCapabilities,
  ProviderRefund,
  RefundRequest,
  RefundResult,
  RetrievePaymentRequest,
  WebhookInput,
} from '../core/types.js';
import { getHeader, requireJsonObjectStart, requireRawBody } from '../core/webhook-input.js';
import { randomHex, utf8Decode } from '../core/web-crypto.js';
import type { EmulatedPaymentRef } from './emulated-payment-ref.js';
import { requireNodeBuiltin } from './node-only.js';

/** What the next scripted call does. */
export type FakeBehaviour =
  /** Create the payment and wait for the payer (QR / redirect). The default. */
  | 'require_action'
  /** Create the payment already paid. */
  | 'succeed'
  /** Refuse for good: `ProviderDeclinedError`. */
  | 'decline'
  /** Do nothing remotely and throw `ProviderUnavailableError`. */
  | 'unavailable'
  /** Act (create / refund) and then throw `IndeterminateOutcomeError`, like a timeout after sending. */
  | 'indeterminate';

/** Options of {@link createFakeProvider}. */
export interface FakeProviderOptions {
  /** @default 'fake' */
  name?: string;
  /** @default 'fake' */
  kind?: string;
  /** @default ['fake_qr', 'fake_redirect'] */
  channels?: readonly string[];
  /** @default 'fake_qr' */
  defaultChannel?: string | null;
  /** @default 'any' */
  currencies?: readonly string[] | 'any';
  /** HMAC secret of the fake's webhooks. @default 'fake_webhook_secret' */
  webhookSecret?: string;
  /** @default false */
  livemode?: boolean;
  /** Override capabilities (e.g. to test that the factory refuses partial refunds). */
  capabilities?: Partial<Omit<ProviderCapabilities, 'kind'>>;
}

/** One remote payment held by the fake. */
export interface FakePayment {
  /** Identifier. */
  id: string;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string;
  /** Our order id. */
  orderId: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel: string;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: PaymentStatus;
  /** Refund ledger. */
  refunds: ProviderRefund[];
  /** When it was paid. */
  paidAt: Date | null;
  /** The request that caused it. */
  request: PaymentRequest;
}

/** A fake provider plus its controls. */
export interface FakeProvider extends PaymentProvider {
  /** Queue behaviours for the next `createPayment` calls (FIFO). */
  scriptCreate(...behaviours: FakeBehaviour[]): void;
  /** Queue behaviours for the next `refundPayment` calls (FIFO). */
  scriptRefund(...behaviours: Exclude<FakeBehaviour, 'require_action' | 'succeed'>[]): void;
  /**
   * Marks a payment paid: by provider reference or attempt id (a string), `{ attemptId }`, or `{ orderId }` (the
   * order's latest payment; the DTO `createCharge` returns is one).
   */
  pay(payment: EmulatedPaymentRef): FakePayment;
  /** Marks a payment failed. */
  fail(payment: EmulatedPaymentRef): FakePayment;
  /** Builds a signed webhook about a payment, as the provider would send it. */
  webhook(
    payment: EmulatedPaymentRef,
    type?: PaymentEventType,
    overrides?: Partial<{ eventId: string; amount: number; currency: string; livemode: boolean }>,
  ): {
    /** The body, byte for byte as signed: pass it unchanged to the handler or `handleWebhook`. */
    rawBody: string;
    /** The signature header (`x-fake-signature`). */
    headers: Record<string, string>;
    /** The event id, the journal key a redelivery is recognised by. */
    eventId: string;
  };
  /** Every payment created, by provider reference. */
  readonly payments: ReadonlyMap<string, FakePayment>;
  /** Every call that reached the "remote" side, in order. */
  readonly calls: ReadonlyArray<{
    /** Which port method reached the "remote" side. */
    method: 'create' | 'retrieve' | 'cancel' | 'refund';
    /** The attempt the call was about (create, retrieve, cancel). */
    attemptId?: string;
    /** The refund id the call carried (refund). */
    refundId?: string;
  }>;
}

const SIGNATURE_HEADER = 'x-fake-signature';

/**
 * Creates a scriptable in-memory provider.
 *
 * @example
 * ```ts
 * const fake = createFakeProvider()
 * const factory = createPaymentFactory({ providers: [fake] })
 * fake.scriptCreate('indeterminate')          // acts, then throws as if the response was lost
 * await expect(factory.createPayment(req)).rejects.toThrow(IndeterminateOutcomeError)
 * const { rawBody, headers } = fake.webhook(req.attemptId, 'payment.succeeded')
 * ```
 */
export function createFakeProvider(options: FakeProviderOptions = {}): FakeProvider {
  const name = options.name ?? 'fake';
  const kind = options.kind ?? 'fake';
  const secret = options.webhookSecret ?? 'fake_webhook_secret';
  const livemode = options.livemode ?? false;
  const capabilities: ProviderCapabilities = {
    kind,
    channels: options.channels ?? ['fake_qr', 'fake_redirect'],
    defaultChannel: options.defaultChannel === undefined ? 'fake_qr' : options.defaultChannel,
    channelAliases: {},
    currencies: options.currencies ?? 'any',
    refunds: { supported: true, partial: true, multiple: true },
    retrieve: true,
    webhookEvents: ['payment.succeeded', 'payment.failed', 'payment.canceled', 'refund.succeeded'],
    ...options.capabilities,
  };
  const payments = new Map<string, FakePayment>();
  const byAttempt = new Map<string, FakePayment>();
  const refundsById = new Map<string, { payment: FakePayment; refund: ProviderRefund }>();
  const createScript: FakeBehaviour[] = [];
  const refundScript: FakeBehaviour[] = [];
  const calls: Array<{ method: 'create' | 'retrieve' | 'cancel' | 'refund'; attemptId?: string; refundId?: string }> =
    [];

  function find(ref: EmulatedPaymentRef): FakePayment {
    const payment =
      typeof ref === 'string'
        ? (payments.get(ref) ?? byAttempt.get(ref))
        : 'attemptId' in ref
          ? byAttempt.get(ref.attemptId)
          : [...payments.values()].filter((p) => p.orderId === ref.orderId).pop(); // the order's latest
    if (!payment) {
      const named = typeof ref === 'string' ? ref : JSON.stringify(ref);
      throw new ValidationError(`No fake payment ${echo(named)}.`, { provider: name, code: 'NO_SUCH_PAYMENT' });
    }
    return payment;
  }

  function nextAction(payment: FakePayment): NextAction {
    if (payment.status === 'succeeded') return { type: 'none' };
    return payment.channel === 'fake_redirect'
      ? { type: 'redirect', url: `https://fake.invalid/pay/${payment.id}` }
      : { type: 'qr_code', content: `fake://pay/${payment.id}` };
  }

  function toResult(payment: FakePayment): PaymentCreationResult {
    const action = nextAction(payment);
    const qrUrl = action.type === 'qr_code' ? action.content : action.type === 'redirect' ? action.url : null;
    const expiresAt = payment.request.expiresAt ?? null;
    const view = {
      provider: name,
      channel: payment.channel,
      attemptId: payment.attemptId,
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
      nextAction: action,
      qrUrl,
      expiresAt,
    };
    return { ...view, providerReference: payment.id, livemode, raw: { ...payment }, public: { ...view } };
  }

  function checkRequest(request: PaymentRequest): void {
    guardPaymentRequest(request, 'createPayment');
    if (!capabilities.channels.includes(request.channel)) {
      throw new ValidationError(`Fake provider has no channel "${echo(request.channel)}".`, {
        field: 'channel',
        provider: name,
      });
    }
  }

  function snapshot(payment: FakePayment): PaymentSnapshot {
    return {
      provider: name,
      channel: payment.channel,
      attemptId: payment.attemptId,
      providerReference: payment.id,
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
      amountRefunded: refundedSum(payment),
      refunds: payment.refunds.map((r) => ({ ...r })),
      livemode,
      paidAt: payment.paidAt,
      raw: { ...payment },
    };
  }

  const provider: FakeProvider = {
    name,
    kind,
    capabilities,
    webhookSignatureHeaders: [SIGNATURE_HEADER],
    payments,
    calls,

    validatePayment: checkRequest,

    async createPayment(request) {
      checkRequest(request);
      const behaviour = createScript.shift() ?? 'require_action';
      if (behaviour === 'unavailable')
        throw new ProviderUnavailableError('Fake provider is unavailable.', { provider: name });
      if (behaviour === 'decline') {
        throw new ProviderDeclinedError('Fake provider declined the payment.', {
          provider: name,
          declineCode: 'fake_declined',
        });
      }
      calls.push({ method: 'create', attemptId: request.attemptId });
      let payment = byAttempt.get(request.attemptId);
      if (!payment) {
        payment = {
          id: `fake_${randomHex(8)}`,
          attemptId: request.attemptId,
          orderId: request.orderId,
          channel: request.channel,
          amount: request.amount,
          currency: normalizeCurrency(request.currency),
          status: behaviour === 'succeed' ? 'succeeded' : 'requires_action',
          refunds: [],
          paidAt: behaviour === 'succeed' ? new Date() : null,
          request,
        };
        payments.set(payment.id, payment);
        byAttempt.set(payment.attemptId, payment);
      } else if (payment.amount !== request.amount || payment.currency !== normalizeCurrency(request.currency)) {
        throw new ValidationError('Attempt id reused with a different amount or currency.', {
          provider: name,
          code: 'IDEMPOTENCY_CONFLICT',
        });
      }
      if (behaviour === 'indeterminate') {
        throw new IndeterminateOutcomeError('Fake provider acted but the response was lost.', { provider: name });
      }
      return toResult(payment);
    },

    async retrievePayment(request: RetrievePaymentRequest) {
      guardRetrieveRequest(request, 'retrievePayment');
      calls.push({ method: 'retrieve', ...(request.attemptId ? { attemptId: request.attemptId } : {}) });
      return snapshot(find(request.providerReference));
    },

    async cancelPayment(request: RetrievePaymentRequest) {
      guardRetrieveRequest(request, 'cancelPayment');
      calls.push({ method: 'cancel', ...(request.attemptId ? { attemptId: request.attemptId } : {}) });
      const payment = find(request.providerReference);
      // Like the real providers: a payment that was paid (or failed) meanwhile is not cancelled.
      if (payment.status === 'requires_action') payment.status = 'canceled';
      return snapshot(payment);
    },

    async refundPayment(request: RefundRequest): Promise<RefundResult> {
      guardRefundRequest(request, 'refundPayment');
      const behaviour = refundScript.shift();
      if (behaviour === 'unavailable')
        throw new ProviderUnavailableError('Fake provider is unavailable.', { provider: name });
      if (behaviour === 'decline')
        throw new ProviderDeclinedError('Fake provider declined the refund.', { provider: name });
      calls.push({ method: 'refund', refundId: request.refundId });
      let entry = refundsById.get(request.refundId);
      if (!entry) {
        const payment = find(request.providerReference);
        if (payment.status !== 'succeeded') {
          throw new ValidationError('Only a paid payment can be refunded.', { provider: name, code: 'NOT_REFUNDABLE' });
        }
        if (refundedSum(payment) + request.amount > payment.amount) {
          throw new ValidationError('Refund exceeds the refundable amount.', {
            provider: name,
            code: 'REFUND_EXCEEDS_PAYMENT',
          });
        }
        const refund: ProviderRefund = {
          providerRefundId: `fakere_${randomHex(8)}`,
          refundId: request.refundId,
          amount: request.amount,
          currency: payment.currency,
          status: 'succeeded',
          reason: request.reason ?? null,
        };
        payment.refunds.push(refund);
        entry = { payment, refund };
        refundsById.set(request.refundId, entry);
      }
      if (behaviour === 'indeterminate') {
        throw new IndeterminateOutcomeError('Fake provider refunded but the response was lost.', { provider: name });
      }
      const { refund } = entry;
      return {
        provider: name,
        refundId: request.refundId,
        providerRefundId: refund.providerRefundId,
        status: refund.status,
        amount: refund.amount,
        currency: refund.currency,
        raw: { ...refund },
      };
    },

    async verifyWebhook(input: WebhookInput): Promise<PaymentEvent> {
      guardWebhookInput(input, 'verifyWebhook');
      const body = requireRawBody(input.rawBody, name);
      requireJsonObjectStart(body, name);
      const header = getHeader(input.headers, SIGNATURE_HEADER);
      if (!header) throw new WebhookVerificationError('Missing fake webhook signature.', { provider: name });
      const { createHmac, timingSafeEqual } = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'the fake provider');
      const expected = createHmac('sha256', secret).update(body).digest();
      const given = Buffer.from(header, 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new WebhookVerificationError('Fake webhook signature does not match.', { provider: name, header });
      }
      const data = JSON.parse(utf8Decode(body)) as FakeWire;
      return {
        provider: name,
        eventId: data.id,
        type: data.type,
        providerEventType: data.type,
        attemptId: data.attemptId,
        orderId: data.orderId,
        providerReference: data.reference,
        amount: data.amount,
        currency: data.currency,
        livemode: data.livemode,
        occurredAt: new Date(data.created),
        refunds: data.refunds,
        failure: data.type === 'payment.failed' ? { code: 'fake_failed', message: 'Fake payment failed.' } : null,
        raw: data,
      };
    },

    scriptCreate(...behaviours) {
      createScript.push(...behaviours);
    },
    scriptRefund(...behaviours) {
      refundScript.push(...behaviours);
    },
    pay(ref) {
      const payment = find(ref);
      payment.status = 'succeeded';
      payment.paidAt ??= new Date();
      return payment;
    },
    fail(ref) {
      const payment = find(ref);
      if (payment.status !== 'succeeded') payment.status = 'failed';
      return payment;
    },
    webhook(ref, type = 'payment.succeeded', overrides = {}) {
      const payment = find(ref);
      const last = type.startsWith('refund.') ? payment.refunds.at(-1) : undefined;
      const wire: FakeWire = {
        id: overrides.eventId ?? `evt_${randomHex(8)}`,
        type,
        attemptId: payment.attemptId,
        orderId: payment.orderId,
        reference: payment.id,
        amount: overrides.amount ?? (last ? last.amount : payment.amount),
        currency: overrides.currency ?? payment.currency,
        livemode: overrides.livemode ?? livemode,
        created: Date.now(),
        refunds: last ? [{ ...last }] : [],
      };
      const rawBody = JSON.stringify(wire);
      const { createHmac } = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'the fake provider');
      const signature = createHmac('sha256', secret).update(rawBody).digest('hex');
      return {
        rawBody,
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
        eventId: wire.id,
      };
    },
  };
  return provider;
}

interface FakeWire {
  id: string;
  type: PaymentEventType;
  attemptId: string;
  orderId: string;
  reference: string;
  amount: number;
  currency: string;
  livemode: boolean;
  created: number;
  refunds: ProviderRefund[];
}

function refundedSum(payment: FakePayment): number {
  return payment.refunds
    .filter((r) => r.status === 'succeeded' || r.status === 'pending')
    .reduce((s, r) => s + r.amount, 0);
}
