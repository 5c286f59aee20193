/**
 * The emulator's state and business rules: charges and their refunds, validated the way Ping++
 * validates them, with Ping++'s `order_no` reuse rules and error bodies.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { PINGXX_BODY_MAX, PINGXX_SUBJECT_MAX } from '../../pingxx/pingxx-charge-params.js';
import { isPingxxChannel, PINGXX_CHANNELS } from '../../pingxx/pingxx-channels.js';
import type { PingxxCharge, PingxxRefund } from '../../pingxx/pingxx-types.js';
import { credentialFor } from './emulator-credentials.js';

/** An HTTP answer: status and JSON body. */
export interface EmulatorResponse {
  status: number;
  body: unknown;
}

/** How new refunds start: settled at once, or `pending` until `settleRefund`. */
export type EmulatorRefundMode = 'succeeded' | 'pending';

/** Store configuration. */
export interface EmulatorStoreConfig {
  appId: string;
  livemode: boolean;
  refundMode: EmulatorRefundMode;
  clock: () => Date;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Ping++-style id: prefix + 24 alphanumerics. */
export function emulatorId(prefix: string): string {
  return prefix + Array.from(randomBytes(24), (b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** A Ping++ error response. */
export function errorResponse(
  status: number,
  type: string,
  message: string,
  extra: { param?: string; code?: string } = {},
): EmulatorResponse {
  return { status, body: { error: { type, message, ...extra } } };
}

const invalid = (message: string, param?: string): EmulatorResponse =>
  errorResponse(400, 'invalid_request_error', message, param === undefined ? {} : { param });
const notFound = (what: string, id: string): EmulatorResponse =>
  errorResponse(404, 'invalid_request_error', `No such ${what}: ${id}`, { param: 'id' });

/** Ping++ returns the first charge again for an identical repeat within this window (seconds). */
const REUSE_WINDOW = { wx: 2 * 3600, other: 60 } as const;
const DAY = 86_400;

/** Charges and refunds, in memory. Every read returns a copy. */
export class PingxxEmulatorStore {
  readonly #charges = new Map<string, PingxxCharge>();
  readonly #byOrderNo = new Map<string, string>();
  readonly #config: EmulatorStoreConfig;

  constructor(config: EmulatorStoreConfig) {
    this.#config = config;
  }

  #now(): number {
    return Math.floor(this.#config.clock().getTime() / 1000);
  }

  /** `POST /v1/charges`. */
  createCharge(input: unknown): EmulatorResponse {
    if (typeof input !== 'object' || input === null) return invalid('Request body must be a JSON object.');
    const p = input as Record<string, unknown>;
    const channel = p.channel;
    if (!isPingxxChannel(channel)) return invalid(`Invalid channel: ${String(channel)}`, 'channel');
    const spec = PINGXX_CHANNELS[channel];
    const app = p.app as { id?: unknown } | undefined;
    if (typeof app !== 'object' || app === null || app.id !== this.#config.appId) return invalid('No such app.', 'app');
    const orderNo = p.order_no;
    const { min, max } = spec.orderNoLength;
    if (
      typeof orderNo !== 'string' ||
      !/^[0-9A-Za-z]+$/.test(orderNo) ||
      orderNo.length < min ||
      orderNo.length > max
    ) {
      return invalid(`order_no must be ${min}-${max} letters or digits for ${channel}.`, 'order_no');
    }
    if (!Number.isSafeInteger(p.amount) || (p.amount as number) <= 0)
      return invalid('amount must be a positive integer (fen).', 'amount');
    if (p.currency !== 'cny') return invalid('currency must be cny.', 'currency');
    if (typeof p.client_ip !== 'string' || !isIPv4(p.client_ip))
      return invalid('client_ip must be an IPv4 address.', 'client_ip');
    const textProblem =
      checkText(p.subject, 'subject', PINGXX_SUBJECT_MAX, spec.subjectMaxBytes) ??
      checkText(p.body, 'body', PINGXX_BODY_MAX, null);
    if (textProblem) return textProblem;
    const extra = (p.extra ?? {}) as Record<string, unknown>;
    if (typeof extra !== 'object' || extra === null) return invalid('extra must be an object.', 'extra');
    for (const field of spec.extra) {
      if (field.required && (typeof extra[field.to] !== 'string' || extra[field.to] === '')) {
        return invalid(`extra[${field.to}] is required for ${channel}.`, `extra[${field.to}]`);
      }
    }
    const now = this.#now();
    const defaultExpire = now + Math.min(DAY, spec.maxExpireSeconds);
    if (p.time_expire !== undefined) {
      const t = p.time_expire;
      if (!Number.isSafeInteger(t) || (t as number) < now + 60 || (t as number) > now + spec.maxExpireSeconds) {
        return invalid(
          `time_expire must be between 1 minute and ${spec.maxExpireSeconds} seconds from now.`,
          'time_expire',
        );
      }
    }
    const metadata = (p.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string')) {
      return invalid('metadata values must be strings.', 'metadata');
    }

    const previousId = this.#byOrderNo.get(orderNo);
    const previous = previousId === undefined ? undefined : this.#charges.get(previousId);
    if (previous) {
      const identical =
        previous.channel === channel &&
        previous.amount === p.amount &&
        previous.subject === p.subject &&
        previous.body === p.body;
      const wx =
        spec.family === 'wx' || PINGXX_CHANNELS[previous.channel as keyof typeof PINGXX_CHANNELS]?.family === 'wx';
      if (identical && now - previous.created <= (wx ? REUSE_WINDOW.wx : REUSE_WINDOW.other)) {
        return { status: 200, body: structuredClone(previous) };
      }
      // WeChat refuses any reuse of an out_trade_no; other channels get a new charge from Ping++.
      if (wx || previous.paid) {
        return errorResponse(402, 'channel_error', 'order_no has already been used (商户订单号重复).', {
          code: 'order_no_used',
        });
      }
    }

    const id = emulatorId('ch_');
    const timeExpire = (p.time_expire as number | undefined) ?? defaultExpire;
    const charge: PingxxCharge = {
      id,
      object: 'charge',
      created: now,
      livemode: this.#config.livemode,
      paid: false,
      refunded: false,
      reversed: false,
      app: this.#config.appId,
      channel,
      order_no: orderNo,
      client_ip: p.client_ip,
      amount: p.amount as number,
      amount_settle: p.amount as number,
      currency: 'cny',
      subject: p.subject as string,
      body: p.body as string,
      extra: extra,
      time_paid: null,
      time_expire: timeExpire,
      time_settle: null,
      transaction_no: null,
      refunds: { object: 'list', url: `/v1/charges/${id}/refunds`, has_more: false, data: [] },
      amount_refunded: 0,
      failure_code: null,
      failure_msg: null,
      metadata: metadata as Record<string, string>,
      credential: {
        object: 'credential',
        [channel]: credentialFor({
          channel,
          orderNo,
          amount: p.amount as number,
          subject: p.subject as string,
          body: p.body as string,
          extra,
          created: now,
          timeExpire,
          livemode: this.#config.livemode,
        }),
      },
      description: typeof p.description === 'string' ? p.description : null,
    };
    this.#charges.set(id, charge);
    this.#byOrderNo.set(orderNo, id);
    return { status: 200, body: structuredClone(charge) };
  }

  /** `GET /v1/charges/{id}`. */
  retrieveCharge(id: string): EmulatorResponse {
    const charge = this.#charges.get(id);
    return charge ? { status: 200, body: structuredClone(charge) } : notFound('charge', id);
  }

  /**
   * `POST /v1/charges/{id}/reverse`: closes an unpaid charge so it can no longer be paid. Reversing a reversed
   * charge returns it; a paid charge is refused (refund it instead), as Ping++ does.
   */
  reverseCharge(id: string): EmulatorResponse {
    const charge = this.#charges.get(id);
    if (!charge) return notFound('charge', id);
    if (charge.paid) return invalid('Charge is paid and cannot be reversed; refund it instead.', 'charge');
    if (!charge.reversed) {
      charge.reversed = true;
      (charge as PingxxCharge & { time_reversed?: number }).time_reversed = this.#now();
    }
    return { status: 200, body: structuredClone(charge) };
  }

  /** `POST /v1/charges/{id}/refunds`. */
  createRefund(chargeId: string, input: unknown): EmulatorResponse {
    const charge = this.#charges.get(chargeId);
    if (!charge) return notFound('charge', chargeId);
    if (typeof input !== 'object' || input === null) return invalid('Request body must be a JSON object.');
    const p = input as Record<string, unknown>;
    if (!charge.paid) return invalid('Charge is not paid and cannot be refunded.', 'charge');
    if (typeof p.description !== 'string' || p.description === '' || p.description.length > 255) {
      return invalid('description is required (at most 255 characters).', 'description');
    }
    const refunds = charge.refunds?.data ?? [];
    const committed = refunds.filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);
    const remaining = charge.amount - committed;
    const amount = p.amount === undefined ? remaining : p.amount;
    if (!Number.isSafeInteger(amount) || (amount as number) <= 0)
      return invalid('amount must be a positive integer (fen).', 'amount');
    if ((amount as number) > remaining)
      return invalid(`Refund amount exceeds the refundable amount (${remaining}).`, 'amount');
    const metadata = (p.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string')) {
      return invalid('metadata values must be strings.', 'metadata');
    }
    const now = this.#now();
    const settled = this.#config.refundMode === 'succeeded';
    const refund: PingxxRefund = {
      id: emulatorId('re_'),
      object: 'refund',
      order_no: emulatorId('').slice(0, 20),
      amount: amount as number,
      created: now,
      succeed: settled,
      status: settled ? 'succeeded' : 'pending',
      time_succeed: settled ? now : null,
      description: p.description,
      failure_code: null,
      failure_msg: null,
      metadata: metadata as Record<string, string>,
      charge: charge.id,
      charge_order_no: charge.order_no,
      transaction_no: settled ? emulatorId('').slice(0, 28) : null,
      funding_source: null,
    };
    refunds.unshift(refund);
    this.#recount(charge);
    return { status: 200, body: structuredClone(refund) };
  }

  /** `GET /v1/charges/{id}/refunds` (newest first; `limit`, `starting_after`, `ending_before`). */
  listRefunds(chargeId: string, query: URLSearchParams): EmulatorResponse {
    const charge = this.#charges.get(chargeId);
    if (!charge) return notFound('charge', chargeId);
    const all = charge.refunds?.data ?? [];
    const limit = Number(query.get('limit') ?? '10');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return invalid('limit must be between 1 and 100.', 'limit');
    let start = 0;
    let end = all.length;
    const after = query.get('starting_after');
    const before = query.get('ending_before');
    if (after !== null) start = all.findIndex((r) => r.id === after) + 1;
    if (before !== null)
      end = Math.max(
        0,
        all.findIndex((r) => r.id === before),
      );
    const page = before !== null ? all.slice(Math.max(start, end - limit), end) : all.slice(start, start + limit);
    const hasMore = before !== null ? end - limit > start : start + limit < all.length;
    return {
      status: 200,
      body: { object: 'list', url: `/v1/charges/${chargeId}/refunds`, has_more: hasMore, data: structuredClone(page) },
    };
  }

  /** `GET /v1/charges/{id}/refunds/{refundId}`. */
  retrieveRefund(chargeId: string, refundId: string): EmulatorResponse {
    const charge = this.#charges.get(chargeId);
    if (!charge) return notFound('charge', chargeId);
    const refund = charge.refunds?.data.find((r) => r.id === refundId);
    return refund ? { status: 200, body: structuredClone(refund) } : notFound('refund', refundId);
  }

  /** Marks a charge paid (idempotent). @throws Error for an unknown or failed charge. */
  pay(chargeId: string, transactionNo?: string): PingxxCharge {
    const charge = this.#require(chargeId);
    if (charge.failure_code) throw new Error(`Charge ${chargeId} has failed and cannot be paid.`);
    if (charge.reversed) throw new Error(`Charge ${chargeId} was reversed and cannot be paid.`);
    if (!charge.paid) {
      charge.paid = true;
      charge.time_paid = this.#now();
      charge.transaction_no = transactionNo ?? emulatorId('').slice(0, 28);
    }
    return structuredClone(charge);
  }

  /** Marks an unpaid charge failed. @throws Error for an unknown or paid charge. */
  fail(chargeId: string, code: string, message: string): PingxxCharge {
    const charge = this.#require(chargeId);
    if (charge.paid) throw new Error(`Charge ${chargeId} is paid and cannot fail.`);
    charge.failure_code = code;
    charge.failure_msg = message;
    return structuredClone(charge);
  }

  /** Settles a pending refund. @throws Error for an unknown refund. */
  settleRefund(chargeId: string, refundId: string, status: 'succeeded' | 'failed'): PingxxRefund {
    const charge = this.#require(chargeId);
    const refund = charge.refunds?.data.find((r) => r.id === refundId);
    if (!refund) throw new Error(`No refund ${refundId} on charge ${chargeId}.`);
    refund.status = status;
    refund.succeed = status === 'succeeded';
    refund.time_succeed = status === 'succeeded' ? this.#now() : null;
    if (status === 'failed') {
      refund.failure_code = 'refund_failed';
      refund.failure_msg = 'The channel refused the refund.';
    }
    this.#recount(charge);
    return structuredClone(refund);
  }

  /** A copy of one charge. */
  get(chargeId: string): PingxxCharge | undefined {
    const charge = this.#charges.get(chargeId);
    return charge ? structuredClone(charge) : undefined;
  }

  /** A copy of the charge last created with `orderNo`. */
  findByOrderNo(orderNo: string): PingxxCharge | undefined {
    const id = this.#byOrderNo.get(orderNo);
    return id === undefined ? undefined : this.get(id);
  }

  /** Copies of every charge, oldest first. */
  all(): PingxxCharge[] {
    return [...this.#charges.values()].map((c) => structuredClone(c));
  }

  #require(chargeId: string): PingxxCharge {
    const charge = this.#charges.get(chargeId);
    if (!charge) throw new Error(`No charge ${chargeId} in the emulator.`);
    return charge;
  }

  #recount(charge: PingxxCharge): void {
    const refunds = charge.refunds?.data ?? [];
    charge.amount_refunded = refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
    charge.refunded = charge.amount_refunded === charge.amount;
  }
}

function checkText(value: unknown, field: string, maxChars: number, maxBytes: number | null): EmulatorResponse | null {
  if (typeof value !== 'string' || value === '') return invalid(`${field} is required.`, field);
  // The channels refuse characters outside the BMP and line breaks (WeChat most strictly).
  if (/[\ud800-\udfff\r\n\t]/.test(value)) return invalid(`${field} contains unsupported characters.`, field);
  if ([...value].length > maxChars) return invalid(`${field} must be at most ${maxChars} characters.`, field);
  if (maxBytes !== null && Buffer.byteLength(value, 'utf8') > maxBytes) {
    return invalid(`${field} must be at most ${maxBytes} bytes on this channel.`, field);
  }
  return null;
}
