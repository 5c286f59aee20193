import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; tests resolve those names to the sources.
    alias: [
      { find: /^@org\/payment-factory\/config$/, replacement: src('config/index.ts') },
      { find: /^@org\/payment-factory\/stripe$/, replacement: src('stripe/index.ts') },
      { find: /^@org\/payment-factory\/pingxx$/, replacement: src('pingxx/index.ts') },
      { find: /^@org\/payment-factory\/alipay$/, replacement: src('alipay/index.ts') },
      { find: /^@org\/payment-factory\/wechatpay$/, replacement: src('wechatpay/index.ts') },
      { find: /^@org\/payment-factory\/kysely$/, replacement: src('kysely/index.ts') },
      { find: /^@org\/payment-factory\/testing$/, replacement: src('testing/index.ts') },
      { find: /^@org\/payment-factory$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // test/runtimes/ holds its own node_modules (runtime binaries, and a link to this package while it runs).
    exclude: ['test/package/**', '**/node_modules/**', 'test/runtimes/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
