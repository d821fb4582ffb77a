/**
 * @file Bundles the three entry points of dist/ (tsgrad, tsgrad/pyplot, tsgrad/viz) with esbuild after tsc has
 * emitted the declarations, so that importing tsgrad loads a few files instead of ~100 modules (cold start).
 * Dependencies stay external; Node built-ins are only reached through importNode() and stay unbundled.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts', 'src/plot/index.ts', 'src/viz/index.ts'],
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  packages: 'external',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
