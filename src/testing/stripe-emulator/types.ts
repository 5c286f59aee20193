/**
 * The public types of the Stripe emulator: its options, the running emulator and its controls.
 * @module
 */
import type { FailureFault, FaultScope } from './faults.js';
import type { FailPaymentOptions } from './payment-intents.js';
import type { EmulatedRefundStatus } from './refunds.js';
import type { DeliveryAnswer, EmulatedPaymentRef } from '../emulated-payment-ref.js';
import type { EmulatedObject, StripeJson } from './store.js';

/** Options of {@link startStripeEmulator}. */
export interface StripeEmulatorOptions {
  /** Port to listen on. @default 0 (a free port) */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Endpoint secret `webhookFor` signs with. @default 'whsec_stripe_emulator' */
  webhookSecret?: string;
  /** The only API key accepted. @default any `sk_test_…`, `sk_live_…`, `rk_test_…` or `rk_live_…` key */
  apiKey?: string;
  /** `api_version` written into events. @default '2026-10-28.endive' */
  apiVersion?: string;
}

/** One request as the emulator saw it. */
export interface EmulatorRequestLogEntry {
  /** HTTP method. */
  method: string;
  /** Request path. */
  path: string;
  /** The request's `Idempotency-Key`, if any. */
  idempotencyKey: string | null;
  /** HTTP status sent, or `null` when the connection was dropped. */
  status: number | null;
  /** Whether the response was an idempotent replay. */
  replayed: boolean;
}

/** A webhook produced by {@link StripeEmulator.webhookFor}. */
export interface EmulatedWebhook {
  /** The Stripe event object. */
  event: StripeJson;
  /** The exact signed bytes. */
  rawBody: string;
  /** The headers to send with it. */
  headers: {
    /** `t=<unix seconds>,v1=<HMAC-SHA256 hex>` with the emulator's `webhookSecret`. */
    'stripe-signature': string;
  };
}

/** A running emulator. */
export interface StripeEmulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Host name. */
  readonly host: string;
  /** Port. */
  readonly port: number;
  /** Protocol. */
  readonly protocol: 'http';
  /** Spread into `new Stripe(key, { ...emulator.sdkOptions })` or `createStripeProvider({ ...emulator.sdkOptions })`. */
  readonly sdkOptions: {
    /** `127.0.0.1`. */
    host: string;
    /** The port the emulator listens on. */
    port: number;
    /** Plain HTTP: the emulator has no certificate. */
    protocol: 'http';
    /** No telemetry headers to Stripe. */
    telemetry: false;
  };
  /** The secret `webhookFor` signs with. */
  readonly webhookSecret: string;
  /** Every request received so far, including refused and dropped ones. */
  readonly requestCount: number;
  /** The request log, oldest first. */
  readonly requests: readonly EmulatorRequestLogEntry[];
  /** Stops the server and closes every connection. */
  close(): Promise<void>;

  /**
   * The payer pays: a PaymentIntent succeeds; a Checkout Session completes `paid` with its PaymentIntent and
   * charge. Name the payment by id, `{ attemptId }` or `{ orderId }` (the DTO `createCharge` returns).
   */
  succeedPayment(payment: EmulatedPaymentRef): EmulatedPaymentIntent | EmulatedCheckoutSession;
  /** The payment fails (decline). A session completes `unpaid` with a failed PaymentIntent (async method failing). */
  failPayment(
    payment: EmulatedPaymentRef,
    options?: FailPaymentOptions,
  ): EmulatedPaymentIntent | EmulatedCheckoutSession;
  /** The payment is processing; a session completes `unpaid`. */
  processPayment(payment: EmulatedPaymentRef): EmulatedPaymentIntent | EmulatedCheckoutSession;
  /**
   * A refund made in the Stripe dashboard: no metadata, not through the adapter. Refunds the rest when `amount`
   * is unset. A session (or `{ attemptId }` / `{ orderId }`) refunds its PaymentIntent.
   */
  createDashboardRefund(payment: EmulatedPaymentRef, amount?: number): EmulatedRefund;
  /** Moves a refund to another status (a `failed`/`canceled` refund gives the money back to the charge). */
  updateRefund(refundId: string, status: EmulatedRefundStatus, failureReason?: string): EmulatedRefund;
  /** A copy of the stored object, or `undefined`. */
  get(id: string): EmulatedObject | undefined;
  /** Copies of every stored object of a kind (`payment_intent`, `checkout.session`, `charge`, `refund`), oldest first. */
  list(kind: 'payment_intent'): EmulatedPaymentIntent[];
  /** Copies of every stored object of a kind, oldest first. */
  list(kind: 'checkout.session'): EmulatedCheckoutSession[];
  /** Copies of every stored object of a kind, oldest first. */
  list(kind: 'charge'): EmulatedCharge[];
  /** Copies of every stored object of a kind, oldest first. */
  list(kind: 'refund'): EmulatedRefund[];
  /** Copies of every stored object of a kind, oldest first. */
  list(kind: string): EmulatedObject[];

  /**
   * A signed webhook of `type` about the object `payment` names (an id, `{ attemptId }` or `{ orderId }`), built
   * from its current state. Accepts the id a test holds: `payment_intent.*` with a session id uses its PaymentIntent; `charge.*` with a
   * PaymentIntent or session id uses the latest charge; `refund.*` needs a refund id.
   */
  webhookFor(
    payment: EmulatedPaymentRef,
    type: string,
    options?: { secret?: string; timestamp?: Date | number },
  ): EmulatedWebhook;
  /** POSTs a webhook to `url` as Stripe would and returns the receiver's answer. */
  deliverWebhook(url: string, webhook: EmulatedWebhook): Promise<DeliveryAnswer>;

  /** Answers the next matching request(s) with an error without acting (5xx, 429, 402, …). */
  failNext(fault: FailureFault): void;
  /** Acts on the next matching request(s), then waits `ms` before answering (to provoke client timeouts). */
  delayNext(ms: number, scope?: FaultScope): void;
  /** Acts on the next matching request(s), then destroys the socket without answering. */
  dropConnectionAfterActing(scope?: FaultScope): void;
  /** Forgets pending faults. */
  clearFaults(): void;
}

