/**
 * The charge response returned to clients, in camelCase and in the original system's snake_case shape.
 * @module
 */
import { inputObject, optionalObject, requireString } from '../core/input-guards.js';
import { fromMinorUnits } from '../core/money.js';
import type { PublicPaymentView } from '../core/types.js';
import type { JsonValue, OrderRecord } from '../persistence/records.js';
import { legacyChannelLabel, type LegacyPaymentFields } from './legacy-buy-record.js';

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
  /**
   * What the original system answered for this call (its `channel` label, `qr_url`, `payment_channel`,
   * `payment_payload`), rendered by {@link toLegacyBuyRecord}. Set by `createCharge`; without it the legacy
   * shape is derived from the fields above.
   */
  legacy?: LegacyPaymentFields;
}

/**
 * The original system's JSON shape (`BuyRecordDTO.__json__`), field for field; see the table in
 * `docs/migration.md`.
 */
export interface LegacyBuyRecordJSON {
  /** Our order id. */
  order_id: string;
  /** The paying user. */
  user_id: string;
  /** The amount due, as a decimal string (`'59.00'`). */
  price: string;
  /** The Ping++ channel, `stripe` / `stripe:checkout_session`, or the hint as asked for an already-paid order. */
  channel: string;
  /** A QR string, a Stripe client secret or Checkout URL, the `wx_pub` JSAPI parameter object, or `''`. */
  qr_url: string | { [key: string]: JsonValue };
  /** The provider the order is paid through (`pingxx`, `stripe`). */
  payment_channel: string;
  /** Ping++: `{qr_url, credential}`; Stripe: `{mode, client_secret, checkout_session_url, …_id}`; else `{}`. */
  payment_payload: { [key: string]: JsonValue };
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
export function toBuyRecordDTO(
  order: OrderRecord,
  payment: PublicPaymentView | null,
  legacy?: LegacyPaymentFields,
): BuyRecordDTO {
  return {
    ...(legacy ? { legacy } : {}),
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

/**
 * Renders a {@link BuyRecordDTO} exactly as the original system answered (see {@link LegacyBuyRecordJSON}).
 *
 * @example
 * ```ts
 * res.json(toLegacyBuyRecord(await service.createCharge({ orderId, channel: 'wx_pub', clientIp })))
 * // { order_id, user_id, price: '59.00', channel: 'wx_pub', qr_url: { appId, timeStamp, … }, payment_channel: 'pingxx',
 * //   payment_payload: { qr_url: { … }, credential: { object: 'credential', wx_pub: { … } } } }
 * ```
 * @throws ValidationError (naming the field) for anything but a DTO-shaped object.
 */
export function toLegacyBuyRecord(dto: BuyRecordDTO): LegacyBuyRecordJSON {
  const input = inputObject(dto, 'toLegacyBuyRecord');
  for (const field of ['orderId', 'userId', 'price']) requireString(input, field, 'toLegacyBuyRecord');
  optionalObject(input, 'legacy', 'toLegacyBuyRecord');
  if (input.legacy === undefined) {
    for (const field of ['channel', 'paymentChannel', 'qrUrl']) requireString(input, field, 'toLegacyBuyRecord');
  }
  const legacy = dto.legacy ?? derivedLegacy(dto);
  return {
    order_id: dto.orderId,
    user_id: dto.userId,
    price: dto.price,
    channel: legacy.channel,
    qr_url: legacy.qrUrl,
    payment_channel: legacy.paymentChannel,
    payment_payload: legacy.paymentPayload,
  };
}

/** For a DTO built without `legacy`: the label from the channel, `qr_url` from `qrUrl`. */
function derivedLegacy(dto: BuyRecordDTO): LegacyPaymentFields {
  const stripeChannel = dto.channel === 'payment_intent' || dto.channel === 'checkout_session';
  return {
    channel: legacyChannelLabel(stripeChannel ? 'stripe' : '', dto.channel),
    qrUrl: dto.qrUrl,
    paymentChannel: dto.paymentChannel,
    paymentPayload: dto.paymentPayload ? { qr_url: dto.qrUrl } : {},
  };
}
