/**
 * Hot-path statements compiled once per shape. Kysely builds an operation tree and compiles it to SQL text for
 * every statement; for the few statements every webhook issues (attempt and order reads and guarded updates,
 * the journal insert, the outbox insert) that cost more CPU than running them. Each call site names the
 * statement's shape (table, columns, guard length: whatever changes the SQL text) and passes its parameters in
 * the order Kysely binds them; the first call of a shape compiles the builder and checks that its parameters
 * are exactly those, and only then remembers the SQL text. Later calls of that shape run the text with their
 * own parameters. A shape whose compiled parameters differ (a value Kysely inlines, a skipped `undefined`) is
 * never remembered and keeps compiling, so a wrong shape costs speed, never correctness.
 * @module
 */
import type { Compilable, QueryResult } from 'kysely';
import { loadedKysely } from './kysely-module.js';
import type { RepositoryContext } from './repository-context.js';

/** Remembered SQL texts: one map per `createKyselyRepositories` call, shared by its transactions. */
export type CompiledStatements = Map<string, string>;

/** More shapes than the library issues; a bound against a caller that builds keys from unbounded input. */
const CAPACITY = 512;

/**
 * Runs the statement of shape `key` with `parameters`: its remembered SQL text, or `build()` compiled (and its
 * text remembered when its parameters are exactly `parameters`).
 */
export async function runCompiled<R = Record<string, unknown>>(
  ctx: RepositoryContext,
  key: string,
  parameters: readonly unknown[],
  build: () => Compilable<R>,
): Promise<QueryResult<R>> {
  const cache = ctx.statements;
  const text = cache.get(key);
  const kysely = loadedKysely();
  if (text !== undefined && kysely) {
    return ctx.db.executeQuery<R>(kysely.CompiledQuery.raw(text, [...parameters]));
  }
  const compiled = build().compile();
  if (cache.size < CAPACITY && sameParameters(compiled.parameters, parameters)) cache.set(key, compiled.sql);
  return ctx.db.executeQuery<R>(compiled);
}

function sameParameters(compiled: readonly unknown[], expected: readonly unknown[]): boolean {
  if (compiled.length !== expected.length) return false;
  for (let i = 0; i < compiled.length; i += 1) if (!Object.is(compiled[i], expected[i])) return false;
  return true;
}

/** The defined entries of a row or patch (Kysely leaves `undefined` values out of the statement). */
export function definedEntries(values: Record<string, unknown>): { columns: string; parameters: unknown[] } {
  let columns = '';
  const parameters: unknown[] = [];
  for (const key in values) {
    const value = values[key];
    if (value === undefined) continue;
    columns += `${key},`;
    parameters.push(value);
  }
  return { columns, parameters };
}
