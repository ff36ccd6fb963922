#!/usr/bin/env node
// `npm run demo`: the project's main job on a local broker, with its own set-up.
// 1. Installs dependencies (npm ci) when node_modules is missing.
// 2. Uses KAFKA_BROKERS when set. Otherwise uses a broker already answering on 127.0.0.1:19092
//    (left running), or starts one with scripts/kafka/start.sh (which fetches the jars on first use)
//    and stops it at the end unless --keep-broker is given (or KEEP_BROKER=1).
// 3. Runs scripts/demo/run.ts through tsx (no build step): create a topic, produce sample events
//    while a consumer group of in-process members with deliberately slow subscribers consumes them,
//    show a live per-partition view (buffers at their bound, demand, in flight, committed, lag),
//    then check every event was processed exactly once and the group committed up to the log end.
// Exits with the demo's status; an unknown flag exits 2 before anything starts. The other flags are
// passed to run.ts (--count, --partitions, --members, --delay-ms, --max-demand, --buffer,
// --compression, --no-rebalance, --keep-topic).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acquireBroker } from './lib/local-broker.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

// Every flag the demo knows (src/cli/demo.ts lists them with their help): anything else exits 2
// at once, before npm ci or a broker start, instead of being ignored.
const KNOWN = {
  count: 'string', partitions: 'string', members: 'string', 'delay-ms': 'string', 'max-demand': 'string',
  buffer: 'string', compression: 'string', 'group-protocol': 'string', 'no-rebalance': 'boolean', 'keep-topic': 'boolean', 'keep-broker': 'boolean',
};
try {
  parseArgs({ args, options: Object.fromEntries(Object.entries(KNOWN).map(([name, type]) => [name, { type }])), strict: true, allowPositionals: false });
} catch (err) {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  console.error(`known flags: ${Object.keys(KNOWN).map((n) => `--${n}`).join(' ')}`);
  process.exit(2);
}

const keepBroker = args.includes('--keep-broker') || process.env.KEEP_BROKER === '1';
const say = (message) => console.log(`demo: ${message}`);

if (!existsSync(join(root, 'node_modules', 'tsx'))) {
  say('node_modules is missing: running npm ci');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

const { brokers, release: stopBroker } = await acquireBroker({ say, keep: keepBroker });

const passOn = args.filter((a) => a !== '--keep-broker');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/demo/run.ts'), ...passOn], {
  cwd: root,
  env: { ...process.env, KAFKA_BROKERS: brokers },
  stdio: 'inherit',
});
// Ctrl-C reaches the child too; wait for it, then clean up.
const ignore = () => {};
process.on('SIGINT', ignore);
process.on('SIGTERM', ignore);
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
stopBroker();
process.exit(code);
