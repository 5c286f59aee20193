/**
 * The runtime check CI runs (`.ci/run`): the same end-to-end scenario (`scenario.ts`) on real Cloudflare workerd
 * through Miniflare 4 with no compatibility flags, on Bun and on Deno — every binary from the npm registry
 * (`test/runtimes/package.json`) — plus an esbuild `platform: 'neutral'` bundle of the root and `/stripe` with no
 * externals, whose sizes it prints. Needs `npm run build` first. Exits 1 on any mismatch.
 *
 *   npm ci --prefix test/runtimes && npx tsx test/runtimes/run.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { generatePingxxTestKeyPair, signPingxxWebhook, signStripeWebhook } from '../../src/testing/index.js';
import type { ScenarioInput, ScenarioReport } from './scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const bin = (name: string): string => join(here, 'node_modules', '.bin', name);
const work = mkdtempSync(join(tmpdir(), 'pf-runtimes-'));
const failures: string[] = [];

// The package as a host installs it: a link in node_modules, resolved through its `exports`.
const link = join(here, 'node_modules', '@org', 'payment-factory');
rmSync(link, { force: true, recursive: true });
mkdirSync(dirname(link), { recursive: true });
symlinkSync(root, link, 'dir');

/** The part of `miniflare` used here (it is installed in test/runtimes only, so not typed from the root). */
interface MiniflareModule {
  Miniflare: new (options: {
    modules: Array<{ type: 'ESModule'; path: string; contents: string }>;
    compatibilityDate: string;
  }) => {
    dispatchFetch(url: string, init: { method: string; body: string }): Promise<Response>;
    dispose(): Promise<void>;
  };
}

function scenarioInput(): ScenarioInput {
  const keys = generatePingxxTestKeyPair('runtime-check');
  const stripeWebhookSecret = 'whsec_runtime_check';
  const stripeAttemptId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const pingxxAttemptId = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
  const now = Math.floor(Date.now() / 1000);
  const intent = {
    id: 'pi_3RuntimeCheck',
    object: 'payment_intent',
    amount: 1999,
    amount_received: 1999,
    currency: 'usd',
    status: 'succeeded',
    livemode: false,
    latest_charge: 'ch_3RuntimeCheck',
    metadata: { stripe_order_bid: stripeAttemptId },
  };
  const stripeEvent = {
    id: 'evt_3RuntimeCheck',
    object: 'event',
    type: 'payment_intent.succeeded',
    created: now,
    livemode: false,
    data: { object: intent },
  };
  const charge = {
    id: 'ch_RuntimeCheck01',
    object: 'charge',
    created: now,
    livemode: false,
    paid: true,
    refunded: false,
    app: 'app_runtimecheck',
    channel: 'alipay_qr',
    order_no: pingxxAttemptId,
    amount: 9900,
    currency: 'cny',
    subject: 'Course',
    body: 'Course',
    time_paid: now,
    credential: {},
  };
  const pingxxEvent = {
    id: 'evt_400RuntimeCheck',
    object: 'event',
    created: now,
    livemode: false,
    type: 'charge.succeeded',
    data: { object: charge },
  };
  const pingxx = signPingxxWebhook(pingxxEvent, keys.privateKey);
  return {
    stripeWebhookSecret,
    pingxxPublicKey: keys.publicKey,
    stripeAttemptId,
    pingxxAttemptId,
    stripe: signStripeWebhook(stripeEvent, stripeWebhookSecret),
    pingxx,
    tampered: { ...pingxx, rawBody: pingxx.rawBody.replace('"amount":9900', '"amount":1') },
  };
}

function check(report: ScenarioReport): void {
  const expected: Record<string, unknown> = {
    stripe: { status: 200, body: { received: true, outcome: 'applied' } },
    pingxx: { status: 200, body: { received: true, outcome: 'applied' } },
    tampered: { status: 400, body: { error: 'WEBHOOK_SIGNATURE_INVALID' } },
    replay: { status: 200, body: { received: true, outcome: 'duplicate' } },
    orders: { stripe: 'paid', pingxx: 'paid' },
    standalone: { stripe: 'payment.succeeded', pingxx: 'payment.succeeded' },
    ...(report.runtime === 'workerd' ? { pingxxApi: 'UnsupportedOperationError PINGXX_SDK_UNSUPPORTED_RUNTIME' } : {}),
  };
  for (const [step, want] of Object.entries(expected)) {
    const got = JSON.stringify(report.steps[step]);
    if (got !== JSON.stringify(want))
      failures.push(`${report.runtime} ${step}: expected ${JSON.stringify(want)}, got ${got}`);
  }
  console.log(`${failures.length ? '?' : 'ok'} ${report.runtime}: ${JSON.stringify(report.steps)}`);
}

