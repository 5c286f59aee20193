/**
 * `createPaymentService`: the flows of DESIGN §4 over a provider factory and repository ports.
 * @module
 */
import { ConfigurationError } from '../core/errors.js';
import type { PaymentFactory } from '../core/factory.js';
import { sealObject } from '../core/secret-scrubber.js';
import type { HeadersInput } from '../core/types.js';
import { requireWebCrypto } from '../core/web-crypto.js';
import type { PaymentRepositories } from '../persistence/ports.js';
import type { OrderRecord } from '../persistence/records.js';
import { applyEvent, PLATFORM_ROUTE, type EventResult } from './apply-event.js';
import { WebhookVerificationError } from '../core/errors.js';
import type { MerchantAccountOptions } from '../core/merchant-account-port.js';
import {
  createMerchantAccounts,
  resolveWebhookRoute,
  verifyOnRoute,
  type MerchantWebhookRoute,
} from './merchant-accounts.js';
import { createCharge, type CreateChargeInput } from './create-charge.js';
import type { BuyRecordDTO } from './dto.js';
import { silentLogger, type PaymentHooks, type PaymentLogger } from './hooks.js';
import { initOrder, type InitOrderInput } from './init-order.js';
import { expireOrders, type ExpireOrdersInput, type ExpireOrdersReport } from './expire-orders.js';
import { markPaid, type MarkPaidInput } from './mark-paid.js';
import { reconcile, syncPayment, type ReconcileInput, type ReconcileReport, type SyncResult } from './reconcile.js';
import { refund, type RefundInput, type RefundOutcome } from './refund.js';
import { hookConsumers, type OutboxConsumer } from '../outbox/outbox-consumer.js';
import { defaultNewId, type NotificationDelivery, type ServiceContext } from './service-context.js';
import {
  validateCreateChargeInput,
  validateHandleWebhookInput,
  validateInitOrderInput,
  validateMarkPaidInput,
  validateOrderId,
  validateReconcileInput,
  validateRefundInput,
  validateSyncInput,
} from './validate-input.js';
import type { PaymentEvent } from '../core/types.js';

/**
 * Some refund events carry only a cumulative amount (Stripe's `charge.refunded` no longer embeds the
 * refund list). Fetch the refunds from the provider first — outside any transaction — so the ledger gets
 * one row per refund. A failed fetch throws, the webhook answers 5xx, and the provider redelivers.
 */
async function withRefundDetails(factory: PaymentFactory, event: PaymentEvent): Promise<PaymentEvent> {
  if (!event.type.startsWith('refund.') || event.refunds.length > 0 || !event.providerReference) return event;
  const provider = factory.providers.get(event.provider);
  if (!provider?.capabilities.retrieve) return event;
  const snapshot = await factory.retrievePayment(event.provider, {
    providerReference: event.providerReference,
    ...(event.attemptId ? { attemptId: event.attemptId } : {}),
  });
  return { ...event, refunds: snapshot.refunds };
}

/** Options of {@link createPaymentService}. */
export interface PaymentServiceOptions<THandle = unknown> {
  /** The provider registry. */
  factory: PaymentFactory;
  /** The repositories. */
  repositories: PaymentRepositories<THandle>;
  /** Host hooks. */
  hooks?: PaymentHooks<THandle>;
  /** @default () => new Date() */
  clock?: () => Date;
  /** Id generator for orders, attempts and refunds. @default 32 random hex characters */
  ids?: () => string;
  /** @default a silent logger */
  logger?: PaymentLogger;
  /** Payment window of an order in seconds (`PAY_ORDER_EXPIRE_TIME`). @default 600 */
  orderExpireSeconds?: number;
  /**
   * Expected `livemode` of provider objects. When set, a webhook from the other mode is rejected; when not,
   * each event must match the mode its attempt was created in.
   */
  livemode?: boolean;
  /**
   * With an outbox (`repositories.outbox`), every announcing change writes its notification there in the same
   * transaction; this says who then hands it to `afterCommit` and `onAnomaly`:
   * - `'background'`: this process, right after commit, without the call waiting for it (a webhook answers at
   *   once); a failed hook is retried later by a worker;
   * - `'inline'`: this process, and the call waits (the 0.1.0 timing; a slow hook delays the webhook answer);
   * - `'worker'`: only `startPaymentWorker` / `payment-factory worker`.
   * Without an outbox the hooks run after commit in this process, as in 0.1.0. See docs/outbox.md.
   * @default 'background'
   */
  notificationDelivery?: NotificationDelivery;
  /**
   * Sellers' own merchant accounts (DESIGN §12, docs/merchant-accounts.md): the resolver the charge asks which
   * account takes an order, the adapter builders, the webhook route key. Without it every payment uses the
   * factory's providers.
   */
  merchantAccounts?: MerchantAccountOptions;
}

