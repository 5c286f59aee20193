/**
 * Packaging is tested, not assumed: every subpath of the built `dist/` is imported through the package's
 * own name (Node self-reference through the `exports` map) in ESM and in CJS, in fresh processes.
 * Run with `npm run test:package` (builds first).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const SUBPATHS = {
  '@org/payment-factory': [
    'createPaymentFactory',
    'resolvePaymentChannel',
    'toMinorUnits',
    'isPaymentError',
    'startPaymentWorker',
  ],
  '@org/payment-factory/config': [
    'paymentConfigSchema',
    'loadPaymentConfig',
    'loadOutboxConfig',
    'generateEnvExample',
    'generateConfigReference',
  ],
  '@org/payment-factory/stripe': ['createStripeProvider', 'createStripeWebhookVerifier'],
  '@org/payment-factory/pingxx': ['createPingxxProvider', 'createPingxxWebhookVerifier', 'PINGXX_CHANNELS'],
  '@org/payment-factory/alipay': ['createAlipayProvider', 'createAlipayNotifyVerifier', 'ALIPAY_CHANNELS'],
  '@org/payment-factory/wechatpay': ['createWechatPayProvider', 'createWechatPayNotifyVerifier', 'WECHATPAY_CHANNELS'],
  '@org/payment-factory/kysely': ['createKyselyRepositories', 'migrateToLatest', 'paymentMigrations'],
  '@org/payment-factory/testing': [
    'createFakeProvider',
    'createInMemoryRepositories',
    'runRepositoryConformance',
    'runProviderConformance',
    'startAlipayEmulator',
    'signAlipayNotify',
    'startWechatPayEmulator',
    'signWechatPayNotification',
  ],
} as const;

function node(args: string[], input?: string): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', ...(input ? { input } : {}) });
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/index.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm run test:package does).');
});

describe('built package', () => {
  for (const [subpath, names] of Object.entries(SUBPATHS)) {
    it(`imports ${subpath} in ESM`, () => {
      const out = node([
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(subpath)}); console.log(JSON.stringify(Object.keys(m)))`,
      ]);
      expect(JSON.parse(out)).toEqual(expect.arrayContaining([...names]));
    });

    it(`requires ${subpath} in CJS`, () => {
      const out = node(['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(subpath)}))))`]);
      expect(JSON.parse(out)).toEqual(expect.arrayContaining([...names]));
    });
  }

  it('gives /testing a portable kit without the node condition, with the same names and no static Node import', () => {
    // Node, Bun and Deno resolve the `node` condition; workerd and edge bundlers fall through to the portable kit.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, { default: string }>>;
    };
    const testing = pkg.exports['./testing'] ?? {};
    expect(Object.keys(testing)[0]).toBe('node');
    expect(testing.import?.default).toBe('./dist/testing/portable.js');
    expect(testing.require?.default).toBe('./dist/testing/portable.cjs');
    const keys = (file: string): string[] =>
      JSON.parse(
        node([
          '--input-type=module',
          '-e',
          `console.log(JSON.stringify(Object.keys(await import(${JSON.stringify(file)}))))`,
        ]),
      ) as string[];
    const full = keys('@org/payment-factory/testing');
    const kit = keys('./dist/testing/portable.js');
    for (const name of ['startStripeEmulator', 'startPingxxEmulator', 'signStripeWebhook', 'signPingxxWebhook']) {
      expect(full).toContain(name);
      expect(kit).toContain(name);
    }
    expect(kit).toEqual(expect.arrayContaining([...SUBPATHS['@org/payment-factory/testing']]));
    const seen = new Set<string>();
    const nodeImports: string[] = [];
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
        if (spec?.startsWith('.')) walk(join(dirname(file), spec));
        else if (spec?.startsWith('node:')) nodeImports.push(`${file}: ${spec}`);
      }
    };
    walk(join(root, 'dist/testing/portable.js'));
    expect(nodeImports).toEqual([]);
  });

  it('loads none of stripe, pingpp, kysely, zod when the root is required (CJS)', () => {
    const out = node([
      '-e',
      `require('@org/payment-factory'); console.log(JSON.stringify(Object.keys(require.cache)))`,
    ]);
    const loaded = (JSON.parse(out) as string[]).filter((p) =>
      /node_modules[\\/](stripe|pingpp|alipay-sdk|kysely|better-sqlite3|pg|mysql2|zod)[\\/]/.test(p),
    );
    expect(loaded).toEqual([]);
  });

  it('loads none of stripe, pingpp, kysely, zod when the root is imported, nor stripe when /stripe is (ESM)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-hook-'));
    const hook = join(dir, 'hook.mjs');
    writeFileSync(
      hook,
      `export async function resolve(specifier, context, next) { const r = await next(specifier, context); process.stdout.write('RESOLVED ' + r.url + '\\n'); return r }`,
    );
    const register = join(dir, 'register.mjs');
    // Node 22.15+/24 run `register` hooks off-thread and lose their last writes at exit (only the first
    // resolution was printed on Node 24): use the in-thread `registerHooks` where it exists.
    writeFileSync(
      register,
      `import * as m from 'node:module';
if (typeof m.registerHooks === 'function') {
  m.registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); process.stdout.write('RESOLVED ' + r.url + '\\n'); return r; } });
} else {
  m.register(${JSON.stringify('file://' + hook)});
}`,
    );
    const out = node([
      '--import',
      register,
      '--input-type=module',
      '-e',
      `await import('@org/payment-factory'); console.log('done')`,
    ]);
    const resolved = out.split('\n').filter((l) => l.startsWith('RESOLVED '));
    expect(resolved.some((l) => l.includes('/dist/index.js'))).toBe(true);
    expect(
      resolved.filter((l) => /node_modules\/(stripe|pingpp|alipay-sdk|kysely|better-sqlite3|pg|mysql2|zod)\//.test(l)),
    ).toEqual([]);
    // The control: configuration is the entry that loads zod (the root does not).
    const config = node([
      '--import',
      register,
      '--input-type=module',
      '-e',
      `await import('@org/payment-factory/config')`,
    ]);
    expect(config).toMatch(/node_modules\/zod\//);
    // `/stripe` loads its SDK on first use, not on import (so it imports without `stripe` installed)…
    const stripeImported = node([
      '--import',
      register,
      '--input-type=module',
      '-e',
      `await import('@org/payment-factory/stripe')`,
    ]);
    expect(stripeImported).toMatch(/dist\/stripe\/index\.js/);
    expect(stripeImported).not.toMatch(/node_modules\/stripe\//);
    // …and, the control, the same hook does see the SDK once a webhook is verified.
    const stripeUsed = node([
      '--import',
      register,
      '--input-type=module',
      '-e',
      `const { createStripeWebhookVerifier } = await import('@org/payment-factory/stripe');
       const verify = createStripeWebhookVerifier({ webhookSecret: 'whsec_control' });
       await verify({ rawBody: '{}', headers: { 'stripe-signature': 't=1,v1=00' } }).catch(() => {});`,
    ]);
    expect(stripeUsed).toMatch(/node_modules\/stripe\//);
  });

  it('loads alipay-sdk only when an Alipay provider is built, from both builds', () => {
    const loadedAfter = (build: string) =>
      JSON.parse(
        node([
          '-e',
          `const m = require('@org/payment-factory/alipay');
           const before = Object.keys(require.cache).some((p) => p.includes('/node_modules/alipay-sdk/'));
           ${build}
           console.log(JSON.stringify([before, Object.keys(require.cache).some((p) => p.includes('/node_modules/alipay-sdk/'))]));`,
        ]),
      ) as [boolean, boolean];
    const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const options = JSON.stringify({
      appId: '2021000000000001',
      privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      alipayPublicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }),
      notifyUrl: 'https://shop.example/webhooks/alipay',
    });
    expect(loadedAfter('')).toEqual([false, false]);
    expect(loadedAfter(`m.createAlipayProvider(${options});`)).toEqual([false, true]);
    const esm = node([
      '--input-type=module',
      '-e',
      `const m = await import('@org/payment-factory/alipay'); const p = m.createAlipayProvider(${options}); console.log(p.kind)`,
    ]);
    expect(esm.trim()).toBe('alipay');
  });

  it('recognises an error from the CJS build in the ESM build (isPaymentError across copies)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       const esm = await import('@org/payment-factory');
       const cjs = createRequire(${JSON.stringify(join(root, 'package.json'))})('@org/payment-factory');
       const e = new cjs.ValidationError('x');
       console.log(JSON.stringify([e instanceof esm.ValidationError, esm.isPaymentError(e, 'ValidationError'), esm.isPaymentError(e, 'ConfigurationError')]));`,
    ]);
    expect(JSON.parse(out)).toEqual([false, true, false]);
  });

  it('ships a working bin: payment-factory env-example', () => {
    const out = node([join(root, 'dist/cli/payment-factory.cjs'), 'env-example']);
    expect(out).toContain('STRIPE_SECRET_KEY=');
  });

  it('ships a bin whose commands answer --help without running', () => {
    // Without DATABASE_URL a real migrate run would fail with exit 1; help exits 0 (execFileSync throws otherwise).
    const out = node([join(root, 'dist/cli/payment-factory.cjs'), 'migrate', '--help']);
    expect(out).toMatch(/^Usage: payment-factory migrate/);
  });
});
