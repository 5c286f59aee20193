/**
 * The public shapes of the Ping++ emulator: its options, its controls, the request log and the handle
 * `startPingxxEmulator` returns.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { PingxxCharge, PingxxEvent, PingxxRefund } from '../../pingxx/pingxx-types.js';
import type { DeliveryAnswer, EmulatedPaymentRef } from '../emulated-payment-ref.js';
import type { PingxxTestKeyPair, SignedPingxxWebhook } from '../pingxx-signer.js';
import type { EmulatorRefundMode } from './emulator-store.js';

/** Options of `startPingxxEmulator`. */
export interface PingxxEmulatorOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Keep client sockets open between requests (a long `keepAliveTimeout`), as Ping++'s servers do. @default true */
  keepAlive?: boolean;
  /** The secret key clients must present. @default a random `sk_test_…` */
  secretKey?: string;
  /** The app id charges must name. @default a random `app_…` */
  appId?: string;
  /**
   * Merchant public key (PEM) that request signatures are checked against; `null` accepts unsigned
   * requests. @default the public half of a generated pair, whose private half is `merchantPrivateKey`
   */
  merchantPublicKey?: string | null;
  /** Ping++'s key pair, which signs webhook events. @default a generated pair */
  webhookKeyPair?: PingxxTestKeyPair;
  /** `livemode` of charges and events. @default false */
  livemode?: boolean;
  /** How new refunds start. @default 'succeeded' */
  refunds?: EmulatorRefundMode;
  /** Largest accepted skew of `Pingplusplus-Request-Timestamp`, in seconds. @default 300 */
  signatureToleranceSeconds?: number;
  /** Clock for object timestamps and expiries. @default () => new Date() */
  clock?: () => Date;
}

/** One request the emulator received. */
export interface PingxxEmulatorRequest {
  /** HTTP method. */
  method: string;
  /** Path and query as sent. */
  url: string;
  /** Request headers. */
  headers: IncomingHttpHeaders;
  /** The exact bytes as sent. */
  rawBody: string;
  /** Parsed JSON body, or `undefined`. */
  body: unknown;
  /** Outcome of the request-signature check. */
  signature: 'valid' | 'invalid' | 'missing' | 'unchecked';
  /** Status answered; `null` when the connection was dropped (or the answer is still pending). */
  status: number | null;
  /** When it arrived. */
  receivedAt: Date;
}

/** An injected failure: answer `status` with `body` without acting. */
export interface PingxxEmulatorFailure {
  /** HTTP status to answer with. */
  status: number;
  /** JSON object, or a string sent as is (e.g. an HTML error page). @default a Ping++ error body for the status */
  body?: unknown;
  /** How many requests fail. @default 1 */
  count?: number;
}

/** A signed event, ready to post. */
export interface PingxxEmulatorDelivery extends SignedPingxxWebhook {
  /** The event. */
  event: PingxxEvent;
}

/** Controls over the emulator's state and behaviour. */
export interface PingxxEmulatorControls {
  /**
   * Marks a charge paid, as when the payer completes the payment (idempotent). Name the charge by id,
   * `{ attemptId }` (its `order_no`) or `{ orderId }` (the DTO `createCharge` returns).
   */
  payCharge(charge: EmulatedPaymentRef, options?: { transactionNo?: string }): PingxxCharge;
  /** Marks an unpaid charge failed. */
  failCharge(charge: EmulatedPaymentRef, options?: { code?: string; message?: string }): PingxxCharge;
  /** Settles a pending refund (see the `refunds: 'pending'` option). */
  settleRefund(charge: EmulatedPaymentRef, refundId: string, status: 'succeeded' | 'failed'): PingxxRefund;
  /** A copy of the charge, or `undefined`. */
  getCharge(chargeId: string): PingxxCharge | undefined;
  /** The charge last created with this `order_no` (our attempt id). */
  findCharge(orderNo: string): PingxxCharge | undefined;
  /** Copies of every charge, oldest first. */
  charges(): PingxxCharge[];
  /**
   * The event Ping++ would send about a charge (by id, `{ attemptId }` or `{ orderId }`), signed with the emulator's Ping++ key. `refund.*`
   * events carry the refund `refundId`, or the latest one.
   */
  eventFor(
    charge: EmulatedPaymentRef,
    type: string,
    options?: { refundId?: string; eventId?: string },
  ): PingxxEmulatorDelivery;
  /** Signs any payload with the emulator's Ping++ key. */
  signWebhook(payload: string | object): SignedPingxxWebhook;
  /** POSTs a delivery to `url` like Ping++'s webhook sender. */
  deliverEvent(url: string, delivery: PingxxEmulatorDelivery): Promise<DeliveryAnswer>;
  /** The next request(s) get `status` without anything happening. */
  failNext(failure: PingxxEmulatorFailure): void;
  /** The next request(s) are processed, then answered after `ms` (so a client timeout leaves the effect in place). */
  delayNext(ms: number, options?: { count?: number }): void;
  /** The next request(s) are processed, then the connection is destroyed without an answer. */
  dropConnectionAfterActing(options?: { count?: number }): void;
  /** Forgets injected failures and the request log; keeps charges. */
  reset(): void;
}

/** The options a `createPingxxProvider` needs to talk to this emulator. */
export interface PingxxEmulatorProviderOptions {
  /** Secret API key. */
  secretKey: string;
  /** Ping++ app id (`app_…`). */
  appId: string;
  /** Host name. */
  host: string;
  /** Port. */
  port: number;
  /** Protocol. */
  protocol: 'http';
  /** The merchant private key (absent when the emulator was given someone else's public key or `null`). */
  privateKey?: string;
  /** Ping++ webhook public key, PEM. */
  webhookPublicKey: string;
}

/** A running emulator. */
export interface PingxxEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** Host name. */
  host: string;
  /** Port. */
  port: number;
  /** Protocol. */
  protocol: 'http';
  /** Secret API key. */
  secretKey: string;
  /** Ping++ app id (`app_…`). */
  appId: string;
  /** The merchant key pair's private half, when the emulator generated it. */
  merchantPrivateKey: string | null;
  /** The merchant key pair's public half, when the emulator generated it. */
  merchantPublicKey: string | null;
  /** Ping++'s key pair: events are signed with `privateKey`; adapters verify with `publicKey`. */
  webhookKeyPair: PingxxTestKeyPair;
  /** Spread into `createPingxxProvider`. */
  providerOptions: PingxxEmulatorProviderOptions;
  /** Controls over its state and behaviour. */
  controls: PingxxEmulatorControls;
  /** Every request received, oldest first. */
  readonly requests: readonly PingxxEmulatorRequest[];
  /** Requests received so far. */
  readonly requestCount: number;
  /** Stops the emulator. */
  close(): Promise<void>;
}
