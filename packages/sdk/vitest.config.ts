import '../../tooling/node20-polyfills.js';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests that need a real signal service start `@anarchy/signal` in-process from its source,
    // so `vitest run` works without building the signal package first.
    alias: { '@anarchy/signal': fileURLToPath(new URL('../signal/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    // Child processes, not worker threads: @roamhq/wrtc is a native addon that must not be
    // loaded into several threads of one process, and a process always exits cleanly.
    pool: 'forks',
  },
});
