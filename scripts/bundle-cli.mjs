#!/usr/bin/env node
// Bundles the built CLI into one file in its own place (dist/cli/main.js, as tsc emitted it, becomes
// the CLI and all the library modules it uses; the library's own dist/ files are left as they are).
// Why: a `kafka-stage` run loaded some 150 ES modules from disk before it did anything, and the
// per-record paths crossed module boundaries; in the same runs, `consume -f value` of 2M × 100 B spent
// about 14 % less CPU bundled (BENCHMARKS.md, "The CLI as one file"). Packages (the optional codecs and
// CRC) stay imports, resolved from the installed package as before. The source map chains through
// tsc's maps, so stack traces still name src/ lines.
//
//   npm run build                      (tsc, then this)
//   node scripts/bundle-cli.mjs <dist>  (a dist/ folder built elsewhere; the packaging test's)
import { resolve } from 'node:path';
import { build } from 'esbuild';

const dist = process.argv[2] === undefined ? new URL('../dist', import.meta.url).pathname : resolve(process.argv[2]);
const entry = `${dist}/cli/main.js`;
await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  sourcesContent: true,
  legalComments: 'none',
  logLevel: 'warning',
});
