/**
 * The records the repository ports store and return: orders, payment attempts, the webhook event journal
 * and the refund ledger. Money is integer minor units plus an upper-case ISO 4217 code; statuses are string
 * unions (the SQL status codes of the original tables are a concern of the Kysely implementation only).
 *
 * `New*` types are what `create`/`insert` accept, `*Patch` types what `update`/`updateStatus` may change.
 * Fields typed `unknown` on input are stored as JSON text (`JSON.stringify` semantics: a `Date` becomes its
 * ISO string) and read back parsed, as {@link JsonValue}.
 * @module
 */
import type { RefundStatus } from '../core/types.js';

export type { RefundStatus } from '../core/types.js';

/** A JSON value as read back from a JSON column. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Lifecycle of an order (SQL codes 501 init, 504 pending, 502 paid, 503 refunded, 505 timeout). */
export type OrderStatus = 'init' | 'pending' | 'paid' | 'refunded' | 'timeout';

/** Every {@link OrderStatus}, in lifecycle order. */
export const ORDER_STATUSES: readonly OrderStatus[] = ['init', 'pending', 'paid', 'refunded', 'timeout'];

/** Lifecycle of one payment attempt (SQL codes 0 pending, 1 paid, 2 refunded, 3 closed, 4 failed). */
export type AttemptStatus = 'pending' | 'paid' | 'refunded' | 'closed' | 'failed';

/** Every {@link AttemptStatus}. */
export const ATTEMPT_STATUSES: readonly AttemptStatus[] = ['pending', 'paid', 'refunded', 'closed', 'failed'];

/** Every {@link RefundStatus}. */
export const REFUND_STATUSES: readonly RefundStatus[] = ['pending', 'succeeded', 'failed', 'canceled'];

/**
 * What became of a journalled provider event. `received` until the service settles it; `null` only for
 * rows adopted from a system that had no journal.
 */
export type EventOutcome = 'received' | 'applied' | 'duplicate' | 'ignored' | 'rejected';

/** Every {@link EventOutcome}. */
export const EVENT_OUTCOMES: readonly EventOutcome[] = ['received', 'applied', 'duplicate', 'ignored', 'rejected'];

/**
 * One order: what the user buys and three amounts, all integer minor units of {@link OrderRecord.currency}:
 *
 * | field | meaning | original column |
 * | --- | --- | --- |
 * | `listAmount` | list price, before campaigns and coupons | `payable_price` |
 * | `payableAmount` | amount due after discounts: what a charge collects; set when the order is created | `paid_price` |
 * | `paidAmount` | amount captured (0 until paid) | `captured_price` (new; rows without one: the amount due once paid, else 0) |
 *
 * The original system's column names are misleading (`payable_price` is the list price, `paid_price` what is
 * due); the field names here say what each amount means, and `docs/migration.md` maps them column by column.
 */
export interface OrderRecord {
  /** Our order id (`order_bid`). */
  orderId: string;
  /** Buyer (`user_bid`). */
  userId: string;
  /** Product (`shifu_bid`). */
  productId: string;
  /** List price before discounts, integer minor units (original column `payable_price`). */
  listAmount: number;
  /** Amount due after discounts, what a charge collects, integer minor units (original column `paid_price`). */
  payableAmount: number;
  /** Amount captured, integer minor units (0 until paid). */
  paidAmount: number;
  /**
   * Upper-case ISO 4217 code. Rows of the original system have none: they read as the currency of their own
   * attempts (Stripe rows carry one, Ping++ is CNY), else the configured legacy currency (default `CNY`).
   */
  currency: string;
  /** Provider instance name that takes (or took) the payment, e.g. `pingxx`, `stripe`. */
  paymentChannel: string;
  /**
   * The seller whose order this is (`creator_bid`), as snapshotted at charge time; `null` when none was
   * recorded (the platform's own products, or an order not yet charged). Rows of the original system keep the
   * value they had: it names the product's creator, whichever account collected.
   */
  sellerId: string | null;
  /**
   * The merchant account version the latest charge collected into (`payment_integration_bid`, DESIGN §12);
   * `null` for the platform's own provider accounts. An empty string in an adopted row reads as `null`.
   */
  merchantAccountVersion: string | null;
  /** Current status. */
  status: OrderStatus;
  /** When the row was created. */
  createdAt: Date;
  /** When the row was last changed. */
  updatedAt: Date;
}

