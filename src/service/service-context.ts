/**
 * What every flow of the service shares: its dependencies, the after-commit effect queue, and helpers that
 * keep each flow short.
 * @module
 */
import { PaymentError } from '../core/errors.js';
import type { PaymentFactory } from '../core/factory.js';
import type { PaymentEvent } from '../core/types.js';
import { randomHex } from '../core/web-crypto.js';
import type { PaymentRepositories, PaymentRepositoriesTx } from '../persistence/ports.js';
import type { AttemptPatch } from '../persistence/records.js';
import type { PaymentAnomaly, PaymentHooks, PaymentLogger, PaymentNotification } from './hooks.js';
import type { OutboxRepository } from '../persistence/outbox-port.js';
import { hookConsumers } from '../outbox/outbox-consumer.js';
import { createOutboxDispatcher, type OutboxDispatcher } from '../outbox/outbox-dispatcher.js';
import { anomalyMessage, notificationMessage } from '../outbox/outbox-messages.js';
import type { MerchantAccounts } from './merchant-accounts.js';

/** Dependencies of the flows. */
export interface ServiceContext<THandle = unknown> {
  factory: PaymentFactory;
  repositories: PaymentRepositories<THandle>;
  hooks: PaymentHooks<THandle>;
  clock: () => Date;
  newId: () => string;
  logger: PaymentLogger;
  orderExpireSeconds: number;
  /** Expected `livemode` of every provider object, when the host pins it. */
  livemode: boolean | undefined;
  /** Who delivers the outbox rows a change writes (see `PaymentServiceOptions.notificationDelivery`). */
  notificationDelivery: NotificationDelivery;
  /** The dispatcher over the hooks' consumers, made on first use. */
  hookDispatcher?: OutboxDispatcher | null;
  /** Sellers' merchant accounts, when the host configured them (DESIGN §12). */
  merchantAccounts: MerchantAccounts | null;
}

/**
 * Who delivers a committed change's notifications when the repositories have an outbox:
 * - `background`: this process starts delivering them to the service's hooks right after commit, without
 *   waiting (the webhook answers first); failures are retried by a worker.
 * - `inline`: the call waits for the hooks before it returns (the host asked for it).
 * - `worker`: nothing runs in this process; a worker (`startPaymentWorker`, `payment-factory worker`) does.
 */
export type NotificationDelivery = 'background' | 'inline' | 'worker';

/** Side effects collected inside a transaction and released only after it commits. */
export interface Effects {
  notifications: PaymentNotification[];
  anomalies: PaymentAnomaly[];
}

/** A new 32-hex id, like the original system's ids, from Web Crypto's `getRandomValues` (every runtime has it). */
export function defaultNewId(): string {
  return randomHex(16);
}

/**
 * Runs `fn` in one transaction. With an outbox, the collected notifications and anomalies are written to it
 * in that same transaction (one INSERT each) and handed to the hooks after commit as `notificationDelivery`
 * says; without one, they are delivered in-process after commit (lost if the process dies in between).
 * Hook failures after commit are logged, never rethrown: the money is already recorded.
 */
export async function inTransaction<THandle, T>(
  ctx: ServiceContext<THandle>,
  fn: (tx: PaymentRepositoriesTx<THandle>, effects: Effects) => Promise<T>,
): Promise<T> {
  const effects: Effects = { notifications: [], anomalies: [] };
  let keys: string[] | null = null;
  const result = await ctx.repositories.transaction(async (tx) => {
    const value = await fn(tx, effects);
    if (ctx.repositories.outbox && tx.outbox) keys = await writeOutbox(ctx, tx.outbox, effects);
    return value;
  });
  if (keys === null) {
    await release(ctx, effects);
  } else {
    for (const anomaly of effects.anomalies) ctx.logger.warn('payment anomaly', { ...anomaly });
    await deliverAfterCommit(ctx, keys);
  }
  return result;
}

async function writeOutbox<THandle>(
  ctx: ServiceContext<THandle>,
  outbox: OutboxRepository,
  effects: Effects,
): Promise<string[]> {
  const messages = [
    ...effects.notifications.map(notificationMessage),
    ...effects.anomalies.map((anomaly, i) => anomalyMessage(anomaly, i, ctx.newId)),
  ];
  const keys: string[] = [];
  for (const message of messages) {
    if ((await outbox.insert(message)) === 'inserted') keys.push(message.key);
  }
  return keys;
}

async function deliverAfterCommit<THandle>(ctx: ServiceContext<THandle>, keys: string[]): Promise<void> {
  if (keys.length === 0 || ctx.notificationDelivery === 'worker') return;
  if (ctx.hookDispatcher === undefined) {
    const consumers = hookConsumers(ctx.hooks);
    ctx.hookDispatcher =
      consumers.length === 0 || !ctx.repositories.outbox
        ? null
        : createOutboxDispatcher({
            outbox: ctx.repositories.outbox,
            consumers,
            clock: ctx.clock,
            logger: ctx.logger,
            batchSize: 100,
          });
  }
  const dispatcher = ctx.hookDispatcher;
  if (!dispatcher) return; // no hooks here: the rows wait for a worker's consumers
  const run = dispatcher.dispatchOnce({ keys }).catch((error: unknown) => {
    // The rows stay pending; a worker (or the next lease) delivers them.
    ctx.logger.error('after-commit delivery failed', { keys, error: describeError(error) });
  });
  if (ctx.notificationDelivery === 'inline') await run;
}

