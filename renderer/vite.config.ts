import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The UI is served by `pustaka serve` (headless) and loaded from disk by Electron: relative
// asset paths work for both. `npm run dev:renderer` proxies /api to a running `pustaka serve`.
export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(here, '..', 'build', 'renderer'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1_000,
  },
  server: {
    proxy: {
      '/api': { target: `ws://127.0.0.1:${process.env.PUSTAKA_PORT ?? '7300'}`, ws: true },
    },
  },
});
