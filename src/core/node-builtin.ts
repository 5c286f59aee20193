/**
 * Reaches a Node built-in (`node:fs`, `node:crypto`, `node:module`) only when the runtime has one, without a
 * static import: a static `import 'node:fs'` makes a module unloadable on Cloudflare workerd without the
 * `nodejs_compat` flag and on other runtimes without Node built-ins.
 * @module
 */

/**
 * The built-in module `id`, from `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno, workerd with
 * `nodejs_compat`); `undefined` where the runtime has none. One path for the ESM and CJS builds alike.
 *
 * @example
 * ```ts
 * const fs = nodeBuiltin<typeof NodeFs>('node:fs'); // import type * as NodeFs from 'node:fs'
 * if (!fs) throw new ConfigurationError('… needs node:fs …');
 * ```
 */
export function nodeBuiltin<T>(id: `node:${string}`): T | undefined {
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return host?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}
