import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'stripe/index': 'src/stripe/index.ts',
    'pingxx/index': 'src/pingxx/index.ts',
    'kysely/index': 'src/kysely/index.ts',
    'testing/index': 'src/testing/index.ts',
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
  external: ['stripe', 'pingpp', 'kysely', 'better-sqlite3', 'pg', 'mysql2'],
});
