#!/usr/bin/env node
// `npm run bench`: the peer benchmark (bench/run.mjs) with all its set-up.
// 1. npm ci when node_modules is missing, then a fresh build (the runners load dist/).
// 2. The broker: KAFKA_BROKERS, or one answering on 127.0.0.1:19092, or one started here (and
//    stopped at the end unless --keep-broker).
// 3. The peers: bench/peers (KafkaJS, @platformatic/kafka 1.34 and newest) via npm ci; the
//    librdkafka binding via bench/peers-rdkafka/setup.sh (a build from source, minutes the first
//    time); kcat from Debian (apt-get, as root); Node 24 from npm (`npx node@24`). Whatever cannot
//    be set up is reported and left out of the run, never silently.
// 4. With --pin, the broker and the latency producer share CPU 0 and the measured client gets CPU 1.
// 5. bench/run.mjs with the remaining flags (--rounds, --clients, --scenarios, ...); with --write the
//    report replaces the results section of BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireBroker } from './lib/local-broker.mjs';

const root = new URL('..', import.meta.url).pathname;
const say = (message) => process.stderr.write(`bench: ${message}\n`);
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const passOn = argv.filter((a) => !['--keep-broker', '--pin', '--write'].includes(a));
const run = (command, args, options = {}) => execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options });

if (!existsSync(join(root, 'node_modules', 'tsx'))) {
  say('node_modules is missing: running npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
say('building dist/');
run('npm', ['run', 'build', '--silent']);

if (!existsSync(join(root, 'bench/peers/node_modules'))) {
  say('installing the Node.js peers (bench/peers)');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: join(root, 'bench/peers') });
}
const rdkafka = spawnSync('bash', [join(root, 'bench/peers-rdkafka/setup.sh')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (rdkafka.status !== 0) say('the librdkafka binding could not be built (see above): it is left out');
if (!existsSync('/usr/bin/kcat')) {
  say('installing kcat from Debian');
  const apt = spawnSync('apt-get', ['install', '-y', '-q', 'kcat'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (apt.status !== 0) say('kcat could not be installed: it is left out');
}
let node24 = null;
try {
  node24 = execFileSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim();
  say(`Node 24: ${node24}`);
} catch {
  say('Node 24 could not be fetched with npx: the Node 24 clients are left out');
}

const broker = await acquireBroker({ say, keep: flag('--keep-broker') });
const pinning = [];
if (flag('--pin')) {
  const pids = spawnSync('pgrep', ['-f', 'kafka.Kafka']).stdout.toString().trim().split('\n').filter(Boolean);
  for (const pid of pids) spawnSync('taskset', ['-apc', '0', pid], { stdio: 'ignore' });
  say(`pinned the broker (pid ${pids.join(', ')}) to CPU 0; clients run on CPU 1`);
  pinning.push('--client-cpus', '1', '--helper-cpus', '0');
}

const args = [join(root, 'bench/run.mjs'), '--brokers', broker.brokers, '--node20', process.execPath, ...(node24 ? ['--node24', node24] : []), ...pinning, ...passOn];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
broker.release();
const report = result.stdout.toString();
process.stdout.write(report);
if (result.status === 0 && flag('--write')) {
  const path = join(root, 'BENCHMARKS.md');
  const [start, end] = ['<!-- results:start -->', '<!-- results:end -->'];
  const doc = readFileSync(path, 'utf8');
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) {
    say('BENCHMARKS.md has no results markers: not written');
  } else {
    const command = `npm run bench -- ${argv.join(' ')}`.trim();
    const section = `${start}\n_Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: \`${command}\`_\n\n${report}\n${end}`;
    writeFileSync(path, doc.slice(0, from) + section + doc.slice(to + end.length));
    say('wrote the results into BENCHMARKS.md');
  }
}
process.exit(result.status ?? 1);