/** The fields of an emulated PaymentIntent tests usually read (the object has Stripe's other fields too). */
export interface EmulatedPaymentIntent extends EmulatedObject {
  /** Object kind, as the provider names it. */
  object: 'payment_intent';
  /** Amount in minor units of `currency`. */
  amount: number;
  /** Minor units captured. */
  amount_received: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: string;
  /** Client secret for Stripe.js. */
  client_secret: string;
  /** Latest charge id, once paid. */
  latest_charge: string | null;
  /** String key/value metadata. */
  metadata: Record<string, string>;
  /** Whether this is live (not test) mode. */
  livemode: boolean;
}

/** The fields of an emulated Checkout Session tests usually read. */
export interface EmulatedCheckoutSession extends EmulatedObject {
  /** Object kind, as the provider names it. */
  object: 'checkout.session';
  /** Total in minor units. */
  amount_total: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: 'open' | 'complete' | 'expired';
  /** Whether the session is paid. */
  payment_status: 'paid' | 'unpaid';
  /** The PaymentIntent id. */
  payment_intent: string | null;
  /** The client reference (our order id). */
  client_reference_id: string | null;
  /** URL. */
  url: string | null;
  /** Where the payer returns after paying. */
  success_url: string;
  /** Where the payer returns after canceling. */
  cancel_url: string | null;
  /** When the payment expires. */
  expires_at: number;
  /** String key/value metadata. */
  metadata: Record<string, string>;
  /** Whether this is live (not test) mode. */
  livemode: boolean;
}

/** The fields of an emulated charge tests usually read. */
export interface EmulatedCharge extends EmulatedObject {
  /** Object kind, as the provider names it. */
  object: 'charge';
  /** Amount in minor units of `currency`. */
  amount: number;
  /** Minor units refunded so far. */
  amount_refunded: number;
  /** Whether it is fully refunded. */
  refunded: boolean;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: 'succeeded' | 'failed';
  /** The PaymentIntent id. */
  payment_intent: string;
  /** String key/value metadata. */
  metadata: Record<string, string>;
}

/** The fields of an emulated refund tests usually read. */
export interface EmulatedRefund extends EmulatedObject {
  /** Object kind, as the provider names it. */
  object: 'refund';
  /** Amount in minor units of `currency`. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: EmulatedRefundStatus;
  /** The charge refunded. */
  charge: string;
  /** The PaymentIntent id. */
  payment_intent: string | null;
  /** Why the refund was made. */
  reason: string | null;
  /** String key/value metadata. */
  metadata: Record<string, string>;
}
