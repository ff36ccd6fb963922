/**
 * Issue #8 defect 13, last part: an ack of a record of another partition. A record carries the
 * topic and partition it was fetched from; a stage refuses a record of another partition, as it
 * refuses such a batch, instead of acking whatever delivered record of its own has the same offset
 * (which could commit past a record of its own not yet processed: a loss).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { readAll } from '../../src/consumer/partition-reader.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import type { ConsumerBatch } from '../../src/consumer/types.js';
import { InvalidArgumentError } from '../../src/errors.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { fetchInfo, flush, makeBatch, makeStage } from './delivery/fixtures.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { clientOptions, logCluster, LOG_TOPIC } from './log-cluster.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

const T = { timeout: 20_000 };
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

/** A stage of `topic`/`partition` starting at 5 with records 5..9 of its own delivered. */
async function stageWithDelivered(topic: string, partition: number) {
  const made = makeStage({ topic, partition, startOffset: 5 });
  const got: KafkaRecord[] = [];
  made.stage.onRecords((records) => got.push(...records));
  made.stage.ask(5);
  fetchTargetOf(made.stage).onFetched([makeBatch(5, 9, { topic, partition })], fetchInfo(10));
  await flush();
  assert.deepEqual(
    got.map((r) => r.offset),
    [5, 6, 7, 8, 9],
  );
  return { ...made, got };
}

test('defect 13: ack(record) of another partition\'s record on a stage is rejected and acks nothing', async () => {
  const a = await stageWithDelivered('t', 0);
  const b = await stageWithDelivered('t', 1);
  const c = await stageWithDelivered('u', 0);
  const recordOfB = b.got[0] as KafkaRecord;
  const recordOfC = c.got[0] as KafkaRecord;
  assert.equal(recordOfB.offset, 5);

  await assert.rejects(a.stage.ack(recordOfB), (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, String(err));
    assert.equal(err.code, 'ERR_INVALID_ARGUMENT');
    assert.match(err.message, /t\/1/, 'names the record\'s partition');
    assert.match(err.message, /t\/0/, 'names the stage\'s partition');
    return true;
  });
  // Same partition number, another topic: still not this stage's.
  await assert.rejects(a.stage.ack(recordOfC), InvalidArgumentError);
  assert.equal(a.stage.committableOffset, 5, 'offset 5 of t/0 was not acked');
  assert.equal(a.stage.stats().inFlight, 5);
  assert.equal(a.sink.total, 0, 'nothing reported to the commit sink');

  // The stage's own record at the same offset is acked: what was refused above was the partition.
  await a.stage.ack(a.got[0] as KafkaRecord);
  assert.equal(a.stage.committableOffset, 6);
  // B is untouched by all of it.
  assert.equal(b.stage.committableOffset, 5);
});

test('defect 13: a record decoded without a partition (topic \'\', partition -1) is refused by every stage', async () => {
  const a = await stageWithDelivered('t', 0);
  const orphan: KafkaRecord = { ...(a.got[0] as KafkaRecord), topic: '', partition: -1 };
  await assert.rejects(a.stage.ack(orphan), InvalidArgumentError);
  assert.equal(a.stage.committableOffset, 5);
});

test('defect 13: records from the fetch path carry their topic and partition; consumer.ack(topic, partition, record) refuses a record of another partition', T, async () => {
  const fake = await logCluster({ partitions: 2, records: 200, batchSize: 50 });
  open.push(fake);
  const consumer = new StandaloneConsumer({
    ...clientOptions(fake),
    partitions: [0, 1].map((partition) => ({ topic: LOG_TOPIC, partition, offset: 0 })),
    drainTimeoutMs: 200,
  });
  open.push(consumer);
  await consumer.start();
  const stream = consumer.stream({ maxDemand: 50, minDemand: 0 });
  const first = new Map<number, ConsumerBatch>();
  // Whole batches of 50 from two partitions: both have handed one out within a few batches.
  for (let i = 0; i < 8 && first.size < 2; i++) {
    const batch = (await stream.next()).value as ConsumerBatch;
    if (!first.has(batch.partition)) first.set(batch.partition, batch);
  }
  const b0 = first.get(0);
  const b1 = first.get(1);
  assert.ok(b0 && b1, 'a batch of each partition');
  for (const batch of [b0, b1]) {
    assert.ok(batch.records.length > 0);
    for (const r of batch.records) {
      assert.equal(r.topic, LOG_TOPIC);
      assert.equal(r.partition, batch.partition, `record ${r.offset} of ${batch.partition} says partition ${r.partition}`);
      assert.equal(r.value?.toString(), `p${batch.partition}-${r.offset}`);
    }
  }
  const zeroOf1 = b1.records[0] as KafkaRecord;
  assert.equal(zeroOf1.offset, 0);
  await assert.rejects(consumer.ack(LOG_TOPIC, 0, zeroOf1), InvalidArgumentError);
  assert.equal(consumer.stage(LOG_TOPIC, 0)?.stats().ackedOffset, 0, 'offset 0 of partition 0 was not acked');
  await consumer.ack(LOG_TOPIC, 0, b0.records[0] as KafkaRecord);
  assert.equal(consumer.stage(LOG_TOPIC, 0)?.stats().ackedOffset, 1);
  assert.equal(consumer.stage(LOG_TOPIC, 1)?.stats().ackedOffset, 0);
});

test('defect 13: records read with readAll() carry their topic and partition', T, async () => {
  const fake = await logCluster({ partitions: 2, records: 120, batchSize: 50 });
  open.push(fake);
  const cluster = new Cluster(clientOptions(fake));
  open.push({ stop: () => cluster.close() });
  const records = await readAll(cluster, { topic: LOG_TOPIC, partition: 1, fromOffset: 0 });
  assert.equal(records.length, 120);
  for (const r of records) {
    assert.equal(r.topic, LOG_TOPIC);
    assert.equal(r.partition, 1);
  }
});
