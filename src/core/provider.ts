/**
 * The provider port: what an adapter for one payment provider (Stripe, Ping++, a fake) implements.
 *
 * An adapter instance holds one credential set and its own SDK client, never global SDK state, so two
 * instances (two Stripe accounts) can live in one process. It translates between the normalised types of
 * `types.ts` and its provider, and maps every provider error onto the hierarchy of `errors.ts`.
 *
 * Built-in adapters: `createStripeProvider` (`@org/payment-factory/stripe`), `createPingxxProvider`
 * (`@org/payment-factory/pingxx`), `createAlipayProvider` (`@org/payment-factory/alipay`), `createWechatPayProvider`
 * (`@org/payment-factory/wechatpay`), and `createFakeProvider` (`@org/payment-factory/testing`), the
 * shortest complete example. Certify your own with `runProviderConformance`.
 * @module
 */
import type {
  PaymentCreationResult,
  PaymentEvent,
  PaymentRequest,
  PaymentSnapshot,
  ProviderCapabilities,
  RefundRequest,
  RefundResult,
  RetrievePaymentRequest,
  WebhookInput,
} from './types.js';

/**
 * What the web handler is about to answer one webhook delivery with, handed to
 * {@link PaymentProvider.acknowledgeWebhook} so a provider can shape the answer its sender expects.
 */
export interface WebhookAcknowledgement {
  /** `true` when the delivery was processed (whatever the outcome); `false` when refused or failed. */
  ok: boolean;
  /**
   * The status the default answer uses: 200 when processed, 400 for a bad signature or a parsed body,
   * 503 for a retryable failure (the provider should redeliver), 500 otherwise.
   */
  status: number;
  /** When processed: `applied`, `duplicate`, `ignored` or `rejected`. */
  outcome?: string;
  /** When not processed: the error code (`WEBHOOK_VERIFICATION_FAILED`, …). Never a secret or internal detail. */
  code?: string;
}

/** An HTTP answer to a webhook delivery, as a provider wants it. */
export interface WebhookAnswer {
  /** HTTP status to answer with. */
  status: number;
  /** The exact body text. */
  body: string;
  /** @default 'application/json' */
  contentType?: string;
}

/** Per-call options. */
export interface ProviderCallOptions {
  /** Aborts the call; the adapter must then throw `IndeterminateOutcomeError` if the request was sent. */
  signal?: AbortSignal;
  /**
   * Called by `createPayment` with the request it is about to send (the body, or for SDK calls the method and
   * business parameters), without signature or credentials, once, before sending. The service keeps the native
   * Alipay / WeChat Pay one as the attempt's `raw_request`, also when the call then fails. Adapters may omit it.
   * @default undefined
   */
  onRequest?: (request: Record<string, unknown>) => void;
}

/**
 * A payment provider adapter.
 *
 * Contract (every adapter MUST):
 * - validate input it can check locally (channel, currency, amount, required `extra`) and throw
 *   `ValidationError` **before** any network call;
 * - use `request.attemptId` (and `refund.refundId`) as the provider idempotency key, or as the provider's
 *   own unique order number, so a retried call never creates a second remote payment or refund;
 * - throw `ProviderDeclinedError` for final refusals, `ProviderUnavailableError` when nothing was done
 *   remotely, `IndeterminateOutcomeError` when the provider may have acted (timeout after sending);
 * - put our `attemptId` and `orderId` on the remote object (metadata / order number) so webhooks match;
 * - verify webhooks over the exact raw bytes, throwing `RawBodyRequiredError` for parsed objects and
 *   `WebhookVerificationError` for bad signatures, and normalise unknown event types to `unsupported`;
 * - never put a secret in an error message.
 */
