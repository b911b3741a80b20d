import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep parallel test files modest so DNS timing tests are not starved.
    maxWorkers: 2,
    // The JSON results let CI print "N passed, N failed" without re-running anything.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
