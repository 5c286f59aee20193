/**
 * Optional peer dependencies (`stripe`, `pingpp`, `kysely`, the database drivers): telling, without loading
 * one, whether it is installed, and the typed error when it is not.
 *
 * An entry point never imports its peer statically: a missing package would make the import itself fail with
 * the runtime's raw `ERR_MODULE_NOT_FOUND` before any of our code runs. The SDK is loaded on first use with
 * `import()` (which bundlers for workerd and Vercel Edge follow), and the adapter checks at construction,
 * where a CommonJS `require` exists (Node, Bun, Deno), that it can be found.
 * @module
 */
import type * as NodeModule from 'node:module';
import { ConfigurationError } from './errors.js';
import { nodeBuiltin } from './node-builtin.js';

/** `require` anchored at this module (so the copy installed next to the library is found), where one exists. */
export function peerRequire(): NodeJS.Require | null {
  const modules = nodeBuiltin<typeof NodeModule>('node:module');
  // The CJS build has `__filename`; the ESM build has `import.meta.url`, which bundlers for edge runtimes
  // may leave undefined. A bare `require` would be rewritten by the bundler into a throwing shim.
  const anchor = typeof __filename === 'string' ? __filename : (import.meta as { url?: unknown }).url;
  if (!modules || typeof anchor !== 'string' || anchor === '') return null;
  try {
    return modules.createRequire(anchor);
  } catch {
    return null;
  }
}

/** What an optional peer is called and how to install it. */
export interface OptionalPeer {
  /** The npm package, e.g. `stripe`. */
  readonly name: string;
  /** The range this library is tested with, e.g. `^23.0.0`. */
  readonly range: string;
  /** The error code for "not installed", e.g. `STRIPE_SDK_MISSING`. */
  readonly code: string;
  /** Who needs it, for the message: `The Stripe adapter`. */
  readonly neededBy: string;
}

/** The install command for `peer`: `npm install stripe@^23.0.0`, quoted for a shell when the range needs it. */
export function installCommand(peer: OptionalPeer): string {
  const spec = `${peer.name}@${peer.range}`;
  return `npm install ${/^[\w@./^~-]+$/.test(spec) ? spec : `"${spec}"`}`;
}

/** The typed error for a peer that is not installed; its message names the install command. */
export function peerMissingError(peer: OptionalPeer, cause: unknown, provider?: string): ConfigurationError {
  return new ConfigurationError(
    `${peer.neededBy} needs the "${peer.name}" package, which is not installed: ${installCommand(peer)}`,
    { code: peer.code, cause, ...(provider === undefined ? {} : { provider }), details: { package: peer.name } },
  );
}

/**
 * Whether `error` says that `peer` itself cannot be found (not a module it imports in turn): Node's
 * `ERR_MODULE_NOT_FOUND` / `MODULE_NOT_FOUND`, Bun's and Deno's messages naming the package.
 */
export function isPeerNotFound(peer: OptionalPeer, error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const named = text.includes(`'${peer.name}'`) || text.includes(`"${peer.name}"`);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return named || text === '';
  return named && /cannot find|could not find|not found/i.test(text);
}

/**
 * Throws {@link peerMissingError} when `peer` cannot be resolved from this package. Where there is no CommonJS
 * `require` (workerd, Vercel Edge) nothing can be checked without loading it: the first use reports it.
 */
export function assertPeerInstalled(peer: OptionalPeer, provider?: string): void {
  const load = peerRequire();
  if (!load) return;
  try {
    load.resolve(peer.name);
  } catch (cause) {
    throw peerMissingError(peer, cause, provider);
  }
}

/**
 * `load()` (an `import()` of the peer), with a missing peer turned into {@link peerMissingError}.
 *
 * @example
 * ```ts
 * const { default: Stripe } = await loadPeer(STRIPE_PEER, () => import('stripe'));
 * ```
 */
export async function loadPeer<T>(peer: OptionalPeer, load: () => Promise<T>, provider?: string): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw isPeerNotFound(peer, cause) ? peerMissingError(peer, cause, provider) : cause;
  }
}
