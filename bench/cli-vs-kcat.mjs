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
import { parseArgs } from 'node:util';
import { alternateRounds, ensureTopic, load, measureExit, wallTable } from './harness/whole-process.mjs';

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

if (spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status !== 0) {
  say('kcat not found (Debian: apt-get install -y kcat)');
  process.exit(1);
}

const runs = [{ client: 'kcat', command: 'kcat', args: ['-C', '-b', opt.brokers, '-t', opt.topic, '-e', '-q', '-f', '%s\\n'], counts: false }];
for (const { label, path, flags } of clis) {
  for (const format of opt.formats.split(',')) {
    runs.push({ client: `${label} -f ${format}`, command: process.execPath, args: [path, 'consume', '-b', opt.brokers, '-t', opt.topic, '-e', '-f', format, ...flags, ...extra], counts: true });
  }
}
for (const run of runs) run.run = () => measureExit(run.command, run.args);

ensureTopic({ cli: clis[clis.length - 1].path, brokers: opt.brokers, topic: opt.topic, records, size: opt.size, partitions: opt.partitions, say });
say(`load average at start: ${load()}`);
const rows = await alternateRounds(runs, Number(opt.rounds), records, say);
say(`load average at end: ${load()}`);

const lines = [
  `${records} records of ${opt.size} B, ${opt.partitions} partitions, ${opt.rounds} rounds; load average at the end ${load()} (2 cores).`,
  '',
  ...wallTable(rows, runs.map((r) => r.client), 'kcat', records),
];
process.stdout.write(`${lines.join('\n')}\n`);
