/**
 * The normalised domain types every adapter speaks and every flow consumes (DESIGN §3).
 * Amounts are integer minor units with an upper-case ISO 4217 currency, everywhere.
 * @module
 */

/** Built-in provider kinds. Third-party adapters may use any other string. */
export type ProviderKind = 'stripe' | 'pingxx' | (string & {});

/**
 * Channel-specific extras a caller passes with a payment. Ping++ channels need some of these
 * (`wx_pub`/`wx_lite` need `openId`, `wx_pub_qr` needs `productId`, `alipay_wap`/`alipay_pc_direct`
 * need `successUrl`, `upacp_wap`/`upacp_pc` need `resultUrl`); each adapter validates what its channel
 * needs before any network call. Unknown keys are passed through to adapters that accept them.
 *
 * Redirect URLs (`successUrl`, `cancelUrl`, `resultUrl`, `returnUrl`) must point to an origin on the provider's
 * allow-list (`PAYMENT_REDIRECT_ORIGINS`), or the payment is refused with `ValidationError`
 * `REDIRECT_URL_NOT_ALLOWED` before anything is written or sent: `extra` often comes from the browser. Notify URLs
 * never come from here (`notify_url` / `notifyUrl` are ignored); they come from configuration.
 */
export interface PaymentExtra {
  /** WeChat user OpenID (`wx_pub`, `wx_lite`). */
  openId?: string;
  /** Merchant product id shown in the WeChat QR (`wx_pub_qr`). */
  productId?: string;
  /** Where the payer's browser goes after paying (`alipay_wap`, `alipay_pc_direct`, Stripe Checkout). */
  successUrl?: string;
  /** Where the payer's browser goes after giving up (`alipay_wap`, Stripe Checkout). */
  cancelUrl?: string;
  /** Front-end result page (`upacp_wap`, `upacp_pc`, `wx_wap`). */
  resultUrl?: string;
  /** Where the payer's browser returns to (native Alipay page / WAP pay). */
  returnUrl?: string;
  [key: string]: unknown;
}

/** Everything an adapter needs to create one remote payment for one attempt. */
export interface PaymentRequest {
  /** Our order id (`order_bid`). */
  orderId: string;
  /** Our attempt id: Stripe idempotency key + metadata `stripe_order_bid`, Ping++ `order_no`. */
  attemptId: string;
  /** Integer minor units. */
  amount: number;
  /** ISO 4217 code (any case; adapters normalise). */
  currency: string;
  /** Provider sub-channel, e.g. `wx_pub_qr`, `alipay_qr`, `checkout_session`, `payment_intent`. */
  channel: string;
  /** Short title shown to the payer. */
  subject: string;
  /** Longer description. Defaults to `subject`. */
  body?: string;
  /** Payer IP (Ping++ requires one). */
  clientIp?: string;
  /** Our user id (`user_bid`). */
  userId?: string;
  /** Our product id (`shifu_bid`). */
  productId?: string;
  /** Extra metadata passed to the provider (string values). */
  metadata?: Record<string, string>;
  /** Channel-specific extras, see {@link PaymentExtra}. */
  extra?: PaymentExtra;
  /** When the remote payment should stop accepting money. Explicit: refused if the provider cannot honour it. */
  expiresAt?: Date;
  /**
   * The order's payment deadline (`createdAt + PAY_ORDER_EXPIRE_TIME`), sent when `expiresAt` is not. Adapters pass
   * it on as the provider's own expiry where the provider accepts it, and adapt it where it does not (Ping++ clamps
   * it into the channel's 1 minute – maximum window; a Checkout Session gets it only inside Stripe's 30 minutes –
   * 24 hours window, else Stripe's 24 h default). Whatever the provider keeps, `reconcile` cancels or expires the
   * payment at the provider once the order times out.
   */
  orderExpiresAt?: Date;
}

