/**
 * What a failed migration run is reported as. A run that never reached the database (server down, wrong
 * host, wrong password, missing database) is a connection failure and says so — not a failed migration
 * with the name "unknown". Which driver codes mean "could not connect, and retrying will not help" is a
 * table, as data; transient ones (refused, reset, timed out) come from {@link classifyDatabaseError}.
 * @module
 */
import { ConfigurationError, PaymentError, isPaymentError } from '../core/errors.js';
import { classifyDatabaseError } from './database-errors.js';

/**
 * Driver codes of connection attempts the server refused for good, and what each means. PostgreSQL
 * SQLSTATEs, mysql2 codes, Node resolver codes, better-sqlite3 codes.
 */
export const CONNECTION_REFUSAL_CODES: Readonly<Record<string, string>> = {
  '28P01': 'password authentication failed',
  '28000': 'the role may not log in (pg_hba.conf or missing role)',
  '3D000': 'the database does not exist',
  '42501': 'the role lacks a privilege the migration needs',
  ER_ACCESS_DENIED_ERROR: 'access denied for this user and password',
  ER_DBACCESS_DENIED_ERROR: 'access denied to this database',
  ER_BAD_DB_ERROR: 'the database does not exist',
  ENOTFOUND: 'the host name does not resolve',
  SQLITE_CANTOPEN: 'the SQLite file cannot be opened (missing directory or no permission)',
  SQLITE_READONLY: 'the SQLite file is read-only',
};

/**
 * Turns what Kysely's `Migrator` reported into the error `migrateToLatest` throws: a retryable
 * `DATABASE_UNAVAILABLE` when the database could not be reached, a `ConfigurationError`
 * `DATABASE_CONNECTION_FAILED` when it refused the connection, otherwise `MIGRATION_FAILED` naming the
 * migration (or saying that none had started). Messages name driver codes only, never the URL.
 *
 * @example
 * ```ts
 * if (resultSet.error !== undefined) throw toMigrationError(resultSet.error, failedMigrationName);
 * ```
 */
export function toMigrationError(error: unknown, migration: string | undefined): Error {
  if (isPaymentError(error)) return error;
  const driverCode = (error as { code?: unknown } | null)?.code;
  const code = typeof driverCode === 'string' ? driverCode : undefined;
  const where = migration === undefined ? '' : ` (while running payment migration "${migration}")`;
  const details = { ...(code === undefined ? {} : { driverCode: code }), ...(migration ? { migration } : {}) };
  if (classifyDatabaseError(error) === 'DATABASE_UNAVAILABLE') {
    return new PaymentError(
      `Cannot migrate: could not connect to the database${code ? ` (${code})` : ''}${where}. Check that the ` +
        'server is running and that DATABASE_URL names the right host and port, then migrate again.',
      { code: 'DATABASE_UNAVAILABLE', retryable: true, cause: error, details },
    );
  }
  const refusal = code === undefined ? undefined : CONNECTION_REFUSAL_CODES[code];
  if (refusal !== undefined) {
    return new ConfigurationError(
      `Cannot migrate: the database refused: ${refusal} (${code})${where}. Fix DATABASE_URL or the database's ` +
        'grants, then migrate again.',
      { code: 'DATABASE_CONNECTION_FAILED', cause: error, details },
    );
  }
  const which = migration === undefined ? 'Preparing the payment migrations' : `Payment migration "${migration}"`;
  return new ConfigurationError(
    `${which} failed${code ? ` (${code})` : ''}; see the cause. Fix it and migrate again.`,
    {
      code: 'MIGRATION_FAILED',
      cause: error,
      details,
    },
  );
}
