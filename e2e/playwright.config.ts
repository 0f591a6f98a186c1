import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PORT, DEMO_URL, PAGE_PORT, PAGE_URL, SIGNAL_PORT, SIGNAL_URL } from './ports.js';

/**
 * The signal service runs from its TypeScript sources through tsx, like the pages run the SDK from
 * its sources, so a run always tests the working tree.
 */
const tsx = 'node node_modules/tsx/dist/cli.mjs';
const vite = 'node node_modules/vite/bin/vite.js';
/**
 * The demo is built with its own Vite and config (apps/demo/vite.config.ts bundles the SDK from
 * source) into a directory outside the repository, one per port, so a run never races
 * `pnpm build` or another run over apps/demo/dist.
 */
const demoVite = 'node ../apps/demo/node_modules/vite/bin/vite.js';
const demoOut = JSON.stringify(join(tmpdir(), `anarchy-e2e-demo-${DEMO_PORT}`));

/** Flags for Debian's Chromium in a container without a GPU, sandbox or outside network. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  // Two cores: one browser at a time, several WebRTC pages inside it.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  forbidOnly: true,
  // Real WebRTC through a real signal service: connection set-up takes seconds, not milliseconds.
  timeout: 90_000,
  expect: { timeout: 20_000 },
  use: {
    baseURL: PAGE_URL,
    headless: true,
    browserName: 'chromium',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
    trace: 'retain-on-failure',
  },
  webServer: [
    {
      name: 'signal',
      // The service logs a JSON line per join and leave; only warnings and errors reach the report.
      command: `${tsx} ../packages/signal/src/cli.ts --port ${SIGNAL_PORT} --host 127.0.0.1 --log-level warn`,
      url: `${SIGNAL_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
    {
      name: 'pages',
      // Build then preview: a production bundle, and no dependency re-optimisation reloading a
      // page in the middle of a test as the dev server may do.
      command: `${vite} build --logLevel warn && ${vite} preview --port ${PAGE_PORT} --strictPort --host 127.0.0.1`,
      url: `${PAGE_URL}/peer.html`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
    {
      name: 'demo',
      command: `${demoVite} build ../apps/demo --outDir ${demoOut} --emptyOutDir --logLevel warn && ${demoVite} preview ../apps/demo --outDir ${demoOut} --port ${DEMO_PORT} --strictPort --host 127.0.0.1`,
      url: `${DEMO_URL}/index.html`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
  ],
});
