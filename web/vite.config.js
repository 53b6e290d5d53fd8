// Multi-page build: every page is one entry under pages/, served by the
// gateway at the same path (pages/console/index.html -> /console/). Adding a
// page is one more line in `pages` and one index.html; the gateway finds it
// in the embedded table by itself.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const pages = ['console', 'setup', 'playground/images', 'playground/chat'];

export default defineConfig({
  root: resolve(import.meta.dirname, 'pages'),
  base: '/',
  publicDir: false,
  build: {
    outDir: process.env.AIOHUB_WEB_OUT || resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      input: Object.fromEntries(
        pages.map((p) => [p.replaceAll('/', '-'), resolve(import.meta.dirname, 'pages', p, 'index.html')]),
      ),
    },
  },
});
