import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './tests/support/slow-first-sequencer.js';

/**
 * Test files at once. Most of their time is spent waiting (for Temporal, timers, a JVM, a
 * browser), so one more than the cores, at least 3; PRAXISFLOW_TEST_WORKERS overrides.
 */
const workers =
  Number(process.env.PRAXISFLOW_TEST_WORKERS) || Math.max(3, availableParallelism() + 1);

// The Temporal native bridge crashes under worker threads: every project runs in forks. Each
// API test file has its own task queue, database and (where it lists) namespace, so files run
// side by side.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: workers,
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/machines/**/*.test.ts', 'tests/unit/**/*.test.ts'],
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'workflows',
          include: ['tests/workflows/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['tests/support/workflow-global-setup.ts'],
        },
      },
      {
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          // A browser, the API, a worker and Temporal on 2 busy cores: what a user sees may
          // take seconds to show (vitest's default is 1 s); a poll still fails if it never does.
          expect: { poll: { timeout: 10_000 } },
          hookTimeout: 120_000,
          globalSetup: ['tests/support/api-global-setup.ts'],
        },
      },
    ],
  },
});
