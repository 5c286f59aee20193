/**
 * The public shapes of the Alipay emulator: options, controls and the handle `startAlipayEmulator`
 * returns.
 * @module
 */
import type { AlipayTestKeyPair, SignedAlipayNotify } from '../alipay-signer.js';
import type { EmulatedPaymentRef } from '../emulated-payment-ref.js';
import type { AlipayEmulatorRefundMode, EmulatedAlipayRefund, EmulatedAlipayTrade } from './alipay-emulator-store.js';

/**
 * A trade, as a test names it: its `out_trade_no` (our attempt id, the attempt's `providerReference`),
 * `{ attemptId }`, or the `BuyRecordDTO` `createCharge` returned (its `paymentPayload.attemptId`). A bare
 * `{ orderId }` is refused: Alipay trades do not carry our order id.
 */
export type AlipayTradeRef = EmulatedPaymentRef | AlipayChargeDtoRef;

/** The part of a `createCharge` answer (`BuyRecordDTO`) that names an Alipay trade. */
export interface AlipayChargeDtoRef {
  /** The attempt the charge created; its id is the trade's `out_trade_no`. */
  readonly paymentPayload?: AlipayChargeDtoPayload | null;
}

/** The attempt part of {@link AlipayChargeDtoRef}. */
export interface AlipayChargeDtoPayload {
  /** Our attempt id (= `out_trade_no`). */
  readonly attemptId: string;
}

export type { AlipayTestKeyPair };

/** Options of `startAlipayEmulator`. */
export interface AlipayEmulatorOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The app id requests must carry. @default a random 16-digit id */
  appId?: string;
  /** The application key pair; requests are checked against its public half. @default generated */
  appKeyPair?: AlipayTestKeyPair;
  /** Alipay's key pair; responses and notifications are signed with its private half. @default generated */
  alipayKeyPair?: AlipayTestKeyPair;
  /** `notify_url` put into `providerOptions`. @default `${url}/notify` (the emulator records, not delivers) */
  notifyUrl?: string;
  /** Clock for trade times. @default () => new Date() */
  clock?: () => Date;
  /** How new refunds start (see {@link AlipayEmulatorRefundMode}). @default 'succeeded' */
  refunds?: AlipayEmulatorRefundMode;
}

/**
 * Which requests an injected fault applies to: the next `count` requests, or only the next `count` calls of one
 * OpenAPI `method` (`alipay.trade.refund`, …), so a fault meant for a refund is not taken by a concurrent query.
 */
export interface AlipayEmulatorFaultScope {
  /** @default 1 */
  count?: number;
  /** Only calls of this OpenAPI method. @default any request */
  method?: string;
}

/** One request the emulator received. */
export interface AlipayEmulatorRequest {
  /** HTTP method (`POST` for API calls, `GET` for an opened cashier URL). */
  method: string;
  /** The OpenAPI method (`alipay.trade.precreate`, …), or null. */
  apiMethod: string | null;
  /** Request path and query. */
  url: string;
  /** Every parameter, query and form body merged. */
  params: Record<string, string>;
  /** Whether the request's RSA2 `sign` verified against the application's public key. */
  signature: 'valid' | 'invalid' | 'missing';
  /** Status answered; `null` when the connection was dropped. */
  status: number | null;
  /** When it arrived. */
  receivedAt: Date;
}

/** An injected HTTP failure: answer `status` with `body` without acting. */
export interface AlipayEmulatorFailure extends AlipayEmulatorFaultScope {
  /** HTTP status to answer (429, 500, 502, …). */
  status: number;
  /** @default an HTML error page */
  body?: string;
}

/** An injected business refusal: answer `code`/`sub_code` without acting. */
export interface AlipayEmulatorRefusal extends AlipayEmulatorFaultScope {
  /** Alipay's `sub_code`, e.g. `ACQ.SYSTEM_ERROR`. */
  subCode: string;
  /** Alipay's `sub_msg`. @default a generic text */
  subMsg?: string;
  /** @default '40004' */
  code?: string;
}

/** A refund made in Alipay's merchant portal (not through the adapter): see {@link AlipayEmulatorControls.refund}. */
export interface AlipayPortalRefund {
  /** Fen. @default what is left of the trade */
  amount?: number;
  /** The refund's `out_request_no`. @default a generated one (the portal's) */
  outRequestNo?: string;
  /** @default null */
  reason?: string;
}

/** A signed notification, ready to post, and where Alipay would post it. */
export interface AlipayEmulatorNotification extends SignedAlipayNotify {
  /** The trade's `notify_url`. */
  url: string | null;
}

