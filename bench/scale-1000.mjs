#!/usr/bin/env node
// The 1000-partition drain (issue 14, item 4), whole process: each client reads every record of one
// 1000-partition topic (default 1M × 100 B) from the beginning and stops at its end, as a user would
// time it at a shell. Measured per run: wall time from spawn to the end (process start, metadata, group
// join where there is one, reading), CPU time (user + system) and peak RSS.
//
// Clients, in an order rotated per round:
// - `kcat -C -e -q -f '%s\n'` to /dev/null (no group: assign-all, reads to each partition's end);
// - `kafka-stage consume -e -f none` and `-f value` to /dev/null (no group), per build;
// - the library in group mode (bench/clients/kafka-stage.mjs, a ConsumerGroup, one subscriber per
//   partition, acks not awaited), per build: spawn → its RESULT line after the last record;
// - Java ConsumerPerformance 4.1.1 (bench/clients/java-perf.mjs: a KafkaConsumer in group mode, as it
//   ships): spawn → RESULT, printed once the JVM has exited (JVM start included).
// The group runners end at --records; the CLI must count every record (its stderr summary) or the run
// fails. A build is `--build label=/path/to/worktree` (repeatable; default this tree): its dist/cli and
// its bench/clients/kafka-stage.mjs (which imports that tree's dist/). The report gives medians over
// rounds and, per round, Java's wall time divided by the run's (≥ 1.0× means as fast as the Java
// consumer or faster), median and min–max. The topic is made once with the CLI's producer.
//
// `--prepare-topics 60x50 --topic-prefix t-m60-` drains 60 topics of 50 partitions instead (t-m60-00 …
// t-m60-59, --records spread over them; created and filled once by bench/harness/many-topics.mjs):
// the group runners subscribe to the 60 (Java: a pattern, `--include`), kcat joins a group on them
// (`-G`, its balanced consumer; -e ends once every assigned partition is at its end); the CLI reads
// one topic, so `none` and `value` are left out.
//
//   npm run build && flock /tmp/kafka-stage-bench.lock node bench/scale-1000.mjs --rounds 5
//   node bench/scale-1000.mjs --build before=/tmp/base --build after=. --clients java,kcat,group,none,after:value
//   node bench/scale-1000.mjs --prepare-topics 60x50 --topic-prefix t-m60- --clients java,kcat,group --rounds 5
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMs, peakRssKb } from './clients/proc-stats.mjs';
import { parseShape, prepareManyTopics } from './harness/many-topics.mjs';
import { alternateRounds, ensureTopic, load, measureExit, wallTable } from './harness/whole-process.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
    topic: { type: 'string', default: 's-p1000-100b' },
    records: { type: 'string', default: '1000000' },
    size: { type: 'string', default: '100' },
    partitions: { type: 'string', default: '1000' },
    'prepare-topics': { type: 'string' },
    'topic-prefix': { type: 'string', default: 't-m60-' },
    rounds: { type: 'string', default: '5' },
    clients: { type: 'string', default: 'java,kcat,group,none,value' },
    build: { type: 'string', multiple: true },
    // The group runners stop this long after their first record (their --max-ms; theirs is 60 s).
    'max-ms': { type: 'string', default: '60000' },
  },
});
const say = (message) => process.stderr.write(`scale-1000: ${message}\n`);
const records = Number(opt.records);
const builds = (opt.build ?? [`kafka-stage=${root}`]).map((spec) => {
  const at = spec.indexOf('=');
  const dir = resolve(at < 0 ? spec : spec.slice(at + 1));
  return { label: at < 0 ? dir : spec.slice(0, at), cli: `${dir}/dist/cli/main.js`, runner: `${dir}/bench/clients/kafka-stage.mjs` };
});
const wanted = new Set(opt.clients.split(','));
const shape = opt['prepare-topics'] === undefined ? null : parseShape(opt['prepare-topics']);
const topics = shape
  ? await prepareManyTopics({ cli: builds[builds.length - 1].cli, brokers: opt.brokers, prefix: opt['topic-prefix'], ...shape, records, size: Number(opt.size), say })
  : [opt.topic];

