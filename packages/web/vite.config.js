// Vite build of the operating picture: a static app in dist/ with relative URLs (base './'),
// so the server can serve it at / (or under any prefix). The base-layer TopoJSON files are
// imported with `?url` and land in dist/assets: the app needs no internet.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  // static/: the public page's manifest, icon and service worker, copied as they are (stable URLs)
  publicDir: 'static',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    assetsInlineLimit: 0,
    sourcemap: false,
    // two pages: the operating picture (index.html) and the residents' warning page (public.html)
    rollupOptions: { input: { main: fileURLToPath(new URL('index.html', import.meta.url)), public: fileURLToPath(new URL('public.html', import.meta.url)) } },
  },
  // the coverage layer's web worker (src/coverage-worker.ts) is an ES module like the app
  worker: { format: 'es' },
  server: {
    fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] },
    proxy: { '/api': { target: process.env.SKYWARDEN_API ?? 'http://localhost:8080', changeOrigin: false } },
  },
  preview: {
    proxy: { '/api': { target: process.env.SKYWARDEN_API ?? 'http://localhost:8080', changeOrigin: false } },
  },
});
