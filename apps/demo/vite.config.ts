import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The demo bundles the SDK from source so `pnpm dev` picks up SDK edits without a rebuild.
export default defineConfig({
  resolve: {
    alias: {
      '@anarchy/sdk': fileURLToPath(new URL('../../packages/sdk/src/index.ts', import.meta.url)),
    },
  },
  build: { target: 'es2022', outDir: 'dist' },
  server: { host: '127.0.0.1' },
});
