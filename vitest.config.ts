import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: keep the pool small so crypto-heavy suites do not starve each other.
    maxWorkers: 2,
  },
});
