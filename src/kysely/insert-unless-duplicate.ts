/**
 * The race-safe insert every "exactly one caller wins" rule rests on.
 * @module
 */
import { definedEntries, runCompiled } from './compiled-statements.js';
import type { RepositoryContext } from './repository-context.js';
import { isDuplicateKeyError } from './sql-dialect.js';

/**
 * Inserts a row unless a unique key is already taken; returns whether it inserted.
 *
 * Rule: under concurrent calls with the same unique key, exactly one returns `true`, and a duplicate never
 * aborts the enclosing transaction. How each dialect achieves it:
 * - PostgreSQL, SQLite: `INSERT … ON CONFLICT DO NOTHING`. A concurrent insert of the same key waits for
 *   the first transaction to finish, then does nothing (PostgreSQL); SQLite serialises writers. A plain
 *   INSERT would poison a PostgreSQL transaction on conflict.
 * - MySQL/MariaDB, when the caller has checked that every value fits its column (`fits`): `INSERT IGNORE`,
 *   which answers a duplicate with 0 affected rows (a concurrent insert of the same key waits for the first
 *   transaction, then ignores). `IGNORE` also downgrades other errors to warnings (a too-long value would be
 *   silently truncated), which is why it needs the caller's check; the journal, the hot path, makes it.
 * - MySQL/MariaDB otherwise: a plain INSERT, catching `ER_DUP_ENTRY` (1062). InnoDB rolls back only the
 *   failing statement, so the transaction stays usable.
 */
export async function insertUnlessDuplicate(
  ctx: RepositoryContext,
  table: string,
  values: Record<string, unknown>,
  fits = false,
): Promise<boolean> {
  const { columns, parameters } = definedEntries(values);
  if (ctx.dialect === 'mysql' && fits) {
    const result = await runCompiled(ctx, `insert ignore ${table}(${columns})`, parameters, () =>
      ctx.db.insertInto(table).values(values).ignore(),
    );
    return Number(result.numAffectedRows ?? 0n) > 0;
  }
  if (ctx.dialect === 'mysql') {
    try {
      await runCompiled(ctx, `insert ${table}(${columns})`, parameters, () => ctx.db.insertInto(table).values(values));
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
  const result = await runCompiled(ctx, `insert or nothing ${table}(${columns})`, parameters, () =>
    ctx.db
      .insertInto(table)
      .values(values)
      .onConflict((oc) => oc.doNothing()),
  );
  return Number(result.numAffectedRows ?? 0n) > 0;
}
