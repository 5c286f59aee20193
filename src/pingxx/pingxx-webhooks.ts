/**
 * Ping++ webhook verification: `x-pingplusplus-signature` is a base64 RSA-SHA256 signature of the exact
 * request bytes, made with Ping++'s private key; it is checked with the Ping++ public key from the
 * dashboard, parsed once when the provider is built.
 *
 * Ping++ signs no timestamp, so a signature never goes stale: replays are stopped by the event-id
 * journal of the payment service (`order_payment_events`), not here.
 * @module
 */
import { verify, type KeyObject } from 'node:crypto';
import { ConfigurationError, WebhookVerificationError } from '../core/errors.js';
import type { PaymentEvent, WebhookInput } from '../core/types.js';
import { getHeader, requireJsonObjectStart, requireRawBody } from '../core/webhook-input.js';
import { utf8Decode } from '../core/web-crypto.js';
import { normalizePingxxEvent } from './pingxx-events.js';
import type { PingxxEvent } from './pingxx-types.js';

/** The header Ping++ puts its signature in (matched case-insensitively). */
export const PINGXX_SIGNATURE_HEADER = 'x-pingplusplus-signature';

/** Options of {@link createPingxxWebhookVerifier}. */
export interface PingxxWebhookVerifierOptions {
  provider: string;
  /** The Ping++ public key. Required unless `unsafeSkipVerification`. */
  publicKey: KeyObject | null;
  /** Accepts unsigned webhooks. Only for local experiments; never in production. @default false */
  unsafeSkipVerification?: boolean;
}

/**
 * Builds the verifier: raw bytes in, normalised {@link PaymentEvent} out.
 *
 * @example
 * ```ts
 * const verifyWebhook = createPingxxWebhookVerifier({ provider: 'pingxx', publicKey: createPublicKey(pem) });
 * const event = verifyWebhook({ rawBody: req.body, headers: req.headers });
 * ```
 * @throws ConfigurationError at construction when there is no key and verification is not explicitly skipped.
 */
export function createPingxxWebhookVerifier(
  options: PingxxWebhookVerifierOptions,
): (input: WebhookInput) => PaymentEvent {
  const { provider, publicKey } = options;
  const skip = options.unsafeSkipVerification === true;
  if (!publicKey && !skip) {
    throw new ConfigurationError(
      'Ping++: webhookPublicKey (or webhookPublicKeyPath) is required; unsigned webhooks are never accepted.',
      { code: 'PINGXX_WEBHOOK_KEY_MISSING', provider },
    );
  }
  return (input) => {
    const body = requireRawBody(input?.rawBody, provider);
    requireJsonObjectStart(body, provider);
    if (!skip)
      checkSignature(body, getHeader(input.headers, PINGXX_SIGNATURE_HEADER), publicKey as KeyObject, provider);
    return normalizePingxxEvent(parseEvent(body, provider), provider);
  };
}

function checkSignature(body: Uint8Array, header: string | undefined, key: KeyObject, provider: string): void {
  const fail = (message: string, code: string): never => {
    throw new WebhookVerificationError(`Ping++ webhook: ${message}`, {
      code,
      provider,
      ...(header === undefined ? {} : { header }),
    });
  };
  if (header === undefined || header.trim() === '')
    return fail(`the ${PINGXX_SIGNATURE_HEADER} header is missing.`, 'WEBHOOK_SIGNATURE_MISSING');
  const signature = header.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature))
    return fail('the signature is not base64.', 'WEBHOOK_SIGNATURE_MALFORMED');
  let valid = false;
  try {
    valid = verify('RSA-SHA256', body, key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) fail('the signature does not match the body and the Ping++ public key.', 'WEBHOOK_SIGNATURE_INVALID');
}

function parseEvent(body: Uint8Array, provider: string): PingxxEvent {
  let event: unknown;
  try {
    event = JSON.parse(utf8Decode(body));
  } catch {
    event = undefined;
  }
  const e = event as Partial<PingxxEvent> | undefined;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.id !== 'string' ||
    typeof e.type !== 'string' ||
    typeof e.created !== 'number' ||
    typeof e.data !== 'object' ||
    e.data === null
  ) {
    throw new WebhookVerificationError('Ping++ webhook: the body is not a Ping++ event.', {
      code: 'WEBHOOK_PAYLOAD_INVALID',
      provider,
    });
  }
  return e as PingxxEvent;
}
