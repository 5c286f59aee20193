/**
 * `@org/payment-factory`: Ping++ and Stripe behind one interface.
 *
 * The root entry holds the core (types, money, errors, routing, the provider registry) and the payment
 * service. It never loads a provider SDK, a database driver or zod: adapters live in
 * `@org/payment-factory/stripe`, `/pingxx`, persistence in `/kysely`, configuration from the environment in
 * `/config`, test helpers in `/testing`.
 * @module \@org/payment-factory
 */
export * from './core/errors.js';
export * from './core/money.js';
export type * from './core/types.js';
export type * from './core/provider.js';
export * from './core/channel-resolution.js';
export * from './core/factory.js';
// Configuration values (zod-built) live in `@org/payment-factory/config`; only their types are re-exported here.
export type {
  AlipayConfig,
  ConfigGroup,
  ConfigKeyDefinition,
  OutboxConfig,
  OutboxConfigKey,
  PaymentConfig,
  PaymentConfigKey,
  PingxxConfig,
  StripeConfig,
  WechatPayConfig,
  WechatPayConfigKey,
} from './core/config.js';
export { getHeader, requireRawBody } from './core/webhook-input.js';
export { registerSecrets, scrubSecrets } from './core/secret-scrubber.js';
export { eventPayloadHash } from './core/payload-hash.js';
export {
  assertRedirectUrlAllowed,
  assertRedirectUrlsAllowed,
  originOf,
  originsOf,
  parseRedirectOrigins,
  REDIRECT_URL_FIELDS,
} from './core/redirect-origins.js';
export type { RedirectUrlField } from './core/redirect-origins.js';
export { createPaymentService } from './service/payment-service.js';
export type { PaymentService, PaymentServiceOptions, HandleWebhookInput } from './service/payment-service.js';
export type { EventResult, EventOutcomeType, WebhookAccountRoute } from './service/apply-event.js';
export type * from './core/merchant-account-port.js';
export { MERCHANT_ID_MAX_LENGTH } from './core/merchant-account-port.js';
export { merchantAccountRouteToken, accountIdFromRouteToken } from './core/merchant-account-route.js';
export type { MerchantWebhookRoute } from './service/merchant-accounts.js';
export type { CreateChargeInput } from './service/create-charge.js';
export type { InitOrderInput } from './service/init-order.js';
export type { MarkPaidInput } from './service/mark-paid.js';
export type { RefundInput, RefundOutcome } from './service/refund.js';
export type { ReconcileInput, ReconcileReport, SyncResult } from './service/reconcile.js';
export * from './service/hooks.js';
export * from './service/dto.js';
export type { LegacyPaymentFields } from './service/legacy-buy-record.js';
export { ORDER_TRANSITIONS, ATTEMPT_TRANSITIONS, decideOrder, decideAttempt } from './service/state-machine.js';
export type { PaymentSignal, Transition } from './service/state-machine.js';
export { createWebhookHandler } from './service/webhook-handler.js';
export type { WebhookHandler, WebhookHandlerOptions } from './service/webhook-handler.js';
export { toNodeHandler } from './service/node-handler.js';
export type { NodeHandlerOptions, NodeRequestLike } from './service/node-handler.js';
export { DEFAULT_MAX_WEBHOOK_BODY_BYTES } from './service/webhook-body.js';
export { RAW_BODY_FIXES, rawBodyRequiredBody } from './service/raw-body-fixes.js';
export type { RawBodyRequiredBody, WebhookFramework } from './service/raw-body-fixes.js';
export type * from './persistence/ports.js';
export type * from './persistence/records.js';
export type * from './persistence/outbox-port.js';
export * from './notifiers/index.js';
export { ORDER_STATUSES, ATTEMPT_STATUSES, REFUND_STATUSES, EVENT_OUTCOMES } from './persistence/records.js';
export {
  startPaymentWorker,
  type PaymentWorker,
  type PaymentWorkerHealth,
  type PaymentWorkerOptions,
  type ReconcileSweepOptions,
  type PruneSweepOptions,
} from './outbox/payment-worker.js';
export {
  createOutboxDispatcher,
  defaultOwner,
  type DispatchReport,
  type OutboxDispatcher,
  type OutboxDispatcherOptions,
} from './outbox/outbox-dispatcher.js';
export {
  notificationConsumer,
  anomalyConsumer,
  hookConsumers,
  type OutboxConsumer,
  type OutboxDeliveryContext,
} from './outbox/outbox-consumer.js';
export {
  PAYMENT_OUTBOX_TYPES,
  NOTIFICATION_TYPES,
  toPaymentNotification,
  toPaymentAnomaly,
  type OutboxMessage,
  type PaymentOutboxType,
} from './outbox/outbox-messages.js';
export { createHttpForwarder, type HttpForwarderOptions } from './outbox/http-forwarder.js';
export { backoffDelay, type BackoffOptions } from './outbox/backoff.js';
export { claimSweepWork, SWEEP_TYPE, type SweepClaim, type SweepClaimOptions } from './outbox/sweep-claims.js';
export {
  pruneOutbox,
  DEFAULT_OUTBOX_RETENTION_MS,
  type OutboxPruneOptions,
  type OutboxPruneReport,
} from './outbox/outbox-prune.js';
export type { NotificationDelivery } from './service/service-context.js';
export type { ExpireOrdersInput, ExpireOrdersReport } from './service/expire-orders.js';
