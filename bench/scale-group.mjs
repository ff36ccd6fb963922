#!/usr/bin/env node
// A 1000-partition topic read by a group of 3 members (issue 14, item 4), the library's members
// (bench/clients/scale-member.mjs, a ConsumerGroup: cooperative-sticky by default) beside Java's
// (bench/java/ScaleMember.java, KafkaConsumer with CooperativeStickyAssignor; `--java-assignor default`
// for its own default, range first, eager), one client per phase at a time, rounds alternating which
// client goes first. Per round and client, with a fresh group:
//   first   3 members start together: ms from each member's `start` line (process up, before the
//           consumer is built) to its first record; the slowest of the three is reported. A member
//           whose partitions the others drained before the group settled never gets a record (since
//           session 12 the 1M records are drained about 3 s after the first start): the slowest of those that did, and
//           the count of members with records beside it;
//   drain   until the 3 have handled every record of the topic(s): ms from the first start;
//   RSS     per member, (peak RSS − its RSS at `start`) ÷ partitions it owned: KiB per partition;
//   join    a 4th member starts: ms from its `start` line until all 4 own partitions that add up to
//           the topic's (the rebalance has settled);
//   leave   one of the first 3 gets SIGTERM (clean leave: commit, LeaveGroup): ms until the other 3
//           own every partition again;
//   Fetch   per member, request and response bytes per Fetch round (ours: bench/fetch-probe.mjs, socket
//           byte counters ÷ Fetches sent; Java: its own metrics, outgoing/incoming-byte-total ÷
//           fetch-total), and Fetches per member.
//
// `--prepare-topics 60x50 --topic-prefix t-m60-` reads 60 topics of 50 partitions instead
// (t-m60-00 … t-m60-59, --records spread over them), creating and filling the missing ones first
// (bench/harness/many-topics.mjs; reused on later runs).
//
//   npm run build && flock /tmp/kafka-stage-bench.lock node bench/scale-group.mjs --rounds 3
//   node bench/scale-group.mjs --topics s-p1000-100b --records 1000000 --clients kafka-stage,java
//   node bench/scale-group.mjs --prepare-topics 60x50 --topic-prefix t-m60- --records 1000000 --rounds 1
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { parseShape, prepareManyTopics } from './harness/many-topics.mjs';
import { spawnMember } from './harness/scale-members.mjs';
import { median } from './harness/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
    topics: { type: 'string', default: 's-p1000-100b' },
    records: { type: 'string', default: '1000000' },
    partitions: { type: 'string', default: '1000' },
    'prepare-topics': { type: 'string' },
    'topic-prefix': { type: 'string', default: 't-m60-' },
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: 'kafka-stage,java' },
    'java-assignor': { type: 'string', default: 'cooperative' },
    'timeout-ms': { type: 'string', default: '180000' },
  },
});
const say = (message) => process.stderr.write(`scale-group: ${message}\n`);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const records = Number(opt.records);
const shape = opt['prepare-topics'] === undefined ? null : parseShape(opt['prepare-topics']);
const topics = shape
  ? await prepareManyTopics({
      cli: new URL('../dist/cli/main.js', import.meta.url).pathname,
      brokers: opt.brokers,
      prefix: opt['topic-prefix'],
      ...shape,
      records,
      size: 100,
      say,
    })
  : opt.topics.split(',');
const partitions = shape ? shape.count * shape.partitions : Number(opt.partitions);
const timeoutMs = Number(opt['timeout-ms']);

