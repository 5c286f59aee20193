/**
 * The packed tarball works in a scratch consumer project: `npm pack`, unpack into the scratch project's
 * node_modules (dependencies resolve from this repository's node_modules, so no network is needed), then run
 * an ESM and a CJS consumer (migrations included, with whichever Kysely is installed) and type-check a TypeScript
 * consumer under `moduleResolution` node16 and bundler, including a host `Migrator` fed `paymentMigrations`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const tsc = join(root, 'node_modules/typescript/bin/tsc');
let project: string;
// The Kysely this run tests against (CI runs the package tests once with 0.28 and once with 0.29). Read
// from disk: 0.29 does not export its package.json.
const kyselyVersion = (
  JSON.parse(readFileSync(join(root, 'node_modules/kysely/package.json'), 'utf8')) as { version: string }
).version;
const migratorModule = kyselyVersion.startsWith('0.28.') ? 'kysely' : 'kysely/migration';

beforeAll(() => {
  // Inside the repository so that zod, stripe, pingpp and kysely resolve from its node_modules.
  mkdirSync(join(root, '.tmp'), { recursive: true });
  project = mkdtempSync(join(root, '.tmp/consumer-'));
  const packDir = join(project, 'pack');
  mkdirSync(packDir);
  execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: root, stdio: 'pipe' });
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'))!;
  const target = join(project, 'node_modules/@org/payment-factory');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['xzf', join(packDir, tarball), '-C', target, '--strip-components=1']);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe('packed tarball in a scratch project', () => {
  it('ships only what users need', () => {
    const files = execFileSync('tar', ['tzf', join(project, 'pack', readdirSync(join(project, 'pack'))[0]!)], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/README.md');
    expect(files.filter((f) => /^package\/(src|test|examples|bench|node_modules)\//.test(f))).toEqual([]);
  });

  it('runs an ESM consumer', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { toMinorUnits, createPaymentFactory } from '@org/payment-factory';
       import { createFakeProvider } from '@org/payment-factory/testing';
       const factory = createPaymentFactory({ providers: [createFakeProvider()] });
       const result = await factory.createPayment({ orderId: 'o', attemptId: 'a', amount: toMinorUnits('19.99', 'USD'), currency: 'USD', subject: 's' });
       console.log(result.amount, result.nextAction.type);`,
    );
    expect(execFileSync(process.execPath, ['esm.mjs'], { cwd: project, encoding: 'utf8' }).trim()).toBe('1999 qr_code');
  });

  it('runs a CJS consumer', () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { fromMinorUnits } = require('@org/payment-factory');
       const { PINGXX_CHANNELS } = require('@org/payment-factory/pingxx');
       const { createStripeProvider } = require('@org/payment-factory/stripe');
       const { migrateToLatest } = require('@org/payment-factory/kysely');
       console.log(fromMinorUnits(1234, 'BHD'), typeof createStripeProvider, typeof migrateToLatest, Object.keys(PINGXX_CHANNELS).includes('alipay_qr'));`,
    );
    expect(execFileSync(process.execPath, ['cjs.cjs'], { cwd: project, encoding: 'utf8' }).trim()).toBe(
      '1.234 function function true',
    );
  });

  it(`migrates SQLite from an ESM and a CJS consumer (kysely ${kyselyVersion})`, () => {
    const consumer = (load: string) => `${load}
       const db = await createKyselyFromUrl(':memory:');
       const first = await migrateToLatest(db);
       const again = await migrateToLatest(db);
       const tables = (await db.introspection.getTables()).map((t) => t.name);
       await db.destroy();
       console.log(JSON.stringify([first.results.map((r) => r.status + ' ' + r.migrationName), again.results.length, tables]));`;
    writeFileSync(
      join(project, 'migrate.mjs'),
      consumer(`import { createKyselyFromUrl, migrateToLatest } from '@org/payment-factory/kysely';`),
    );
    writeFileSync(
      join(project, 'migrate.cjs'),
      `(async () => {${consumer(`const { createKyselyFromUrl, migrateToLatest } = require('@org/payment-factory/kysely');`)}})();`,
    );
    for (const file of ['migrate.mjs', 'migrate.cjs']) {
      const [applied, again, tables] = JSON.parse(
        execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }),
      ) as [string[], number, string[]];
      expect(applied, file).toEqual(expect.arrayContaining(['Success payment-factory-0001-payment-tables']));
      expect(
        applied.every((r) => r.startsWith('Success ')),
        file,
      ).toBe(true);
      expect(again, file).toBe(0);
      expect(tables, file).toEqual(expect.arrayContaining(['order_orders', 'order_payment_attempts', 'order_refunds']));
    }
  });

  it('runs repositories on a Kysely the host built itself, from ESM and from CJS (its own copy of kysely)', () => {
    const consumer = (load: string) => `${load}
       const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
       const repositories = createKyselyRepositories(db); // before any other call: kysely not loaded by us yet
       await migrateToLatest(db);
       const missing = await repositories.orders.findById('no-such-order');
       await repositories.transaction(async (tx) => tx.orders.findById('no-such-order'));
       await db.destroy();
       console.log(JSON.stringify(missing));`;
    writeFileSync(
      join(project, 'host-kysely.mjs'),
      consumer(`import { Kysely, SqliteDialect } from 'kysely';
       import Database from 'better-sqlite3';
       import { createKyselyRepositories, migrateToLatest } from '@org/payment-factory/kysely';`),
    );
    writeFileSync(
      join(project, 'host-kysely.cjs'),
      `(async () => {${consumer(`const { Kysely, SqliteDialect } = require('kysely');
       const Database = require('better-sqlite3');
       const { createKyselyRepositories, migrateToLatest } = require('@org/payment-factory/kysely');`)}})();`,
    );
    for (const file of ['host-kysely.mjs', 'host-kysely.cjs']) {
      expect(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }).trim(), file).toBe('null');
    }
  });

  for (const [module, moduleResolution] of [
    ['node16', 'node16'],
    ['esnext', 'bundler'],
  ] as const) {
    it(`type-checks a TypeScript consumer with moduleResolution ${moduleResolution}`, () => {
      const dir = join(project, `ts-${moduleResolution}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: `ts-${moduleResolution}`, private: true, type: 'module' }),
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module,
            moduleResolution,
            target: 'es2022',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: [],
            lib: ['es2023', 'dom'],
          },
          include: ['consumer.ts', 'migrations.ts'],
        }),
      );
      writeFileSync(
        join(dir, 'consumer.ts'),
        `import { createPaymentFactory, createPaymentService, isPaymentError, type PaymentCreationResult, type NextAction } from '@org/payment-factory';
         import { createStripeProvider } from '@org/payment-factory/stripe';
         import { createPingxxProvider, PINGXX_CHANNELS } from '@org/payment-factory/pingxx';
         import { createKyselyRepositories, type PaymentDatabase } from '@org/payment-factory/kysely';
         import { createFakeProvider, createInMemoryRepositories } from '@org/payment-factory/testing';
         const service = createPaymentService({ factory: createPaymentFactory({ providers: [createFakeProvider()] }), repositories: createInMemoryRepositories() });
         export async function pay(orderId: string): Promise<string> {
           try { const dto = await service.createCharge({ orderId, channel: 'fake_qr' }); return dto.qrUrl }
           catch (e) { if (isPaymentError(e, 'ValidationError')) return e.code; throw e }
         }
         export const describe = (r: PaymentCreationResult): NextAction['type'] => r.nextAction.type;
         export const refs = [createStripeProvider, createPingxxProvider, PINGXX_CHANNELS, createKyselyRepositories] as const;
         export type Db = PaymentDatabase;`,
      );
      // A host's own Migrator (imported from where this Kysely exports it) takes paymentMigrations, and what
      // migrateToLatest returns is Kysely's MigrationResultSet and back.
      writeFileSync(
        join(dir, 'migrations.ts'),
        `import type { Kysely } from 'kysely';
         import { Migrator, type Migration, type MigrationResultSet } from '${migratorModule}';
         import { migrateToLatest, paymentMigrations, createPaymentMigrations, type PaymentMigrationResultSet, type PaymentDatabase } from '@org/payment-factory/kysely';
         declare const db: Kysely<PaymentDatabase>;
         export const own: Record<string, Migration> = { ...paymentMigrations, ...createPaymentMigrations({ orders: 'shop_orders' }) };
         export const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...paymentMigrations }) }, allowUnorderedMigrations: true });
         export async function run(): Promise<[MigrationResultSet, PaymentMigrationResultSet]> {
           const ours = await migrateToLatest(db);
           const theirs: PaymentMigrationResultSet = await migrator.migrateToLatest();
           return [ours, theirs];
         }
`,
      );
      // Types of the SDK peers and of node come from the repository's node_modules, as in a real project.
      execFileSync(
        process.execPath,
        [tsc, '-p', dir, '--typeRoots', join(root, 'node_modules/@types'), '--types', 'node'],
        { cwd: dir, stdio: 'pipe' },
      );
    });
  }
});
