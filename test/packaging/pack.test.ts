/**
 * The package as users get it (issue 11 point 4): the sources are built afresh into a temporary
 * folder (tsc, then the CLI bundled into one file, as `npm run build` does) with package.json,
 * README and LICENSE, `npm pack` makes the tarball, and one temporary project installs it (with the
 * oldest `@types/node` the README names), runs its `kafka-stage` command, and uses it four ways:
 * `require()` from CommonJS, `import` from an ES module, and a strict TypeScript program under
 * `moduleResolution` node16 and bundler (plus a CommonJS TypeScript file under nodenext). Nothing
 * is reused between runs: each run builds, packs and installs into a new folder, removed after.
 *
 * Needs the npm registry for `@types/node` (reachable in CI); the package's optional codecs are
 * not installed (`--omit=optional`), which the package must survive.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PROJECT_FILES } from './consumer-project.js';
import { OLDEST_TYPES_NODE } from './oldest-types-node.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const T = { timeout: 240_000 };

let work = '';
let project = '';
let packed: { files: { path: string }[] } = { files: [] };

/** Runs a command, failing with its output when it exits non-zero. */
async function sh(file: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function write(path: string, text: string | object): void {
  writeFileSync(path, typeof text === 'string' ? text : `${JSON.stringify(text, null, 2)}\n`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kafka-stage-pack-'));
  const pkg = join(work, 'pkg');
  // Built afresh here, not in the repo's dist/: a stale dist/ could hide a failure, and other
  // processes (CLI tests) run the repo's dist/ meanwhile.
  await sh(process.execPath, [TSC, '-p', join(REPO, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], REPO);
  await sh(process.execPath, [join(REPO, 'scripts', 'bundle-cli.mjs'), join(pkg, 'dist')], REPO);
  for (const file of ['package.json', 'README.md', 'LICENSE']) cpSync(join(REPO, file), join(pkg, file));
  // --ignore-scripts: prepack would rebuild into this folder, which has no sources.
  const [info] = JSON.parse(await sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], pkg)) as [{ filename: string; files: { path: string }[] }];
  packed = info;
  project = join(work, 'project');
  mkdirSync(project);
  for (const [file, text] of Object.entries(PROJECT_FILES)) write(join(project, file), text);
  write(join(project, 'package.json'), { name: 'kafka-stage-consumer-check', private: true, version: '1.0.0' });
  await sh(
    'npm',
    ['install', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', join(work, info.filename), `@types/node@${OLDEST_TYPES_NODE}`],
    project,
  );
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the built package only: dist, package.json, README, LICENSE; maps carry their sources', T, () => {
  const paths = packed.files.map((f) => f.path);
  const outside = paths.filter((p) => !p.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(p));
  assert.deepEqual(outside, [], 'files outside dist/');
  for (const entry of ['dist/index.js', 'dist/index.d.ts', 'dist/protocol/index.js', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/cli/main.js']) assert.ok(paths.includes(entry), `${entry} missing`);
  assert.deepEqual(
    paths.filter((p) => p.endsWith('.d.ts.map')),
    [],
    'declaration maps point at src/ files users do not have',
  );
  const maps = paths.filter((p) => p.endsWith('.js.map'));
  assert.ok(maps.length > 50, `only ${maps.length} source maps`);
  const installed = join(project, 'node_modules', 'kafka-stage');
  for (const map of maps) {
    const parsed = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    assert.equal(parsed.sourcesContent?.length, parsed.sources.length, `${map} does not embed its sources`);
    assert.ok(parsed.sourcesContent.every((s) => typeof s === 'string' && s.length > 0), `${map} has an empty source`);
  }
});

test("require('kafka-stage') from CommonJS: exports, typed errors, bad options refused; kafka-stage/testing starts a cluster", T, async () => {
  const out = await sh(process.execPath, ['cjs-check.cjs'], project);
  assert.match(out, /^cjs ok\b/m, out);
});

test("import from an ES module: the same module graph as require(); a producer writes to kafka-stage/testing's cluster", T, async () => {
  const out = await sh(process.execPath, ['esm-check.mjs'], project);
  assert.match(out, /^esm ok\b/m, out);
});

test(`strict TypeScript with @types/node ${OLDEST_TYPES_NODE}: node16 and bundler resolution compile; engine methods of a stage do not`, T, async () => {
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json', 'tsconfig.nodenext-cjs.json']) {
    const out = await sh(process.execPath, [TSC, '-p', config], project);
    assert.equal(out.trim(), '', `${config}: ${out}`);
  }
});

test('the installed kafka-stage command is one file (no module of the package loaded from beside it) and runs', T, async () => {
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal((await sh(join(project, 'node_modules', '.bin', 'kafka-stage'), ['--version'], project)).trim(), `kafka-stage ${version}`);
  const cli = readFileSync(join(project, 'node_modules', 'kafka-stage', 'dist', 'cli', 'main.js'), 'utf8');
  const relative = cli.match(/^import .* from ["']\.\.?\/.*$/m);
  assert.equal(relative, null, `the CLI imports a module of its own package: ${relative?.[0]}`);
  const help = await sh(join(project, 'node_modules', '.bin', 'kafka-stage'), ['help', 'consume'], project);
  assert.match(help, /--format/);
});
