#!/usr/bin/env node
// What an idle member costs at 1000 partitions (issue 14, item 4: do fetch sessions, KIP-227, pay?):
// one member of a new group on the 1000-partition topic, starting at its end (`--reset latest`), so
// that every Fetch comes back empty after the broker's wait. Every Fetch of the library is a full one
// (all partitions named in the request and the answer); Java's consumer uses fetch sessions, so its
// idle Fetches name only what changed. Per client, once the member owns every partition and has
// settled for 3 s: CPU time (user + system, /proc) over --seconds, as % of one core, and the Fetches
// sent, with request and response bytes per Fetch (ours: bench/fetch-probe.mjs over the member's
// whole life; Java: its metrics, outgoing/incoming-byte-total ÷ fetch-total).
//
//   npm run build && flock /tmp/kafka-stage-bench.lock node bench/scale-idle.mjs --rounds 3
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { cpuMs } from './clients/proc-stats.mjs';
import { spawnMember } from './harness/scale-members.mjs';
import { median } from './harness/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
    topic: { type: 'string', default: 's-p1000-100b' },
    partitions: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: 'kafka-stage,java' },
  },
});
const say = (message) => process.stderr.write(`scale-idle: ${message}\n`);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const partitions = Number(opt.partitions);

async function idle(client, round) {
  const group = `s-scale-idle-${client}-${process.pid}-${round}`;
  const common = ['--brokers', opt.brokers, '--group', group, '--topic', opt.topic, '--reset', 'latest'];
  const child = spawnMember(client, common);
  let owned = 0;
  let left = null;
  let probe = null;
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    out += chunk;
    for (const line of out.split('\n').slice(0, -1)) {
      const e = JSON.parse(line);
      if (e.ev === 'owned') owned = e.n;
      if (e.ev === 'left') left = e;
    }
    out = out.slice(out.lastIndexOf('\n') + 1);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    err = (err + chunk).slice(-4000);
    const m = /FETCH-PROBE (.*)/.exec(err);
    if (m) probe = JSON.parse(m[1]);
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 120_000;
  while (owned < partitions) {
    if (Date.now() > deadline) throw new Error(`${client}: not assigned within 120 s: ${err.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 3000));
  const cpu0 = cpuMs(child.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(opt.seconds) * 1000));
  const cpuPercent = (100 * (cpuMs(child.pid) - cpu0)) / (performance.now() - t0);
  child.kill('SIGTERM');
  await exited;
  const f = probe ?? left;
  return { round, client, cpuPercent, fetches: f?.fetches, sentPerFetch: f?.sentPerFetch, receivedPerFetch: f?.receivedPerFetch };
}

const clients = opt.clients.split(',');
say(`load average at start: ${load()}`);
const rows = [];
for (let round = 0; round < Number(opt.rounds); round++) {
  for (const client of clients.map((_, i) => clients[(i + round) % clients.length])) {
    const row = await idle(client, round);
    rows.push(row);
    say(`round ${round + 1}: ${JSON.stringify(row)}`);
  }
}
const cell = (values, digits = 0) => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
const lines = [
  `An idle member owning ${partitions} partitions of ${opt.topic} (at its end), ${opt.seconds} s measured, ${opt.rounds} rounds, medians (min–max); load average at the end ${load()} (2 cores).`,
  '',
  '| client | CPU (% of a core) | Fetches (whole life) | request B per Fetch | response B per Fetch |',
  '|---|---:|---:|---:|---:|',
];
for (const client of clients) {
  const mine = rows.filter((r) => r.client === client);
  lines.push(`| ${client} | ${cell(mine.map((r) => r.cpuPercent), 1)} | ${cell(mine.map((r) => r.fetches))} | ${cell(mine.map((r) => r.sentPerFetch))} | ${cell(mine.map((r) => r.receivedPerFetch))} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
