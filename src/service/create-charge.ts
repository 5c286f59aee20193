/**
 * `createCharge`: route, check the request locally (the adapter's rules, caller-supplied redirect URLs against the
 * provider's allow-list), persist the attempt and the order's move to `pending` in one transaction **before**
 * calling the provider, call it with the attempt id as idempotency key (outside any transaction), then
 * store the normalised result. A provider failure never loses the attempt: declined → `failed`,
 * indeterminate or unavailable → stays `pending` for a retry with the same key or for reconciliation.
 * @module
 */
import { isPaymentError, NotFoundError, ValidationError } from '../core/errors.js';
import { createPaymentFactory, type RoutablePaymentRequest } from '../core/factory.js';
import type { PaymentCreationResult, PaymentExtra, PublicPaymentView } from '../core/types.js';
import type { AttemptPatch, AttemptRecord, MerchantAccountSnapshot, OrderRecord } from '../persistence/records.js';
import { chargeAccounts } from './merchant-accounts.js';
import { applyEvent } from './apply-event.js';
import { toBuyRecordDTO, type BuyRecordDTO } from './dto.js';
import { isExpired } from './init-order.js';
import { hasNativeRawColumns, nativeRawValue } from './native-raw.js';
import {
  legacyChannelLabel,
  legacyNoPaymentFields,
  legacyPaymentFields,
  type LegacyPaymentFields,
} from './legacy-buy-record.js';
import { markPaid } from './mark-paid.js';
import {
  attemptFieldsFromRaw,
  describeError,
  kindOf,
  providerObjectPatch,
  syntheticEvent,
  type ServiceContext,
} from './service-context.js';

/** Input of `createCharge`. */
export interface CreateChargeInput {
  /** Our order id. */
  orderId: string;
  /** Channel hint: `wx_pub_qr`, `checkout_session`, `stripe:checkout_session`, `stripe`, … */
  channel?: string;
  /** Provider hint (the original `payment_channel`): `pingxx`, `stripe`, or `provider:channel`. */
  paymentChannel?: string;
  /** The payer's IP (Ping++ requires it). */
  clientIp?: string;
  /** Channel extras (`openId`, `successUrl`, …). */
  extra?: PaymentExtra;
  /** Shown to the payer. @default `Order <orderId>` */
  subject?: string;
  /** Payment description shown to the payer. */
  body?: string;
  /** String key/value metadata. */
  metadata?: Record<string, string>;
  /** When the remote payment should stop accepting money. @default none (the provider's own default) */
  expiresAt?: Date;
}

/** Seconds an attempt must still be valid to be reused. */
const REUSE_MARGIN_MS = 60_000;