/** A member process and the latest of what it said. */
class Member {
  constructor(client, group) {
    const topicArgs = topics.flatMap((t) => ['--topic', t]);
    const assignor = client === 'java' ? ['--assignor', opt['java-assignor']] : [];
    this.child = spawnMember(client, ['--brokers', opt.brokers, '--group', group, ...assignor, ...topicArgs]);
    this.owned = 0;
    this.records = 0;
    this.peakRssKb = 0;
    this.maxOwned = 0;
    this.start = null;
    this.first = null;
    this.left = null;
    this.probe = null;
    this.stderr = '';
    let buffered = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let at;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        if (line.startsWith('{')) this.#seen(JSON.parse(line));
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
      const probe = /FETCH-PROBE (.*)/.exec(this.stderr);
      if (probe) this.probe = JSON.parse(probe[1]);
    });
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  #seen(e) {
    if (e.ev === 'start') this.start = e;
    else if (e.ev === 'first') this.first = e;
    else if (e.ev === 'owned') {
      this.owned = e.n;
      this.maxOwned = Math.max(this.maxOwned, e.n);
    } else if (e.ev === 'stat') {
      this.records = e.records;
      this.peakRssKb = Math.max(this.peakRssKb, e.peakRssKb);
    } else if (e.ev === 'left') this.left = e;
  }

  /** Fetch figures: ours from the probe (at exit), Java's from its `left` line. */
  fetchFigures() {
    const f = this.probe ?? this.left;
    return f && f.fetches ? { fetches: f.fetches, sentPerFetch: f.sentPerFetch, receivedPerFetch: f.receivedPerFetch } : null;
  }

  async stop() {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

async function until(what, test) {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now();
}

async function runClient(client, round) {
  const group = `s-scale-group-${client}-${process.pid}-${round}-${Date.now()}`;
  const spawnedAt = Date.now();
  const members = [0, 1, 2].map(() => new Member(client, group));
  try {
    const drainedAt = await until('the drain', () => members.reduce((n, m) => n + m.records, 0) >= records);
    const withRecords = members.filter((m) => m.first);
    const firstMs = Math.max(...withRecords.map((m) => m.first.t - m.start.t));
    const kibPerPartition = members.map((m) => (m.peakRssKb - m.start.rssKb) / Math.max(1, m.maxOwned));
    const joiner = new Member(client, group);
    const all = [...members, joiner];
    const joinedAt = await until('the join', () => joiner.start && all.every((m) => m.owned > 0) && all.reduce((n, m) => n + m.owned, 0) === partitions);
    const joinMs = joinedAt - joiner.start.t;
    const leaver = members[0];
    const leftAt = Date.now();
    const stayers = all.slice(1);
    const leaving = leaver.stop();
    const settledAt = await until('the leave', () => stayers.reduce((n, m) => n + m.owned, 0) === partitions);
    await leaving;
    const leaveMs = settledAt - leftAt;
    await Promise.all(stayers.map((m) => m.stop()));
    const fetch = members.map((m) => m.fetchFigures()).filter(Boolean);
    return {
      round,
      client,
      firstMs,
      membersWithRecords: withRecords.length,
      drainMs: drainedAt - spawnedAt,
      kibPerPartition: median(kibPerPartition),
      startRssMb: median(members.map((m) => m.start.rssKb / 1024)),
      peakRssMb: median(members.map((m) => m.peakRssKb / 1024)),
      joinMs,
      leaveMs,
      fetches: median(fetch.map((f) => f.fetches)),
      sentPerFetch: median(fetch.map((f) => f.sentPerFetch)),
      receivedPerFetch: median(fetch.map((f) => f.receivedPerFetch)),
    };
  } catch (error) {
    for (const m of members) m.child.kill('SIGKILL');
    // Each member's partitions owned / first record seen / records: which member was left without records.
    const states = members.map((m, i) => `member ${i + 1}: owns ${m.owned}, ${m.first ? 'had records' : 'no record yet'}, ${m.records} counted`).join('; ');
    throw new Error(`${client} round ${round + 1}: ${error.message} (${states}); stderr of member 1: ${members[0].stderr.slice(-800)}`);
  }
}

const clients = opt.clients.split(',');
say(`load average at start: ${load()}`);
const rows = [];
for (let round = 0; round < Number(opt.rounds); round++) {
  const order = clients.map((_, i) => clients[(i + round) % clients.length]);
  for (const client of order) {
    const row = await runClient(client, round);
    rows.push(row);
    say(`round ${round + 1} ${client}: ${JSON.stringify(row)}`);
  }
}
say(`load average at end: ${load()}`);

const cell = (values, digits = 0) => {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return '–';
  return `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)})`;
};
const lines = [
  `${topics.length > 3 ? `${topics[0]} … ${topics[topics.length - 1]} (${topics.length} topics)` : topics.join(', ')}: ${partitions} partitions, ${records} records; 3 members then a 4th joins and one leaves; ${opt.rounds} rounds, medians (min–max); load average at the end ${load()} (2 cores).`,
  '',
  '| client | first record (ms) | members with records | drain (ms) | join (ms) | leave (ms) | RSS at start (MiB) | peak RSS (MiB) | KiB per partition | Fetches per member | request B per Fetch | response B per Fetch |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const client of clients) {
  const mine = rows.filter((r) => r.client === client);
  const col = (key, digits) => cell(mine.map((r) => r[key]), digits);
  lines.push(
    `| ${client} | ${col('firstMs')} | ${col('membersWithRecords')} | ${col('drainMs')} | ${col('joinMs')} | ${col('leaveMs')} | ${col('startRssMb')} | ${col('peakRssMb')} | ${col('kibPerPartition', 1)} | ${col('fetches')} | ${col('sentPerFetch')} | ${col('receivedPerFetch')} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