/** Controls over the emulator's state and behaviour. */
export interface AlipayEmulatorControls {
  /** The payer completes the payment (a QR trade is scanned first). Idempotent. */
  pay(trade: AlipayTradeRef): EmulatedAlipayTrade;
  /** The payer scans a QR trade without paying: `query` now knows it, `WAIT_BUYER_PAY`. */
  scan(trade: AlipayTradeRef): EmulatedAlipayTrade;
  /** The trade times out or is closed at Alipay unpaid (`TRADE_CLOSED`). */
  close(trade: AlipayTradeRef): EmulatedAlipayTrade;
  /**
   * The payment fails. Alipay has no failed state: the trade closes unpaid, like {@link close}, and
   * notifies `TRADE_CLOSED`.
   */
  fail(trade: AlipayTradeRef): EmulatedAlipayTrade;
  /** The payer opens a signed cashier URL (`alipay_pc_direct` / `alipay_wap`): the trade now exists. */
  openPage(url: string): Promise<EmulatedAlipayTrade>;
  /** The Alipay app submits a signed order string (`alipay`): the trade now exists. */
  openAppOrder(orderString: string): EmulatedAlipayTrade;
  /** The trade as the emulator holds it, or `undefined`. */
  getTrade(trade: AlipayTradeRef): EmulatedAlipayTrade | undefined;
  /** Every trade, oldest first. */
  trades(): EmulatedAlipayTrade[];
  /**
   * The notification Alipay would send about a trade's current state, signed with Alipay's key.
   * With `refund`, the notification of that (succeeded) refund: `out_biz_no`, `gmt_refund` and `refund_fee`, the
   * trade's cumulative refunded amount at that refund (as Alipay sends it, not the refund's own amount); the
   * latest succeeded refund with `true`.
   */
  notificationFor(
    trade: AlipayTradeRef,
    options?: { refund?: string | true; notifyId?: string; overrides?: Record<string, string> },
  ): AlipayEmulatorNotification;
  /** POSTs a notification like Alipay's sender, to `url` or the trade's `notify_url`. */
  deliver(notification: AlipayEmulatorNotification, url?: string): Promise<AlipayDeliveryAnswer>;
  /**
   * A refund made in Alipay's merchant portal, which our code never asked for: money moves at once (whatever the
   * refund mode), refused beyond what is left. Its notification is `notificationFor(trade, { refund: outRequestNo })`.
   */
  refund(trade: AlipayTradeRef, refund?: AlipayPortalRefund): EmulatedAlipayRefund;
  /** Settles a pending refund (see the `refunds: 'pending'` option): the money moves, or the refund is dropped. */
  settleRefund(trade: AlipayTradeRef, outRequestNo: string, status: 'succeeded' | 'failed'): EmulatedAlipayRefund;
  /** Changes how new API refunds start from now on. */
  setRefundMode(mode: AlipayEmulatorRefundMode): void;
  /** The next request(s) (of `method`, if given) get an HTTP `status` without anything happening. */
  failNext(failure: AlipayEmulatorFailure): void;
  /** The next request(s) (of `method`, if given) get a business refusal without anything happening. */
  refuseNext(refusal: AlipayEmulatorRefusal): void;
  /**
   * The next request(s) (of `method`, if given) are processed, then answered after `ms`: a client that times out
   * first leaves the effect in place (a refund made, a trade created).
   */
  delayNext(ms: number, options?: AlipayEmulatorFaultScope): void;
  /** The next request(s) (of `method`, if given) are processed, then the connection is destroyed without an answer. */
  dropConnectionAfterActing(options?: AlipayEmulatorFaultScope): void;
  /** Forgets injected failures and the request log; keeps trades. */
  reset(): void;
}

/** What the notification endpoint answered a {@link AlipayEmulatorControls.deliver}. */
export interface AlipayDeliveryAnswer {
  /** HTTP status. */
  status: number;
  /** Body text (`success` when the host processed it). */
  body: string;
}

/** The options `createAlipayProvider` needs to talk to this emulator. */
export interface AlipayEmulatorProviderOptions {
  /** The emulator's app id. */
  appId: string;
  /** The application private key (PEM) the emulator checks requests against. */
  privateKey: string;
  /** The emulator's Alipay public key (PEM): verifies its answers and notifications. */
  alipayPublicKey: string;
  /** The emulator's gateway. */
  gatewayUrl: string;
  /** `notify_url` sent with payments. */
  notifyUrl: string;
  /** Emulated payments are never real money. */
  livemode: false;
}

/** A running emulator. */
export interface AlipayEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** `${url}/gateway.do`. */
  gatewayUrl: string;
  /** The app id requests must carry. */
  appId: string;
  /** The application key pair (the provider signs with its private half). */
  appKeyPair: AlipayTestKeyPair;
  /** Alipay's key pair (answers and notifications are signed with its private half). */
  alipayKeyPair: AlipayTestKeyPair;
  /** Spread into `createAlipayProvider`. */
  providerOptions: AlipayEmulatorProviderOptions;
  /** State and fault-injection controls. */
  controls: AlipayEmulatorControls;
  /** Every request received, oldest first. */
  readonly requests: readonly AlipayEmulatorRequest[];
  /** How many requests arrived. */
  readonly requestCount: number;
  /** Stops the server. */
  close(): Promise<void>;
}
