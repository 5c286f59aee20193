/**
 * The `stripe` SDK, an optional peer dependency, loaded on first use.
 *
 * `@org/payment-factory/stripe` imports only its types: importing the entry without `stripe` installed works,
 * building a provider or a verifier then throws `STRIPE_SDK_MISSING` naming the install command (where a
 * CommonJS `require` can look for it: Node, Bun, Deno), and the first API call or webhook verification loads it
 * with `import('stripe')` (on workerd and Vercel Edge the bundler has already included it).
 * @module
 */
import type Stripe from 'stripe';
import { assertPeerInstalled, loadPeer, type OptionalPeer } from '../core/optional-peer.js';

/** `stripe`, as an optional peer: its install command and the `STRIPE_SDK_MISSING` error. */
export const STRIPE_PEER: OptionalPeer = {
  name: 'stripe',
  range: '^23.0.0',
  code: 'STRIPE_SDK_MISSING',
  neededBy: 'The Stripe adapter',
};

/** The SDK's default export: the `Stripe` class with its static webhook helpers. */
export type StripeSdk = typeof Stripe;

let loading: Promise<StripeSdk> | undefined;

/**
 * Throws `STRIPE_SDK_MISSING` now when `stripe` is known not to be installed (see {@link assertPeerInstalled}).
 * @throws ConfigurationError `STRIPE_SDK_MISSING`.
 */
export function assertStripeInstalled(provider: string): void {
  assertPeerInstalled(STRIPE_PEER, provider);
}

/**
 * Loads the SDK once per process (a failed load is retried on the next call).
 * @throws ConfigurationError `STRIPE_SDK_MISSING` when `stripe` is not installed.
 */
export function loadStripeSdk(provider: string): Promise<StripeSdk> {
  loading ??= loadPeer(STRIPE_PEER, () => import('stripe'), provider).then(
    (module) => (module as { default?: StripeSdk }).default ?? (module as unknown as StripeSdk),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
