/** `kafka-stage produce` as a user runs it (the built binary in a child process) against the real broker. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { readAll } from '../../src/consumer/partition-reader.js';
import { runCli } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';

const brokers = testBrokers().join(',');
let admin: Admin;
let reader: Cluster;
const topics: string[] = [];

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  reader = new Cluster({ brokers: testBrokers() });
  await reader.connect();
});

after(async () => {
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
  await reader.close();
});

function topicName(prefix: string): string {
  const topic = uniqueTopic(prefix);
  topics.push(topic);
  return topic;
}

function cli(args: string[], stdin = '') {
  return runCli(args, { stdin });
}

/** The one JSON line on stdout. */
function summaryOf(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one summary line, got: ${stdout}`);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

async function valuesOf(topic: string, partitions: number): Promise<string[][]> {
  return Promise.all(
    Array.from({ length: partitions }, async (_, partition) =>
      (await readAll(reader, { topic, partition, fromOffset: 0 })).map((r) => r.value?.toString('latin1') ?? ''),
    ),
  );
}

test('--create --count --size --compression: generated records, a JSON summary, every record in the topic once', async () => {
  const topic = topicName('cli-generated');
  const r = await cli(['produce', '--brokers', brokers, '--topic', topic, '--create', '--partitions', '3', '--count', '5000', '--size', '64', '--compression', 'lz4']);
  assert.equal(r.code, 0, r.stderr);
  const summary = summaryOf(r.stdout);
  assert.equal(summary.topic, topic);
  assert.equal(summary.records, 5000);
  assert.equal(summary.bytes, 5000 * 64);
  assert.equal(summary.partitions, 3);
  assert.equal(summary.errors, 0);
  assert.equal(summary.compression, 'lz4');
  assert.equal(summary.acks, 'all');
  assert.ok(typeof summary.durationMs === 'number' && summary.durationMs > 0);
  assert.ok(typeof summary.recordsPerSec === 'number' && summary.recordsPerSec > 0);

  const values = (await valuesOf(topic, 3)).flat();
  assert.equal(values.length, 5000);
  // Each value is 64 bytes starting with its sequence number: all 5000 present, none twice.
  const seqs = new Set(values.map((v) => Number(v.slice(0, v.indexOf(' ')))));
  assert.equal(seqs.size, 5000);
  assert.ok(values.every((v) => v.length === 64));
  // The rest is the random capital letters (values are views of shared chunks: none may show another's digits or unfilled bytes).
  assert.ok(values.every((v) => /^\d+ [A-Z]+$/.test(v)), values.find((v) => !/^\d+ [A-Z]+$/.test(v)));
  for (let i = 0; i < 5000; i++) assert.ok(seqs.has(i), `record ${i}`);
});

test('without --count: one record per stdin line, in order; --create tolerates an existing topic; --acks 1', async () => {
  const topic = topicName('cli-stdin');
  await admin.createTopics([{ topic, partitions: 1 }]);
  const lines = ['first', 'zwei — ünïcode', '', 'last line without newline'];
  const r = await cli(['produce', '--brokers', brokers, '--topic', topic, '--create', '--acks', '1'], lines.join('\n'));
  assert.equal(r.code, 0, r.stderr);
  const summary = summaryOf(r.stdout);
  assert.equal(summary.records, lines.length);
  assert.equal(summary.partitions, 1);
  assert.equal(summary.errors, 0);
  const records = await readAll(reader, { topic, partition: 0, fromOffset: 0 });
  assert.deepEqual(
    records.map((x) => x.value?.toString('utf8')),
    lines,
  );
});

test('--acks 0 --compression zstd: records land though the broker never answers', async () => {
  const topic = topicName('cli-acks0');
  const r = await cli(['produce', '--brokers', brokers, '--topic', topic, '--create', '--partitions', '2', '--count', '2000', '--acks', '0', '--compression', 'zstd']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(summaryOf(r.stdout).records, 2000);
  // acks 0 returns once written: wait for the log to show them all.
  let total = 0;
  await eventually(
    async () => {
      const offsets = await admin.listOffsets([0, 1].map((partition) => ({ topic, partition, spec: 'latest' as const })));
      total = offsets.reduce((sum, o) => sum + o.offset, 0);
      return total >= 2000;
    },
    { what: 'the log to hold 2000 records', timeoutMs: 30_000, intervalMs: 200, progress: () => `${total} so far` },
  );
  assert.equal(total, 2000);
});

test('a topic that does not exist (no --create): errors counted, exit 1, the cause on the summary', async () => {
  const topic = topicName('cli-missing');
  const r = await cli(['produce', '--brokers', brokers, '--topic', topic, '--count', '3'], '');
  assert.equal(r.code, 1);
  const summary = summaryOf(r.stdout);
  assert.equal(summary.records, 0);
  assert.equal(summary.errors, 3);
  assert.match(String(summary.firstError), /UNKNOWN_TOPIC_OR_PARTITION/);
});
