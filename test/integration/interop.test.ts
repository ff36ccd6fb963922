/**
 * Interop with the real Java clients, for every codec:
 * (a) records written by the Java producer are read back exactly through our fetch path;
 * (b) records written by our producer are read exactly by the Java consumer;
 * (c) keyed records land where the Java partitioner puts them.
 *
 * JVM launches are the cost here (seconds each on a small machine), so the five Java producers run
 * alongside our producers in one set-up phase, and each check starts at most one more JVM.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { readPartitionBatches } from '../../src/consumer/partition-reader.js';
import { Producer, type RecordMetadata } from '../../src/producer/producer.js';
import type { CompressionName, KafkaRecord } from '../../src/protocol/records/types.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { javaConsume, javaPartitionsFor, javaProduce, type JavaRecordIn } from '../helpers/java-tools.js';

const CODECS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const PARTITIONS = 3;
const PER_CODEC = 400;
/** Keys of every kind the console tools carry: ASCII, Cyrillic, CJK, emoji, spaces, tabs, empty. */
const KEYS = [...Array.from({ length: 40 }, (_, i) => `key-${i}`), 'ключ', '鍵', 'emoji-🔑', 'with space', 'tab\tkey', ''];

/** One input record; the `seq` and `codec` headers identify it when it comes back. */
interface Sample {
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

function sample(codec: CompressionName, i: number): Sample {
  const headers: [string, string | null][] = [['seq', String(i)], ['codec', codec]];
  if (i % 3 === 0) headers.push(['no-value', null]);
  if (i % 5 === 0) headers.push(['unicode', 'ü → ✓ 値']);
  return {
    key: i % 6 === 5 ? null : (KEYS[i % KEYS.length] as string),
    value: i % 37 === 36 ? null : `${codec}#${i} значение ${'v'.repeat(i % 30)}`,
    headers,
  };
}

const samples = (codec: CompressionName) => Array.from({ length: PER_CODEC }, (_, i) => sample(codec, i));
const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
const headersOf = (r: KafkaRecord): [string, string | null][] => r.headers.map((h) => [h.key, text(h.value)]);
const headerValue = (r: KafkaRecord, key: string) => text(r.headers.find((h) => h.key === key)?.value ?? null);

const brokers = testBrokers();
const javaTopics = new Map(CODECS.map((c) => [c, uniqueTopic(`interop-java-${c}`)]));
const ourTopic = uniqueTopic('interop-ours');
let admin: Admin;
/** Our producers' acknowledgements, per codec, in send order. */
const ourSends = new Map<CompressionName, RecordMetadata[]>();

before(async () => {
  admin = new Admin({ brokers });
  await admin.createTopics([...javaTopics.values(), ourTopic].map((topic) => ({ topic, partitions: PARTITIONS })));
  const java = CODECS.map((codec) =>
    javaProduce({
      brokers,
      topic: javaTopics.get(codec) as string,
      compression: codec,
      records: samples(codec).map((s): JavaRecordIn => ({ key: s.key, value: s.value, headers: Object.fromEntries(s.headers) })),
    }),
  );
  const ours = CODECS.map(async (codec) => {
    const producer = new Producer({ brokers, compression: codec, lingerMs: 10 });
    try {
      const records = samples(codec).map((s) => ({ key: s.key, value: s.value, headers: s.headers.map(([key, value]) => ({ key, value })) }));
      ourSends.set(codec, await producer.sendBatch(ourTopic, records));
    } finally {
      await producer.close();
    }
  });
  await Promise.all([...java, ...ours]);
});

after(async () => {
  await admin.deleteTopics([...javaTopics.values(), ourTopic]).catch(() => undefined);
  await admin.close();
});

/** Every partition of `topic` read to its end through our fetch path, batch by batch. */
async function readTopic(topic: string): Promise<Map<number, { compression: CompressionName; records: KafkaRecord[] }[]>> {
  const out = new Map<number, { compression: CompressionName; records: KafkaRecord[] }[]>();
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const batches = [];
    for await (const b of readPartitionBatches(admin.cluster, { topic, partition, fromOffset: 0, untilOffset: 'high-watermark' })) {
      batches.push({ compression: b.batch.compression, records: b.records });
    }
    out.set(partition, batches);
  }
  return out;
}

/** Where the Java producer put each key (from what test (a) read back). */
const javaPlacement = new Map<string, number>();