async function release<THandle>(ctx: ServiceContext<THandle>, effects: Effects): Promise<void> {
  for (const anomaly of effects.anomalies) {
    ctx.logger.warn('payment anomaly', { ...anomaly });
    if (!ctx.hooks.onAnomaly) continue;
    try {
      await ctx.hooks.onAnomaly(anomaly);
    } catch (error) {
      ctx.logger.error('onAnomaly hook failed', { kind: anomaly.kind, error: describeError(error) });
    }
  }
  const hooks = ctx.hooks.afterCommit;
  const list = hooks === undefined ? [] : typeof hooks === 'function' ? [hooks] : hooks;
  for (const notification of effects.notifications) {
    for (const hook of list) {
      try {
        await hook(notification);
      } catch (error) {
        ctx.logger.error('afterCommit hook failed', {
          type: notification.type,
          orderId: notification.order.orderId,
          error: describeError(error),
        });
      }
    }
  }
}

/** A guarded update lost a race it should not have (the row is locked): ask the caller to retry. */
export function concurrentChange(id: string): PaymentError {
  return new PaymentError(`Record ${id} changed concurrently; retry.`, { code: 'CONCURRENT_UPDATE', retryable: true });
}

/** A short, secret-free description of an error for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return typeof error;
}

/** The kind of a registered provider instance (falls back to the name). */
export function kindOf<THandle>(ctx: ServiceContext<THandle>, provider: string): string {
  return ctx.factory.providers.get(provider)?.kind ?? ctx.merchantAccounts?.kindOf(provider) ?? provider;
}

/**
 * Kind-specific attempt fields found in a provider object: Stripe PaymentIntent / Checkout Session ids and
 * latest charge, Ping++ charge id and app id, Alipay `trade_no` / WeChat Pay `transaction_id` and their status word
 * (`trade_status` / `trade_state`, as `rawStatus`). Only string fields that are present are returned.
 */
export function attemptFieldsFromRaw(kind: string, raw: unknown): AttemptPatch {
  if (typeof raw !== 'object' || raw === null) return {};
  const o = raw as Record<string, unknown>;
  // Webhook events carry the object they are about in `data.object` (Stripe and Ping++ alike).
  if (o.object === 'event') return attemptFieldsFromRaw(kind, (o.data as { object?: unknown } | undefined)?.object);
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const patch: AttemptPatch = {};
  if (kind === 'stripe') {
    if (o.object === 'checkout.session') {
      const id = str(o.id);
      if (id) patch.checkoutSessionId = id;
      const pi = str(o.payment_intent) ?? str((o.payment_intent as Record<string, unknown> | null)?.id);
      if (pi) patch.paymentIntentId = pi;
    } else if (o.object === 'payment_intent') {
      const id = str(o.id);
      if (id) patch.paymentIntentId = id;
      const charge = str(o.latest_charge) ?? str((o.latest_charge as Record<string, unknown> | null)?.id);
      if (charge) patch.latestChargeId = charge;
      const method = str(o.payment_method);
      if (method) patch.paymentMethod = method;
    } else if (o.object === 'charge') {
      const id = str(o.id);
      if (id) patch.latestChargeId = id;
      const receipt = str(o.receipt_url);
      if (receipt) patch.receiptUrl = receipt;
    }
  } else if (kind === 'alipay' || kind === 'wechatpay') {
    // Alipay responses and notifications name the trade `trade_no`; WeChat Pay transactions `transaction_id`.
    const id = str(kind === 'alipay' ? o.trade_no : o.transaction_id);
    if (id) patch.transactionId = id;
    // The provider's own status word, the original's `raw_status` (a VARCHAR(64)).
    const word = str(kind === 'alipay' ? o.trade_status : o.trade_state);
    if (word) patch.rawStatus = word.slice(0, 64);
  } else if (kind === 'pingxx' && o.object === 'charge') {
    const id = str(o.id);
    if (id) patch.chargeId = id;
    const app = str(o.app);
    if (app) patch.appId = app;
  }
  return patch;
}

/**
 * The attempt's own provider object in `raw` (a webhook envelope is unwrapped: the event stays in the
 * journal), as the patch that stores it: a Ping++ charge, a Stripe PaymentIntent or Checkout Session, or any
 * object of another kind. Other objects (a Stripe charge from `charge.refunded`) leave the stored one as it is.
 */
export function providerObjectPatch(kind: string, raw: unknown): AttemptPatch {
  let object = raw;
  if (typeof object === 'object' && object !== null && (object as { object?: unknown }).object === 'event') {
    object = ((object as { data?: { object?: unknown } }).data ?? {}).object;
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return {};
  const type = (object as { object?: unknown }).object;
  if (kind === 'stripe') return type === 'payment_intent' || type === 'checkout.session' ? { raw: object } : {};
  if (kind === 'pingxx') return type === 'charge' ? { raw: object } : {};
  return { raw: object };
}

/** A provider event synthesised from a pull (creation result or snapshot). Ids are deterministic so replays dedupe. */
export function syntheticEvent(
  base: Omit<PaymentEvent, 'refunds' | 'failure'> & Partial<Pick<PaymentEvent, 'refunds' | 'failure'>>,
): PaymentEvent {
  return { refunds: [], failure: null, ...base };
}
