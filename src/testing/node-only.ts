/**
 * What the test kit needs from Node and how it says so elsewhere. The kit loads on every runtime (in-memory
 * repositories, fake provider, signers); the parts that need Node built-ins reach them when called, and a runtime
 * without them gets a `ConfigurationError` `RUNTIME_FEATURE_MISSING` naming what is missing.
 * @module
 */
import { ConfigurationError } from '../core/errors.js';
import { nodeBuiltin } from '../core/node-builtin.js';

/**
 * The Node built-in `id`, or a typed error naming it and `user`.
 *
 * @example
 * ```ts
 * const { createHmac } = requireNodeBuiltin<typeof NodeCrypto>('node:crypto', 'signStripeWebhook');
 * ```
 * @throws ConfigurationError `RUNTIME_FEATURE_MISSING`.
 */
export function requireNodeBuiltin<T>(id: `node:${string}`, user: string): T {
  const found = nodeBuiltin<T>(id);
  if (found === undefined) throw nodeOnly(user, id);
  return found;
}

/** The error for a Node-only test-kit function called on another runtime. */
export function nodeOnly(user: string, needs: string): ConfigurationError {
  return new ConfigurationError(
    `${user} needs ${needs}, which this JavaScript runtime does not provide; run it under Node, Bun or Deno.`,
    { code: 'RUNTIME_FEATURE_MISSING', details: { feature: needs } },
  );
}
