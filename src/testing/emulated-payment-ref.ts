/**
 * How a test names a payment to an emulator: by the provider's id, or by our own ids — what
 * `createCharge` returns is enough, no repository lookup and no non-null assertion.
 * @module
 */

/**
 * A payment, as a test names it to `startStripeEmulator()` / `startPingxxEmulator()` controls:
 *
 * - the provider's id (`pi_…`, `cs_…`, `ch_…`), as before;
 * - `{ attemptId }`: the payment created for that attempt (Stripe: the Checkout Session, else the
 *   PaymentIntent, whose metadata carries it; Ping++: the charge whose `order_no` it is);
 * - `{ orderId }`: the order's latest payment. The `BuyRecordDTO` that `createCharge` returns is one.
 *
 * @example
 * ```ts
 * const dto = await service.createCharge({ orderId: order.orderId, channel: 'checkout_session' });
 * emulator.succeedPayment(dto); // the latest payment of dto.orderId
 * const webhook = emulator.webhookFor(dto, 'checkout.session.completed');
 * ```
 */
export type EmulatedPaymentRef =
  | string
  | {
      /** Our attempt id (`dto.paymentPayload.attemptId`, `result.attemptId`). */
      readonly attemptId: string;
    }
  | {
      /** Our order id: its latest payment (the DTO `createCharge` returns has one). */
      readonly orderId: string;
    };

/** How the webhook endpoint answered an emulator's delivery. */
export interface DeliveryAnswer {
  /** The HTTP status (2xx: the provider would stop retrying). */
  status: number;
  /** The response body, as text. */
  body: string;
}

/**
 * The provider id `ref` names among `candidates` (oldest first): the id itself, or the id of the last
 * candidate whose attempt / order id matches. `describe` names the candidates in the error.
 * @throws Error when nothing matches (a test mistake, not a payment outcome).
 */
export function resolveEmulatedPayment<T extends { id: string }>(
  ref: EmulatedPaymentRef,
  candidates: readonly T[],
  ids: (candidate: T) => { attemptId: unknown; orderId: unknown },
  describe: string,
): string {
  if (typeof ref === 'string') return ref;
  const [key, value] =
    'attemptId' in ref && typeof ref.attemptId === 'string'
      ? (['attemptId', ref.attemptId] as const)
      : 'orderId' in ref && typeof ref.orderId === 'string'
        ? (['orderId', ref.orderId] as const)
        : [undefined, undefined];
  if (key === undefined) throw new Error('Name the payment by provider id, { attemptId } or { orderId }.');
  const matches = candidates.filter((candidate) => ids(candidate)[key] === value);
  const found = matches[matches.length - 1];
  if (!found) throw new Error(`The emulator has no ${describe} for ${key} ${value}.`);
  return found.id;
}
