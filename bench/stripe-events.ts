/**
 * Stripe `payment_intent.succeeded` deliveries of about 2 KB (a realistic PaymentIntent with metadata),
 * signed like Stripe signs them.
 * @module
 */
import { signStripeWebhook } from '../src/testing/stripe-signer.js';

/** The endpoint secret every bench delivery is signed with. */
export const BENCH_WEBHOOK_SECRET = 'whsec_bench_secret';

/** A signed delivery. */
export interface SignedEvent {
  rawBody: string;
  headers: { 'stripe-signature': string };
}

/** One attempt to pay. */
export interface BenchPayment {
  orderId: string;
  attemptId: string;
  amount: number;
}

/** The event object (before signing). */
export function succeededEvent(p: BenchPayment, eventId: string): object {
  const created = Math.floor(Date.now() / 1000);
  const pi = `pi_${p.attemptId.slice(0, 24)}`;
  return {
    id: eventId,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    data: {
      object: {
        id: pi,
        object: 'payment_intent',
        amount: p.amount,
        amount_capturable: 0,
        amount_details: { tip: {} },
        amount_received: p.amount,
        application: null,
        application_fee_amount: null,
        automatic_payment_methods: { allow_redirects: 'always', enabled: true },
        canceled_at: null,
        cancellation_reason: null,
        capture_method: 'automatic_async',
        client_secret: `${pi}_secret_${p.orderId.slice(0, 16)}`,
        confirmation_method: 'automatic',
        created: created - 30,
        currency: 'usd',
        customer: null,
        description: 'Course purchase: Advanced TypeScript for payment engineers',
        last_payment_error: null,
        latest_charge: `ch_${p.attemptId.slice(0, 24)}`,
        livemode: false,
        metadata: {
          stripe_order_bid: p.attemptId,
          order_bid: p.orderId,
          user_bid: `user_${p.orderId.slice(0, 12)}`,
          shifu_bid: 'course_ts_advanced',
        },
        next_action: null,
        on_behalf_of: null,
        payment_method: `pm_${p.attemptId.slice(0, 24)}`,
        payment_method_configuration_details: { id: 'pmc_1PgT2cExampleConfig', parent: null },
        payment_method_options: {
          card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
          link: { persistent_token: null },
        },
        payment_method_types: ['card', 'link'],
        processing: null,
        receipt_email: 'learner@example.com',
        review: null,
        setup_future_usage: null,
        shipping: null,
        source: null,
        statement_descriptor: null,
        statement_descriptor_suffix: null,
        status: 'succeeded',
        transfer_data: null,
        transfer_group: null,
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: `req_${p.attemptId.slice(0, 14)}`, idempotency_key: p.attemptId },
    type: 'payment_intent.succeeded',
  };
}

/** Signs the success delivery for each payment (now, so the 5-minute tolerance holds). */
export function signDeliveries(payments: readonly BenchPayment[], prefix: string): SignedEvent[] {
  return payments.map((p) =>
    signStripeWebhook(succeededEvent(p, `evt_${prefix}_${p.attemptId}`), BENCH_WEBHOOK_SECRET),
  );
}

/** Signs a delivery's exact body again (a redelivery: same bytes, a fresh signature timestamp). */
export function resignDelivery(rawBody: string): SignedEvent {
  return signStripeWebhook(rawBody, BENCH_WEBHOOK_SECRET);
}