export interface PaymentProvider {
  /** Instance name, the registry key (`stripe`, `pingxx`, `stripe-eu`). Defaults to the kind. */
  readonly name: string;
  /** Provider kind (`stripe`, `pingxx`, …). */
  readonly kind: string;
  /** What this adapter supports. */
  readonly capabilities: ProviderCapabilities;
  /**
   * Request headers that carry this provider's webhook signature (lower-case names), e.g. `stripe-signature`,
   * `x-pingplusplus-signature`, `wechatpay-signature`. When set, `createWebhookHandler` answers a request
   * carrying **none** of them `400 {"error":"WEBHOOK_SIGNATURE_MISSING"}` before reading its body, so an
   * unsigned flood costs no memory. Leave it unset when the signature travels inside the body (native Alipay
   * signs form fields) or when verification is switched off; `verifyWebhook` still decides everything.
   * @default undefined (the body is always read and handed to `verifyWebhook`)
   */
  readonly webhookSignatureHeaders?: readonly string[];
  /**
   * Origins (`https://shop.example`) a per-request redirect URL in `PaymentRequest.extra` (`successUrl`,
   * `cancelUrl`, `resultUrl`, `returnUrl`) may point to. When set, the service refuses any other URL with a
   * `ValidationError` before it writes an attempt or calls the provider, and the adapter refuses it again
   * before sending (see `assertRedirectUrlsAllowed`). Built-in adapters take it as the
   * `allowedRedirectOrigins` option (`PAYMENT_REDIRECT_ORIGINS`), defaulting to the origins of their
   * configured URLs.
   * @default undefined (the adapter sends no caller-supplied redirect URL, or checks them itself)
   */
  readonly allowedRedirectOrigins?: readonly string[];
  /**
   * Checks locally, without any network call, everything {@link createPayment} would refuse before sending
   * (channel, currency, amount, required `extra`, text limits, expiry), throwing the same `ValidationError`.
   * The service calls it before it writes the attempt, so a request the adapter refuses leaves no row.
   * Optional: without it, the refusal comes from `createPayment` and the attempt is recorded `failed`.
   */
  validatePayment?(request: PaymentRequest): void;
  /** Creates one remote payment for one attempt. MUST be idempotent per `attemptId`. */
  createPayment(request: PaymentRequest, options?: ProviderCallOptions): Promise<PaymentCreationResult>;
  /** Fetches the provider's current truth. Required when `capabilities.retrieve`. */
  retrievePayment(request: RetrievePaymentRequest, options?: ProviderCallOptions): Promise<PaymentSnapshot>;
  /**
   * Stops a remote payment from accepting money (Stripe: cancel the PaymentIntent / expire the Checkout
   * Session; Ping++: reverse the charge), then returns the provider's truth. A payment that was paid meanwhile
   * cannot be cancelled: the snapshot then says `succeeded`, and the caller records the money. Optional; the
   * service's `reconcile` calls it before it closes a timed-out attempt.
   */
  cancelPayment?(request: RetrievePaymentRequest, options?: ProviderCallOptions): Promise<PaymentSnapshot>;
  /**
   * Checks locally, without any network call, everything {@link refundPayment} would refuse before sending (the
   * refund id's form, currency, amount), throwing the same `ValidationError`. The service calls it before it writes
   * the refund row, so a refund the adapter refuses leaves no row. Optional: without it, the refusal comes from
   * `refundPayment` and the refund is recorded `failed`.
   */
  validateRefund?(request: RefundRequest): void;
  /** Refunds all or part of a payment. MUST be idempotent per `refundId`. Required when `capabilities.refunds.supported`. */
  refundPayment(request: RefundRequest, options?: ProviderCallOptions): Promise<RefundResult>;
  /** Verifies a webhook and normalises it. Never performs network calls that mutate anything. */
  verifyWebhook(input: WebhookInput): Promise<PaymentEvent>;
  /**
   * Optional: the answer this provider's webhook sender understands. Without it the web handler answers
   * JSON (`{"received":true,"outcome":…}` / `{"error":CODE}`) with {@link WebhookAcknowledgement.status}.
   *
   * Providers differ: Alipay redelivers unless the body is the plain text `success` (so a refusal answers
   * `failure`); WeChat Pay wants `{"code":"SUCCESS"}`, or a 4xx/5xx `{"code":"FAIL","message":…}`.
   * The answer must say nothing internal (no error text, no ids the sender did not send).
   *
   * @example
   * ```ts
   * acknowledgeWebhook: (ack) => ({ status: ack.ok ? 200 : ack.status, body: ack.ok ? 'success' : 'failure', contentType: 'text/plain' })
   * ```
   */
  acknowledgeWebhook?(ack: WebhookAcknowledgement): WebhookAnswer;
}
