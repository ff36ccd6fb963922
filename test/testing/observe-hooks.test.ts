/**
 * The fake cluster's hooks for setting up a test and pausing it: `append` writes known batches
 * without a producer, `hold` keeps an API's answers back until the test lets them go.
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
