import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Scenario tests start real daemon processes; on a loaded 2-core machine a start can take seconds.
    testTimeout: 45_000,
    hookTimeout: 45_000,
    // The daemon's V8 flags (src/node-flags.ts), so in-process Cedar runs as in production.
    execArgv: ['--no-turbo-inline-js-wasm-calls', '--liftoff-only', '--max-semi-space-size=8'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
