#!/usr/bin/env node
// The test command: runs every test file under test/ with node's built-in runner.
// When KAFKA_BROKERS is unset it starts a local broker first (scripts/kafka/start.sh) and stops it
// afterwards; with KAFKA_BROKERS set it uses that cluster. On failure it prints the broker log tail.
// Files under test/integration/secure/ also need the secured broker (start.sh --security): the one
// in KAFKA_SECURE_STATE (default .kafka-secure) when it runs, else one started there on ports
// KAFKA_SECURE_BASE_PORT.. (default KAFKA_BASE_PORT + 300: 19392..19398) and stopped afterwards.
// Files under a kafka-jars/ folder read the pinned Kafka release's jars (no broker): they are unit
// tests, and the jars are installed first (scripts/kafka/pinned-env.sh, install.sh; once, cached).
// Flags: --unit (skip files needing a broker), --node <binary> (run the tests under another node),
//        --coverage (print a line/branch/function coverage report of src/ after the tests: Node's
//        --experimental-test-coverage; limited to src/ on Node ≥ 22.5, which has
//        --test-coverage-include; then totals per src/ folder; no threshold), any other argument
//        filters test files by substring.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { coverageByFolder, formatCoverageByFolder } from './lib/coverage-summary.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const nodeIdx = args.indexOf('--node');
const nodeBin = nodeIdx >= 0 ? args[nodeIdx + 1] : process.execPath;
const coverage = args.includes('--coverage');
const filters = args.filter((a, i) => !a.startsWith('--') && (nodeIdx < 0 || i !== nodeIdx + 1));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