/** Input of `OrderRepository.create`. */
export interface NewOrder {
  /** Our order id. */
  orderId: string;
  /** The paying user. */
  userId: string;
  /** The product bought. */
  productId: string;
  /** Amount due after discounts (what a charge collects), integer minor units, ≥ 0. */
  payableAmount: number;
  /** List price before discounts, integer minor units, ≥ 0. @default payableAmount */
  listAmount?: number;
  /** Amount captured, integer minor units, ≥ 0. @default 0 */
  paidAmount?: number;
  /** ISO 4217 code, any case (stored upper-case). */
  currency: string;
  /** @default 'pingxx' (the original system's column default) */
  paymentChannel?: string;
  /** @default 'init' */
  status?: OrderStatus;
  /** @default the repository clock's now */
  createdAt?: Date;
}

/** Fields `OrderRepository.update` and guarded status updates may change. */
export interface OrderPatch {
  /** List price in minor units. */
  listAmount?: number;
  /** Amount due in minor units. */
  payableAmount?: number;
  /** Amount paid in minor units. */
  paidAmount?: number;
  /** ISO 4217 currency code. */
  currency?: string;
  /** Provider instance the order is paid through. */
  paymentChannel?: string;
  /** The seller snapshot (`creator_bid`); `null` clears it. */
  sellerId?: string | null;
  /** The merchant account version snapshot (`payment_integration_bid`); `null` = the platform's accounts. */
  merchantAccountVersion?: string | null;
}

/**
 * Which merchant account an attempt collects into, snapshotted when the attempt is opened (DESIGN §12):
 * `versionId` is the account version (`payment_integration_bid`), `null` for the platform's own provider
 * accounts; `sellerId` is the seller (`creator_bid`), `null` for the platform's own products.
 */
export interface MerchantAccountSnapshot {
  /** The seller (`creator_bid`), or `null`. */
  sellerId: string | null;
  /** The account version (`payment_integration_bid`), or `null` for the platform's own accounts. */
  versionId: string | null;
}

/**
 * One attempt to collect an order's money through one provider: a Ping++ charge, a Stripe PaymentIntent or
 * Checkout Session, an Alipay or WeChat Pay trade, or a payment on any other adapter. Stored per provider
 * kind: `pingxx` attempts in `order_pingxx_orders`, `stripe` attempts in `order_stripe_orders`, `alipay`
 * in `order_alipay_orders`, `wechatpay` in `order_wechatpay_orders`, every other kind in
 * `order_payment_attempts`.
 */
export interface AttemptRecord {
  /** Our attempt id (`pingxx_order_bid` / `stripe_order_bid`): Ping++ `order_no`, Stripe idempotency key. */
  attemptId: string;
  /** Our order id. */
  orderId: string;
  /** Adapter kind (`pingxx`, `stripe`, `fake`, …); selects the table. */
  providerKind: string;
  /** Provider instance name (registry key), e.g. `stripe-eu`. Rows without one read as the kind. */
  provider: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel: string;
  /** The order's buyer (`user_bid`), stored on the attempt row as the original system did. */
  userId: string | null;
  /** The order's product (`shifu_bid`), stored on the attempt row as the original system did. */
  productId: string | null;
  /**
   * Charge id, PaymentIntent id or Checkout Session id. Rows adopted from the original tables have none
   * stored and read the kind's natural id instead (Ping++ `charge_id`; Stripe `checkout_session_id` for
   * the `checkout_session` channel, else `payment_intent_id`).
   */
  providerReference: string | null;
  /** Integer minor units. */
  amount: number;
  /** Upper-case ISO 4217 code. */
  currency: string;
  /** Current status. */
  status: AttemptStatus;
  /** The payer's IP address. */
  clientIp: string | null;
  /** When the payment expires. */
  expiresAt: Date | null;
  /** Whether the provider object is live, once known. */
  livemode: boolean | null;
  /** The normalised creation result without `raw` (next action, QR link, …), as JSON. */
  result: JsonValue | null;
  /**
   * The provider's own object for this attempt, as JSON: the Ping++ charge, the Stripe PaymentIntent, or (for
   * Checkout attempts) the Checkout Session. Never a webhook envelope: events stay in the journal.
   */
  raw: JsonValue | null;
  /** Metadata sent to the provider. */
  metadata: Record<string, string> | null;
  /** Channel extras sent to the provider (Ping++ `extra`). */
  extra: JsonValue | null;
  /** The provider's failure code, when failed. */
  failureCode: string | null;
  /** The provider's failure message, when failed. */
  failureMessage: string | null;
  /** Stripe only: the PaymentIntent (also behind a Checkout Session once known). */
  paymentIntentId: string | null;
  /** Stripe only. */
  checkoutSessionId: string | null;
  /** Stripe only. */
  latestChargeId: string | null;
  /** Stripe only. */
  receiptUrl: string | null;
  /** Stripe only: the payment method id. */
  paymentMethod: string | null;
  /** Ping++ only: the charge id (`ch_…`). */
  chargeId: string | null;
  /** Ping++ only: the Ping++ app id. */
  appId: string | null;
  /**
   * Alipay and WeChat Pay only: the provider's own payment id once known (Alipay `trade_no`, WeChat Pay
   * `transaction_id`). The attempt's `providerReference` is our `out_trade_no` (= `attemptId`).
   */
  transactionId: string | null;
  /**
   * Alipay and WeChat Pay only: the provider's own status word as last reported (Alipay `trade_status`, WeChat
   * Pay `trade_state`: `TRADE_SUCCESS`, `NOTPAY`, …), the original's `raw_status`.
   */
  rawStatus: string | null;
  /**
   * Alipay and WeChat Pay only: the create request as sent (the original's `raw_request`): the request body
   * without signature or credentials, bounded in size (see `docs/persistence.md`).
   */
  rawRequest: JsonValue | null;
  /**
   * Alipay and WeChat Pay only: the last verified notification that changed the attempt (the original's
   * `raw_notification`): WeChat Pay's decrypted `resource`, Alipay's form fields without `sign`; bounded in size.
   */
  rawNotification: JsonValue | null;
  /**
   * The merchant account this attempt collects into, snapshotted when it was opened; every later call for it
   * (webhook, retrieve, refund, reconcile) uses exactly that version. `null` when the attempt row has no
   * snapshot (written before migration 0007 or by the original system): the order's snapshot applies.
   */
  merchantAccount: MerchantAccountSnapshot | null;
  /** When the row was created. */
  createdAt: Date;
  /** When the row was last changed. */
  updatedAt: Date;
  /** When it was paid. */
  paidAt: Date | null;
  /** When it was fully refunded. */
  refundedAt: Date | null;
  /** When it was closed. */
  closedAt: Date | null;
  /** When it failed. */
  failedAt: Date | null;
}

