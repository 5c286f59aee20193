/**
 * `payment-factory migrate` (`runMigrate`): opens DATABASE_URL, migrates, closes, returns the exit code,
 * never prints the URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../../src/cli/migrate.js';
import { createKyselyFromUrl } from '../../../src/kysely/index.js';
import { serverTestDialects, useTestDatabase } from '../../helpers/databases.js';

function capture(): { log(message: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(m) };
}

describe('runMigrate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pf-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails with a hint when DATABASE_URL is missing', async () => {
    const out = capture();
    expect(await runMigrate({}, out)).toBe(1);
    expect(out.lines.join('\n')).toMatch(/DATABASE_URL is not set/);
  });

  for (const [label, toUrl] of [
    ['a bare file path', (f: string) => f],
    ['a sqlite: URL', (f: string) => `sqlite:${f}`],
    ['a file: URL', (f: string) => `file:${f}`],
  ] as const) {
    it(`migrates a SQLite database named by ${label}, then reports it up to date`, async () => {
      const file = join(dir, `${label.replace(/\W+/g, '-')}.db`);
      const out = capture();
      expect(await runMigrate({ DATABASE_URL: toUrl(file) }, out)).toBe(0);
      expect(out.lines.join('\n')).toMatch(/Applied: payment-factory-0001-payment-tables/);
      const again = capture();
      expect(await runMigrate({ DATABASE_URL: toUrl(file) }, again)).toBe(0);
      expect(again.lines.join('\n')).toMatch(/Already up to date/);
      const db = await createKyselyFromUrl(file);
      const tables = (await db.introspection.getTables()).map((t) => t.name);
      await db.destroy();
      expect(tables).toEqual(
        expect.arrayContaining([
          'order_orders',
          'order_pingxx_orders',
          'order_stripe_orders',
          'order_payment_attempts',
          'order_payment_events',
          'order_refunds',
        ]),
      );
    });
  }

  it('fails without printing the URL or its password when the server is unreachable', async () => {
    const out = capture();
    expect(await runMigrate({ DATABASE_URL: 'postgres://payer:s3cret-pw@127.0.0.1:1/payments' }, out)).toBe(1);
    const text = out.lines.join('\n');
    expect(text).toMatch(/Migration failed/);
    expect(text).not.toContain('s3cret-pw');
  });

  it('refuses an unsupported scheme, naming only the scheme', async () => {
    const out = capture();
    expect(await runMigrate({ DATABASE_URL: 'mongodb://u:hunter2@db/x' }, out)).toBe(1);
    expect(out.lines.join('\n')).toMatch(/INVALID_DATABASE_URL.*"mongodb"/);
    expect(out.lines.join('\n')).not.toContain('hunter2');
  });
});

for (const dialect of serverTestDialects()) {
  describe(`runMigrate on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it('creates the payment tables at DATABASE_URL', async () => {
      const t = database();
      const out = capture();
      expect(await runMigrate({ DATABASE_URL: t.url }, out)).toBe(0);
      expect(await t.tables()).toEqual(
        expect.arrayContaining(['order_orders', 'order_payment_events', 'order_refunds']),
      );
    });
  });
}
