import { defineConfig } from 'vitest/config';

/** Package tests run against the built `dist/` (run `npm run build` first; `npm run test:package` does). */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