/** See the module doc. */
export async function createCharge<THandle>(
  ctx: ServiceContext<THandle>,
  input: CreateChargeInput,
): Promise<BuyRecordDTO> {
  const order = await ctx.repositories.orders.findById(input.orderId);
  if (!order) throw new NotFoundError(`Order ${input.orderId} does not exist.`, { code: 'ORDER_NOT_FOUND' });
  if (order.status === 'paid') {
    // As the original answered: the order as it is, no QR, no provider call.
    return toBuyRecordDTO(order, null, legacyNoPaymentFields(input.channel ?? '', order.paymentChannel));
  }
  assertChargeable(order);
  if (isExpired(ctx, order)) {
    await ctx.repositories.orders.updateStatus({ orderId: order.orderId, from: ['init', 'pending'], to: 'timeout' });
    throw new ValidationError(`Order ${order.orderId} has expired; create a new one.`, { code: 'ORDER_EXPIRED' });
  }
  const resolveRoute = () =>
    ctx.factory.resolve({
      paymentChannel: input.paymentChannel ?? null,
      channel: input.channel ?? null,
      storedProvider: order.paymentChannel,
      orderStatus: order.status,
    });
  if (order.payableAmount === 0) {
    // The original routed first and answered with the route's label; a free order needs no provider, so one
    // that cannot be routed is still paid.
    let routed: ReturnType<typeof resolveRoute> | null = null;
    try {
      routed = resolveRoute();
    } catch {
      routed = null;
    }
    const paid = await markPaid(ctx, { orderId: order.orderId, source: 'free', amount: 0 });
    return toBuyRecordDTO(
      paid,
      null,
      legacyNoPaymentFields(routed ? legacyChannelLabel(routed.kind, routed.channel) : '', routed?.provider ?? ''),
    );
  }
  // Sellers' accounts (DESIGN §12): asked before routing, so a seller with only Alipay gets Alipay; a refusal
  // throws here, before anything is written or sent, and never falls back to the platform's providers.
  const accounts = ctx.merchantAccounts ? await chargeAccounts(ctx.merchantAccounts, order) : null;
  const routing = accounts?.entries
    ? createPaymentFactory({ providers: accounts.entries.map((e) => e.provider) })
    : ctx.factory;
  const route = accounts?.entries
    ? routing.resolve({
        paymentChannel: input.paymentChannel ?? null,
        channel: input.channel ?? null,
        storedProvider: order.paymentChannel,
        orderStatus: order.status,
      })
    : resolveRoute();
  const entry = accounts?.entries?.find((e) => e.account.provider === route.provider) ?? null;
  const factory = entry ? entry.factory : ctx.factory;
  const kind = entry ? entry.provider.kind : kindOf(ctx, route.provider);
  // With accounts configured every attempt records its account (null version = the platform's), so a platform
  // attempt never inherits a seller account its order takes later.
  const snapshot: MerchantAccountSnapshot | undefined = accounts
    ? { sellerId: accounts.sellerId, versionId: entry?.account.versionId ?? null }
    : undefined;

  const now = ctx.clock();
  // An attempt with a provider reference but no stored result was opened by the original system (it kept no
  // normalised result): its request cannot be re-sent as recorded, and the original opened a fresh attempt per
  // charge call anyway, so a new one is opened. Ours without a reference are resumed (the call may have failed).
  const isReusable = (a: AttemptRecord, o: OrderRecord) =>
    a.status === 'pending' &&
    (a.result !== null || a.providerReference === null) &&
    a.provider === route.provider &&
    a.channel === route.channel &&
    a.amount === o.payableAmount &&
    a.currency === o.currency &&
    (snapshot === undefined || a.merchantAccount?.versionId === snapshot.versionId) &&
    (a.expiresAt === null || a.expiresAt.getTime() - now.getTime() > REUSE_MARGIN_MS) &&
    now.getTime() - a.createdAt.getTime() < ctx.orderExpireSeconds * 1000;
  // Only the route's own kind can hold a reusable attempt (same provider instance): one table is read. An `init`
  // order has none of ours (opening an attempt moves its order to `pending` in the same transaction), so its
  // first charge skips this read; the transaction below reads again anyway, and finds a rare other one.
  const reusable =
    order.status === 'init'
      ? undefined
      : (await ctx.repositories.attempts.listByOrder(order.orderId, { providerKind: kind }))
          .filter((a) => isReusable(a, order))
          .at(-1);
  if (reusable?.providerReference && reusable.result) {
    ctx.logger.info('reusing open attempt', { orderId: order.orderId, attemptId: reusable.attemptId });
    const view = reviveView(reusable.result);
    return toBuyRecordDTO(order, view, legacyOf(kind, reusable, reusable.raw, view.qrUrl));
  }

  // The adapter's local checks (channel extras such as wx_pub's openId, text limits, expiry) and the factory's
  // (caller-supplied redirect URLs against the provider's allowedRedirectOrigins) run before the attempt is
  // written: a request refused without calling anything leaves no row behind.
  const newAttemptId = reusable ? '' : ctx.newId();
  if (!reusable) {
    factory.validatePayment(
      paymentRequest(order, input, ctx.orderExpireSeconds, {
        provider: route.provider,
        channel: route.channel,
        attemptId: newAttemptId,
        amount: order.payableAmount,
        currency: order.currency,
        clientIp: input.clientIp ?? null,
        metadata: input.metadata ?? null,
        extra: input.extra ?? null,
        expiresAt: input.expiresAt ?? null,
      }),
    );
  }

  // The order as the attempt's transaction left it (what the caller is answered with, unless an event moves it).
  let pending: OrderRecord = order;
  const attempt: AttemptRecord =
    reusable ??
    (await ctx.repositories.transaction(async (tx) => {
      const locked = await tx.orders.findById(order.orderId, { forUpdate: true });
      if (!locked) throw new NotFoundError(`Order ${order.orderId} does not exist.`, { code: 'ORDER_NOT_FOUND' });
      assertChargeable(locked);
      pending = locked;
      // A concurrent call (a double click) may have opened one since we looked: share it, don't open a second.
      const raced = (await tx.attempts.listByOrder(locked.orderId, { providerKind: kind }))
        .filter((a) => isReusable(a, locked))
        .at(-1);
      if (raced) return raced;
      const created = await tx.attempts.create({
        attemptId: newAttemptId,
        orderId: locked.orderId,
        providerKind: kind,
        provider: route.provider,
        channel: route.channel,
        userId: locked.userId,
        productId: locked.productId,
        amount: locked.payableAmount,
        currency: locked.currency,
        status: 'pending',
        clientIp: input.clientIp ?? null,
        expiresAt: input.expiresAt ?? null,
        extra: input.extra ?? null,
        metadata: input.metadata ?? null,
        ...(snapshot ? { merchantAccount: snapshot } : {}),
        createdAt: ctx.clock(),
      });
      await tx.orders.updateStatus({
        orderId: locked.orderId,
        from: ['init', 'pending'],
        to: 'pending',
        patch: {
          paymentChannel: route.provider,
          ...(snapshot ? { sellerId: snapshot.sellerId, merchantAccountVersion: snapshot.versionId } : {}),
        },
      });
      // The row this transaction holds, as it now stands (no statement: see the Kysely order repository).
      pending = (await tx.orders.findById(locked.orderId)) ?? locked;
      return created;
    }));

  // The attempt is (re-)sent exactly as recorded: the provider's idempotency check compares request bodies.
  let result: PaymentCreationResult;
  // The native tables keep the request as sent (`raw_request`), also when the call then fails or times out.
  let sent: Record<string, unknown> | undefined;
  const rawRequest = (): AttemptPatch =>
    sent !== undefined && hasNativeRawColumns(kind) ? { rawRequest: nativeRawValue(sent) } : {};
  try {
    result = await factory.createPayment(
      paymentRequest(order, input, ctx.orderExpireSeconds, {
        provider: route.provider,
        channel: route.channel,
        attemptId: attempt.attemptId,
        amount: attempt.amount,
        currency: attempt.currency,
        clientIp: attempt.clientIp,
        metadata: attempt.metadata,
        extra: attempt.extra as PaymentExtra | null,
        expiresAt: attempt.expiresAt,
      }),
      { onRequest: (request) => (sent = request) },
    );
  } catch (error) {
    await recordCreateFailure(ctx, attempt, error, rawRequest());
    throw error;
  }

  const view = result.public;
  const fromRaw = attemptFieldsFromRaw(kind, result.raw);
  await ctx.repositories.attempts.update(
    attempt.attemptId,
    {
      providerReference: result.providerReference,
      result: view,
      ...providerObjectPatch(kind, result.raw),
      ...rawRequest(),
      livemode: result.livemode,
      ...(result.expiresAt ? { expiresAt: result.expiresAt } : {}),
      ...fromRaw,
    },
    // Kind and channel known: one UPDATE, no read first.
    { providerKind: kind, channel: attempt.channel },
  );
  const legacy = legacyOf(kind, { ...attempt, ...fromRaw }, result.raw, view.qrUrl);
  const settled = result.status === 'succeeded' || result.status === 'failed' || result.status === 'canceled';
  if (settled) {
    const type =
      result.status === 'succeeded'
        ? 'payment.succeeded'
        : result.status === 'failed'
          ? 'payment.failed'
          : 'payment.canceled';
    await applyEvent(
      ctx,
      syntheticEvent({
        provider: route.provider,
        eventId: `create:${attempt.attemptId}:${result.status}`,
        type,
        providerEventType: `create.${result.status}`,
        attemptId: attempt.attemptId,
        orderId: order.orderId,
        providerReference: result.providerReference,
        amount: result.amount,
        currency: result.currency,
        livemode: result.livemode,
        occurredAt: ctx.clock(),
        raw: result.raw,
      }),
      'charge',
    );
  }
  // Unless an event was applied just now, the order is as the attempt's transaction left it.
  const current = settled ? ((await ctx.repositories.orders.findById(order.orderId)) as OrderRecord) : pending;
  return toBuyRecordDTO(current, view, legacy);
}

