/**
 * Stripe webhook verification, on the SDK's own verifier (`webhooks.constructEventAsync`), closed over
 * the endpoint secrets and tolerance. Several secrets are tried in order so a secret can be rotated
 * without dropping deliveries.
 * @module
 */
import type Stripe from 'stripe';
import { WebhookVerificationError } from '../core/errors.js';
import type { WebhookInput } from '../core/types.js';
import { getHeader, requireJsonObjectStart, requireRawBody } from '../core/webhook-input.js';

/** The header Stripe puts its signature in (matched case-insensitively). */
export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

/** The part of the SDK's `webhooks` helper the verifier uses. */
export type StripeWebhooksLike = Pick<Stripe['webhooks'], 'constructEventAsync'>;

/** Dependencies of {@link createStripeWebhookVerifier}. */
export interface StripeWebhookVerifierOptions {
  /** `stripe.webhooks` of the provider's client. */
  webhooks: StripeWebhooksLike;
  /** Endpoint secrets, tried in order. */
  secrets: readonly string[];
  /** Maximum signature age in seconds; 0 disables the check. */
  tolerance: number;
  /** Provider instance name, for errors. */
  provider: string;
}

/**
 * Builds `verify(input)`: checks the `stripe-signature` header (read case-insensitively) over the raw
 * bytes and returns the parsed Stripe event.
 *
 * Refusals, all `WebhookVerificationError` (or `RawBodyRequiredError` for a parsed body), never echoing a
 * secret: `WEBHOOK_SIGNATURE_MISSING` (no header), `WEBHOOK_SIGNATURE_MISMATCH` (no secret matches: tampered
 * body, wrong secret, malformed header), `WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE` (a valid signature older than
 * the tolerance: a replay or a badly delayed delivery), `WEBHOOK_PAYLOAD_INVALID` (signed but not a JSON event).
 */
export function createStripeWebhookVerifier(
  options: StripeWebhookVerifierOptions,
): (input: WebhookInput) => Promise<Stripe.Event> {
  const { webhooks, secrets, tolerance, provider } = options;
  return async (input) => {
    const body = requireRawBody(input.rawBody, provider);
    requireJsonObjectStart(body, provider);
    const header = getHeader(input.headers, STRIPE_SIGNATURE_HEADER);
    if (header === undefined || header.trim() === '') {
      throw new WebhookVerificationError(
        'The stripe-signature header is missing: this request was not signed by Stripe.',
        {
          code: 'WEBHOOK_SIGNATURE_MISSING',
          provider,
        },
      );
    }
    const receivedAt = input.receivedAt?.getTime();
    let stale = false;
    for (const secret of secrets) {
      try {
        return await webhooks.constructEventAsync(body, header, secret, tolerance, undefined, receivedAt);
      } catch (error) {
        const type = (error as { type?: unknown }).type;
        if (type !== 'StripeSignatureVerificationError') {
          // The signature matched (the SDK verifies before parsing), but the body is not a usable event.
          throw new WebhookVerificationError('The webhook is signed but its body is not a Stripe event.', {
            code: 'WEBHOOK_PAYLOAD_INVALID',
            provider,
            header,
            cause: error,
          });
        }
        // The SDK checks the timestamp only after a signature matched, so this secret is the right one.
        if (/tolerance/i.test((error as Error).message)) stale = true;
      }
    }
    if (stale) {
      throw new WebhookVerificationError(
        `The webhook signature is older than the ${tolerance}s tolerance (a replay or a badly delayed delivery).`,
        { code: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', provider, header },
      );
    }
    throw new WebhookVerificationError(
      'No webhook secret matches the stripe-signature header: the body was altered, the secret is wrong, or the header is malformed.',
      { code: 'WEBHOOK_SIGNATURE_MISMATCH', provider, header },
    );
  };
}
