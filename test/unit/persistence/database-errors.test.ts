import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import {
  TRANSIENT_DATABASE_CODES,
  classifyDatabaseError,
  toDatabaseError,
  translateDatabaseErrors,
} from '../../../src/kysely/database-errors.js';

const driverError = (code: string | undefined, message = 'driver said no') =>
  Object.assign(new Error(message), code === undefined ? {} : { code });

describe('transient database errors', () => {
  for (const [code, kind] of Object.entries(TRANSIENT_DATABASE_CODES)) {
    it(`classifies ${code} as ${kind}`, () => {
      expect(classifyDatabaseError(driverError(code))).toBe(kind);
    });
  }

  it.each([
    ['08006', 'DATABASE_UNAVAILABLE'],
    ['08003', 'DATABASE_UNAVAILABLE'],
  ])('classifies the PostgreSQL connection class %s', (code, kind) => {
    expect(classifyDatabaseError(driverError(code))).toBe(kind);
  });

  it.each([
    'Connection terminated unexpectedly',
    'Client has encountered a connection error and is not queryable',
    "Can't add new command when connection is in closed state",
    'timeout exceeded when trying to connect',
  ])('classifies the code-less driver message %j', (message) => {
    expect(classifyDatabaseError(driverError(undefined, message))).toBe('DATABASE_UNAVAILABLE');
  });

  it.each(['23505', 'ER_DUP_ENTRY', '42P01', 'SQLITE_CONSTRAINT_UNIQUE', undefined])(
    'leaves %s (not transient) alone',
    (code) => {
      const error = driverError(code);
      expect(classifyDatabaseError(error)).toBeNull();
      expect(toDatabaseError(error)).toBe(error);
    },
  );

  it('wraps a transient error in a retryable PaymentError naming only the driver code', () => {
    const cause = driverError('57P01', 'terminating connection due to administrator command host=db.internal');
    const error = toDatabaseError(cause);
    expect(isPaymentError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retryable: true, details: { driverCode: '57P01' } });
    expect((error as Error).message).not.toContain('db.internal');
    expect((error as Error).cause).toBe(cause);
  });

  it('translates what a wrapped repository method throws, and passes results through', async () => {
    const repo = translateDatabaseErrors({
      ok: async (n: number) => n + 1,
      lost: async () => {
        throw driverError('PROTOCOL_CONNECTION_LOST');
      },
      bug: async () => {
        throw new TypeError('bug');
      },
    });
    await expect(repo.ok(1)).resolves.toBe(2);
    await expect(repo.lost()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE', retryable: true });
    await expect(repo.bug()).rejects.toBeInstanceOf(TypeError);
  });
});