/** The original system's answer for an attempt and its provider object. */
function legacyOf(
  kind: string,
  attempt: Pick<AttemptRecord, 'provider' | 'channel' | 'paymentIntentId' | 'checkoutSessionId' | 'latestChargeId'>,
  raw: unknown,
  qrUrl: string | null,
): LegacyPaymentFields {
  return legacyPaymentFields({
    kind,
    provider: attempt.provider,
    channel: attempt.channel,
    raw,
    ids: attempt,
    qrUrl,
  });
}

/** The provider request for an attempt (recorded, or about to be). */
function paymentRequest(
  order: OrderRecord,
  input: CreateChargeInput,
  orderExpireSeconds: number,
  attempt: {
    provider: string;
    channel: string;
    attemptId: string;
    amount: number;
    currency: string;
    clientIp: string | null;
    metadata: Record<string, string> | null;
    extra: PaymentExtra | null;
    expiresAt: Date | null;
  },
): RoutablePaymentRequest {
  return {
    provider: attempt.provider,
    channel: attempt.channel,
    orderId: order.orderId,
    attemptId: attempt.attemptId,
    amount: attempt.amount,
    currency: attempt.currency,
    subject: input.subject ?? `Order ${order.orderId}`,
    ...(input.body !== undefined ? { body: input.body } : {}),
    ...(attempt.clientIp !== null ? { clientIp: attempt.clientIp } : {}),
    userId: order.userId,
    productId: order.productId,
    ...(attempt.metadata ? { metadata: attempt.metadata } : {}),
    ...(attempt.extra ? { extra: attempt.extra } : {}),
    ...(attempt.expiresAt
      ? { expiresAt: attempt.expiresAt }
      : { orderExpiresAt: new Date(order.createdAt.getTime() + orderExpireSeconds * 1000) }),
  };
}

