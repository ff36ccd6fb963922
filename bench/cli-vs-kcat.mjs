#!/usr/bin/env node
// `kafka-stage consume` against `kcat -C` (issue 14, item 1), whole process: both read every record of
// one topic from the beginning to its end (-e, no group) and print the values to /dev/null, as a user
// would time them at a shell. Measured per run: wall time from spawn to exit (process start, metadata,
// reading, exit), CPU time (user + system, exact once the child is reaped) and peak RSS.
//
// Each round runs kcat (`-C -e -q -f '%s\n'`) and then every CLI build (`--cli label=path/to/main.js`,
// repeatable; default the built dist/) in each `--formats` (`-f value|none|json ...`), in an order
// rotated per round. The report gives medians over rounds and, per round, kcat's wall time divided by
// the run's (≥ 1.0× means as fast as kcat or faster), median and min–max; CPU ÷ wall says whether a
// run was computing (near 1 on one thread) or waiting. The CLI's own summary (stderr) must count every
// record, or the run fails. The topic is made once with the CLI's producer when it does not exist.
//
//   npm run build && node bench/cli-vs-kcat.mjs --rounds 5
//   node bench/cli-vs-kcat.mjs --cli before=/tmp/old/dist/cli/main.js --cli after=dist/cli/main.js \
//     --cli 'demand-1000=dist/cli/main.js --max-demand 1000'     # flags after the path: that build only
import { spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { measureProcess } from './harness/measure-process.mjs';
import { median, summarise } from './harness/stats.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
    topic: { type: 'string', default: 'bench-cli-100b' },
    records: { type: 'string', default: '2000000' },
    size: { type: 'string', default: '100' },
    partitions: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '5' },
    formats: { type: 'string', default: 'value,none,json' },
    cli: { type: 'string', multiple: true },
    'extra-args': { type: 'string', default: '' },
  },
});
const say = (message) => process.stderr.write(`cli-vs-kcat: ${message}\n`);
const records = Number(opt.records);
// `label=path [flags]`: flags after the path go to that build's consume runs only.
const clis = (opt.cli ?? [`kafka-stage=${root}dist/cli/main.js`]).map((spec) => {
  const at = spec.indexOf('=');
  const [path, ...flags] = (at < 0 ? spec : spec.slice(at + 1)).split(' ').filter(Boolean);
  return { label: at < 0 ? path : spec.slice(0, at), path, flags };
});
const extra = opt['extra-args'].split(' ').filter(Boolean);
const devNull = openSync('/dev/null', 'w');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

if (spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status !== 0) {
  say('kcat not found (Debian: apt-get install -y kcat)');
  process.exit(1);
}

/** Produces the topic with the CLI when it does not exist (an existing one must hold --records records). */
function ensureTopic() {
  const cli = clis[clis.length - 1].path;
  const probe = spawnSync(process.execPath, [cli, 'topics', 'describe', '-t', opt.topic, '-b', opt.brokers, '--json'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  say(`producing ${records} × ${opt.size} B into ${opt.topic} (${opt.partitions} partitions)`);
  const made = spawnSync(
    process.execPath,
    [cli, 'produce', '-b', opt.brokers, '-t', opt.topic, '--create', '--partitions', opt.partitions, '--count', String(records), '--size', opt.size, '-q'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (made.status !== 0) throw new Error('could not produce the topic');
}

/** Runs one command with stdout on /dev/null; wall and CPU of the whole process. */
const measure = (command, args) => measureProcess(command, args, { stdout: devNull });

const runs = [{ client: 'kcat', command: 'kcat', args: ['-C', '-b', opt.brokers, '-t', opt.topic, '-e', '-q', '-f', '%s\\n'], counts: false }];
for (const { label, path, flags } of clis) {
  for (const format of opt.formats.split(',')) {
    runs.push({ client: `${label} -f ${format}`, command: process.execPath, args: [path, 'consume', '-b', opt.brokers, '-t', opt.topic, '-e', '-f', format, ...flags, ...extra], counts: true });
  }
}

ensureTopic();
say(`load average at start: ${load()}`);
const rows = [];
for (let round = 0; round < Number(opt.rounds); round++) {
  const order = runs.map((_, i) => runs[(i + round) % runs.length]);
  for (const run of order) {
    const m = await measure(run.command, run.args);
    if (run.counts) {
      const summary = JSON.parse(m.stderr.trim().split('\n').pop());
      if (summary.records !== records) throw new Error(`${run.client}: printed ${summary.records} records, expected ${records}`);
    }
    rows.push({ round, client: run.client, ...m });
    say(`round ${round + 1} ${run.client}: ${(m.wallMs / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s CPU`);
  }
}
say(`load average at end: ${load()}`);

const speed = summarise(
  rows.map((r) => ({ round: r.round, client: r.client, value: records / r.wallMs })),
  'kcat',
);
const fmt = (ms) => (ms / 1000).toFixed(2);
const lines = [
  `${records} records of ${opt.size} B, ${opt.partitions} partitions, ${opt.rounds} rounds; load average at the end ${load()} (2 cores).`,
  '',
  '| client | wall (s) | min–max | CPU (s) | CPU ÷ wall | peak RSS (MiB) | × kcat (speed, per round) |',
  '|---|---:|---:|---:|---:|---:|---:|',
];
for (const run of runs) {
  const mine = rows.filter((r) => r.client === run.client);
  const walls = mine.map((r) => r.wallMs);
  const s = speed.get(run.client);
  const ratio = s.ratio ? `${s.ratio.median.toFixed(2)}× (${s.ratio.min.toFixed(2)}–${s.ratio.max.toFixed(2)})` : '';
  lines.push(
    `| ${run.client} | ${fmt(median(walls))} | ${fmt(Math.min(...walls))}–${fmt(Math.max(...walls))} | ${fmt(median(mine.map((r) => r.cpuMs)))} | ` +
      `${median(mine.map((r) => r.cpuMs / r.wallMs)).toFixed(2)} | ${median(mine.map((r) => r.rssMb)).toFixed(0)} | ${ratio} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
