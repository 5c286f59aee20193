/**
 * The three SQL dialects the reference implementation speaks, how to tell which one a `Kysely` instance
 * uses, and the few places their behaviour differs. Everything else is portable Kysely.
 * @module
 */
import type { Kysely } from 'kysely';
import { loadedKysely } from './kysely-module.js';
import { toJsonText } from '../persistence/record-validation.js';
import type { JsonValue } from '../persistence/records.js';

/** A supported SQL dialect. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/** Kysely's three adapter classes, by the dialect they speak. */
const ADAPTERS = [
  ['postgres', 'PostgresAdapter'],
  ['mysql', 'MysqlAdapter'],
  ['sqlite', 'SqliteAdapter'],
] as const;

/**
 * Detects the dialect from the Kysely adapter. Third-party dialects (libsql, PGlite, PlanetScale…) reuse
 * these adapters, so `instanceof` finds them; pass `dialect` explicitly when one does not.
 *
 * The adapter's class chain is also matched by name, for a host whose adapter comes from another copy of kysely
 * (its CommonJS build beside our ESM one) and before `kysely` is loaded (the ESM build loads it on the first async
 * call; see `kysely-module.ts`). A minifier that renames classes defeats the names: there, pass `dialect`, or call
 * `createKyselyRepositories` after `await migrateToLatest(db)` or `createKyselyFromUrl`.
 * @throws TypeError for an unrecognised adapter.
 */
export function detectSqlDialect<DB>(db: Kysely<DB>): SqlDialect {
  const adapter = db.getExecutor().adapter;
  const kysely = loadedKysely();
  for (const [dialect, className] of ADAPTERS) {
    // Both: `instanceof` holds in a minified bundle, the name across two copies of kysely (ESM and CJS).
    if ((kysely && adapter instanceof kysely[className]) || inheritsFrom(adapter, className)) return dialect;
  }
  throw new TypeError(
    `Cannot tell the SQL dialect of this Kysely instance (${adapter.constructor.name}); pass { dialect: 'sqlite' | 'postgres' | 'mysql' }.`,
  );
}

/** Whether `value`'s class, or one it extends, is named `className`. */
function inheritsFrom(value: object, className: string): boolean {
  for (let proto: unknown = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: unknown } }).constructor?.name === className) return true;
  }
  return false;
}

/**
 * Whether an error is a unique-key violation, on any of the three drivers (mysql2 `ER_DUP_ENTRY` / 1062,
 * pg `23505`, better-sqlite3 `SQLITE_CONSTRAINT_UNIQUE`). Inserts rely on it only on MySQL, where a
 * duplicate key rolls back just the statement (PostgreSQL would poison the transaction, so inserts use
 * `ON CONFLICT DO NOTHING` there); refund updates use it everywhere to report a provider refund id lost
 * to a concurrent writer.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { errno?: unknown; code?: unknown };
  return e.errno === 1062 || e.code === 'ER_DUP_ENTRY' || e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Converts a `Date` to what the dialect's driver binds: ISO text for SQLite (it cannot bind a `Date`). */
export function dateParam(dialect: SqlDialect, date: Date): Date | string {
  return dialect === 'sqlite' ? date.toISOString() : date;
}

const NAIVE_DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

/**
 * Reads a timestamp whatever the driver returned: a `Date`, ISO text, SQL `YYYY-MM-DD HH:MM:SS[.fff]`
 * text without zone (read as UTC, as SQLite's `CURRENT_TIMESTAMP` writes it), or epoch milliseconds.
 */
export function readDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : new Date(value.getTime());
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') {
    const naive = NAIVE_DATETIME.exec(value);
    const date = naive ? new Date(`${naive[1]}T${naive[2]}Z`) : new Date(value);
    if (Number.isNaN(date.getTime())) throw new TypeError(`Unreadable timestamp "${value}" in the database.`);
    return date;
  }
  throw new TypeError(`Unreadable timestamp of type ${typeof value} in the database.`);
}

/** Reads a required timestamp. */
export function readRequiredDate(value: unknown): Date {
  const date = readDate(value);
  if (!date) throw new TypeError('Missing required timestamp in the database.');
  return date;
}

/** Reads an integer that pg returns as a string (`bigint`) and others as a number. */
export function readInteger(value: unknown): number {
  const n = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new TypeError(`Unreadable integer ${String(value)} in the database.`);
  }
  return n;
}

/**
 * Reads an optional string column. The original tables default text columns to `''`, which means
 * "not set", so empty reads as `null`.
 */
export function readString(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return readText(value);
}

/**
 * Reads a text-like column (drivers may hand back numbers, bigints or Buffers for text-ish types).
 * @throws TypeError for anything else, rather than storing `[object Object]` somewhere.
 */
export function readText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw new TypeError(`Unreadable text value of type ${typeof value} in the database.`);
}

/**
 * Reads a JSON text column. Text that is not JSON (the original system sometimes stored a Python `repr`)
 * is returned as the string itself rather than failing the whole read.
 */
export function readJson(value: unknown): JsonValue | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') return value as JsonValue; // a driver that already parsed a JSON column
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    return value;
  }
}

/**
 * Writes a JSON value as JSON text (`null` stays SQL `NULL`); a value validated by `toJsonValue` is not
 * serialised again.
 */
export function jsonParam(value: unknown): string | null {
  return toJsonText(value);
}

/** Reads a 0/1 flag column as a boolean. */
export function readFlag(value: unknown): boolean | null {
  if (value === null || value === undefined) return null;
  return Number(value) !== 0;
}
