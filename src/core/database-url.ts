/**
 * `parseDatabaseUrl`: which SQL dialect a `DATABASE_URL` names. Lives in core (no driver, no Kysely) so
 * `loadPaymentConfig` can refuse an unknown scheme at startup, with every other problem, and
 * `createKyselyFromUrl` opens exactly what the configuration accepted.
 * @module
 */
import { ConfigurationError } from './errors.js';

/** A SQL dialect a `DATABASE_URL` can name. */
export type DatabaseUrlDialect = 'sqlite' | 'postgres' | 'mysql';

/** Which dialect a URL names, and its driver target. */
export interface ParsedDatabaseUrl {
  /** The dialect the scheme names (a bare path is SQLite). */
  dialect: DatabaseUrlDialect;
  /** File path (SQLite, `:memory:` allowed) or the URL itself (`mariadb:` rewritten to `mysql:`). */
  target: string;
}

/**
 * Parses a `DATABASE_URL`: `postgres://` / `postgresql://`, `mysql://` / `mariadb://`, `sqlite:path`,
 * `sqlite://path`, `file:path`, or a bare file path (SQLite).
 *
 * @example
 * ```ts
 * parseDatabaseUrl('postgres://app@db/payments') // { dialect: 'postgres', target: 'postgres://app@db/payments' }
 * parseDatabaseUrl('./payments.sqlite')          // { dialect: 'sqlite', target: './payments.sqlite' }
 * ```
 * @throws ConfigurationError `INVALID_DATABASE_URL` for an empty URL, an unknown scheme or a server URL that
 *   does not parse. The message never repeats the URL, which may hold a password.
 */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const value = url.trim();
  if (value === '') throw invalid('DATABASE_URL is empty.');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { dialect: 'postgres', target: serverUrl(value) };
  if (scheme === 'mysql' || scheme === 'mariadb')
    return { dialect: 'mysql', target: serverUrl(value.replace(/^mariadb:/i, 'mysql:')) };
  if (scheme === 'sqlite' || scheme === 'file') {
    const path = value.slice(scheme.length + 1).replace(/^\/\/(?=\/|\.|[A-Za-z]:|:memory:)/, '');
    if (path === '') throw invalid('DATABASE_URL names no SQLite file.');
    return { dialect: 'sqlite', target: path };
  }
  // A Windows drive letter ("C:\\data\\pay.db") parses as a one-letter scheme: it is a path.
  if (scheme === undefined || scheme.length === 1) return { dialect: 'sqlite', target: value };
  throw invalid(`DATABASE_URL scheme "${scheme}" is not supported; use postgres://, mysql:// or a SQLite file path.`, {
    scheme,
  });
}

function serverUrl(value: string): string {
  if (!URL.canParse(value)) {
    throw invalid(
      'DATABASE_URL is not a valid URL (percent-encode special characters such as "@", ":" or "/" in the password).',
    );
  }
  return value;
}

function invalid(message: string, details?: Record<string, unknown>): ConfigurationError {
  return new ConfigurationError(message, { code: 'INVALID_DATABASE_URL', ...(details ? { details } : {}) });
}