/** Input of `handleWebhook`. */
export interface HandleWebhookInput {
  /** Provider instance name the webhook is addressed to. */
  provider: string;
  /** The exact request bytes. */
  rawBody: string | Uint8Array;
  /** The request headers, with the provider's signature header (`stripe-signature`, `x-pingplusplus-signature`). */
  headers: HeadersInput;
  /**
   * For `POST /webhooks/:provider/:account`: the route token (`<accountId>.<hex HMAC>`), or the route
   * `webhookRoute` resolved from it. The delivery is then verified with that seller account's secrets only, and
   * applied only to a payment snapshotted on a version that verifies it. Absent: the platform's route.
   */
  account?: string | MerchantWebhookRoute;
}

/** The payment service. */
export interface PaymentService<THandle = unknown> {
  /** Creates the order `init`, or reuses the user's open unpaid order for the same product. */
  initOrder(input: InitOrderInput): Promise<OrderRecord>;
  /** Starts (or resumes) a payment for the order; returns what the client needs. */
  createCharge(input: CreateChargeInput): Promise<BuyRecordDTO>;
  /**
   * Verifies, journals and applies a provider webhook exactly once.
   * @throws WebhookVerificationError / RawBodyRequiredError (answer 400); retryable errors (answer 5xx).
   */
  handleWebhook(input: HandleWebhookInput): Promise<EventResult>;
  /** Marks an order paid without a provider (admin import, free orders). */
  markPaid(input: MarkPaidInput): Promise<OrderRecord>;
  /** Refunds all or part of a paid order. */
  refund(input: RefundInput): Promise<RefundOutcome>;
  /** Pulls the provider's truth for one order. */
  syncPayment(input: { orderId: string }): Promise<SyncResult>;
  /** Pulls the provider's truth for stale pending attempts; returns a drift report. */
  reconcile(input?: ReconcileInput): Promise<ReconcileReport>;
  /** Times out open orders past their payment window that have no pending attempt (the expiry sweep). */
  expireOrders(input?: ExpireOrdersInput): Promise<ExpireOrdersReport>;
  /** The order, or `null`. */
  getOrder(orderId: string): Promise<OrderRecord | null>;
  /**
   * Resolves a merchant account's webhook route token before the body is read (the MAC compared in constant
   * time, then the account's webhook versions from the resolver); `null` when the token is not the host key's,
   * the account has no version for `provider`, or no `merchantAccounts` are configured.
   */
  webhookRoute(provider: string, accountToken: string): Promise<MerchantWebhookRoute | null>;
  /** The provider registry. */
  readonly factory: PaymentFactory;
  /** The repositories. */
  readonly repositories: PaymentRepositories<THandle>;
  /** Where the service logs. */
  readonly logger: PaymentLogger;
  /**
   * The outbox consumers the hooks amount to (`afterCommit#<i>`, `onAnomaly`): what `startPaymentWorker({ service })`
   * delivers to by default, under the same names the service's own after-commit delivery uses.
   */
  readonly hookConsumers: readonly OutboxConsumer[];
  /** The service clock. */
  readonly clock: () => Date;
}

/**
 * Creates the payment service.
 *
 * @example
 * ```ts
 * const service = createPaymentService({
 *   factory,
 *   repositories: createKyselyRepositories(db),
 *   hooks: {
 *     onOrderPaid: async ({ handle, order }) => { await handle.insertInto('enrolments').values({ user: order.userId }).execute() },
 *     afterCommit: createFeishuNotifier({ webhookUrl }),
 *   },
 * })
 * const order = await service.initOrder({ userId, productId, payableAmount: 9900, currency: 'CNY' })
 * const dto = await service.createCharge({ orderId: order.orderId, channel: 'wx_pub_qr', clientIp })
 * ```
 */
