/**
 * The producer against the real broker: every codec × acks level, read back through the fetch
 * path, checking exactly-once landing, per-partition order, the offsets the promises gave, the
 * murmur2 partitions of keyed records, and the idempotence stamps of the batches.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { readPartitionBatches, type FetchedBatch } from '../../src/consumer/partition-reader.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { KafkaStageError } from '../../src/errors.js';
import { RecordTooLargeError } from '../../src/producer/errors.js';
import type { CompressionName } from '../../src/protocol/records/types.js';
import { partitionForKey } from '../../src/producer/partitioner.js';
import { Producer, type ProducerOptions, type RecordMetadata } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const PARTITIONS = 6;
const COUNT = 10_000;
const CODECS: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const ACKS = ['all', 1, 0] as const;

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

async function createTopic(prefix: string, partitions = PARTITIONS, configs?: Record<string, string>): Promise<string> {
  const topic = uniqueTopic(prefix);
  await admin.createTopics([{ topic, partitions, ...(configs ? { configs } : {}) }]);
  topics.push(topic);
  return topic;
}

/** What was sent: the record's fields and where the promise said it landed. */
interface Sent {
  key: string | null;
  value: string;
  seq: string;
  meta: RecordMetadata;
}

/** Keys for two records in three, keyless for the third (sticky); a header on every record, a null-valued one on some. */
function recordFor(topic: string, i: number) {
  const key = i % 3 === 2 ? null : `key-${i % 101}`;
  const headers = [{ key: 'seq', value: String(i) }, ...(i % 5 === 0 ? [{ key: 'empty', value: null }] : [])];
  return { key, value: `${topic}/${i}/${'v'.repeat(i % 40)}`, headers };
}

async function produce(topic: string, options: Partial<ProducerOptions>, count = COUNT): Promise<{ sent: Sent[]; producerId: bigint }> {
  const producer = new Producer({ brokers: testBrokers(), ...options });
  try {
    await producer.connect();
    const promises: Promise<RecordMetadata>[] = [];
    for (let i = 0; i < count; i++) promises.push(producer.send(topic, recordFor(topic, i)));
    const metas = await Promise.all(promises);
    const sent = metas.map((meta, i) => {
      const r = recordFor(topic, i);
      return { key: r.key, value: r.value, seq: String(i), meta };
    });
    return { sent, producerId: producer.producerId.producerId };
  } finally {
    await producer.close();
  }
}

/** Reads a partition from offset 0 until it holds `count` records (the producer may not have waited for acks). */
async function readBack(topic: string, partition: number, count: number): Promise<FetchedBatch[]> {
  const batches: FetchedBatch[] = [];
  if (count === 0) return batches;
  let n = 0;
  for await (const fetched of readPartitionBatches(reader, { topic, partition, fromOffset: 0, untilOffset: count, signal: AbortSignal.timeout(60_000) })) {
    batches.push(fetched);
    n += fetched.records.length;
  }
  assert.equal(n, count, `${topic}/${partition} holds ${count} records`);
  return batches;
}

async function logEndOffsets(topic: string, partitions = PARTITIONS): Promise<number[]> {
  const offsets = await admin.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
  return offsets.map((o) => o.offset);
}

describe('every codec × acks: 10k records land once, in order, where the promises said', { concurrency: 3 }, () => {
  for (const compression of CODECS) {
    for (const acks of ACKS) {
      test(`compression ${compression}, acks ${acks}`, async () => {
        const topic = await createTopic(`produce-${compression}-${acks}`);
        const { sent, producerId } = await produce(topic, { compression, acks });
        const idempotent = acks === 'all';
        if (idempotent) assert.ok(producerId >= 0n, 'idempotent producers get a producer id');
        else assert.equal(producerId, -1n);

        const byPartition = new Map<number, Sent[]>();
        for (const s of sent) {
          const list = byPartition.get(s.meta.partition) ?? [];
          list.push(s);
          byPartition.set(s.meta.partition, list);
          assert.equal(s.meta.topic, topic);
          if (s.key !== null) assert.equal(s.meta.partition, partitionForKey(Buffer.from(s.key), PARTITIONS), `key ${s.key}`);
        }
        assert.equal(byPartition.size, PARTITIONS, 'records spread over every partition');

        for (const [partition, expected] of byPartition) {
          const batches = await readBack(topic, partition, expected.length);
          const records = batches.flatMap((b) => b.records);
          records.forEach((r, i) => {
            const want = expected[i] as Sent;
            // In order, once each: the i-th record of the partition is the i-th sent to it.
            assert.equal(r.offset, i);
            assert.equal(r.value?.toString(), want.value);
            assert.equal(r.key === null ? null : r.key.toString(), want.key);
            assert.equal(r.headers[0]?.key, 'seq');
            assert.equal(r.headers[0]?.value?.toString(), want.seq);
            if (Number(want.seq) % 5 === 0) assert.deepEqual(r.headers[1], { key: 'empty', value: null });
            else assert.equal(r.headers.length, 1);
            // The promise's offset is where the record is (acks 0 cannot know it: -1).
            assert.equal(want.meta.offset, acks === 0 ? -1 : r.offset);
          });
          let nextSequence = 0;
          for (const { batch } of batches) {
            assert.equal(batch.compression, compression);
            if (idempotent) {
              assert.equal(batch.producerId, producerId);
              assert.equal(batch.producerEpoch, 0);
              assert.equal(batch.baseSequence, nextSequence, 'sequences run on without a gap');
              nextSequence += batch.lastOffset - batch.baseOffset + 1;
            } else {
              assert.equal(batch.producerId, -1n);
            }
          }
        }
        // Nothing beyond what was sent (no duplicates past the end).
        const ends = await logEndOffsets(topic);
        ends.forEach((end, partition) => assert.equal(end, byPartition.get(partition)?.length ?? 0, `log end of partition ${partition}`));
      });
    }
  }
});

