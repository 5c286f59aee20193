/**
 * `loadKyselyMigrator` finds `Migrator` in the root of Kysely 0.28 and in `kysely/migration` on 0.29, and says
 * which versions are supported when it finds neither. CI runs this file once per supported Kysely version.
 */
import { readFileSync } from 'node:fs';
import * as kysely from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPaymentError } from '../../../src/core/errors.js';

// Read from disk, not through `kysely/package.json`: 0.29 does not export its package.json.
const installed = (
  JSON.parse(readFileSync(new URL('../../../node_modules/kysely/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
const minor = /^0\.(\d+)\./.exec(installed)?.[1];

// A literal `import('kysely/migration')` would be resolved when this file loads, and fail on 0.28.
const importAtRunTime = (specifier: string): Promise<unknown> => import(specifier);

describe(`loadKyselyMigrator (installed kysely ${installed})`, () => {
  afterEach(() => {
    vi.doUnmock('kysely');
    if (minor !== '28') vi.doUnmock('kysely/migration');
    vi.resetModules();
  });

  it('is tested on a supported Kysely', () => {
    expect(['28', '29']).toContain(minor);
  });

  it('takes the Migrator from where the installed Kysely exports it', async () => {
    const { loadKyselyMigrator } = await import('../../../src/kysely/load-kysely-migrator.js');
    const root = (kysely as Record<string, unknown>)['Migrator'];
    if (minor === '28') {
      expect(typeof root).toBe('function');
      expect(await loadKyselyMigrator()).toBe(root);
    } else {
      expect(root).toBeUndefined();
      const { Migrator } = (await importAtRunTime('kysely/migration')) as { Migrator: unknown };
      expect(typeof Migrator).toBe('function');
      expect(await loadKyselyMigrator()).toBe(Migrator);
    }
  });

  it('refuses a Kysely that exports no Migrator, naming the supported range', async () => {
    vi.doMock('kysely', () => ({ Migrator: undefined }));
    // 0.28 has no such subpath (its import fails); 0.29 gets one without `Migrator`.
    if (minor !== '28') vi.doMock('kysely/migration', () => ({ Migrator: undefined }));
    const { loadKyselyMigrator } = await import('../../../src/kysely/load-kysely-migrator.js');
    const error: unknown = await loadKyselyMigrator().catch((e: unknown) => e);
    expect(isPaymentError(error, 'ConfigurationError')).toBe(true);
    expect(error).toMatchObject({
      code: 'KYSELY_MIGRATOR_NOT_FOUND',
      message: expect.stringContaining('>=0.28 <0.30'),
    });
  });
});