/** Fields of {@link AttemptRecord} stored only for the `stripe` kind. */
export const STRIPE_ATTEMPT_FIELDS = [
  'paymentIntentId',
  'checkoutSessionId',
  'latestChargeId',
  'receiptUrl',
  'paymentMethod',
] as const satisfies readonly (keyof AttemptRecord)[];

/** Fields of {@link AttemptRecord} stored only for the `pingxx` kind. */
export const PINGXX_ATTEMPT_FIELDS = ['chargeId', 'appId'] as const satisfies readonly (keyof AttemptRecord)[];

/** Fields of {@link AttemptRecord} stored only for the native `alipay` and `wechatpay` kinds. */
export const NATIVE_ATTEMPT_FIELDS = [
  'transactionId',
  'rawStatus',
  'rawRequest',
  'rawNotification',
] as const satisfies readonly (keyof AttemptRecord)[];

/** Provider kinds whose attempts store {@link NATIVE_ATTEMPT_FIELDS}. */
export const NATIVE_ATTEMPT_KINDS: readonly string[] = ['alipay', 'wechatpay'];

/**
 * Fields `AttemptRepository.update` and guarded status updates may change. `null` clears a field.
 * Kind-specific fields ({@link STRIPE_ATTEMPT_FIELDS}, {@link PINGXX_ATTEMPT_FIELDS},
 * {@link NATIVE_ATTEMPT_FIELDS}) are refused for other kinds rather than silently dropped.
 */
export interface AttemptPatch {
  /** The paying user. */
  userId?: string | null;
  /** The product bought. */
  productId?: string | null;
  /** The provider's id for the payment (charge, PaymentIntent or Checkout Session id). */
  providerReference?: string | null;
  /** The payer's IP address. */
  clientIp?: string | null;
  /** When the payment expires. */
  expiresAt?: Date | null;
  /** Whether this is live (not test) mode. */
  livemode?: boolean | null;
  /** The normalised creation result, as stored. */
  result?: unknown;
  /** The provider object, as received. */
  raw?: unknown;
  /** String key/value metadata. */
  metadata?: Record<string, string> | null;
  /** Channel-specific parameters. */
  extra?: unknown;
  /** The provider's failure code, when failed. */
  failureCode?: string | null;
  /** The provider's failure message, when failed. */
  failureMessage?: string | null;
  /** Stripe PaymentIntent id. */
  paymentIntentId?: string | null;
  /** Stripe Checkout Session id. */
  checkoutSessionId?: string | null;
  /** Stripe's latest charge id. */
  latestChargeId?: string | null;
  /** Stripe receipt URL. */
  receiptUrl?: string | null;
  /** Payment method used. */
  paymentMethod?: string | null;
  /** Ping++ charge id. */
  chargeId?: string | null;
  /** Ping++ app id (`app_…`). */
  appId?: string | null;
  /** Alipay `trade_no` / WeChat Pay `transaction_id`. */
  transactionId?: string | null;
  /** Alipay / WeChat Pay status word (`trade_status` / `trade_state`). */
  rawStatus?: string | null;
  /** Alipay / WeChat Pay create request as sent, without signature or credentials. */
  rawRequest?: unknown;
  /** Alipay / WeChat Pay: the last verified notification that changed the attempt. */
  rawNotification?: unknown;
  /** The merchant account snapshot (see {@link AttemptRecord.merchantAccount}). */
  merchantAccount?: MerchantAccountSnapshot | null;
  /** When it was paid. */
  paidAt?: Date | null;
  /** When it was fully refunded. */
  refundedAt?: Date | null;
  /** When it was closed. */
  closedAt?: Date | null;
  /** When it failed. */
  failedAt?: Date | null;
}

