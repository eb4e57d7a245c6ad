/**
 * Build step (`npm run build`): bundles the live view's process (process.ts with ink, react
 * and yoga) into one file, dist/ui/live/process.bundle.js. Loading ~300 modules took the view
 * ~0.5 s of CPU at every live run, most of its cost on a short run (bench/live-view.mjs:
 * +7% wall on a 1,000-task fan-out); the bundle loads in ~80 ms. LiveReporter falls back to
 * process.js when the bundle is absent (running the TypeScript sources).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

await build({
  entryPoints: [here('./process.js')],
  outfile: here('./process.bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
  // React's production build: the view never needs development warnings.
  define: { 'process.env.NODE_ENV': '"production"' },
  // ink imports react-devtools-core (not a dependency) only when DEV=true.
  alias: { 'react-devtools-core': here('./devtools-stub.js') },
  // Some bundled CommonJS modules call require(); an ESM bundle has to provide one.
  banner: { js: "import { createRequire as __flowctlRequire } from 'node:module'; const require = __flowctlRequire(import.meta.url);" },
});
