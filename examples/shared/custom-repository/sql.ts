/**
 * The few SQL helpers the shop repositories share: parameterised INSERT/UPDATE built from a column→value
 * row, typed single/many reads through a column map, and the unique-violation check.
 * @module
 */
import type Database from 'better-sqlite3';
import { fromRow, type ColumnMap } from './schema.js';

export type Db = Database.Database;
export type Row = Record<string, unknown>;
/** Runs one repository call: queued and atomic outside a transaction, directly inside one. */
export type Exec = <T>(fn: () => T) => Promise<T>;

/** `INSERT INTO table (…) VALUES (…) [onConflict]`; returns the number of rows inserted. */
export function insert(db: Db, table: string, row: Row, onConflict = ''): number {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ${onConflict}`;
  return db.prepare(sql).run(row).changes;
}

/** `INSERT … [onConflict … RETURNING …]`; returns the row returned, if any. */
export function insertReturning(db: Db, table: string, row: Row, onConflictReturning: string): Row | undefined {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ${onConflictReturning}`;
  return db.prepare(sql).get(row) as Row | undefined;
}

/** `UPDATE table SET … WHERE key = ? [AND status IN (…)]`; returns the number of rows changed. */
export function update(db: Db, table: string, set: Row, where: Row, statusIn?: readonly string[]): number {
  const assignments = Object.keys(set).map((c) => `${c} = @set_${c}`);
  const conditions = Object.keys(where).map((c) => `${c} = @where_${c}`);
  if (statusIn) conditions.push(`status IN (${statusIn.map((_, i) => `@status_${i}`).join(', ')})`);
  const params: Row = {};
  for (const [c, v] of Object.entries(set)) params[`set_${c}`] = v;
  for (const [c, v] of Object.entries(where)) params[`where_${c}`] = v;
  statusIn?.forEach((s, i) => (params[`status_${i}`] = s));
  return db.prepare(`UPDATE ${table} SET ${assignments.join(', ')} WHERE ${conditions.join(' AND ')}`).run(params)
    .changes;
}

/** The first row of `sql` as a record, or `null`. */
export function one<R>(db: Db, map: ColumnMap<R>, sql: string, ...params: unknown[]): R | null {
  const row = db.prepare(sql).get(...params) as Row | undefined;
  return row ? fromRow(map, row) : null;
}

/** Every row of `sql` as records. */
export function many<R>(db: Db, map: ColumnMap<R>, sql: string, ...params: unknown[]): R[] {
  return (db.prepare(sql).all(...params) as Row[]).map((row) => fromRow(map, row));
}

/** Whether a better-sqlite3 error is a primary-key or unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Whether the order exists (the ports answer `NotFoundError` for children of a missing order). */
export function orderExists(db: Db, orderId: string): boolean {
  return db.prepare('SELECT 1 FROM shop_orders WHERE order_id = ?').get(orderId) !== undefined;
}