async function onWorkerd(input: ScenarioInput): Promise<ScenarioReport> {
  // What wrangler does: bundle for the `workerd` / `worker` export conditions, ESM, no Node built-ins.
  const outfile = join(work, 'worker.js');
  await build({
    entryPoints: [join(here, 'worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    outfile,
    // Resolve the package through node_modules and its exports, not the repo's tsconfig paths to src/.
    tsconfigRaw: {},
    logLevel: 'error',
  });
  const { Miniflare } = (await import(
    createRequire(join(here, 'package.json')).resolve('miniflare')
  )) as MiniflareModule;
  // No compatibilityFlags: no nodejs_compat.
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.js', contents: readFileSync(outfile, 'utf8') }],
    compatibilityDate: '2026-07-30',
  });
  try {
    const response = await mf.dispatchFetch('http://runtime.check/', { method: 'POST', body: JSON.stringify(input) });
    const report = (await response.json()) as ScenarioReport & { error?: string; stack?: string };
    if (report.error) throw new Error(`workerd: ${report.stack ?? report.error}`);
    return report;
  } finally {
    await mf.dispose();
  }
}

function onCli(runtime: 'bun' | 'deno', command: string, args: string[], inputFile: string): ScenarioReport {
  const out = execFileSync(command, [...args, join(here, 'cli.ts'), inputFile, runtime], {
    cwd: here,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as ScenarioReport;
}

function versionOf(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
}

async function neutralBundle(): Promise<void> {
  const sizes: string[] = [];
  const cases: Array<[string, string]> = [
    [
      'root + /stripe, everything',
      "export * from '@org/payment-factory'; export * from '@org/payment-factory/stripe';",
    ],
    [
      'a webhook endpoint (service + handler + Stripe provider)',
      "export { createPaymentFactory, createPaymentService, createWebhookHandler } from '@org/payment-factory';\n" +
        "export { createStripeProvider } from '@org/payment-factory/stripe';",
    ],
    ['root only, everything', "export * from '@org/payment-factory';"],
    ['/pingxx webhook verifier', "export { createPingxxWebhookVerifier } from '@org/payment-factory/pingxx';"],
  ];
  for (const [name, source] of cases) {
    const result = await build({
      stdin: { contents: source, resolveDir: here, loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      // Stripe's worker build (fetch + SubtleCrypto), as edge bundlers pick it.
      conditions: ['worker', 'browser'],
      mainFields: ['module', 'main'],
      minify: true,
      tsconfigRaw: {},
      write: false,
      logLevel: 'error',
    });
    const code = result.outputFiles[0]?.contents ?? new Uint8Array();
    sizes.push(
      `${name}: ${(code.length / 1024).toFixed(0)} KB minified, ${(gzipSync(code).length / 1024).toFixed(0)} KB gzipped`,
    );
  }
  console.log(`esbuild platform 'neutral', no externals:\n  ${sizes.join('\n  ')}`);
}

try {
  await main();
} finally {
  // The link makes test/runtimes/node_modules contain the whole repository: never leave it for other tools.
  unlinkSync(link);
  rmSync(work, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const input = scenarioInput();
  const inputFile = join(work, 'input.json');
  writeFileSync(inputFile, JSON.stringify(input));
  const bunBin = join(here, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun');
  console.log(
    `workerd ${versionOf(bin('workerd'), ['--version'])}, bun ${versionOf(bunBin, ['--version'])}, ${versionOf(bin('deno'), ['--version'])}`,
  );
  check(await onWorkerd(input));
  check(onCli('bun', bunBin, ['run'], inputFile));
  check(
    onCli('deno', bin('deno'), ['run', '--sloppy-imports', '--allow-read', '--allow-env', '--allow-sys'], inputFile),
  );
  await neutralBundle();
  if (failures.length > 0) {
    console.error(`runtime check failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
    return;
  }
  console.log('runtime check passed');
}
