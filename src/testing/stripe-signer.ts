/**
 * Signs Stripe webhook payloads the way Stripe does, for tests and local tooling.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import { requireNodeBuiltin } from './node-only.js';

/** A signed Stripe webhook: the exact bytes to send and the header that signs them. */
export interface SignedStripeWebhook {
  /** The body, byte for byte as signed. Send it unchanged. */
  rawBody: string;
  /** The headers to send with it. */
  headers: {
    /** `t=<unix seconds>,v1=<HMAC-SHA256 hex>`, as Stripe signs. */
    'stripe-signature': string;
  };
}

/** Options of {@link signStripeWebhook}. */
export interface SignStripeWebhookOptions {
  /**
   * Signing time, as a `Date` or in Unix seconds. Move it into the past to produce a stale signature.
   * @default now
   */
  timestamp?: Date | number;
}

/**
 * Signs a webhook payload with a Stripe endpoint secret, using Stripe's `v1` scheme:
 * `stripe-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 *
 * The result verifies with `stripe.webhooks.constructEvent(Async)` and with the adapter's
 * `verifyWebhook`. An object payload is serialised with two-space indentation, like Stripe's deliveries.
 *
 * @example
 * ```ts
 * const { rawBody, headers } = signStripeWebhook({ id: 'evt_1', type: 'payment_intent.succeeded', … }, 'whsec_test');
 * await provider.verifyWebhook({ rawBody, headers });
 * ```
 */
export function signStripeWebhook(
  payload: string | object,
  secret: string,
  options: SignStripeWebhookOptions = {},
): SignedStripeWebhook {
  const rawBody = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
  const { timestamp } = options;
  const seconds =
    timestamp === undefined
      ? Math.floor(Date.now() / 1000)
      : timestamp instanceof Date
        ? Math.floor(timestamp.getTime() / 1000)
        : Math.floor(timestamp);
  const { createHmac } = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'signStripeWebhook');
  const signature = createHmac('sha256', secret).update(`${seconds}.${rawBody}`, 'utf8').digest('hex');
  return { rawBody, headers: { 'stripe-signature': `t=${seconds},v1=${signature}` } };
}
