/**
 * The public shapes of the Alipay emulator: options, controls and the handle `startAlipayEmulator`
 * returns.
 * @module
 */
import type { AlipayTestKeyPair, SignedAlipayNotify } from '../alipay-signer.js';
import type { EmulatedPaymentRef } from '../emulated-payment-ref.js';
import type { EmulatedAlipayTrade } from './alipay-emulator-store.js';

/**
 * A trade, as a test names it: its `out_trade_no` (our attempt id, the attempt's `providerReference`),
 * `{ attemptId }`, or the `BuyRecordDTO` `createCharge` returned (its `paymentPayload.attemptId`). A bare
 * `{ orderId }` is refused: Alipay trades do not carry our order id.
 */
export type AlipayTradeRef = EmulatedPaymentRef | { readonly paymentPayload?: { readonly attemptId: string } | null };

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
}

/** One request the emulator received. */
export interface AlipayEmulatorRequest {
  method: string;
  /** The OpenAPI method (`alipay.trade.precreate`, …), or null. */
  apiMethod: string | null;
  url: string;
  /** Every parameter, query and form body merged. */
  params: Record<string, string>;
  signature: 'valid' | 'invalid' | 'missing';
  /** Status answered; `null` when the connection was dropped. */
  status: number | null;
  receivedAt: Date;
}

/** An injected HTTP failure: answer `status` with `body` without acting. */
export interface AlipayEmulatorFailure {
  status: number;
  /** @default an HTML error page */
  body?: string;
  /** @default 1 */
  count?: number;
}

/** An injected business refusal: answer `code`/`sub_code` without acting. */
export interface AlipayEmulatorRefusal {
  subCode: string;
  subMsg?: string;
  /** @default '40004' */
  code?: string;
  /** @default 1 */
  count?: number;
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
  getTrade(trade: AlipayTradeRef): EmulatedAlipayTrade | undefined;
  trades(): EmulatedAlipayTrade[];
  /**
   * The notification Alipay would send about a trade's current state, signed with Alipay's key.
   * With `refund`, the notification of that refund (`out_biz_no`, `refund_fee`, `gmt_refund`), the
   * latest one by default.
   */
  notificationFor(
    trade: AlipayTradeRef,
    options?: { refund?: string | true; notifyId?: string; overrides?: Record<string, string> },
  ): AlipayEmulatorNotification;
  /** POSTs a notification like Alipay's sender, to `url` or the trade's `notify_url`. */
  deliver(notification: AlipayEmulatorNotification, url?: string): Promise<{ status: number; body: string }>;
  /** The next request(s) get an HTTP `status` without anything happening. */
  failNext(failure: AlipayEmulatorFailure): void;
  /** The next request(s) get a business refusal without anything happening. */
  refuseNext(refusal: AlipayEmulatorRefusal): void;
  /** The next request(s) are processed, then answered after `ms`. */
  delayNext(ms: number, options?: { count?: number }): void;
  /** The next request(s) are processed, then the connection is destroyed without an answer. */
  dropConnectionAfterActing(options?: { count?: number }): void;
  /** Forgets injected failures and the request log; keeps trades. */
  reset(): void;
}

/** The options `createAlipayProvider` needs to talk to this emulator. */
export interface AlipayEmulatorProviderOptions {
  appId: string;
  privateKey: string;
  alipayPublicKey: string;
  gatewayUrl: string;
  notifyUrl: string;
  livemode: false;
}

/** A running emulator. */
export interface AlipayEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** `${url}/gateway.do`. */
  gatewayUrl: string;
  appId: string;
  appKeyPair: AlipayTestKeyPair;
  alipayKeyPair: AlipayTestKeyPair;
  /** Spread into `createAlipayProvider`. */
  providerOptions: AlipayEmulatorProviderOptions;
  controls: AlipayEmulatorControls;
  readonly requests: readonly AlipayEmulatorRequest[];
  readonly requestCount: number;
  close(): Promise<void>;
}
