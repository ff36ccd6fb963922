/** The partition reader against the real broker, on records written by our producer. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { OffsetOutOfRangeError, readAll, readPartition, readPartitionBatches } from '../../src/consumer/partition-reader.js';
import { Producer, type RecordMetadata } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const PARTITIONS = 3;
const COUNT = 3000;
const topic = uniqueTopic('reader');
let admin: Admin;
/** What each partition should hold: value by offset, from the producer's acknowledgements. */
const expected = new Map<number, Map<number, string>>();

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  const producer = new Producer({ brokers: testBrokers(), compression: 'gzip', lingerMs: 20, batchSize: 8192 });
  try {
    const sent = await producer.sendBatch(
      topic,
      Array.from({ length: COUNT }, (_, i) => ({ key: `key-${i % 97}`, value: `value-${i}-${'x'.repeat(i % 50)}` })),
    );
    record(sent, (i) => `value-${i}-${'x'.repeat(i % 50)}`);
  } finally {
    await producer.close();
  }
});

after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

function record(sent: RecordMetadata[], valueOf: (i: number) => string): void {
  sent.forEach((m, i) => {
    const byOffset = expected.get(m.partition) ?? new Map<number, string>();
    byOffset.set(m.offset, valueOf(i));
    expected.set(m.partition, byOffset);
  });
}

test('every partition reads back exactly, in offset order, through fetches far smaller than the data', async () => {
  let total = 0;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    // 2 KiB per fetch: most responses end in a batch the broker cut short.
    const records = await readAll(admin.cluster, { topic, partition, fromOffset: 0, maxBytes: 2048 });
    const want = expected.get(partition) ?? new Map<number, string>();
    assert.equal(records.length, want.size, `partition ${partition} count`);
    records.forEach((r, i) => {
      assert.equal(r.offset, i, 'offsets are contiguous from 0');
      assert.equal(r.value?.toString(), want.get(r.offset));
    });
    total += records.length;
  }
  assert.equal(total, COUNT);
});

test('reading from inside a compressed batch starts at exactly that offset', async () => {
  const partition = [...expected.entries()].sort((a, b) => b[1].size - a[1].size)[0]?.[0] ?? 0;
  const from = 101;
  const batches = [];
  for await (const fetched of readPartitionBatches(admin.cluster, { topic, partition, fromOffset: from, maxRecords: 50 })) batches.push(fetched);
  const first = batches[0];
  assert.ok(first);
  assert.equal(first.batch.compression, 'gzip');
  assert.ok(first.batch.baseOffset < from, 'the broker sent the batch holding the offset, from its start');
  const offsets = batches.flatMap((b) => b.records.map((r) => r.offset));
  assert.deepEqual(offsets, Array.from({ length: 50 }, (_, i) => from + i));
  assert.equal(batches.reduce((n, b) => n + b.records.length, 0), 50, 'maxRecords cuts the last batch');
});

test('an offset past the end is a typed OFFSET_OUT_OF_RANGE naming the log bounds', async () => {
  const [end] = await admin.listOffsets([{ topic, partition: 0, spec: 'latest' }]);
  const err = await readAll(admin.cluster, { topic, partition: 0, fromOffset: (end?.offset ?? 0) + 5 }).catch((e: unknown) => e);
  assert.ok(err instanceof OffsetOutOfRangeError, String(err));
  assert.equal(err.context.topic, topic);
  assert.equal(err.context.partition, 0);
  assert.equal(err.offset, (end?.offset ?? 0) + 5);
});

test('a tailing reader waits at the end of the log and delivers records written later', async () => {
  const tailTopic = uniqueTopic('reader-tail');
  await admin.createTopics([{ topic: tailTopic, partitions: 1 }]);
  try {
    const reader = readPartition(admin.cluster, { topic: tailTopic, partition: 0, fromOffset: 0, maxRecords: 5, maxWaitMs: 200 });
    const collected = (async () => {
      const values: string[] = [];
      for await (const r of reader) values.push(r.value?.toString() ?? '');
      return values;
    })();
    const producer = new Producer({ brokers: testBrokers() });
    try {
      await producer.sendBatch(tailTopic, [0, 1, 2, 3, 4].map((i) => ({ value: `late-${i}` })));
    } finally {
      await producer.close();
    }
    assert.deepEqual(await collected, ['late-0', 'late-1', 'late-2', 'late-3', 'late-4']);
  } finally {
    await admin.deleteTopics([tailTopic]).catch(() => undefined);
  }
});