function assertChargeable(order: OrderRecord): void {
  if (order.status === 'paid' || order.status === 'refunded') {
    throw new ValidationError(`Order ${order.orderId} is already ${order.status}.`, { code: 'ORDER_ALREADY_PAID' });
  }
  if (order.status === 'timeout') {
    throw new ValidationError(`Order ${order.orderId} has expired; create a new one.`, { code: 'ORDER_EXPIRED' });
  }
}

/**
 * A failed provider call: a final refusal (declined, invalid, unsupported) closes the attempt as `failed`;
 * anything that may have reached the provider, or may succeed on retry, leaves it `pending`.
 */
async function recordCreateFailure<THandle>(
  ctx: ServiceContext<THandle>,
  attempt: AttemptRecord,
  error: unknown,
  rawRequest: AttemptPatch,
): Promise<void> {
  const final =
    isPaymentError(error) &&
    !error.retryable &&
    (isPaymentError(error, 'ProviderDeclinedError') ||
      isPaymentError(error, 'ValidationError') ||
      isPaymentError(error, 'UnsupportedOperationError') ||
      isPaymentError(error, 'ConfigurationError'));
  ctx.logger.warn('provider call failed', { attemptId: attempt.attemptId, error: describeError(error), final });
  try {
    if (!final) {
      if (Object.keys(rawRequest).length > 0) {
        await ctx.repositories.attempts.update(attempt.attemptId, rawRequest, {
          providerKind: attempt.providerKind,
          channel: attempt.channel,
        });
      }
      return;
    }
    await ctx.repositories.attempts.updateStatus({
      attemptId: attempt.attemptId,
      from: ['pending'],
      to: 'failed',
      patch: { failureCode: error.code, failureMessage: error.message.slice(0, 250), ...rawRequest },
    });
  } catch (storeError) {
    ctx.logger.error('could not record the failed attempt', {
      attemptId: attempt.attemptId,
      error: describeError(storeError),
    });
  }
}

/** A stored public view (dates serialised as strings) back into its typed form. */
function reviveView(json: unknown): PublicPaymentView {
  const view = json as PublicPaymentView & { expiresAt: string | Date | null };
  const action = view.nextAction as PublicPaymentView['nextAction'] & { expiresAt?: string | Date };
  return {
    ...view,
    expiresAt: view.expiresAt ? new Date(view.expiresAt) : null,
    nextAction:
      action.type === 'qr_code' && action.expiresAt ? { ...action, expiresAt: new Date(action.expiresAt) } : action,
  };
}
