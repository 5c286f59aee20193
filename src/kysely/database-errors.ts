/**
 * Driver errors that mean "the database went away or refused right now": a connection killed by the
 * server (restart, failover, `idle_session_timeout`, an admin kill), refused or reset, a deadlock, a
 * serialisation failure, a busy SQLite file. The repositories turn them into a retryable
 * {@link PaymentError}, so a webhook answers 5xx (the provider redelivers) and a caller can retry; the pool
 * has already dropped the dead connection, so the retry gets a fresh one.
 * @module
 */
import { loadKysely, loadedKysely } from './kysely-module.js';
import { PaymentError, isPaymentError } from '../core/errors.js';

/** The retryable codes the repositories throw for a transient database failure. */
export type DatabaseErrorCode = 'DATABASE_UNAVAILABLE' | 'DATABASE_CONFLICT';

/**
 * Driver error codes by what they mean, as data. PostgreSQL SQLSTATEs (class `08` is matched as a whole),
 * mysql2 codes and errnos, Node socket codes, better-sqlite3 codes.
 */
export const TRANSIENT_DATABASE_CODES: Readonly<Record<string, DatabaseErrorCode>> = {
  // PostgreSQL
  '57P01': 'DATABASE_UNAVAILABLE', // admin_shutdown: pg_terminate_backend, fast shutdown, failover
  '57P02': 'DATABASE_UNAVAILABLE', // crash_shutdown
  '57P03': 'DATABASE_UNAVAILABLE', // cannot_connect_now (starting up, recovering)
  '57P05': 'DATABASE_UNAVAILABLE', // idle_session_timeout
  '25P03': 'DATABASE_UNAVAILABLE', // idle_in_transaction_session_timeout
  '53300': 'DATABASE_UNAVAILABLE', // too_many_connections
  '40001': 'DATABASE_CONFLICT', // serialization_failure
  '40P01': 'DATABASE_CONFLICT', // deadlock_detected
  '55P03': 'DATABASE_CONFLICT', // lock_not_available
  // MySQL / MariaDB (mysql2)
  PROTOCOL_CONNECTION_LOST: 'DATABASE_UNAVAILABLE',
  PROTOCOL_SEQUENCE_TIMEOUT: 'DATABASE_UNAVAILABLE',
  ER_CONNECTION_KILLED: 'DATABASE_UNAVAILABLE', // 1927 (MariaDB): KILL of this connection
  ER_SERVER_SHUTDOWN: 'DATABASE_UNAVAILABLE', // 1053
  ER_QUERY_INTERRUPTED: 'DATABASE_UNAVAILABLE', // 1317: KILL QUERY / KILL of a busy connection
  ER_CON_COUNT_ERROR: 'DATABASE_UNAVAILABLE', // 1040
  ER_CLIENT_INTERACTION_TIMEOUT: 'DATABASE_UNAVAILABLE', // 4031 (MySQL 8): wait_timeout
  ER_LOCK_DEADLOCK: 'DATABASE_CONFLICT', // 1213
  ER_LOCK_WAIT_TIMEOUT: 'DATABASE_CONFLICT', // 1205
  // Node sockets (both network drivers)
  ECONNRESET: 'DATABASE_UNAVAILABLE',
  ECONNREFUSED: 'DATABASE_UNAVAILABLE',
  EPIPE: 'DATABASE_UNAVAILABLE',
  ETIMEDOUT: 'DATABASE_UNAVAILABLE',
  EHOSTUNREACH: 'DATABASE_UNAVAILABLE',
  ENETUNREACH: 'DATABASE_UNAVAILABLE',
  EAI_AGAIN: 'DATABASE_UNAVAILABLE',
  // SQLite (better-sqlite3): another process held the write lock past the busy timeout
  SQLITE_BUSY: 'DATABASE_CONFLICT',
  SQLITE_BUSY_SNAPSHOT: 'DATABASE_CONFLICT',
  SQLITE_BUSY_TIMEOUT: 'DATABASE_CONFLICT',
  SQLITE_LOCKED: 'DATABASE_CONFLICT',
};

/**
 * Messages of driver errors that carry no code: pg's client-side "Connection terminated unexpectedly",
 * "Client has encountered a connection error and is not queryable", a pool connect timeout; mysql2's
 * "Can't add new command when connection is in closed state"; Kysely's discarded connection.
 */
const TRANSIENT_MESSAGES: readonly RegExp[] = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /connection is in closed state/,
  /^Postgres connection has been discarded/,
  /^Connection lost: The server closed the connection/,
];

/** What a driver error means, or `null` when it is not transient (a bug, a constraint, bad SQL). */
export function classifyDatabaseError(error: unknown): DatabaseErrorCode | null {
  if (typeof error !== 'object' || error === null || isPaymentError(error)) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    const known = TRANSIENT_DATABASE_CODES[code];
    if (known) return known;
    if (/^08[0-9A-Z]{3}$/.test(code)) return 'DATABASE_UNAVAILABLE'; // PostgreSQL connection_exception class
  }
  if (typeof message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) {
    return 'DATABASE_UNAVAILABLE';
  }
  return null;
}

/**
 * The retryable error for a transient driver error, or the error itself when it is not one. The message
 * names the driver code only (never the URL, host or query); the driver error stays in `cause`.
 *
 * @example
 * ```ts
 * try { await query() } catch (error) { throw toDatabaseError(error) }
 * ```
 */
export function toDatabaseError(error: unknown): unknown {
  const kind = classifyDatabaseError(error);
  if (kind === null) return error;
  const driverCode = (error as { code?: unknown }).code;
  const detail = typeof driverCode === 'string' ? ` (${driverCode})` : '';
  const message =
    kind === 'DATABASE_UNAVAILABLE'
      ? `The database connection failed${detail}; retry (every flow is idempotent).`
      : `The database gave up on a lock conflict${detail}; retry (every flow is idempotent).`;
  return new PaymentError(message, {
    code: kind,
    retryable: true,
    cause: error,
    ...(typeof driverCode === 'string' ? { details: { driverCode } } : {}),
  });
}

/**
 * Wraps every method of a repository object so transient driver errors become {@link toDatabaseError}'s
 * retryable error. Other errors (and values) pass through untouched.
 */
export function translateDatabaseErrors<T extends object>(target: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    wrapped[key] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            // The ESM build loads kysely on first use; once loaded, no await (a microtask per call) is spent on it.
            if (!loadedKysely()) await loadKysely();
            try {
              const method = value as (...a: unknown[]) => Promise<unknown>;
              return await method.apply(target, args);
            } catch (error) {
              throw toDatabaseError(error);
            }
          }
        : value;
  }
  return wrapped as T;
}