/** What the payer's client must do next. */
export type NextAction =
  | {
      /** Send the payer's browser to `url` (Stripe Checkout, Alipay PC/WAP, UnionPay). */
      type: 'redirect';
      /** The provider's hosted payment page. */
      url: string;
    }
  | {
      /** Show `content` as a QR code for the payer to scan (Alipay / WeChat Pay QR). */
      type: 'qr_code';
      /** The text to encode in the QR code (a URL such as `weixin://wxpay/…`), not an image. */
      content: string;
      /** When the code stops working, if the provider says. */
      expiresAt?: Date;
    }
  | {
      /** Confirm the payment in the browser with Stripe.js / Elements. */
      type: 'client_secret';
      /** The PaymentIntent's client secret: give it to the payer's browser only. */
      clientSecret: string;
      /** The Stripe publishable key (`pk_…`) to initialise Stripe.js with, when configured. */
      publishableKey?: string;
    }
  | {
      /** Call `WeixinJSBridge.invoke('getBrandWCPayRequest', params)` inside WeChat (Ping++ `wx_pub`). */
      type: 'wechat_jsapi';
      /** The signed JSAPI parameters (`appId`, `timeStamp`, `nonceStr`, `package`, `signType`, `paySign`). */
      params: Record<string, string>;
    }
  | {
      /** Hand the provider's charge object to its client SDK (Ping++ app channels: `pingpp.createPayment`). */
      type: 'sdk_credential';
      /** The Ping++ charge object, as the client SDK expects it. */
      charge: Record<string, unknown>;
    }
  | {
      /** Nothing to do: the payment needs no action from the payer (already paid, or free). */
      type: 'none';
    };

/** Normalised status of a remote payment. */
export type PaymentStatus = 'requires_action' | 'pending' | 'processing' | 'succeeded' | 'failed' | 'canceled';

/** The browser-safe view of a creation result: no raw provider object, no server secrets. */
export interface PublicPaymentView {
  /** Provider instance name (registry key). */
  provider: string;
  /** Provider sub-channel actually used. */
  channel: string;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string;
  /** Current status. */
  status: PaymentStatus;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** Upper-case ISO 4217. */
  currency: string;
  /** What the payer does next. */
  nextAction: NextAction;
  /** Legacy single string for old clients: QR link, Stripe client secret or Checkout URL. */
  qrUrl: string | null;
  /** When the payment expires. */
  expiresAt: Date | null;
}

/** The normalised outcome of {@link PaymentProvider.createPayment}: the public view plus server-side facts. */
export interface PaymentCreationResult extends PublicPaymentView {
  /** Charge id (Ping++), PaymentIntent id or Checkout Session id (Stripe). */
  providerReference: string;
  /** Whether the provider object is live (production) rather than test mode. */
  livemode: boolean;
  /** The provider's object as returned. Server-side only. */
  raw: unknown;
  /** Browser-safe subset. */
  public: PublicPaymentView;
}

/** Normalised kinds of provider event. Unknown provider events are `unsupported`, never an error. */
export type PaymentEventType =
  | 'payment.succeeded'
  | 'payment.failed'
  | 'payment.canceled'
  | 'payment.pending'
  | 'refund.succeeded'
  | 'refund.failed'
  | 'unsupported';

/** One refund as reported by a provider event or snapshot. */
export interface ProviderRefund {
  /** Provider refund id (`re_…`). */
  providerRefundId: string;
  /** Our refund id when the refund was created through us (from metadata), else null. */
  refundId: string | null;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Current status. */
  status: RefundStatus;
  /** Why the refund was made. */
  reason: string | null;
}

/** A verified webhook or a status pull, normalised. */
export interface PaymentEvent {
  /** Provider instance name. */
  provider: string;
  /** Provider event id (unique per provider); synthetic and deterministic for pulls. */
  eventId: string;
  /** What happened, in the library's terms (`payment.succeeded`, `refund.succeeded`, … or `unsupported`). */
  type: PaymentEventType;
  /** The provider's own event type, e.g. `checkout.session.completed`. */
  providerEventType: string;
  /** Our attempt id, when the provider object carries it (metadata / order_no). */
  attemptId: string | null;
  /** Our order id, when the provider object carries it. */
  orderId: string | null;
  /** Charge id, PaymentIntent id or Checkout Session id the event is about. */
  providerReference: string | null;
  /** Amount of the payment (payment events) or of the refund (refund events), minor units. */
  amount: number | null;
  /** ISO 4217 currency code. */
  currency: string | null;
  /** Whether this is live (not test) mode. */
  livemode: boolean;
  /** When the provider says it happened. */
  occurredAt: Date;
  /** Refunds carried by the event (refund events, `charge.refunded`). */
  refunds: ProviderRefund[];
  /** Failure code/message for failed payments. */
  failure: {
    /** The provider's failure or decline code (`card_declined`, Ping++ `failure_code`), when it gives one. */
    code: string | null;
    /** The provider's failure message, when it gives one. */
    message: string | null;
  } | null;
  /** The provider object, as received. */
  raw: unknown;
}

