import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { isPaymentError, type PaymentError } from '../../../src/core/errors.js';
import { migrateToLatest } from '../../../src/kysely/migrate-to-latest.js';
import { CONNECTION_REFUSAL_CODES, toMigrationError } from '../../../src/kysely/migration-errors.js';
import { createKyselyRepositories } from '../../../src/kysely/create-kysely-repositories.js';

const driverError = (code: string, message = 'driver says no') => Object.assign(new Error(message), { code });

describe('toMigrationError', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P03', '08006', 'PROTOCOL_CONNECTION_LOST'])(
    '%s: the database could not be reached — retryable DATABASE_UNAVAILABLE',
    (code) => {
      const error = toMigrationError(driverError(code), undefined) as PaymentError;
      expect(error.code).toBe('DATABASE_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(new RegExp(`^Cannot migrate: could not connect to the database \\(${code}\\)\\.`));
      expect(error.details).toEqual({ driverCode: code });
    },
  );

  it.each(Object.entries(CONNECTION_REFUSAL_CODES))(
    '%s: refused for good — DATABASE_CONNECTION_FAILED saying "%s"',
    (code, meaning) => {
      const error = toMigrationError(driverError(code), undefined) as PaymentError;
      expect(isPaymentError(error, 'ConfigurationError')).toBe(true);
      expect(error.code).toBe('DATABASE_CONNECTION_FAILED');
      expect(error.message).toContain(`${meaning} (${code})`);
    },
  );

  it('names the migration that failed', () => {
    const error = toMigrationError(driverError('42P07'), 'payment-factory-0001-payment-tables') as PaymentError;
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toBe(
      'Payment migration "payment-factory-0001-payment-tables" failed (42P07); see the cause. Fix it and migrate again.',
    );
    expect(error.details).toEqual({ driverCode: '42P07', migration: 'payment-factory-0001-payment-tables' });
  });

  it('says no migration had started instead of naming one "unknown"', () => {
    const error = toMigrationError(new Error('boom'), undefined) as PaymentError;
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toMatch(/^Preparing the payment migrations failed; see the cause\./);
    expect(error.message).not.toContain('unknown');
  });

  it('passes a PaymentError through (MIGRATION_DUPLICATE_KEYS carries its own message)', () => {
    const original = toMigrationError(driverError('ECONNREFUSED'), undefined);
    expect(toMigrationError(original, 'x')).toBe(original);
  });
});

describe('the schema option outside PostgreSQL', () => {
  it('is refused with SCHEMA_NOT_SUPPORTED by migrateToLatest and createKyselyRepositories', async () => {
    const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      await expect(migrateToLatest(db, { schema: 'payments' })).rejects.toMatchObject({ code: 'SCHEMA_NOT_SUPPORTED' });
      expect(() => createKyselyRepositories(db, { schema: 'payments' })).toThrow(
        expect.objectContaining({ code: 'SCHEMA_NOT_SUPPORTED' }),
      );
    } finally {
      await db.destroy();
    }
  });
});