/** Input of `AttemptRepository.create`. */
export interface NewAttempt extends AttemptPatch {
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string;
  /** Our order id. */
  orderId: string;
  /** Adapter kind (`stripe`, `pingxx`, …). */
  providerKind: string;
  /** @default providerKind */
  provider?: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel: string;
  /** Integer minor units, ≥ 0. */
  amount: number;
  /** ISO 4217 code, any case. */
  currency: string;
  /** @default 'pending' */
  status?: AttemptStatus;
  /** @default the repository clock's now */
  createdAt?: Date;
}

/** One journalled provider event (a verified webhook or a synthetic pull), unique per (provider, eventId). */
export interface PaymentEventRecord {
  /** Provider instance name. */
  provider: string;
  /** Provider event id. */
  eventId: string;
  /** Normalised type (`payment.succeeded`, …, `unsupported`). */
  type: string;
  /** The provider's own type, e.g. `checkout.session.completed`. */
  providerEventType: string;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string | null;
  /** Our order id. */
  orderId: string | null;
  /** How the event was handled (`applied`, `duplicate`, `ignored`, `rejected`). */
  outcome: EventOutcome | null;
  /** Why the outcome (a rejection reason, an anomaly). Never a secret. */
  detail: string | null;
  /** The event as received, as JSON. */
  payload: JsonValue | null;
  /**
   * Hash of the verified webhook payload (`sha256:<hex>`, see `eventPayloadHash`); `null` for synthetic
   * events (pulls, creation results, refund-call claims) and rows journalled before migration 0003.
   */
  payloadHash: string | null;
  /** When it arrived. */
  receivedAt: Date;
  /** When handling finished. */
  processedAt: Date | null;
}

/** Input of `PaymentEventRepository.insert`. */
export interface NewPaymentEvent {
  /** Provider instance name (registry key). */
  provider: string;
  /** The provider's event id (unique per provider). */
  eventId: string;
  /** The normalised event type (`payment.succeeded`, `refund.succeeded`, …; a `PaymentEventType`). */
  type: string;
  /** The provider's own event type (e.g. `checkout.session.completed`). */
  providerEventType: string;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId?: string | null;
  /** Our order id. */
  orderId?: string | null;
  /** @default 'received' */
  outcome?: EventOutcome;
  /** Why the event was ignored or rejected. */
  detail?: string | null;
  /** The verified event body. */
  payload?: unknown;
  /**
   * Hash of the verified payload. When both this and the stored row's hash are set and differ, `insert`
   * answers `conflict` instead of `duplicate`. @default null (never compared)
   */
  payloadHash?: string | null;
  /** @default the repository clock's now */
  receivedAt?: Date;
  /**
   * When the event was processed, for a row written with its final `outcome` (the service journals an event
   * once its work is done, in the same transaction). @default null
   */
  processedAt?: Date | null;
}

/** One refund in the ledger, ours or initiated at the provider. */
export interface RefundRecord {
  /** Our refund id: the provider idempotency key. Unique. */
  refundId: string;
  /** The provider's refund id (`re_…`); unique per provider once set. */
  providerRefundId: string | null;
  /** Our order id. */
  orderId: string;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string;
  /** Provider instance name. */
  provider: string;
  /** Integer minor units, > 0. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: RefundStatus;
  /** Why the refund was made. */
  reason: string | null;
  /** The provider object, as received. */
  raw: JsonValue | null;
  /** When the row was created. */
  createdAt: Date;
  /** When the row was last changed. */
  updatedAt: Date;
}

/** Fields `RefundRepository.update` and guarded status updates may change. */
export interface RefundPatch {
  /** The provider's refund id. */
  providerRefundId?: string | null;
  /** Why the refund was made. */
  reason?: string | null;
  /** The provider object, as received. */
  raw?: unknown;
}

/** Input of `RefundRepository.create`. */
export interface NewRefund extends RefundPatch {
  /** Our refund id. */
  refundId: string;
  /** Our order id. */
  orderId: string;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string;
  /** Provider instance name (registry key). */
  provider: string;
  /** Integer minor units, > 0. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** @default 'pending' */
  status?: RefundStatus;
  /** @default the repository clock's now */
  createdAt?: Date;
}
