import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'config/index': 'src/config/index.ts',
    'stripe/index': 'src/stripe/index.ts',
    'pingxx/index': 'src/pingxx/index.ts',
    'alipay/index': 'src/alipay/index.ts',
    'wechatpay/index': 'src/wechatpay/index.ts',
    'kysely/index': 'src/kysely/index.ts',
    'testing/index': 'src/testing/index.ts',
    // The `/testing` kit for runtimes without Node built-ins (export condition `default`; Node takes `node`).
    'testing/portable': 'src/testing/portable.ts',
    'cli/payment-factory': 'src/cli/payment-factory.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'node20',
  platform: 'node',
  // Keep `node:` prefixes: Deno and Cloudflare workerd (nodejs_compat) resolve Node built-ins only by their
  // `node:` names, and a bare `crypto` would be taken for an npm package by edge bundlers.
  removeNodeProtocol: false,
  external: ['stripe', 'pingpp', 'alipay-sdk', 'kysely', 'better-sqlite3', 'pg', 'mysql2'],
  // `__PF_CJS_BUILD__` is `true` in the CommonJS build only (see `src/kysely/kysely-module.ts`): tsup shims
  // `import.meta.url` there, so nothing at run time tells the two builds apart reliably.
  esbuildOptions(options, context) {
    options.define = { ...options.define, __PF_CJS_BUILD__: context.format === 'cjs' ? 'true' : 'false' };
  },
});
