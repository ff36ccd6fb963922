#!/usr/bin/env node
// `kafka-stage produce` against Java's `ProducerPerformance` (issue 14, item 2), whole process: both
// write N generated records of one size into a fresh 6-partition topic with acks=all and idempotence,
// as a user would time them at a shell. Measured per run: wall time from spawn to exit (process or
// JVM start, metadata, producing, flush, exit), CPU time (user + system, exact once the child is
// reaped) and peak RSS.
//
// Settings, the same on both sides: acks=all, enable.idempotence=true, linger.ms=5, batch.size=16384
// (Java 4.x's defaults and the library's; the CLI has no flags for them, Java gets them explicitly),
// max.in.flight 5, the case's compression.type. Java runs through scripts/kafka/java-tool.sh with its
// default JVM flags (-Xmx512m) and `--throughput -1`; the CLI uses its generated-payload mode
// (`--count N --size B`: the sequence number, a space, then random capital letters, every value
// different). ProducerPerformance's `--record-size` sends one random payload for every record, which
// compresses to almost nothing; so for a compressed case Java gets `--payload-file` instead: 10 000
// lines of random capital letters of the case's size (it picks one at random per record), as
// compressible as the CLI's values. Uncompressed cases use `--record-size`, the usual command.
//
// Each case (`--cases`, `records×size[:compression]`) runs ≥ `--rounds` rounds; each round runs Java
// and every CLI build (`--cli label=path/to/main.js`, repeatable; default the built dist/) in an order
// rotated per round. Every run gets a topic of its own, created before the clock starts and deleted
// after, so the log does not grow. The report gives medians over rounds and, per round, Java's wall
// time divided by the run's (≥ 1.0× means as fast as Java or faster), median and min–max. Both
// sides must report every record acknowledged, or the run fails.
//
//   npm run build && flock /tmp/kafka-stage-bench.lock node bench/producer-vs-java.mjs --rounds 5
//   node bench/producer-vs-java.mjs --cli before=/tmp/base/dist/cli/main.js --cli after=dist/cli/main.js \
//     --cases 2000000x100,2000000x100:zstd --rounds 5
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { Admin } from '../dist/index.js';
import { measureProcess } from './harness/measure-process.mjs';
import { median, summarise } from './harness/stats.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
    prefix: { type: 'string', default: 'p-bench-produce' },
    partitions: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '5' },
    cases: { type: 'string', default: '2000000x100,500000x1024,2000000x100:gzip,2000000x100:zstd' },
    cli: { type: 'string', multiple: true },
    'no-java': { type: 'boolean', default: false },
  },
});
const say = (message) => process.stderr.write(`producer-vs-java: ${message}\n`);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const partitions = Number(opt.partitions);
const clis = (opt.cli ?? [`kafka-stage=${root}dist/cli/main.js`]).map((spec) => {
  const at = spec.indexOf('=');
  const [path, ...flags] = (at < 0 ? spec : spec.slice(at + 1)).split(' ').filter(Boolean);
  return { label: at < 0 ? path : spec.slice(0, at), path, flags };
});
const cases = opt.cases.split(',').map((text) => {
  const [counts, compression = 'none'] = text.split(':');
  const [records, size] = counts.split('x').map(Number);
  return { name: `${records} × ${size} B ${compression}`, records, size, compression };
});

const payloadDir = mkdtempSync(`${tmpdir()}/producer-vs-java-`);
process.on('exit', () => rmSync(payloadDir, { recursive: true, force: true }));
const payloadFiles = new Map();
/** Java's payloads for a compressed case: 10 000 distinct lines of `size` random capital letters. */
function payloadFile(size) {
  if (!payloadFiles.has(size)) {
    const line = () => Array.from({ length: size }, () => String.fromCharCode(65 + randomInt(26))).join('');
    const path = `${payloadDir}/payload-${size}.txt`;
    writeFileSync(path, Array.from({ length: 10_000 }, line).join('\n'));
    payloadFiles.set(size, path);
  }
  return payloadFiles.get(size);
}

