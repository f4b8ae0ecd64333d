import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // isolated-vm needs --no-node-snapshot in any process that loads it.
    execArgv: ['--no-node-snapshot'],
    // generous: CI may run on a machine at a high load average (a spawned CLI start costs 10× then);
    // no test asserts on time
    testTimeout: 180_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
  },
});