/** Status of a refund. */
export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

/** A refund order for {@link PaymentProvider.refundPayment}. */
export interface RefundRequest {
  /** Our refund id; the idempotency key of the refund. */
  refundId: string;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string;
  /** Charge id or PaymentIntent id (for Stripe Checkout, the session's PaymentIntent). */
  providerReference: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel?: string;
  /** Minor units; must be > 0. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Why the refund was made. */
  reason?: string;
  /** String key/value metadata. */
  metadata?: Record<string, string>;
  /** The payment's full amount, when known; lets the factory refuse partial refunds an adapter cannot do. */
  paymentAmount?: number;
  /** Amount already refunded, when known; lets the factory refuse a second refund an adapter cannot do. */
  alreadyRefunded?: number;
}

/** Outcome of {@link PaymentProvider.refundPayment}. */
export interface RefundResult {
  /** Provider instance name (registry key). */
  provider: string;
  /** Our refund id. */
  refundId: string;
  /** The provider's refund id. */
  providerRefundId: string;
  /** Current status. */
  status: RefundStatus;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** The provider object, as received. */
  raw: unknown;
}

/** Input of {@link PaymentProvider.retrievePayment}. */
export interface RetrievePaymentRequest {
  /** The provider's id for the payment (charge, PaymentIntent or Checkout Session id). */
  providerReference: string;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId?: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel?: string;
  /**
   * Our ids of refunds of this payment the caller wants reported (the service passes the ledger's still
   * `pending` ones). Providers whose payment query lists refunds (Stripe, Ping++) ignore it; those whose query
   * does not (WeChat Pay: refunds are read one by one by `out_refund_no`) look each up and put it in `refunds`.
   * @default [] (no refund lookups)
   */
  refundIds?: readonly string[];
}

/** A provider's current truth about one payment. */
export interface PaymentSnapshot {
  /** Provider instance name (registry key). */
  provider: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel: string | null;
  /** Our attempt id (the provider-side idempotency key / `order_no`). */
  attemptId: string | null;
  /** The provider's id for the payment (charge, PaymentIntent or Checkout Session id). */
  providerReference: string;
  /** For Stripe Checkout, the PaymentIntent behind the session once known. */
  paymentIntentId?: string | null;
  /** Current status. */
  status: PaymentStatus;
  /** Amount in minor units of `currency`. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Minor units refunded so far. */
  amountRefunded: number;
  /** Refund ledger. */
  refunds: ProviderRefund[];
  /** Whether this is live (not test) mode. */
  livemode: boolean;
  /** When it was paid. */
  paidAt: Date | null;
  /** The provider object, as received. */
  raw: unknown;
}

/** Header collection accepted by webhook verification: Web `Headers`, Node's `IncomingHttpHeaders`, or a plain record. */
export type HeadersInput = Headers | Record<string, string | string[] | undefined>;

/** Input of webhook verification. */
export interface WebhookInput {
  /** The exact bytes the provider sent. A parsed object is refused with `RawBodyRequiredError`. */
  rawBody: string | Uint8Array;
  /** The request headers, with the provider's signature header (`stripe-signature`, `x-pingplusplus-signature`). */
  headers: HeadersInput;
  /** When the request arrived (for signature tolerance). Defaults to now. */
  receivedAt?: Date;
}

/** Which operations and channels an adapter supports. The factory refuses anything else before any network call. */
export interface ProviderCapabilities {
  /** Which kind it is. */
  kind: ProviderKind;
  /** Every sub-channel the adapter can create payments on. */
  channels: readonly string[];
  /** Channel used when only the provider is asked for. `null`: a channel must be given. */
  defaultChannel: string | null;
  /** Aliases accepted for channels, e.g. `{ checkout: 'checkout_session' }`. @default {} */
  channelAliases?: Readonly<Record<string, string>>;
  /** Currencies accepted (upper-case), or `'any'`. */
  currencies: readonly string[] | 'any';
  /** Refund ledger. */
  refunds: {
    /** Whether it is supported. */
    supported: boolean;
    /** Refund less than the full amount. */
    partial: boolean;
    /** Several refunds against one payment. */
    multiple: boolean;
  };
  /** Whether `retrievePayment` works. */
  retrieve: boolean;
  /** Event types the adapter's webhooks can produce. */
  webhookEvents: readonly PaymentEventType[];
}
