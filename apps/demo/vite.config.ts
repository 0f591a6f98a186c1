import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const sdk = (file: string): string => fileURLToPath(new URL(`../../packages/sdk/src/${file}`, import.meta.url));

// The demo bundles the SDK from source so `pnpm dev` picks up SDK edits without a rebuild.
// Subpaths first: an alias matches by prefix.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@anarchy\/sdk\/testing$/, replacement: sdk('testing.ts') },
      { find: /^@anarchy\/sdk\/node$/, replacement: sdk('node.ts') },
      { find: /^@anarchy\/sdk$/, replacement: sdk('index.ts') },
    ],
  },
  build: { target: 'es2022', outDir: 'dist' },
  server: { host: '127.0.0.1' },
});
