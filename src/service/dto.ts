/**
 * The charge response returned to clients, in camelCase and in the original system's snake_case shape.
 * @module
 */
import { fromMinorUnits } from '../core/money.js';
import type { NextAction, PublicPaymentView } from '../core/types.js';
import type { OrderRecord } from '../persistence/records.js';

/** What `createCharge` returns: safe to send to the payer's browser or app. */
export interface BuyRecordDTO {
  /** Our order id. */
  orderId: string;
  /** The paying user. */
  userId: string;
  /** Payable amount in major units, as an exact decimal string (`'19.99'`). */
  price: string;
  /** Payable amount in minor units. */
  amount: number;
  /** ISO 4217 currency code. */
  currency: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …); `''` for a free order. */
  channel: string;
  /** Provider instance (`pingxx`, `stripe`); `''` for a free order. */
  paymentChannel: string;
  /** Legacy single string: QR link, Stripe client secret or Checkout URL. */
  qrUrl: string;
  /** The browser-safe creation result (next action), or `null` when nothing needs paying. */
  paymentPayload: PublicPaymentView | null;
  /** Order status after the call. */
  status: OrderRecord['status'];
}

/** The original system's JSON shape. */
export interface LegacyBuyRecordJSON {
  /** Our order id. */
  order_id: string;
  /** The paying user. */
  user_id: string;
  /** Payable amount in major units (decimal string). */
  price: string;
  /** Provider sub-channel (`wx_pub_qr`, `checkout_session`, …). */
  channel: string;
  /** QR link, Stripe client secret or Checkout URL. */
  qr_url: string;
  /** Provider the order is paid through. */
  payment_channel: string;
  /** The browser-safe creation result, or `null`. */
  payment_payload:
    | (Omit<PublicPaymentView, 'nextAction' | 'expiresAt'> & { next_action: NextAction; expires_at: string | null })
    | null;
}

/**
 * Builds the DTO from an order and the browser-safe creation result (if any).
 *
 * @example
 * ```ts
 * const dto = toBuyRecordDTO(order, result.public)
 * res.json(toLegacyBuyRecord(dto)) // { order_id, user_id, price, channel, qr_url, payment_channel, payment_payload }
 * ```
 */
export function toBuyRecordDTO(order: OrderRecord, payment: PublicPaymentView | null): BuyRecordDTO {
  return {
    orderId: order.orderId,
    userId: order.userId,
    price: fromMinorUnits(order.payableAmount, order.currency),
    amount: order.payableAmount,
    currency: order.currency,
    channel: payment?.channel ?? '',
    paymentChannel: payment?.provider ?? '',
    qrUrl: payment?.qrUrl ?? '',
    paymentPayload: payment,
    status: order.status,
  };
}

/** Renders a {@link BuyRecordDTO} in the original snake_case JSON shape. */
export function toLegacyBuyRecord(dto: BuyRecordDTO): LegacyBuyRecordJSON {
  const p = dto.paymentPayload;
  return {
    order_id: dto.orderId,
    user_id: dto.userId,
    price: dto.price,
    channel: dto.channel,
    qr_url: dto.qrUrl,
    payment_channel: dto.paymentChannel,
    payment_payload: p
      ? {
          provider: p.provider,
          channel: p.channel,
          attemptId: p.attemptId,
          status: p.status,
          amount: p.amount,
          currency: p.currency,
          qrUrl: p.qrUrl,
          next_action: p.nextAction,
          expires_at: p.expiresAt ? p.expiresAt.toISOString() : null,
        }
      : null,
  };
}