/** A bench runner (PROTOCOL.md): wall from spawn to its RESULT line; CPU and RSS of the measured pid. */
function measureRunner(runner, args) {
  return new Promise((done, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, [runner, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pid = child.pid;
    let out = '';
    let stderr = '';
    let measured;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const pidLine = /^PID (\d+)$/m.exec(out);
      if (pidLine) pid = Number(pidLine[1]);
      const line = /^RESULT (.*)$/m.exec(out);
      if (!line) return;
      const wallMs = performance.now() - startedAt;
      const result = JSON.parse(line[1]);
      const cpu = result.cpuMs ?? cpuMs(pid);
      const rssKb = result.peakRssKb ?? peakRssKb(pid);
      child.kill('SIGTERM');
      out = '';
      measured = { records: result.records, wallMs, cpuMs: cpu, rssMb: rssKb / 1024, stderr };
    });
    child.on('error', reject);
    // Resolved once the runner is reaped, so that its CPU is not counted in the next run's children.
    child.on('close', (code) => {
      if (!measured) reject(new Error(`${runner} exited ${code} without RESULT: ${stderr.slice(-500)}`));
      else if (measured.records !== records) reject(new Error(`${runner}: ${measured.records} records, expected ${records}`));
      else done(measured);
    });
  });
}

const runs = [];
const common = ['--brokers', opt.brokers, '--topic', topics.join(','), '--count', String(records), '--value-size', opt.size];
const group = () => `s-scale-${process.pid}-${Date.now()}`;
if (wanted.has('java')) runs.push({ client: 'java', run: () => measureRunner(`${root}bench/clients/java-perf.mjs`, [...common, '--group', group(), '--idle-timeout-ms', '60000']) });
if (wanted.has('kcat')) {
  // A fresh group per run (kcat commits what it read).
  const from = () => (shape ? ['-b', opt.brokers, '-G', group(), '-X', 'auto.offset.reset=earliest', ...topics] : ['-C', '-b', opt.brokers, '-t', opt.topic]);
  runs.push({ client: 'kcat', run: () => measureExit('kcat', [...from(), '-e', '-q', '-f', '%s\\n']) });
}
// A client named `label:client` (e.g. `after:value`) runs for that build only.
const runsFor = (build, client) => wanted.has(client) || wanted.has(`${build.label}:${client}`);
for (const build of builds) {
  if (runsFor(build, 'group')) runs.push({ client: `${build.label} group`, run: () => measureRunner(build.runner, [...common, '--group', group(), '--max-ms', opt['max-ms']]) });
  for (const format of ['none', 'value']) {
    if (!runsFor(build, format)) continue;
    if (shape) {
      say(`consume -f ${format} left out: the CLI reads one topic`);
      continue;
    }
    runs.push({
      client: `${build.label} consume -f ${format}`,
      counts: true,
      run: () => measureExit(process.execPath, [build.cli, 'consume', '-b', opt.brokers, '-t', opt.topic, '-e', '-f', format]),
    });
  }
}
const reference = runs[0].client;

if (!shape) ensureTopic({ cli: builds[builds.length - 1].cli, brokers: opt.brokers, topic: opt.topic, records, size: opt.size, partitions: opt.partitions, say });
say(`load average at start: ${load()}`);
const rows = await alternateRounds(runs, Number(opt.rounds), records, say);
say(`load average at end: ${load()}`);

const lines = [
  `${records} records of ${opt.size} B, ${shape ? `${shape.count} topics × ${shape.partitions} partitions` : `${opt.partitions} partitions`}, ${opt.rounds} rounds; load average at the end ${load()} (2 cores).`,
  '',
  ...wallTable(rows, runs.map((r) => r.client), reference, records),
];
process.stdout.write(`${lines.join('\n')}\n`);
