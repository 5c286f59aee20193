/**
 * `ORDER BY <time>, <key> LIMIT n` over rows in one of several statuses, read in index order.
 *
 * An index on `(status, <time>, <key>)` returns each status's rows already ordered, but no database merges the
 * ranges of `status IN (a, b)` in index order: SQLite, PostgreSQL and MySQL all sort every match instead, and
 * the matches grow with the table. So the read is one statement per status, each `… LIMIT n` straight off the
 * index, and the (at most statuses × n) rows are merged here in the same order the database would give them.
 * @module
 */
import type { SelectQueryBuilder } from 'kysely';
import type { UntypedDatabase } from './schema.js';

type Row = Record<string, unknown>;

/** A value as the database orders it: instants by time, text by code unit (the binary collations we test on). */
const comparable = (value: unknown): number | string =>
  value instanceof Date ? value.getTime() : typeof value === 'number' ? value : String(value);

/**
 * Runs `build(status)` for each status (sequentially: inside a transaction they share one connection) and
 * returns the first `limit` rows of all of them ordered by `columns`, ascending.
 */
export async function oneStatusAtATime(
  statuses: readonly number[],
  columns: readonly string[],
  limit: number,
  build: (status: number) => SelectQueryBuilder<UntypedDatabase, string, Row>,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const status of statuses) rows.push(...(await build(status).execute()));
  if (statuses.length === 1) return rows;
  const compare = (a: Row, b: Row): number => {
    for (const column of columns) {
      const x = comparable(a[column]);
      const y = comparable(b[column]);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  return rows.sort(compare).slice(0, limit);
}
