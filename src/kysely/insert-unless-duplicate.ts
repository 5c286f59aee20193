/**
 * The race-safe insert every "exactly one caller wins" rule rests on.
 * @module
 */
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
 * - MySQL/MariaDB: a plain INSERT, catching `ER_DUP_ENTRY` (1062). InnoDB rolls back only the failing
 *   statement, so the transaction stays usable. We avoid `INSERT IGNORE` on purpose: it also downgrades
 *   real errors (a too-long id silently truncated in strict mode) to warnings.
 */
export async function insertUnlessDuplicate(
  ctx: RepositoryContext,
  table: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  if (ctx.dialect === 'mysql') {
    try {
      await ctx.db.insertInto(table).values(values).execute();
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
  const result = await ctx.db
    .insertInto(table)
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}
