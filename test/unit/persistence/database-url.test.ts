import { describe, expect, it } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';
import { parseDatabaseUrl } from '../../../src/kysely/create-kysely-from-url.js';

describe('parseDatabaseUrl', () => {
  it.each([
    ['postgres://u:p@db:5432/pay', 'postgres', 'postgres://u:p@db:5432/pay'],
    ['postgresql://db/pay', 'postgres', 'postgresql://db/pay'],
    ['mysql://root@127.0.0.1:3306/pay', 'mysql', 'mysql://root@127.0.0.1:3306/pay'],
    ['mariadb://root@db/pay', 'mysql', 'mysql://root@db/pay'],
    ['payments.db', 'sqlite', 'payments.db'],
    ['./data/payments.db', 'sqlite', './data/payments.db'],
    ['/var/lib/pay.db', 'sqlite', '/var/lib/pay.db'],
    ['sqlite:payments.db', 'sqlite', 'payments.db'],
    ['sqlite:///var/lib/pay.db', 'sqlite', '/var/lib/pay.db'],
    ['sqlite://./pay.db', 'sqlite', './pay.db'],
    ['file:/tmp/pay.db', 'sqlite', '/tmp/pay.db'],
    ['sqlite::memory:', 'sqlite', ':memory:'],
    [':memory:', 'sqlite', ':memory:'],
    ['C:\\data\\pay.db', 'sqlite', 'C:\\data\\pay.db'],
  ])('%s → %s %s', (url, dialect, target) => {
    expect(parseDatabaseUrl(url)).toEqual({ dialect, target });
  });

  it.each([[''], ['   '], ['sqlite:'], ['mongodb://u:hunter2@h/db'], ['postgres://u:hunter2@/x@y:z:1']])(
    'refuses %j without echoing it',
    (url) => {
      let error: unknown;
      try {
        parseDatabaseUrl(url);
      } catch (e) {
        error = e;
      }
      expect(isPaymentError(error, 'ConfigurationError')).toBe(true);
      expect((error as Error).message).not.toContain('hunter2');
    },
  );
});
