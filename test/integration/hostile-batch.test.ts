/**
 * Issue #8, defect 14 on the real broker: a CRC-valid batch whose record offset deltas go
 * backwards ([1, 0]), written with a raw Produce request (no client of ours would write it), then
 * read back raw to see what the broker stored, and consumed by a ConsumerGroup (merged stream and
 * a subscriber on records()) and by `kafka-stage consume --group`. Before the fix each crashed the
 * process with an uncaught RangeError ("deliveries must move forward"); the CLI printed nothing.
 * Now the record below the position is skipped (as the Java consumer skips it), every other record
 * is delivered once, and the group commits the log end.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import type { ConsumeSummary } from '../../src/cli/consume.js';
import type { JsonRecordLine } from '../../src/cli/consume-format.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { buildFetchRequest } from '../../src/consumer/fetch-request.js';
import { Producer } from '../../src/producer/producer.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { decodeRecordBatchesSync } from '../../src/protocol/records/decode-batches.js';
import { runCli, summaryOf } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { batchWithOffsetDeltas } from '../helpers/hostile-batches.js';

const brokers = testBrokers();
let admin: Admin;
let cluster: Cluster;
const topics: string[] = [];

before(async () => {
  admin = new Admin({ brokers });
  cluster = new Cluster({ brokers: brokers.join(',') });
});

after(async () => {
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await cluster.close();
  await admin.close();
});

/** Writes `batch` to partition 0 of `topic` with a raw Produce (acks all); returns the base offset the broker gave it. */
async function rawProduce(topic: string, batch: Buffer): Promise<number> {
  const info = await cluster.topic(topic, { refresh: true });
  const leader = await cluster.leaderFor(topic, 0);
  const response = await cluster.request(leader, Produce, () => ({
    transactionalId: null,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, topicId: info.topicId, partitionData: [{ index: 0, records: batch }] }],
  }));
  const part = response.responses[0]?.partitionResponses[0];
  assert.equal(part?.errorCode, 0, `Produce answered error ${part?.errorCode}`);
  return Number(part?.baseOffset);
}

/** The record offsets partition 0 holds, batch by batch, read with a raw Fetch from offset 0. */
async function storedOffsets(topic: string): Promise<{ offsets: number[][]; values: string[][] }> {
  const info = await cluster.topic(topic);
  const leader = await cluster.leaderFor(topic, 0);
  const answer = await cluster.requestWithVersion(leader, Fetch, () =>
    buildFetchRequest([{ topic, topicId: info.topicId, partition: 0, fetchOffset: 0, currentLeaderEpoch: -1, partitionMaxBytes: 1024 * 1024 }], {
      maxWaitMs: 100,
      minBytes: 1,
      readCommitted: false,
    }),
  );
  const data = answer.response.responses[0]?.partitions[0];
  assert.equal(data?.errorCode, 0);
  const batches = decodeRecordBatchesSync(data?.records ?? Buffer.alloc(0), { verifyCrc: true, maxDecompressedBytes: 1 << 24 }).batches;
  return {
    offsets: batches.map((b) => b.records.map((r) => r.offset)),
    values: batches.map((b) => b.records.map((r) => r.value?.toString('utf8') ?? '')),
  };
}

/** before-0..2 at 0-2, the hostile batch at 3-4, after-0..2 at 5-7; returns the topic. */
async function hostileTopic(): Promise<string> {
  const topic = uniqueTopic('hostile-batch');
  topics.push(topic);
  await admin.createTopics([{ topic, partitions: 1 }]);
  const producer = new Producer({ brokers });
  try {
    for (let i = 0; i < 3; i++) await producer.send(topic, { value: `before-${i}`, partition: 0 });
    const base = await rawProduce(topic, await batchWithOffsetDeltas(['swapped-first', 'swapped-second'], [1, 0]));
    assert.equal(base, 3);
    for (let i = 0; i < 3; i++) await producer.send(topic, { value: `after-${i}`, partition: 0 });
  } finally {
    await producer.close();
  }
  return topic;
}