test('(a) records from the Java producer read back exactly through readPartition, for every codec', async () => {
  for (const codec of CODECS) {
    const topic = javaTopics.get(codec) as string;
    const want = samples(codec);
    const seen = new Set<number>();
    for (const [partition, batches] of await readTopic(topic)) {
      assert.ok(batches.every((b) => b.compression === codec), `${codec}: every batch of partition ${partition} is ${codec}`);
      const records = batches.flatMap((b) => b.records);
      let lastSeq = -1;
      records.forEach((r, i) => {
        assert.equal(r.offset, i, `${codec}/${partition}: offsets are contiguous`);
        const seq = Number(headerValue(r, 'seq'));
        const s = want[seq];
        assert.ok(s, `${codec}/${partition}: record ${r.offset} has a known seq`);
        assert.ok(!seen.has(seq), `${codec}: seq ${seq} read once`);
        seen.add(seq);
        assert.ok(seq > lastSeq, `${codec}/${partition}: send order kept`);
        lastSeq = seq;
        assert.equal(text(r.key), s.key, `${codec} seq ${seq} key`);
        assert.equal(text(r.value), s.value, `${codec} seq ${seq} value`);
        assert.deepEqual(headersOf(r), s.headers, `${codec} seq ${seq} headers`);
        if (s.key !== null) {
          const placed = javaPlacement.get(s.key);
          assert.ok(placed === undefined || placed === partition, `the Java producer put key ${JSON.stringify(s.key)} on one partition`);
          javaPlacement.set(s.key, partition);
        }
      });
    }
    assert.equal(seen.size, PER_CODEC, `${codec}: every record came back`);
  }
});

test('(b) records from our producer are read exactly by the Java consumer, for every codec', async () => {
  const total = CODECS.length * PER_CODEC;
  // Our fetch path first, to prove each codec really was used: a batch holds one producer's records.
  const codecsSeen = new Set<CompressionName>();
  for (const batches of (await readTopic(ourTopic)).values()) {
    for (const b of batches) {
      codecsSeen.add(b.compression);
      assert.ok(b.records.every((r) => headerValue(r, 'codec') === b.compression), `a ${b.compression} batch holds only that producer's records`);
    }
  }
  assert.deepEqual([...codecsSeen].sort(), [...CODECS].sort());

  const read = await javaConsume({ brokers, topic: ourTopic, maxMessages: total, timeoutMs: 20_000, from: 'earliest' });
  assert.equal(read.length, total);
  const byPosition = new Map(read.map((r) => [`${r.partition}/${r.offset}`, r]));
  assert.equal(byPosition.size, total, 'no record read twice');
  for (const codec of CODECS) {
    const acks = ourSends.get(codec) ?? [];
    assert.equal(acks.length, PER_CODEC);
    samples(codec).forEach((s, i) => {
      const ack = acks[i] as RecordMetadata;
      const got = byPosition.get(`${ack.partition}/${ack.offset}`);
      assert.ok(got, `${codec} seq ${i} was read at ${ack.partition}/${ack.offset}`);
      assert.equal(got.key, s.key, `${codec} seq ${i} key`);
      assert.equal(got.value, s.value, `${codec} seq ${i} value`);
      assert.deepEqual(got.headerList, s.headers, `${codec} seq ${i} headers`);
    });
  }
  const ends = await admin.listOffsets(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: ourTopic, partition, spec: 'latest' as const })));
  assert.equal(ends.reduce((n, e) => n + e.offset, 0), total, 'the log holds no duplicates either');
});

test('(c) keyed records land on the partition the Java partitioner picks', async () => {
  const ours = new Map<string, number>();
  for (const codec of CODECS) {
    samples(codec).forEach((s, i) => {
      if (s.key === null) return;
      const partition = (ourSends.get(codec)?.[i] as RecordMetadata).partition;
      assert.ok(!ours.has(s.key) || ours.get(s.key) === partition, `our producer put key ${JSON.stringify(s.key)} on one partition`);
      ours.set(s.key, partition);
    });
  }
  const keys = [...ours.keys()];
  assert.equal(keys.length, KEYS.length);
  const java = await javaPartitionsFor(keys, PARTITIONS);
  assert.deepEqual(keys.map((k) => ours.get(k)), java, 'our choices equal the Java client\'s BuiltInPartitioner');
  // And where the real Java producer put the same keys in (a), when (a) ran.
  for (const [key, partition] of javaPlacement) assert.equal(ours.get(key), partition, `key ${JSON.stringify(key)}`);
  assert.ok(new Set(java).size > 1, 'the keys spread over several partitions, so the check can fail');
});
