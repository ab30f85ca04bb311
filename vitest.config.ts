import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'tools/**/*.test.mjs'],
    globalSetup: ['apps/server/src/testing/global-setup.ts'],
    // Each file gets its own database; files run in parallel. Three workers on two cores: many files spend
    // their time waiting (a browser, a child process killed and restarted, an embargo's minute), and a
    // third worker uses that time; vitest's default on two cores is one worker.
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
