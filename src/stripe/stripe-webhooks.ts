/**
 * Stripe webhook verification on the SDK's own verifier (`Stripe.webhooks.constructEvent`), closed over the
 * endpoint secrets and tolerance. Where the runtime has `node:crypto` (Node, Bun, Deno, workerd with
 * `nodejs_compat`) the HMAC is computed synchronously with it, as the SDK's Node build does; elsewhere (workerd
 * without flags, Vercel Edge) with Stripe's SubtleCrypto provider through `constructEventAsync`, which costs an
 * async key import per signature (about ten times slower). Several secrets are tried in order so a secret can be rotated without
 * dropping deliveries.
 * @module
 */
import type Stripe from 'stripe';
import { ConfigurationError, WebhookVerificationError } from '../core/errors.js';
import type { PaymentEvent, WebhookInput } from '../core/types.js';
import type * as NodeCrypto from 'node:crypto';
import { nodeBuiltin } from '../core/node-builtin.js';
import { requireWebCrypto } from '../core/web-crypto.js';
import { guardWebhookInput } from '../core/provider-input.js';
import { getHeader, requireRawJsonBody } from '../core/webhook-input.js';
import { normalizeStripeEvent } from './stripe-events.js';
import { assertStripeInstalled, loadStripeSdk, type StripeSdk } from './stripe-sdk.js';

/** The header Stripe puts its signature in (matched case-insensitively). */
export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

/** Default {@link StripeWebhookVerifierOptions.toleranceSeconds}: Stripe's own five minutes. */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Options of {@link createStripeWebhookVerifier}: the endpoint secret, and nothing else. */
export interface StripeWebhookVerifierOptions {
  /**
   * The endpoint's signing secret (`whsec_…`, `STRIPE_WEBHOOK_SECRET`), or several during a rotation, tried in
   * order.
   */
  webhookSecret: string | readonly string[];
  /** Maximum signature age in seconds; 0 disables the check. @default 300 */
  toleranceSeconds?: number | undefined;
  /** Provider instance name carried by events and errors. @default 'stripe' */
  name?: string | undefined;
}

/** A verifier: raw bytes and headers in, a normalised {@link PaymentEvent} out (or a typed refusal). */
export type StripeWebhookVerifier = (input: WebhookInput) => Promise<PaymentEvent>;

/**
 * Builds a standalone Stripe webhook verifier that needs nothing but the endpoint secret: no API key, no
 * client, no payment service. It checks the `stripe-signature` header (read case-insensitively) over the raw
 * bytes and returns the normalised event.
 *
 * Refusals, all `WebhookVerificationError` (or `RawBodyRequiredError` for a parsed body), never echoing a
 * secret: `WEBHOOK_SIGNATURE_MISSING` (no header), `WEBHOOK_SIGNATURE_MISMATCH` (no secret matches: tampered
 * body, wrong secret, malformed header), `WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE` (a valid signature older than
 * the tolerance: a replay or a badly delayed delivery), `WEBHOOK_PAYLOAD_INVALID` (signed but not a Stripe event).
 *
 * @example
 * ```ts
 * import { createStripeWebhookVerifier } from '@org/payment-factory/stripe';
 *
 * const verifyStripe = createStripeWebhookVerifier({ webhookSecret: env.STRIPE_WEBHOOK_SECRET });
 * const event = await verifyStripe({ rawBody: await request.text(), headers: request.headers });
 * if (event.type === 'payment.succeeded') await fulfil(event.attemptId, event.amount, event.currency);
 * ```
 * @throws ConfigurationError `STRIPE_INVALID_OPTIONS` for a missing or blank secret or a bad tolerance, or
 * `RUNTIME_FEATURE_MISSING` on a runtime without Web Crypto.
 */
export function createStripeWebhookVerifier(options: StripeWebhookVerifierOptions): StripeWebhookVerifier {
  const provider = options?.name ?? 'stripe';
  const raw = options?.webhookSecret;
  const secrets: readonly string[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? [...raw] : [];
  const tolerance = options?.toleranceSeconds ?? STRIPE_WEBHOOK_TOLERANCE_SECONDS;
  const issues: string[] = [];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.trim() === '' || /\s/.test(s)))
    issues.push('webhookSecret (STRIPE_WEBHOOK_SECRET) must be one or more non-empty secrets without whitespace.');
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0)
    issues.push('toleranceSeconds must be a number of seconds >= 0.');
  if (issues.length > 0) {
    throw new ConfigurationError(`Stripe webhook verifier options are invalid: ${issues.join(' ')}`, {
      code: 'STRIPE_INVALID_OPTIONS',
      provider,
      issues,
    });
  }
  const verify = createStripeSignatureCheck({ secrets, tolerance, provider });
  return async (input) => {
    // Synchronous once the SDK is loaded on `node:crypto`: no extra promise or tick per webhook.
    const event = verify(input);
    return normalizeStripeEvent(event instanceof Promise ? await event : event, provider);
  };
}

