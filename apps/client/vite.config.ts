// Builds the browser client into apps/client/dist. @loom/netcode is a TypeScript-only workspace package
// (its exports and imports name .ts files), so it is aliased to its source and bundled like ours.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  resolve: { alias: { '@loom/netcode': here('../../libs/netcode/src/index.ts') } },
  // The hashed files go under /client/: /assets/ is asset-service's content-addressed store.
  build: { outDir: here('dist'), assetsDir: 'client', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
  logLevel: 'warn',
});
