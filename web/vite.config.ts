// Builds the `flowctl ui` single-page app into dist/web/app (`npm run build`). One JS file and one
// CSS file, assets inlined, no dynamic imports: `flowctl report` inlines the same build into a
// self-contained HTML file that opens from file:// without a network.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/web/app', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    cssCodeSplit: false,
    modulePreload: false,
    chunkSizeWarningLimit: 2048,
    rollupOptions: { output: { inlineDynamicImports: true, entryFileNames: 'assets/app-[hash].js', assetFileNames: 'assets/app-[hash][extname]' } },
  },
  // `npm run dev:web` against a running `flowctl ui` on the default port.
  server: { proxy: { '/api': 'http://127.0.0.1:8642' } },
});