/** Dependencies of {@link createStripeSignatureCheck}. */
interface StripeSignatureCheckOptions {
  /** Endpoint secrets, tried in order. */
  secrets: readonly string[];
  /** Maximum signature age in seconds; 0 disables the check. */
  tolerance: number;
  /** Provider instance name, for errors. */
  provider: string;
}

/**
 * A Stripe `CryptoProvider` on `node:crypto`, reached without a static import (so the module still loads on
 * workerd without flags): what `Stripe.createNodeCryptoProvider()` does, which only the SDK's Node build has.
 */
function nodeCryptoProvider(crypto: typeof NodeCrypto): Stripe.CryptoProvider {
  const hmac = (payload: string, secret: string) =>
    crypto.createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
  return {
    computeHMACSignature: hmac,
    computeHMACSignatureAsync: async (payload, secret) => hmac(payload, secret),
    computeSHA256Async: async (data) => new Uint8Array(crypto.createHash('sha256').update(data).digest()),
  };
}

/** The loaded SDK and the crypto provider its webhook helper is called with. */
interface LoadedStripe {
  stripeSdk: StripeSdk;
  cryptoProvider: Stripe.CryptoProvider;
}

/**
 * `verify(input)` → the parsed Stripe event. Uses the SDK's static webhook helper: synchronously on
 * `node:crypto` where the runtime has it, else with its SubtleCrypto provider (the Node build's default
 * provider needs a static `node:crypto` import, which workerd lacks without flags). The event comes back
 * synchronously once the SDK is loaded on `node:crypto` (a webhook is verified without a promise of its own),
 * as a promise otherwise (the first call loads the SDK; Web Crypto is asynchronous).
 */
function createStripeSignatureCheck(
  options: StripeSignatureCheckOptions,
): (input: WebhookInput) => Stripe.Event | Promise<Stripe.Event> {
  const { secrets, tolerance, provider } = options;
  const crypto = nodeBuiltin<typeof NodeCrypto>('node:crypto');
  const subtle = crypto ? null : requireWebCrypto('subtle', 'createStripeWebhookVerifier').subtle;
  assertStripeInstalled(provider);
  let loaded: LoadedStripe | undefined;
  let loading: Promise<LoadedStripe> | undefined;
  const loadSdk = () =>
    (loading ??= loadStripeSdk(provider).then(
      (stripeSdk) =>
        (loaded = {
          stripeSdk,
          cryptoProvider: crypto ? nodeCryptoProvider(crypto) : stripeSdk.createSubtleCryptoProvider(subtle!),
        }),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    ));

  /** One secret after another, synchronously (`node:crypto`). */
  const verifySync = (sdk: LoadedStripe, body: string | Uint8Array, header: string, receivedAt?: number) => {
    let stale = false;
    for (const secret of secrets) {
      try {
        return sdk.stripeSdk.webhooks.constructEvent(body, header, secret, tolerance, sdk.cryptoProvider, receivedAt);
      } catch (error) {
        stale = isStale(error, header, provider) || stale;
      }
    }
    return refuse(stale, header, tolerance, provider);
  };
  /** The same with the SDK's asynchronous helper (Web Crypto). */
  const verifyAsync = async (body: string | Uint8Array, header: string, receivedAt?: number) => {
    const sdk = loaded ?? (await loadSdk());
    if (crypto) return verifySync(sdk, body, header, receivedAt);
    let stale = false;
    for (const secret of secrets) {
      try {
        return await sdk.stripeSdk.webhooks.constructEventAsync(
          body,
          header,
          secret,
          tolerance,
          sdk.cryptoProvider,
          receivedAt,
        );
      } catch (error) {
        stale = isStale(error, header, provider) || stale;
      }
    }
    return refuse(stale, header, tolerance, provider);
  };

  return (input) => {
    guardWebhookInput(input, 'verifyWebhook');
    const body = requireRawJsonBody(input.rawBody, provider);
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
    return loaded && crypto ? verifySync(loaded, body, header, receivedAt) : verifyAsync(body, header, receivedAt);
  };
}

/**
 * Classifies what the SDK threw for one secret: `true` when the signature matched but is older than the tolerance
 * (the SDK checks the timestamp only after a signature matched, so this secret is the right one), `false` when it
 * did not match. Anything else means the signature matched but the body is not a usable event: thrown at once.
 */
function isStale(error: unknown, header: string, provider: string): boolean {
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
  return /tolerance/i.test((error as Error).message);
}

/** The refusal once every secret was tried. */
function refuse(stale: boolean, header: string, tolerance: number, provider: string): never {
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
}
