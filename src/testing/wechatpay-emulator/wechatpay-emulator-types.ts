/**
 * The public shapes of the WeChat Pay emulator: options, controls and the handle `startWechatPayEmulator`
 * returns.
 * @module
 */
import type { SignedWechatPayNotification, WechatPayTestKeyPair } from '../wechatpay-signer.js';
import type { EmulatedPaymentRef } from '../emulated-payment-ref.js';
import type { EmulatedWechatPayOrder, EmulatedWechatPayRefund } from './wechatpay-emulator-store.js';

/**
 * An order, as a test names it: its `out_trade_no` (our attempt id, the attempt's `providerReference`),
 * `{ attemptId }`, or the `BuyRecordDTO` `createCharge` returned (its `paymentPayload.attemptId`). A bare
 * `{ orderId }` is refused: name the attempt.
 */
export type WechatPayOrderRef = EmulatedPaymentRef | WechatPayDtoRef;

/** The `BuyRecordDTO` `createCharge` returned, as far as the emulator reads it. */
export interface WechatPayDtoRef {
  /** The DTO's payload; its `attemptId` is the order's `out_trade_no`. */
  readonly paymentPayload?: WechatPayDtoPayloadRef | null;
}

/** The part of a `BuyRecordDTO` payload the emulator reads. */
export interface WechatPayDtoPayloadRef {
  /** The attempt id, the order's `out_trade_no`. */
  readonly attemptId: string;
}

/** Options of `startWechatPayEmulator`. */
export interface WechatPayEmulatorOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Merchant id requests must carry. @default a random 10-digit id */
  mchId?: string;
  /** App id put into `providerOptions`. @default a random `wx…` id */
  appId?: string;
  /** The merchant API key pair; requests are checked against its public half. @default generated */
  merchantKeyPair?: WechatPayTestKeyPair;
  /** The merchant certificate serial requests must name. @default random hex */
  merchantSerialNo?: string;
  /** WeChat Pay's key pair; answers and notifications are signed with its private half. @default generated */
  wechatpayKeyPair?: WechatPayTestKeyPair;
  /** `Wechatpay-Serial` of answers and notifications. @default a random `PUB_KEY_ID_…` */
  publicKeyId?: string;
  /**
   * More keys WeChat Pay signs with, beside the public key: platform certificates (two at once while WeChat Pay
   * rotates them) or another public key. {@link WechatPayEmulatorControls.signWith} picks the one answers and
   * notifications are signed with. @default none
   */
  signers?: readonly WechatPayEmulatorSigner[];
  /** The APIv3 key notifications are encrypted with. @default random 32 characters */
  apiV3Key?: string;
  /** `notify_url` put into `providerOptions`. @default `${url}/notify` (the emulator records, not delivers) */
  notifyUrl?: string;
  /** What a new refund answers: settled at once, or `PROCESSING` until {@link WechatPayEmulatorControls.settleRefund}. @default 'PROCESSING' */
  refundStatus?: 'SUCCESS' | 'PROCESSING';
  /** Clock for order times and the request-signature window. @default () => new Date() */
  clock?: () => Date;
}

/** Another WeChat Pay signing key: a platform certificate with its private key, or a key under a given serial. */
export interface WechatPayEmulatorSigner {
  /** Its private key, PEM. */
  privateKey: string;
  /** Its platform certificate, PEM; listed in `providerOptions.platformCertificate`. */
  certificate?: string;
  /** The `Wechatpay-Serial` it signs under. @default the certificate's serial number (upper-case hex) */
  serial?: string;
}

/** One request the emulator received. */
export interface WechatPayEmulatorRequest {
  /** HTTP method. */
  method: string;
  /** Path and query. */
  url: string;
  /** The body as received. */
  body: string;
  /** `Authorization` checked against the merchant key: `valid`, `invalid` (bad signature, serial, merchant or time) or `missing`. */
  signature: 'valid' | 'invalid' | 'missing';
  /** Status answered; `null` when the connection was dropped. */
  status: number | null;
  /** When it arrived. */
  receivedAt: Date;
}

/** An injected failure: answer `status` without acting. */
export interface WechatPayEmulatorFailure {
  /** HTTP status to answer. */
  status: number;
  /** WeChat Pay's error `code` in a JSON body. Without it the body is an HTML gateway page. */
  code?: string;
  /** @default the code */
  message?: string;
  /** @default 1 */
  count?: number;
}

/** A signed notification, ready to post, and where WeChat Pay would post it. */
export interface WechatPayEmulatorNotification extends SignedWechatPayNotification {
  /** The order's (or refund's) `notify_url`. */
  url: string | null;
  /** The plaintext resource. */
  resource: Record<string, unknown>;
}

