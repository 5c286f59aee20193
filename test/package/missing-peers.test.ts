/**
 * The packed tarball in a scratch project that has none of the optional peers (outside this repository, so
 * nothing resolves from its node_modules; only the `zod` dependency is linked in). Importing an adapter entry
 * must work, and building the adapter (or the first `/kysely` call) must throw a typed `ConfigurationError` whose message is the install
 * command, in ESM and in CJS, instead of the runtime's raw `ERR_MODULE_NOT_FOUND`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'pf-no-peers-'));
  const packDir = join(project, 'pack');
  mkdirSync(packDir);
  execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: root, stdio: 'pipe' });
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'))!;
  const target = join(project, 'node_modules/@org/payment-factory');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['xzf', join(packDir, tarball), '-C', target, '--strip-components=1']);
  symlinkSync(join(root, 'node_modules/zod'), join(project, 'node_modules/zod'), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer-without-peers', private: true }));
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

/** What a consumer script prints for one attempt: the error's class, code, message, or `ok`. */
const report = `(attempt) => {
  try { attempt(); return 'ok'; }
  catch (e) { return [e.constructor.name, e.code, isPaymentError(e), e.message].join(' | '); }
}`;

const stripeOptions = `{ secretKey: 'sk_test_123', webhookSecret: 'whsec_123' }`;
const pingxxOptions = `(() => {
  const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    secretKey: 'sk_test_123', appId: 'app_123',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    webhookPublicKey: publicKey.export({ type: 'spki', format: 'pem' }),
  };
})()`;

const alipayOptions = `(() => {
  const app = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alipay = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    appId: '2021000000000001', notifyUrl: 'https://shop.example/webhooks/alipay',
    privateKey: app.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    alipayPublicKey: alipay.publicKey.export({ type: 'spki', format: 'pem' }),
  };
})()`;

const body = `
  const check = ${report};
  const checkAsync = async (attempt) => { try { await attempt(); return 'ok'; } catch (e) { return check(() => { throw e; }); } };
  console.log(JSON.stringify({
    stripeProvider: check(() => createStripeProvider(${stripeOptions})),
    stripeVerifier: check(() => createStripeWebhookVerifier({ webhookSecret: 'whsec_123' })),
    pingxxProvider: check(() => createPingxxProvider(${pingxxOptions})),
    kyselyFromUrl: await checkAsync(() => createKyselyFromUrl(':memory:')),
    kyselyMigrate: await checkAsync(() => migrateToLatest({})),
    alipayProvider: check(() => createAlipayProvider(${alipayOptions})),
  }));`;

describe('packed tarball in a project without stripe, pingpp, alipay-sdk or kysely', () => {
  const consumers = {
    esm: [
      'consumer.mjs',
      `import crypto from 'node:crypto';
       import { isPaymentError } from '@org/payment-factory';
       import { createStripeProvider, createStripeWebhookVerifier } from '@org/payment-factory/stripe';
       import { createPingxxProvider } from '@org/payment-factory/pingxx';
       import { createKyselyFromUrl, migrateToLatest } from '@org/payment-factory/kysely';
       import { createAlipayProvider } from '@org/payment-factory/alipay';
       ${body}`,
    ],
    cjs: [
      'consumer.cjs',
      `const crypto = require('node:crypto');
       const { isPaymentError } = require('@org/payment-factory');
       const { createStripeProvider, createStripeWebhookVerifier } = require('@org/payment-factory/stripe');
       const { createPingxxProvider } = require('@org/payment-factory/pingxx');
       const { createKyselyFromUrl, migrateToLatest } = require('@org/payment-factory/kysely');
       const { createAlipayProvider } = require('@org/payment-factory/alipay');
       (async () => {${body}})();`,
    ],
  } as const;

  for (const [format, [file, source]] of Object.entries(consumers)) {
    it(`imports the adapter entries and names the install command when an adapter is built (${format})`, () => {
      writeFileSync(join(project, file), source);
      const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' })) as Record<
        string,
        string
      >;
      expect(out).toEqual({
        stripeProvider: expect.stringMatching(
          /^ConfigurationError \| STRIPE_SDK_MISSING \| true \| .*npm install stripe@\^23\.0\.0$/,
        ),
        stripeVerifier: expect.stringMatching(
          /^ConfigurationError \| STRIPE_SDK_MISSING \| true \| .*npm install stripe@/,
        ),
        pingxxProvider: expect.stringMatching(
          /^ConfigurationError \| PINGXX_SDK_MISSING \| true \| .*npm install pingpp@\^2\.1\.6$/,
        ),
        kyselyFromUrl: expect.stringMatching(
          /^ConfigurationError \| KYSELY_MISSING \| true \| .*npm install "kysely@>=0\.28\.0 <0\.30\.0"$/,
        ),
        kyselyMigrate: expect.stringMatching(/^ConfigurationError \| KYSELY_MISSING \| true \| /),
        alipayProvider: expect.stringMatching(
          /^ConfigurationError \| ALIPAY_SDK_MISSING \| true \| .*npm install alipay-sdk@\^4\.0\.0$/,
        ),
      });
    });
  }
});
