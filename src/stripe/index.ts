/**
 * Stripe adapter on the official `stripe` SDK: PaymentIntents and Checkout Sessions, refunds, retrieve,
 * and webhook verification with secret rotation. Import from `@org/payment-factory/stripe`; the package
 * root never loads the SDK.
 * @module
 */
export { createStripeProvider, type StripeProvider } from './stripe-provider.js';
export {
  createStripeWebhookVerifier,
  STRIPE_WEBHOOK_TOLERANCE_SECONDS,
  type StripeWebhookVerifier,
  type StripeWebhookVerifierOptions,
} from './stripe-webhooks.js';
export type { StripeMode, StripePaymentMethodType, StripeProviderOptions } from './stripe-options.js';
export {
  CHECKOUT_SESSION_STATUS_TABLE,
  PAYMENT_INTENT_STATUS_TABLE,
  REFUND_EVENT_BY_STATUS,
  REFUND_STATUS_TABLE,
  STRIPE_CURRENCY_RULES,
  STRIPE_ERROR_TABLE,
  STRIPE_EVENT_TABLE,
  STRIPE_METADATA_KEYS,
} from './stripe-mappers.js';
export type {
  CheckoutSessionStatusRow,
  StripeConnectionPhase,
  StripeErrorOutcome,
  StripeEventObjectKind,
  PaymentIntentStatusRow,
  StripeCurrencyRule,
  StripeErrorRow,
  StripeEventRow,
} from './stripe-mappers.js';
export { fromStripeAmount, toStripeAmount } from './stripe-amounts.js';
