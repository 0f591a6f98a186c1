import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { PAGE_PORT } from './ports.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Bundles the test pages. Pages import the SDK straight from its sources, so an e2e run always
 * exercises the code in the working tree, never a stale `dist/`.
 */
export default defineConfig({
  root: here('./pages'),
  // The SDK sources live outside `root`; the dev server must be allowed to read them.
  server: { fs: { allow: [here('..')] } },
  resolve: {
    // Pages declare shards with the SDK's own copy of @colyseus/schema (e2e does not depend on it
    // directly), so their classes and the SDK's encoder share one module instance.
    alias: [{ find: /^@colyseus\/schema$/, replacement: here('../packages/sdk/node_modules/@colyseus/schema/build/index.mjs') }],
  },
  build: {
    // E2E_DIST_DIR lets a second run (on other E2E_*_PORTs) build beside a running one without emptying its pages.
    outDir: process.env['E2E_DIST_DIR'] || here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      input: {
        peer: here('./pages/peer.html'),
        conformance: here('./pages/conformance.html'),
        plain: here('./pages/plain.html'),
        room: here('./pages/room.html'),
      },
    },
  },
  preview: { host: '127.0.0.1', port: PAGE_PORT, strictPort: true },
});