describe('flush and close', () => {
  test('flush sends lingering batches and resolves only when every earlier send is settled', async () => {
    const topic = await createTopic('produce-flush', 2);
    const producer = new Producer({ brokers: testBrokers(), lingerMs: 600_000, deliveryTimeoutMs: 700_000 });
    try {
      await producer.connect();
      let settled = 0;
      const promises = Array.from({ length: 500 }, (_, i) => producer.send(topic, { key: `k${i}`, value: `v${i}` }).finally(() => settled++));
      // With a 10-minute linger nothing would go without the flush.
      await producer.flush();
      assert.equal(settled, 500);
      const metas = await Promise.all(promises);
      assert.ok(metas.every((m) => m.offset >= 0));
    } finally {
      await producer.close();
    }
  });

  test('close waits for every send, then refuses new ones with ERR_CLOSED', async () => {
    const topic = await createTopic('produce-close', 2);
    const producer = new Producer({ brokers: testBrokers(), lingerMs: 600_000, deliveryTimeoutMs: 700_000 });
    let settled = 0;
    const promises = Array.from({ length: 300 }, (_, i) => producer.send(topic, { value: `v${i}` }).finally(() => settled++));
    await producer.close();
    assert.equal(settled, 300);
    assert.equal((await Promise.all(promises)).length, 300);
    await assert.rejects(producer.send(topic, { value: 'late' }), (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_CLOSED');
    const ends = await logEndOffsets(topic, 2);
    assert.equal(ends.reduce((a, b) => a + b, 0), 300);
  });
});

describe('errors are typed and never hang', () => {
  test('an unknown topic rejects with UNKNOWN_TOPIC_OR_PARTITION after the retry deadline', async () => {
    const topic = uniqueTopic('produce-missing');
    const producer = new Producer({ brokers: testBrokers(), retry: { deadlineMs: 2_000 } });
    try {
      const started = Date.now();
      const results = await Promise.allSettled([producer.send(topic, { value: 'a' }), producer.send(topic, { value: 'b' })]);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        const err = (r as PromiseRejectedResult).reason as unknown;
        assert.ok(err instanceof KafkaError, String(err));
        assert.equal(err.errorCode, 3);
        assert.equal(err.context.topic, topic);
      }
      assert.ok(Date.now() - started < 15_000, 'bounded by the retry deadline');
    } finally {
      await producer.close();
    }
  });

  test('an explicit partition the topic lacks is refused with the topic and partition', async () => {
    const topic = await createTopic('produce-partition', 2);
    const producer = new Producer({ brokers: testBrokers() });
    try {
      const meta = await producer.send(topic, { value: 'ok', partition: 1 });
      assert.equal(meta.partition, 1);
      await assert.rejects(
        producer.send(topic, { value: 'no', partition: 2 }),
        (err: unknown) => err instanceof KafkaError && err.errorCode === 3 && err.context.partition === 2,
      );
    } finally {
      await producer.close();
    }
  });

  test('a record larger than maxRequestSize is refused before sending', async () => {
    const producer = new Producer({ brokers: testBrokers(), maxRequestSize: 10_000 });
    try {
      await assert.rejects(producer.send('any', { value: Buffer.alloc(20_000) }), RecordTooLargeError);
    } finally {
      await producer.close();
    }
  });

  test('a broker rejection fails only its records; the idempotent producer bumps its epoch and goes on', async () => {
    // The topic takes batches of at most 2000 bytes: a 5000-byte record is MESSAGE_TOO_LARGE.
    const topic = await createTopic('produce-too-large', 1, { 'max.message.bytes': '2000' });
    const producer = new Producer({ brokers: testBrokers(), lingerMs: 0 });
    try {
      await producer.connect();
      const before = await producer.send(topic, { value: 'small-1' });
      await assert.rejects(
        producer.send(topic, { value: Buffer.alloc(5000, 1) }),
        (err: unknown) => err instanceof KafkaError && err.errorCode === 10 && err.context.topic === topic && err.context.partition === 0,
      );
      const afterMeta = await producer.send(topic, { value: 'small-2' });
      assert.equal(afterMeta.offset, before.offset + 1);
      assert.equal(producer.producerId.producerEpoch, 1, 'the gap left by the failed batch was closed with a new epoch');
      const batches = await readBack(topic, 0, 2);
      assert.deepEqual(
        batches.flatMap((b) => b.records.map((r) => r.value?.toString())),
        ['small-1', 'small-2'],
      );
      assert.equal(batches.at(-1)?.batch.producerEpoch, 1);
      assert.equal(batches.at(-1)?.batch.baseSequence, 0);
    } finally {
      await producer.close();
    }
  });
});