/** A test file needs a broker when it lives under an `integration` folder. */
const needsBroker = (file) => file.includes('/integration/');
let files = walk(join(root, 'test')).sort();
if (unitOnly) files = files.filter((f) => !needsBroker(f));
if (filters.length) files = files.filter((f) => filters.some((x) => relative(root, f).includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

/** A test file reads the pinned Kafka release's jars (no broker) when it lives under a `kafka-jars` folder. */
const needsKafkaJars = (file) => file.includes('/kafka-jars/');
if (files.some(needsKafkaJars)) {
  const install = 'source "$1" && bash "$KAFKA_SCRIPTS/install.sh"';
  try {
    execFileSync('bash', ['-c', install, 'install-pinned', join(root, 'scripts/kafka/pinned-env.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // install.sh said why; the tests that need the jars fail saying how to install them.
    console.error('kafka-stage tests: the Kafka jars could not be installed (scripts/kafka/install.sh)');
  }
}

let startedBroker = false;
const env = { ...process.env };
if (files.some(needsBroker) && !env.KAFKA_BROKERS) {
  const out = execFileSync('bash', [join(root, 'scripts/kafka/start.sh'), '--fresh'], { stdio: ['ignore', 'pipe', 'inherit'] });
  env.KAFKA_BROKERS = out.toString().trim().split('\n').pop();
  startedBroker = true;
  console.error(`kafka-stage tests: started broker at ${env.KAFKA_BROKERS}`);
}

/** A secure test file needs the secured broker too. */
const needsSecureBroker = (file) => file.includes('/integration/secure/');
let startedSecureBroker = false;
const secureEnv = {
  ...process.env,
  KAFKA_STATE: env.KAFKA_SECURE_STATE ?? join(root, '.kafka-secure'),
  // 300 above the plain broker's base: .ci/run's version matrix takes +100 and +200.
  KAFKA_BASE_PORT: env.KAFKA_SECURE_BASE_PORT ?? String(Number(env.KAFKA_BASE_PORT ?? 19092) + 300),
};
env.KAFKA_SECURE_STATE = secureEnv.KAFKA_STATE;
if (files.some(needsSecureBroker) && !secureBrokerRunning(secureEnv.KAFKA_STATE)) {
  try {
    execFileSync('bash', [join(root, 'scripts/kafka/start.sh'), '--security', '--fresh'], { env: secureEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // start.sh printed why; leave no plain broker behind either.
    if (startedBroker && !env.KEEP_BROKER) execFileSync('bash', [join(root, 'scripts/kafka/stop.sh')], { stdio: 'inherit' });
    process.exit(1);
  }
  startedSecureBroker = true;
  console.error(`kafka-stage tests: started the secured broker in ${secureEnv.KAFKA_STATE} (ports ${secureEnv.KAFKA_BASE_PORT}..)`);
}

/** True when a secured broker set up by start.sh --security still runs in `state`. */
function secureBrokerRunning(state) {
  const pidFile = join(state, 'node1/pid');
  if (!existsSync(join(state, 'secure.json')) || !existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The failing tests of a TAP report, each with the first lines of its error: leaves only (a
 * suite that failed because a test in it did adds nothing).
 */
function failingTests(tap) {
  const lines = tap.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!m) continue;
    const detail = [];
    for (let j = i + 1; j < lines.length && j < i + 60 && !/^\s*(not )?ok \d+ /.test(lines[j]); j++) {
      const line = lines[j].trim();
      if (line === '...') break;
      detail.push(line);
    }
    const error = detail.findIndex((l) => l.startsWith('error:'));
    if (error < 0 || /subtests? failed/.test(detail[error])) continue;
    const rest = detail.slice(error + 1);
    const end = rest.findIndex((l) => /^(code|name|expected|actual|operator|stack|location|failureType|duration_ms):/.test(l));
    const text = [detail[error], ...rest.slice(0, end < 0 ? rest.length : end)].slice(0, 12);
    // An assertion's operands say why it failed when its message (often the output) is long.
    const operands = detail.filter((l) => /^(expected|actual|operator):/.test(l)).map((l) => l.slice(0, 200));
    out.push(`✗ ${m[2]}\n    ${[...text, ...operands].join('\n    ')}`);
  }
  return out;
}

function printBrokerLogTail(state = env.KAFKA_STATE ?? join(root, '.kafka')) {
  const log = join(state, 'node1/server.log');
  if (!existsSync(log)) return;
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
  console.error(`--- last 60 lines of ${relative(root, log)} ---\n${lines.slice(-60).join('\n')}`);
}

const nodeVersion = nodeBin === process.execPath ? process.version : execFileSync(nodeBin, ['--version']).toString().trim();

/** Flags for `--coverage`: V8 coverage mapped to the TypeScript sources through tsx's source maps. */
function coverageFlags() {
  if (!coverage) return [];
  const [major, minor] = nodeVersion.slice(1).split('.').map(Number);
  // Older Nodes lack the include filter and report every loaded file (tests and node_modules too).
  const canInclude = major > 22 || (major === 22 && minor >= 5);
  return ['--experimental-test-coverage', ...(canInclude ? ['--test-coverage-include=src/**'] : [])];
}

// Spec output for people; a TAP copy on the side gives CI the closing `# pass N` / `# fail N` lines.
const tapDir = mkdtempSync(join(tmpdir(), 'kafka-stage-test-'));
const tapFile = join(tapDir, 'results.tap');
// With --coverage, an lcov copy too: the per-folder totals printed at the end come from it.
const lcovFile = join(tapDir, 'coverage.lcov');
const child = spawn(
  nodeBin,
  [
    '--import', 'tsx', '--test', ...coverageFlags(),
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...(coverage ? ['--test-reporter=lcov', `--test-reporter-destination=${lcovFile}`] : []),
    `--test-concurrency=${env.TEST_CONCURRENCY ?? 2}`, ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, env, stdio: 'inherit' },
);
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
const summary = existsSync(tapFile)
  ? readFileSync(tapFile, 'utf8').split('\n').filter((l) => /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(l))
  : [];
const failures = existsSync(tapFile) ? failingTests(readFileSync(tapFile, 'utf8')) : [];
const folders = coverage && existsSync(lcovFile) ? coverageByFolder(readFileSync(lcovFile, 'utf8'), root) : [];
rmSync(tapDir, { recursive: true, force: true });
if (folders.length > 0) console.log(`coverage of src/ by folder (sums over the files the tests loaded):\n${formatCoverageByFolder(folders)}`);
const count = (name) => Number(summary.find((l) => l.startsWith(`# ${name} `))?.split(' ')[2] ?? NaN);
console.log(`${summary.join('\n')}\n${count('pass')} passed, ${count('fail') + (count('cancelled') || 0)} failed (node ${nodeVersion})`);
if (code !== 0 && files.some(needsBroker)) printBrokerLogTail();
if (code !== 0 && files.some(needsSecureBroker)) printBrokerLogTail(secureEnv.KAFKA_STATE);
// Last, so that the tail of a long CI log names what failed and why.
if (failures.length > 0) console.error(`--- failing tests (${failures.length}) ---\n${failures.join('\n')}`);
if (startedBroker && !env.KEEP_BROKER) execFileSync('bash', [join(root, 'scripts/kafka/stop.sh')], { stdio: 'inherit' });
if (startedSecureBroker && !env.KEEP_BROKER) execFileSync('bash', [join(root, 'scripts/kafka/stop.sh')], { env: secureEnv, stdio: 'inherit' });
process.exit(code);
