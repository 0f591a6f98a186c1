import '../../tooling/node20-polyfills.js';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // 'forks' (the default, stated so nobody switches it): @roamhq/wrtc is a native addon that is
    // not safe to load in worker threads, and a child process is torn down even if it lingers.
    pool: 'forks',
    testTimeout: 20_000,
  },
});
