/**
 * The fake cluster's hooks for setting up and watching a test: `append` writes known batches
 * without a producer, `requests` lists what the brokers were asked, `hold` keeps an API's answers
 * back until the test lets them go.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';
import { eventually } from '../helpers/eventually.js';

test('append writes one batch per call at the log end; records and a consumer read them back with their offsets', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't', partitions: 2 }] });
  const got: KafkaRecord[] = [];
  const consumer = new StandaloneConsumer({ brokers: cluster.bootstrap, drainTimeoutMs: 200, partitions: [{ topic: 't', partition: 1, offset: 0 }] }, async (stage) => {
    for await (const record of stage.records()) got.push(record);
  });
  try {
    assert.equal(await cluster.append('t', 1, [{ value: 'a', timestamp: 1_700_000_000_000 }, { key: 'k', value: 'b' }]), 0);
    assert.equal(await cluster.append('t', 1, [{ value: 'c' }]), 2, 'the second batch starts after the first');
    assert.equal(cluster.endOffset('t', 1), 3);
    assert.equal(cluster.endOffset('t', 0), 0, 'the other partition is untouched');
    const stored = await cluster.records('t', 1);
    assert.deepEqual(stored.map((r) => [r.offset, r.value?.toString()]), [[0, 'a'], [1, 'b'], [2, 'c']]);
    assert.equal(stored[0]?.timestamp, 1_700_000_000_000);
    assert.equal(stored[1]?.key?.toString(), 'k');
    await consumer.start();
    await eventually(() => got.length === 3, { what: 'the consumer read the three records', timeoutMs: 5_000 });
    await cluster.append('t', 1, [{ value: 'd' }]);
    await eventually(() => got.length === 4, { what: 'a record appended while the consumer long-polls', timeoutMs: 5_000 });
    assert.deepEqual(got.map((r) => r.value?.toString()), ['a', 'b', 'c', 'd']);
    await assert.rejects(cluster.append('t', 2, [{ value: 'x' }]), /no partition t\/2/);
    await assert.rejects(cluster.append('t', 0, []), /at least one record/);
  } finally {
    await consumer.stop();
    await cluster.stop();
  }
});

test('requests lists each request of an API with its broker and version, on arrival', async () => {
  const cluster = await FakeKafkaCluster.start({ brokers: 2, topics: [{ topic: 't', partitions: 2 }] });
  const consumer = new StandaloneConsumer({ brokers: cluster.bootstrap, drainTimeoutMs: 200, partitions: [0, 1].map((partition) => ({ topic: 't', partition, offset: 0 })) }, async (stage) => {
    for await (const record of stage.records()) void record; // demand on both partitions: each leader is fetched
  });
  try {
    assert.deepEqual(cluster.requests('Fetch'), []);
    await consumer.start();
    await eventually(() => new Set(cluster.requests('Fetch').map((r) => r.broker)).size === 2, { what: 'a Fetch to each leader', timeoutMs: 5_000 });
    const seen = cluster.requests('Fetch');
    assert.ok(seen.every((r) => r.api === 'Fetch' && r.version > 0));
    assert.ok(cluster.requests('Metadata').length > 0);
    assert.deepEqual(cluster.requests('JoinGroup'), [], 'a standalone consumer joins no group');
    seen.length = 0;
    assert.ok(cluster.requests('Fetch').length > 0, 'each call answers a copy');
    assert.throws(() => cluster.requests('EndTxn'), /does not speak EndTxn/);
  } finally {
    await consumer.stop();
    await cluster.stop();
  }
});

test('hold keeps the answers to an API back until released; stop releases a hold', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't' }] });
  await cluster.append('t', 0, [{ value: 'a' }]);
  let stopped = false;
  try {
    const release = cluster.hold('OffsetFetch');
    const consumer = new StandaloneConsumer({ brokers: cluster.bootstrap, groupId: 'g', autoOffsetReset: 'earliest', partitions: [{ topic: 't', partition: 0 }] }, () => undefined);
    let started = false;
    const starting = consumer.start().then(() => (started = true));
    await eventually(() => cluster.requests('OffsetFetch').length === 1, { what: 'the OffsetFetch arrived', timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(started, false, 'start() waits for the held OffsetFetch');
    release();
    await starting;
    assert.equal(cluster.requests('OffsetFetch').length, 1, 'answered, not asked again');
    await consumer.stop();

    // Released by stop(): a held request does not keep the cluster (or the test) waiting.
    cluster.hold('Metadata');
    const late = new StandaloneConsumer({ brokers: cluster.bootstrap, retry: { retries: 0 }, partitions: [{ topic: 't', partition: 0, offset: 0 }] }, () => undefined);
    const lateStart = late.start().catch((err: unknown) => err);
    await eventually(() => cluster.requests('Metadata').length > 1, { what: 'a held Metadata', timeoutMs: 5_000 });
    stopped = true;
    await cluster.stop();
    assert.ok((await lateStart) instanceof Error, 'the client gives up once the cluster is gone');
    await late.stop();
  } finally {
    if (!stopped) await cluster.stop();
  }
});

test('fetchRequests lists each Fetch with the partitions, offsets, limits and leader epochs it asked for', async () => {
  const cluster = await FakeKafkaCluster.start({ brokers: 2, topics: [{ topic: 't', partitions: 2 }] });
  await cluster.append('t', 0, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
  const consumer = new StandaloneConsumer({ brokers: cluster.bootstrap, drainTimeoutMs: 200, partitions: [0, 1].map((partition) => ({ topic: 't', partition, offset: 0 })) }, async (stage) => {
    for await (const record of stage.records()) await stage.ack(record);
  });
  try {
    assert.deepEqual(cluster.fetchRequests(), []);
    await consumer.start();
    const asked = (partition: number) => cluster.fetchRequests().flatMap((f) => f.partitions.filter((p) => p.partition === partition).map((p) => ({ ...p, broker: f.broker })));
    await eventually(() => asked(0).some((p) => p.fetchOffset === 3), { what: 'a Fetch of partition 0 from offset 3, after its three records', timeoutMs: 5_000 });
    const first = asked(0)[0];
    assert.equal(first?.fetchOffset, 0);
    assert.equal(first?.topic, 't', 'named, though the consumer sends topic ids');
    assert.equal(first?.currentLeaderEpoch, 0);
    assert.ok((first?.maxBytes ?? 0) > 0);
    assert.ok(asked(1).length > 0, 'partition 1 is fetched too');
    assert.notEqual(asked(0)[0]?.broker, asked(1)[0]?.broker, 'each from its own leader');
    assert.ok(cluster.fetchRequests().every((f) => f.maxBytes > 0 && f.partitions.length > 0));
  } finally {
    await consumer.stop();
    await cluster.stop();
  }
});
