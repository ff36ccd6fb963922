/**
 * Metadata a broken or hostile broker can send (issue #8, defect 15): partition indexes far past
 * the number of partitions listed (2³¹−2 ran the process out of heap, since the highest index + 1
 * was taken as the partition count), duplicated, or negative. Each is refused with ERR_PROTOCOL
 * naming the topic and the broker, and nothing is allocated by the untrusted index.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { mergeMetadata, type MetadataResponseLike } from '../../src/cluster/metadata.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { KafkaStageError } from '../../src/errors.js';
import { FakeLogBroker, LOG_TOPIC } from '../consumer/fake-log-broker.js';
import { FakeBroker } from '../helpers/fake-broker.js';

type PartitionLike = MetadataResponseLike['topics'][number]['partitions'][number];

const partition = (i: number): PartitionLike => ({ errorCode: 0, partitionIndex: i, leaderId: 1, leaderEpoch: 3, replicaNodes: [1], isrNodes: [1] });
const response = (name: string, partitions: PartitionLike[]): MetadataResponseLike => ({
  brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }],
  clusterId: 'c',
  controllerId: 1,
  topics: [{ errorCode: 0, name, topicId: 'x', isInternal: false, partitions }],
});

function refused(err: unknown, topic: string, broker: string | number): boolean {
  assert.ok(err instanceof KafkaStageError, `a KafkaStageError, got ${String(err)}`);
  assert.equal(err.code, 'ERR_PROTOCOL');
  assert.equal(err.context.topic, topic);
  assert.equal(err.context.broker, broker);
  assert.match(err.message, new RegExp(topic));
  return true;
}

test('defect 15: a partition index of 2^31-2 is refused with ERR_PROTOCOL naming topic and broker, not taken as 2^31-1 partitions', () => {
  const before = process.memoryUsage().heapUsed;
  assert.throws(
    () => mergeMetadata(null, response('huge', [partition(0), partition(2 ** 31 - 2)]), 1, '10.0.0.1:9092'),
    (err) => refused(err, 'huge', '10.0.0.1:9092'),
  );
  assert.throws(() => mergeMetadata(null, response('huge', [partition(2 ** 31 - 2)]), 1, 7), (err) => refused(err, 'huge', 7));
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'nothing sized by the index');
});

test('defect 15: duplicate partition indexes are refused', () => {
  assert.throws(() => mergeMetadata(null, response('dup', [partition(0), partition(1), partition(1)]), 1, 'b:1'), (err) => refused(err, 'dup', 'b:1'));
});

test('defect 15: negative partition indexes are refused', () => {
  assert.throws(() => mergeMetadata(null, response('neg', [partition(0), partition(-1)]), 1, 'b:1'), (err) => refused(err, 'neg', 'b:1'));
});

test('defect 15: a gap in the indexes (one listed past the count) is refused; the previous snapshot is not touched', () => {
  const good = mergeMetadata(null, response('gap', [partition(0), partition(1)]), 1, 'b:1');
  assert.throws(() => mergeMetadata(good, response('gap', [partition(0), partition(2)]), 2, 'b:1'), (err) => refused(err, 'gap', 'b:1'));
  assert.equal(good.topics.get('gap')?.partitions.length, 2);
});

test('defect 15 at scale: 5000 partitions listed in shuffled order are all kept, indexed by partition number, the count is the number listed', () => {
  const indexes = Array.from({ length: 5000 }, (_, i) => i);
  // A fixed permutation (multiplicative step coprime with 5000).
  const shuffled = indexes.map((i) => (i * 3137) % 5000);
  assert.equal(new Set(shuffled).size, 5000);
  const meta = mergeMetadata(null, response('big', shuffled.map(partition)), 1, 'b:1');
  const info = meta.topics.get('big');
  assert.equal(info?.partitions.length, 5000);
  assert.ok(info?.partitions.every((p, i) => p.partition === i));
  assert.equal(Object.keys(info?.partitions ?? []).length, 5000, 'dense: no holes');
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test('defect 15, Cluster: a broker answering Metadata with index 2^31-2 makes refreshMetadata reject with ERR_PROTOCOL naming the topic and that broker; the cache keeps the last good snapshot', async () => {
  const broker = await FakeBroker.start();
  cleanups.push(() => broker.stop());
  let hostile = false;
  broker.handle(Metadata, () => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: broker.host, port: broker.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'events',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAg',
          isInternal: false,
          partitions: (hostile ? [0, 2 ** 31 - 2] : [0, 1]).map((partitionIndex) => ({
            errorCode: 0,
            partitionIndex,
            leaderId: 1,
            leaderEpoch: 1,
            replicaNodes: [1],
            isrNodes: [1],
            offlineReplicas: [],
          })),
        },
      ],
    },
  }));
  const cluster = new Cluster({ brokers: broker.address, retry: { retries: 1, initialBackoffMs: 5, maxBackoffMs: 10 } });
  cleanups.push(() => cluster.close());
  const good = await cluster.refreshMetadata(['events']);
  assert.equal(good.topics.get('events')?.partitions.length, 2);
  hostile = true;
  await assert.rejects(cluster.refreshMetadata(['events']), (err) => refused(err, 'events', broker.address));
  assert.equal(cluster.metadata?.topics.get('events')?.partitions.length, 2);
});

test('defect 15, ConsumerGroup: a broker reporting partition index 2^31-2 makes start() reject with ERR_PROTOCOL at once, without growing the heap', { timeout: 20_000 }, async () => {
  const fake = await FakeLogBroker.start({ partitions: 1, records: 10 });
  cleanups.push(() => fake.stop());
  const b = fake.broker;
  b.handle(Metadata, () => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: b.host, port: b.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: LOG_TOPIC,
          topicId: 'AAAAAAAAAAAAAAAAAAAAAw',
          isInternal: false,
          partitions: [0, 2 ** 31 - 2].map((partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
        },
      ],
    },
  }));
  const group = new ConsumerGroup(
    { ...fake.cluster(), groupId: 'g', topics: [LOG_TOPIC], assignors: ['range'], heartbeatIntervalMs: 20, sessionTimeoutMs: 6_000, autoOffsetReset: 'earliest' },
    () => undefined,
  );
  cleanups.push(() => group.stop());
  group.on('error', () => undefined);
  const before = process.memoryUsage().heapUsed;
  await assert.rejects(group.start(), (err) => refused(err, LOG_TOPIC, b.address));
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
});
