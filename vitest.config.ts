import { defineConfig } from 'vitest/config';

/**
 * Files that run the normalizer in its real consumer group over the real raw topics: each assumes
 * it is the group's only user (a faulty release, SIGKILLs), so they run one after another, after
 * the other files (which write raw topics they would otherwise also normalise). The agency
 * credentials file revokes every agency login its access file does not list: other files' too. The
 * sunset test empties the pipeline's topics, which no other file may be reading meanwhile. The
 * cluster tests run three brokers of their own and kill them: alone, so the timing of others is not theirs.
 */
const PIPELINE_FILES = ['test/integration/normalizer.test.ts', 'test/integration/agency-credentials.test.ts', 'test/e2e/**/*.test.ts', 'test/cluster/**/*.test.ts'];

export default defineConfig({
  test: {
    // One stack for the whole run (see test/support/global-setup.ts); files run in forked workers,
    // each with its own embedded ClickHouse folder (the engine admits one process per folder).
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/worker-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 120_000,
    projects: [
      // groupOrder: the pipeline files start once every parallel file is done (projects otherwise run side by side).
      { extends: true, test: { name: 'parallel', include: ['test/**/*.test.ts'], exclude: PIPELINE_FILES, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'pipeline', include: PIPELINE_FILES, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
