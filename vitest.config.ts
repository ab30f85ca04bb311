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
    // A poll waits for what a busy machine may take a few seconds to show (a page, a job's mail); the
    // default of one second made browser tests fail on a loaded CI machine, never a real fault.
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
