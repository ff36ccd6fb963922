/**
 * The fake cluster as a broker seen from the wire and from the clients: versions advertised,
 * size limits, and each fault hook (fail, delay, drop and restore a broker, force a rebalance,
 * corrupt a batch) doing what it says.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { ALL_APIS } from '../../src/protocol/apis/index.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { decodeRecordBatches } from '../../src/protocol/records/decode-batches.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import { CorruptRecordError } from '../../src/protocol/errors.js';
import { Producer } from '../../src/producer/producer.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeKafkaCluster, type KafkaErrorName } from '../../src/testing/index.js';

import { roundTrip } from './wire.js';

const FETCH_V12 = 12; // names topics by name, flexible

async function fetchPartition(cluster: FakeKafkaCluster, address: string, topic: string, partition: number): Promise<{ errorCode: number; records: Buffer }> {
  const answer = await roundTrip(address, Fetch, FETCH_V12, {
    maxWaitMs: 0,
    minBytes: 0,
    topics: [{ topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
  });
  const p = answer?.responses[0]?.partitions[0];
  assert.ok(p, `no answer from ${address} (${cluster.bootstrap.join()})`);
  return { errorCode: p.errorCode, records: p.records ?? Buffer.alloc(0) };
}

test('ApiVersions advertises exactly our schemas\' version ranges for the APIs the fake answers', async () => {
  const cluster = await FakeKafkaCluster.start();
  try {
    const answer = await roundTrip(cluster.bootstrap[0] as string, ApiVersions, 3, {});
    assert.equal(answer?.errorCode, ErrorCode.NONE);
    for (const range of answer?.apiKeys ?? []) {
      const api = ALL_APIS.find((a) => a.apiKey === range.apiKey);
      assert.deepEqual([range.minVersion, range.maxVersion], [api?.minVersion, api?.maxVersion], api?.name);
    }
    assert.ok((answer?.apiKeys.length ?? 0) >= 19);
  } finally {
    await cluster.stop();
  }
});

test('a batch over message.max.bytes is MESSAGE_TOO_LARGE and not written; a request over maxRequestBytes closes the connection', async () => {
  const cluster = await FakeKafkaCluster.start({ messageMaxBytes: 1000, maxRequestBytes: 64 * 1024, topics: [{ topic: 't' }] });
  try {
    const address = cluster.bootstrap[0] as string;
    const big = await encodeRecordBatch({ records: [{ value: 'x'.repeat(2000) }], compression: 'none' });
    const produce = (records: Buffer): ReturnType<typeof roundTrip<typeof Produce>> =>
      roundTrip(address, Produce, 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: 0, records }] }] });
    const answer = await produce(big);
    assert.equal(answer?.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(cluster.endOffset('t', 0), 0);
    const huge = await encodeRecordBatch({ records: [{ value: 'y'.repeat(100 * 1024) }], compression: 'none' });
    assert.equal(await produce(huge), null, 'connection closed');
  } finally {
    await cluster.stop();
  }
});

test('fail: the next requests get the error on the named partition only; the producer retries through it and writes each record once', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't', partitions: 2 }] });
  const producer = new Producer({ brokers: cluster.bootstrap, retry: { initialBackoffMs: 10, maxBackoffMs: 50 } });
  try {
    cluster.fail('Produce', 'NOT_LEADER_OR_FOLLOWER', { times: 2, topic: 't', partition: 1 });
    await producer.send('t', { partition: 0, value: 'p0' });
    await producer.send('t', { partition: 1, value: 'p1' });
    assert.equal(cluster.endOffset('t', 0), 1);
    assert.equal(cluster.endOffset('t', 1), 1, 'written once after two refusals');
    cluster.fail(Metadata, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { times: Infinity, topic: 'nope' });
    cluster.clearFaults();
    const address = cluster.bootstrap[0] as string;
    cluster.fail('Fetch', 'CORRUPT_MESSAGE', { topic: 't', partition: 0 });
    const failed = await roundTrip(address, Fetch, FETCH_V12, {
      maxWaitMs: 0,
      minBytes: 0,
      topics: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20 })) }],
    });
    assert.deepEqual(failed?.responses[0]?.partitions.map((p) => p.errorCode), [ErrorCode.CORRUPT_MESSAGE, ErrorCode.NONE]);
    assert.equal((await fetchPartition(cluster, address, 't', 0)).errorCode, ErrorCode.NONE, 'times: 1 by default');
    assert.throws(() => cluster.fail('SaslHandshake', 1), /does not speak SaslHandshake/);
    assert.throws(() => cluster.fail('Fetch', 'NO_SUCH_ERROR' as KafkaErrorName), /unknown Kafka error name/);
  } finally {
    await producer.close();
    await cluster.stop();
  }
});

test('delay: answers of the API wait at least the delay; 0 removes it', async () => {
  const cluster = await FakeKafkaCluster.start();
  try {
    const address = cluster.bootstrap[0] as string;
    cluster.delay('ApiVersions', 300);
    const started = Date.now();
    await roundTrip(address, ApiVersions, 3, {});
    assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
    cluster.delay('ApiVersions', 0);
    assert.equal((await roundTrip(address, ApiVersions, 3, {}))?.errorCode, ErrorCode.NONE);
  } finally {
    await cluster.stop();
  }
});

test('dropBroker: its port refuses connections, its partitions move with a higher leader epoch, metadata lists the others; restoreBroker brings it back', async () => {
  const cluster = await FakeKafkaCluster.start({ brokers: 3, topics: [{ topic: 't', partitions: 3 }] });
  const admin = new Admin({ brokers: cluster.bootstrap });
  const producer = new Producer({ brokers: cluster.bootstrap, retry: { initialBackoffMs: 10, maxBackoffMs: 50 } });
  try {
    const before = (await admin.describeTopics(['t']))[0]?.partitions ?? [];
    assert.deepEqual(new Set(before.map((p) => p.leader)).size, 3, 'leaders spread over the three brokers');
    await cluster.dropBroker(2);
    assert.equal(await roundTrip(cluster.bootstrap[1] as string, ApiVersions, 3, {}).catch(() => 'refused'), 'refused');
    const after = (await admin.describeTopics(['t']))[0]?.partitions ?? [];
    assert.ok(after.every((p) => p.leader !== 2));
    const moved = after.find((p) => before.find((b) => b.partition === p.partition)?.leader === 2);
    assert.equal(moved?.leaderEpoch, 1, 'the moved partition\'s epoch rose');
    assert.deepEqual((await admin.describeCluster()).brokers.map((b) => b.nodeId).sort(), [1, 3]);
    for (let partition = 0; partition < 3; partition++) await producer.send('t', { partition, value: `v${partition}` });
    await cluster.restoreBroker(2);
    assert.deepEqual((await admin.describeCluster()).brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
    assert.equal((await roundTrip(cluster.bootstrap[1] as string, ApiVersions, 3, {}))?.errorCode, ErrorCode.NONE);
    for (let partition = 0; partition < 3; partition++) await producer.send('t', { partition, value: `w${partition}` });
    for (let partition = 0; partition < 3; partition++) assert.equal(cluster.endOffset('t', partition), 2);
  } finally {
    await producer.close();
    await admin.close();
    await cluster.stop();
  }
});

test('forceRebalance: the member rejoins into a new generation and keeps consuming', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't', partitions: 2 }] });
  const producer = new Producer({ brokers: cluster.bootstrap });
  let seen = 0;
  const group = new ConsumerGroup(
    { brokers: cluster.bootstrap, groupId: 'g', topics: ['t'], autoOffsetReset: 'earliest', sessionTimeoutMs: 6000, heartbeatIntervalMs: 100 },
    async (stage) => {
      for await (const batch of stage.batches()) {
        seen += batch.records.length;
        await stage.ack(batch);
      }
    },
  );
  try {
    await group.start();
    await producer.send('t', { partition: 0, value: 'a' });
    await eventually(() => seen === 1 && cluster.group('g')?.state === 'Stable', { what: 'the first record', timeoutMs: 20_000 });
    const generation = cluster.group('g')?.generation ?? 0;
    cluster.forceRebalance('g');
    assert.equal(cluster.group('g')?.state, 'PreparingRebalance');
    await eventually(() => cluster.group('g')?.state === 'Stable' && (cluster.group('g')?.generation ?? 0) > generation, { what: 'the next generation', timeoutMs: 20_000 });
    await producer.send('t', { partition: 1, value: 'b' });
    await eventually(() => seen === 2, { what: 'the record after the rebalance', timeoutMs: 20_000 });
  } finally {
    await group.stop();
    await producer.close();
    await cluster.stop();
  }
});

test('corruptNextBatch: the next fetched batch fails its CRC check, the log keeps it intact, the fetch after is sound', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't' }] });
  const producer = new Producer({ brokers: cluster.bootstrap });
  try {
    await producer.send('t', { value: 'intact' });
    const address = cluster.bootstrap[0] as string;
    cluster.corruptNextBatch('t', 0);
    const damaged = await fetchPartition(cluster, address, 't', 0);
    await assert.rejects(decodeRecordBatches(damaged.records, { maxDecompressedBytes: 1 << 20 }), CorruptRecordError);
    const sound = await fetchPartition(cluster, address, 't', 0);
    const decoded = await decodeRecordBatches(sound.records, { maxDecompressedBytes: 1 << 20 });
    assert.equal(decoded.batches[0]?.records[0]?.value?.toString(), 'intact');
    assert.equal((await cluster.records('t', 0))[0]?.value?.toString(), 'intact');
  } finally {
    await producer.close();
    await cluster.stop();
  }
});

test('fail OffsetFetch: with a topic, the error goes on that topic\'s partitions (the group answers); without, on the whole group', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't', partitions: 2 }, { topic: 'u' }] });
  try {
    const address = cluster.bootstrap[0] as string;
    const ask = (): ReturnType<typeof roundTrip<typeof OffsetFetch>> =>
      roundTrip(address, OffsetFetch, 8, {
        groups: [{ groupId: 'g', topics: [{ name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionIndexes: [0, 1] }, { name: 'u', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionIndexes: [0] }] }],
      });
    cluster.fail('OffsetFetch', 'TOPIC_AUTHORIZATION_FAILED', { topic: 't', partition: 1 });
    const partly = (await ask())?.groups[0];
    assert.equal(partly?.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      partly?.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.errorCode, p.committedOffset])),
      [['t', 0, ErrorCode.NONE, -1n], ['t', 1, ErrorCode.TOPIC_AUTHORIZATION_FAILED, -1n], ['u', 0, ErrorCode.NONE, -1n]],
    );
    cluster.fail('OffsetFetch', 'GROUP_AUTHORIZATION_FAILED');
    assert.equal((await ask())?.groups[0]?.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    assert.equal((await ask())?.groups[0]?.errorCode, ErrorCode.NONE, 'once');
  } finally {
    await cluster.stop();
  }
});

test('moveLeader: the new leader answers with the new epoch, the old one refuses, Metadata names the new one', async () => {
  const cluster = await FakeKafkaCluster.start({ brokers: 2, topics: [{ topic: 't', partitions: 2 }] });
  try {
    await cluster.append('t', 0, [{ value: 'a' }]);
    const [one, two] = cluster.bootstrap as [string, string];
    assert.equal((await fetchPartition(cluster, one, 't', 0)).errorCode, ErrorCode.NONE, 'broker 1 leads partition 0 at first');
    assert.equal(cluster.moveLeader('t', 0, 2), 1, 'the leader epoch rose from 0');
    assert.equal((await fetchPartition(cluster, one, 't', 0)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const moved = await fetchPartition(cluster, two, 't', 0);
    assert.equal(moved.errorCode, ErrorCode.NONE);
    assert.ok(moved.records.length > 0, 'the log moved with it');
    const meta = await roundTrip(one, Metadata, 12, { topics: [{ name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const p0 = meta?.topics[0]?.partitions.find((p) => p.partitionIndex === 0);
    assert.deepEqual([p0?.leaderId, p0?.leaderEpoch], [2, 1]);
    assert.equal(cluster.moveLeader('t', 1, 2), 1, 'a partition may be moved to the broker leading it: the epoch still rises');
    await cluster.dropBroker(1);
    assert.throws(() => cluster.moveLeader('t', 0, 1), /broker 1 is down/);
    assert.throws(() => cluster.moveLeader('t', 5, 2), /no partition t\/5/);
    assert.throws(() => cluster.moveLeader('t', 0, 3), /no broker 3/);
  } finally {
    await cluster.stop();
  }
});

test('fail OffsetFetch for a topic takes an OffsetFetch that names the topic by id (v10+)', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't', partitions: 2 }] });
  try {
    cluster.fail('OffsetFetch', 'TOPIC_AUTHORIZATION_FAILED', { topic: 't', partition: 1 });
    const answer = await roundTrip(cluster.bootstrap[0] as string, OffsetFetch, 10, {
      groups: [{ groupId: 'g', topics: [{ name: '', topicId: cluster.topicId('t'), partitionIndexes: [0, 1] }] }],
    });
    assert.deepEqual(answer?.groups[0]?.topics[0]?.partitions.map((p) => p.errorCode), [ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
  } finally {
    await cluster.stop();
  }
});
