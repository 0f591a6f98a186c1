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
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      input: {
        peer: here('./pages/peer.html'),
        conformance: here('./pages/conformance.html'),
        plain: here('./pages/plain.html'),
      },
    },
  },
  preview: { host: '127.0.0.1', port: PAGE_PORT, strictPort: true },
});