export function createPaymentService<THandle = unknown>(
  options: PaymentServiceOptions<THandle>,
): PaymentService<THandle> {
  const given = options as Partial<PaymentServiceOptions<THandle>> | null | undefined;
  if (typeof given !== 'object' || given === null || typeof given.factory !== 'object' || given.factory === null) {
    throw new ConfigurationError('createPaymentService needs { factory, repositories }: factory is missing.', {
      code: 'INVALID_SERVICE_OPTIONS',
    });
  }
  if (typeof given.repositories !== 'object' || given.repositories === null) {
    throw new ConfigurationError('createPaymentService needs { factory, repositories }: repositories is missing.', {
      code: 'INVALID_SERVICE_OPTIONS',
    });
  }
  // Ids come from Web Crypto: a runtime without it fails here, not at the first order.
  if (options.ids === undefined) requireWebCrypto('getRandomValues', 'createPaymentService');
  const ctx: ServiceContext<THandle> = {
    factory: options.factory,
    repositories: options.repositories,
    hooks: options.hooks ?? {},
    clock: options.clock ?? (() => new Date()),
    newId: options.ids ?? defaultNewId,
    logger: options.logger ?? silentLogger,
    orderExpireSeconds: options.orderExpireSeconds ?? 600,
    livemode: options.livemode,
    notificationDelivery: options.notificationDelivery ?? 'background',
    merchantAccounts: options.merchantAccounts
      ? createMerchantAccounts(options.merchantAccounts, options.factory)
      : null,
  };
  const service: PaymentService<THandle> = {
    factory: ctx.factory,
    repositories: ctx.repositories,
    logger: ctx.logger,
    hookConsumers: hookConsumers(ctx.hooks),
    clock: ctx.clock,
    // Every public method checks its input's shape first: a ValidationError naming the field, never a
    // TypeError from inside a flow, and nothing read, written or sent before.
    initOrder: async (input) => {
      validateInitOrderInput(input);
      return initOrder(ctx, input);
    },
    createCharge: async (input) => {
      validateCreateChargeInput(input);
      return createCharge(ctx, input);
    },
    async handleWebhook(input) {
      validateHandleWebhookInput(input);
      const webhook = { rawBody: input.rawBody, headers: input.headers };
      if (input.account !== undefined) {
        const route =
          typeof input.account === 'string' ? await service.webhookRoute(input.provider, input.account) : input.account;
        if (!route || route.provider !== input.provider) {
          throw new WebhookVerificationError('The webhook route names no merchant account of this provider.', {
            code: 'MERCHANT_ACCOUNT_ROUTE_UNKNOWN',
          });
        }
        const verified = await verifyOnRoute(route, webhook);
        const event = await withRefundDetails(verified.factory, verified.event);
        const result = await applyEvent(ctx, event, 'webhook', {
          accountId: verified.accountId,
          versionIds: verified.versionIds,
        });
        ctx.logger.info('webhook processed', { ...result, accountId: verified.accountId });
        return result;
      }
      const verified = await ctx.factory.verifyWebhook(input.provider, webhook);
      const event = await withRefundDetails(ctx.factory, verified);
      const result = await applyEvent(ctx, event, 'webhook', PLATFORM_ROUTE);
      ctx.logger.info('webhook processed', { ...result });
      return result;
    },
    markPaid: async (input) => {
      validateMarkPaidInput(input);
      return markPaid(ctx, input);
    },
    refund: async (input) => {
      validateRefundInput(input);
      return refund(ctx, input);
    },
    syncPayment: async (input) => {
      validateSyncInput(input);
      return syncPayment(ctx, input);
    },
    reconcile: async (input) => {
      validateReconcileInput(input);
      return reconcile(ctx, input);
    },
    expireOrders: async (input) => {
      validateReconcileInput(input);
      return expireOrders(ctx, input);
    },
    webhookRoute: async (provider, accountToken) => {
      if (!ctx.merchantAccounts || typeof provider !== 'string' || typeof accountToken !== 'string') return null;
      return resolveWebhookRoute(ctx.merchantAccounts, provider, accountToken);
    },
    getOrder: async (orderId) => {
      validateOrderId(orderId, 'getOrder');
      return ctx.repositories.orders.findById(orderId);
    },
  };
  // The repositories may close over a database handle whose pool holds a connection string: never render it.
  return sealObject(service, () => ({
    service: 'payment',
    providers: [...ctx.factory.providers.values()].map((p) => ({ name: p.name, kind: p.kind })),
    orderExpireSeconds: ctx.orderExpireSeconds,
  }));
}