/** What the broker stores, checked once per topic: it keeps the deltas as written (no rewrite). */
async function assertStoredBackwards(topic: string): Promise<void> {
  const stored = await storedOffsets(topic);
  assert.deepEqual(stored.offsets, [[0], [1], [2], [4, 3], [5], [6], [7]], 'Kafka 4.1.1 stores the uncompressed batch as written: offsets 4 then 3');
  assert.deepEqual(stored.values[3], ['swapped-first', 'swapped-second']);
}

/** Offsets a consumer delivers: 3 comes after 4 inside its batch, below the position, so it is skipped (as Java). */
const DELIVERED = [0, 1, 2, 4, 5, 6, 7];
const fast = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' as const };

test('defect 14, real broker: the merged stream skips the backwards record, delivers the rest once and commits the log end; no crash, no error event', { timeout: 60_000 }, async () => {
  const topic = await hostileTopic();
  await assertStoredBackwards(topic);
  const groupId = uniqueTopic('hostile-batch-g');
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], ...fast });
  const errors: Error[] = [];
  group.on('error', (err) => errors.push(err));
  const got: { offset: number; value: string }[] = [];
  await group.start();
  try {
    for await (const batch of group.stream()) {
      for (const r of batch.records) got.push({ offset: r.offset, value: r.value?.toString('utf8') ?? '' });
      await group.ack(batch);
      if (got.length >= DELIVERED.length) break;
    }
  } finally {
    await group.stop();
  }
  assert.deepEqual(
    got.map((g) => g.offset),
    DELIVERED,
  );
  assert.equal(got.find((g) => g.offset === 4)?.value, 'swapped-first');
  assert.deepEqual(errors.map(String), []);
  const committed = await admin.fetchGroupOffsets(groupId, [topic]);
  assert.deepEqual(
    committed.map((c) => [c.partition, c.offset]),
    [[0, 8]],
  );
});

test('defect 14, real broker: a subscriber on records() gets the same records and its stage commits past the skipped offset', { timeout: 60_000 }, async () => {
  const topic = await hostileTopic();
  const groupId = uniqueTopic('hostile-batch-r');
  const got: number[] = [];
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], ...fast, commit: { strategy: 'sync' } }, async (stage) => {
    for await (const record of stage.records({ maxDemand: 3 })) {
      got.push(record.offset);
      await stage.ack(record);
      if (got.length === DELIVERED.length) resolveAll();
    }
  });
  const errors: Error[] = [];
  group.on('error', (err) => errors.push(err));
  await group.start();
  try {
    await all;
  } finally {
    await group.stop();
  }
  assert.deepEqual(got, DELIVERED);
  assert.deepEqual(errors.map(String), []);
  const committed = await admin.fetchGroupOffsets(groupId, [topic]);
  assert.deepEqual(
    committed.map((c) => [c.partition, c.offset]),
    [[0, 8]],
  );
});

test('defect 14, real broker: `kafka-stage consume --group` prints every record but the skipped one, exits 0 and commits the log end', { timeout: 90_000 }, async () => {
  const topic = await hostileTopic();
  const groupId = uniqueTopic('hostile-batch-cli');
  const { code, stdout, stderr } = await runCli(['consume', '--brokers', brokers.join(','), '--topic', topic, '--group', groupId, '--idle-timeout-ms', '2000'], { killAfterMs: 90_000 });
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /RangeError|deliveries must move forward/);
  const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as JsonRecordLine);
  assert.deepEqual(
    lines.map((l) => l.offset),
    DELIVERED,
  );
  assert.deepEqual(
    lines.map((l) => l.value),
    ['before-0', 'before-1', 'before-2', 'swapped-first', 'after-0', 'after-1', 'after-2'],
  );
  const summary = summaryOf<ConsumeSummary>(stderr);
  assert.equal(summary.records, DELIVERED.length);
  assert.equal(summary.stoppedBy, 'idle-timeout');
  assert.deepEqual(summary.committed, { 0: 8 });
  assert.equal(summary.commitErrors, 0);
});