/** Java's ProducerPerformance: the last line says `N records sent, ...`. */
function javaRun(c, topic) {
  const payload = c.compression === 'none' ? ['--record-size', String(c.size)] : ['--payload-file', payloadFile(c.size)];
  return {
    command: 'bash',
    args: [
      `${root}scripts/kafka/java-tool.sh`,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic', topic,
      '--num-records', String(c.records),
      ...payload,
      '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${opt.brokers}`, 'acks=all', 'enable.idempotence=true',
      'linger.ms=5', 'batch.size=16384', 'max.in.flight.requests.per.connection=5', `compression.type=${c.compression}`,
    ],
    acknowledged: (stdout) => {
      const last = stdout.trim().split('\n').filter((l) => l.includes('records sent')).pop() ?? '';
      return Number(/^(\d+) records sent/.exec(last)?.[1] ?? -1);
    },
  };
}

/** The CLI's generated-payload mode: its JSON summary counts the acknowledged records. */
function cliRun(c, topic, cli) {
  return {
    command: process.execPath,
    args: [cli.path, 'produce', '-b', opt.brokers, '-t', topic, '--count', String(c.records), '--size', String(c.size), '--compression', c.compression, '--acks', 'all', ...cli.flags],
    acknowledged: (stdout) => {
      const summary = JSON.parse(stdout.trim().split('\n').pop());
      return summary.errors === 0 ? summary.records : -1;
    },
  };
}

const admin = new Admin({ brokers: opt.brokers.split(','), clientId: 'producer-vs-java' });
await admin.connect();
let serial = 0;
/** A fresh topic per run, made before the clock starts. */
async function freshTopic() {
  const topic = `${opt.prefix}-${process.pid}-${serial++}`;
  await admin.createTopics([{ topic, partitions, replicationFactor: 1 }]);
  return topic;
}

const clients = [...(opt['no-java'] ? [] : ['java']), ...clis.map((c) => c.label)];
const reference = opt['no-java'] ? clis[0].label : 'java';
const rows = [];
say(`load average at start: ${load()}`);
try {
  for (const c of cases) {
    for (let round = 0; round < Number(opt.rounds); round++) {
      const order = clients.map((_, i) => clients[(i + round) % clients.length]);
      for (const client of order) {
        const topic = await freshTopic();
        try {
          const run = client === 'java' ? javaRun(c, topic) : cliRun(c, topic, clis.find((x) => x.label === client));
          const m = await measureProcess(run.command, run.args);
          const acked = run.acknowledged(m.stdout);
          if (acked !== c.records) throw new Error(`${c.name} ${client}: ${acked} records acknowledged, expected ${c.records}`);
          rows.push({ case: c.name, round, client, ...m, load: loadavg()[0] });
          say(`${c.name} round ${round + 1} ${client}: ${(m.wallMs / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s CPU, ${m.rssMb.toFixed(0)} MiB`);
        } finally {
          await admin.deleteTopics([topic]).catch(() => {});
        }
      }
    }
  }
} finally {
  await admin.close();
}
say(`load average at end: ${load()}`);

const fmt = (ms) => (ms / 1000).toFixed(2);
const lines = [
  `${opt.rounds} rounds per case, ${partitions} partitions, fresh topic per run; load average at the end ${load()} (2 cores).`,
  '',
  `| case | client | wall (s) | min–max | CPU (s) | peak RSS (MiB) | load (1 min) | × ${reference} (speed, per round) |`,
  '|---|---|---:|---:|---:|---:|---:|---:|',
];
for (const c of cases) {
  const mine = rows.filter((r) => r.case === c.name);
  const speed = summarise(mine.map((r) => ({ round: r.round, client: r.client, value: 1 / r.wallMs })), reference);
  for (const client of clients) {
    const runs = mine.filter((r) => r.client === client);
    const walls = runs.map((r) => r.wallMs);
    const s = speed.get(client);
    const ratio = s.ratio && client !== reference ? `${s.ratio.median.toFixed(2)}× (${s.ratio.min.toFixed(2)}–${s.ratio.max.toFixed(2)})` : '';
    lines.push(
      `| ${c.name} | ${client} | ${fmt(median(walls))} | ${fmt(Math.min(...walls))}–${fmt(Math.max(...walls))} | ${fmt(median(runs.map((r) => r.cpuMs)))} | ` +
        `${median(runs.map((r) => r.rssMb)).toFixed(0)} | ${median(runs.map((r) => r.load)).toFixed(1)} | ${ratio} |`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