/** Controls over the emulator's state and behaviour. */
export interface WechatPayEmulatorControls {
  /** The payer pays (`SUCCESS`, with a `transaction_id`). Idempotent. */
  pay(order: WechatPayOrderRef, options?: { openid?: string }): EmulatedWechatPayOrder;
  /** The payment fails (`PAYERROR`). */
  fail(order: WechatPayOrderRef): EmulatedWechatPayOrder;
  /** The payer is entering the password (`USERPAYING`). */
  userPaying(order: WechatPayOrderRef): EmulatedWechatPayOrder;
  /** The order closes unpaid at WeChat Pay (`CLOSED`), as when its `time_expire` passes. */
  close(order: WechatPayOrderRef): EmulatedWechatPayOrder;
  /** A `PROCESSING` refund ends: `SUCCESS` (default), `ABNORMAL` (the payer's card refused it) or `CLOSED`. */
  settleRefund(outRefundNo: string, status?: 'SUCCESS' | 'ABNORMAL' | 'CLOSED'): EmulatedWechatPayRefund;
  /** The order a reference names, if the emulator has it. */
  getOrder(order: WechatPayOrderRef): EmulatedWechatPayOrder | undefined;
  /** Every order, oldest first. */
  orders(): EmulatedWechatPayOrder[];
  /**
   * The notification WeChat Pay would send about an order's current state (`TRANSACTION.SUCCESS`), or with
   * `refund` about that refund (`REFUND.SUCCESS` / `REFUND.ABNORMAL` / `REFUND.CLOSED`; the latest one by
   * default). `id` keeps a redelivery's id; `timestamp` signs as of another time; `overrides` change the
   * plaintext resource before it is encrypted (another `mchid`, `appid`, amount).
   */
  notificationFor(
    order: WechatPayOrderRef,
    options?: {
      refund?: string | true;
      id?: string;
      /** Sign with this serial's key instead of the current one ({@link WechatPayEmulatorControls.signWith}). */
      serial?: string;
      eventType?: string;
      timestamp?: Date;
      overrides?: Record<string, unknown>;
    },
  ): WechatPayEmulatorNotification;
  /** POSTs a notification like WeChat Pay's sender, to `url` or the order's `notify_url`. */
  deliver(
    notification: WechatPayEmulatorNotification,
    url?: string,
  ): Promise<{
    /** The endpoint's HTTP status. */
    status: number;
    /** The endpoint's answer body. */
    body: string;
  }>;
  /**
   * Answers and notifications from now on are signed with the key `serial` names: the public key id or a
   * {@link WechatPayEmulatorOptions.signers} serial (WeChat Pay switching to a new platform certificate).
   * @throws Error for a serial the emulator holds no key for.
   */
  signWith(serial: string): void;
  /** The next request(s) get an HTTP failure without anything happening. */
  failNext(failure: WechatPayEmulatorFailure): void;
  /** The next request(s) are processed, then answered after `ms`. */
  delayNext(ms: number, options?: { count?: number }): void;
  /** The next request(s) are processed, then the connection is destroyed without an answer. */
  dropConnectionAfterActing(options?: { count?: number }): void;
  /** The next answer(s) are processed and sent with a signature that does not verify (a forged answer). */
  tamperNextResponse(options?: { count?: number }): void;
  /** Forgets injected failures and the request log and signs with the public key again; keeps orders. */
  reset(): void;
}

/** The options `createWechatPayProvider` needs to talk to this emulator. */
export interface WechatPayEmulatorProviderOptions {
  /** The app id. */
  appId: string;
  /** The merchant id. */
  mchId: string;
  /** The APIv3 key notifications are encrypted with. */
  apiV3Key: string;
  /** The merchant certificate serial requests name. */
  merchantSerialNo: string;
  /** The merchant private key (PEM). */
  privateKey: string;
  /** WeChat Pay's public key (PEM). */
  wechatpayPublicKey: string;
  /** Its id, as `Wechatpay-Serial` names it. */
  wechatpayPublicKeyId: string;
  /** The certificates of {@link WechatPayEmulatorOptions.signers}, when any has one. */
  platformCertificate?: string[];
  /** The emulator's URL. */
  baseUrl: string;
  /** Where notifications would go. */
  notifyUrl: string;
  /** Always `false`. */
  livemode: false;
}

/** A running emulator. */
export interface WechatPayEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321` (the provider's `baseUrl`). */
  url: string;
  /** The merchant id requests must carry. */
  mchId: string;
  /** The app id in `providerOptions`. */
  appId: string;
  /** The APIv3 key. */
  apiV3Key: string;
  /** The merchant certificate serial requests must name. */
  merchantSerialNo: string;
  /** The public key's id, `Wechatpay-Serial` of answers and notifications until `signWith` picks another. */
  publicKeyId: string;
  /** Every serial the emulator can sign under: the public key id, then each signer's. */
  serials: readonly string[];
  /** The merchant key pair (requests are checked against its public half). */
  merchantKeyPair: WechatPayTestKeyPair;
  /** WeChat Pay's key pair (answers and notifications are signed with its private half). */
  wechatpayKeyPair: WechatPayTestKeyPair;
  /** Spread into `createWechatPayProvider`. */
  providerOptions: WechatPayEmulatorProviderOptions;
  /** Controls over the emulator's state and behaviour. */
  controls: WechatPayEmulatorControls;
  /** Every request received, oldest first. */
  readonly requests: readonly WechatPayEmulatorRequest[];
  /** How many requests it received. */
  readonly requestCount: number;
  /** Stops the server. */
  close(): Promise<void>;
}
