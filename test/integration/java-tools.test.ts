/**
 * The Java peers themselves: what javaProduce writes, javaConsume reads back exactly, with each
 * codec; javaPartitionFor agrees with where the Java producer really put the keys; the
 * performance wrappers parse their tools' figures. Interop tests of our own client rely on these.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import type { JavaCompression, JavaRecordIn, JavaRecordOut } from '../helpers/java-tools.js';
import {
  javaConsume,
  javaConsumerPerformance,
  javaCreateTopic,
  javaKeyHashes,
  javaListOffsets,
  javaPartitionFor,
  javaProduce,
  javaProducerPerformance,
  parseConsoleConsumerOutput,
} from '../helpers/java-tools.js';

const codecs: JavaCompression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const PARTITIONS = 3;

/** 50 keyed records over 7 keys (their own per codec), with text that would break naive separators. */
function sampleRecords(codec: string): JavaRecordIn[] {
  return Array.from({ length: 50 }, (_, i) => ({
    key: `${codec}-key-${i % 7}${i % 7 === 3 ? ' ünïcödé, with: colons=and\ttabs' : ''}`,
    value: i === 10 ? '' : `${codec} value ${i} ${'x'.repeat(i * 3)}, a:b=c\t${'→'.repeat(i % 4)}`,
    headers: i % 5 === 0 ? {} : { seq: String(i), codec, 'h=eq,comma': `v,${i}`, empty: '', ...(i % 9 === 0 ? { nothing: null } : {}) },
  }));
}

/** Records grouped by partition, each group in consumed order. */
function byPartition(records: readonly JavaRecordOut[]): Map<number, JavaRecordOut[]> {
  const groups = new Map<number, JavaRecordOut[]>();
  for (const r of records) groups.set(r.partition, [...(groups.get(r.partition) ?? []), r]);
  return groups;
}

// Every JVM costs seconds, so the five codecs share one topic: five console producers (one per
// codec, each writing its own keys) run at once, then one console consumer reads everything.
describe('Java peers (console producer → console consumer)', () => {
  const produced = new Map(codecs.map((codec) => [codec, sampleRecords(codec)]));
  const total = codecs.length * 50;
  let consumed: JavaRecordOut[] = [];
  let logEnds = new Map<number, number>();

  before(async () => {
    const brokers = testBrokers();
    const topic = uniqueTopic('java-tools-codecs');
    await javaCreateTopic(brokers, topic, PARTITIONS);
    await Promise.all(codecs.map((codec) => javaProduce({ brokers, topic, records: produced.get(codec) ?? [], compression: codec })));
    consumed = await javaConsume({ brokers, topic, maxMessages: total, timeoutMs: 60_000, from: 'earliest' });
    logEnds = await javaListOffsets(brokers, topic, 'latest');
  });

  it('reads back every record once: offsets 0.. per partition, log ends add up to what was sent', () => {
    assert.equal(consumed.length, total);
    assert.equal([...logEnds.values()].reduce((a, b) => a + b, 0), total);
    for (const [partition, records] of byPartition(consumed)) {
      assert.deepEqual(records.map((r) => r.offset), records.map((_, i) => i), `offsets of partition ${partition}`);
      assert.equal(logEnds.get(partition), records.length);
    }
  });

  for (const codec of codecs) {
    it(`round-trips 50 keyed records with headers, compression ${codec}`, () => {
      const sent = produced.get(codec) ?? [];
      const mine = consumed.filter((r) => r.key?.startsWith(`${codec}-key-`));
      assert.equal(mine.length, sent.length);
      // A key always lands on one partition (the default partitioner hashes it).
      const partitionOfKey = new Map<string | null, number>();
      for (const r of mine) {
        const seen = partitionOfKey.get(r.key);
        if (seen !== undefined) assert.equal(r.partition, seen, `key ${r.key} on two partitions`);
        partitionOfKey.set(r.key, r.partition);
      }
      // Per partition: exactly the produced records of its keys, in send order.
      for (const [partition, records] of byPartition(mine)) {
        const expected = sent.filter((p) => partitionOfKey.get(p.key ?? null) === partition);
        assert.deepEqual(
          records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
          expected.map((p) => ({ key: p.key ?? null, value: p.value, headers: p.headers ?? {} })),
          `records of partition ${partition}`,
        );
        const offsets = records.map((r) => r.offset);
        assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), `order in partition ${partition}`);
      }
      // Header order is kept too, not only the set.
      const withHeaders = mine.find((r) => r.headers.seq === '1');
      assert.deepEqual(withHeaders?.headerList.map(([k]) => k), ['seq', 'codec', 'h=eq,comma', 'empty']);
    });
  }
});

describe('Java peers: edge cases', () => {
  it('round-trips null keys, null values and null header values', async () => {
    const brokers = testBrokers();
    const topic = uniqueTopic('java-tools-nulls');
    await javaCreateTopic(brokers, topic, 1);
    const produced: JavaRecordIn[] = [
      { key: null, value: 'no key' },
      { key: 'tombstone', value: null },
      { key: '', value: '', headers: { '': '', n: null } },
      { value: 'key absent', headers: { a: '1' } },
    ];
    await javaProduce({ brokers, topic, records: produced, compression: 'none', acks: 1 });
    const consumed = await javaConsume({ brokers, topic, maxMessages: produced.length, timeoutMs: 30_000, from: 'earliest' });
    assert.deepEqual(
      consumed.map((r) => [r.partition, r.offset, r.key, r.value, r.headerList]),
      [
        [0, 0, null, 'no key', []],
        [0, 1, 'tombstone', null, []],
        [0, 2, '', '', [['', ''], ['n', null]]],
        [0, 3, null, 'key absent', [['a', '1']]],
      ],
    );
  });

  it('refuses records whose text would be misparsed', async () => {
    await assert.rejects(
      javaProduce({ brokers: testBrokers(), topic: 'never-created', records: [{ key: 'k', value: 'two\nlines' }], compression: 'none' }),
      RangeError,
    );
  });

  it('reports failed sends instead of resolving', async () => {
    const brokers = testBrokers();
    // The topic does not exist and auto-creation is off: the send times out in the producer.
    const produce = javaProduce({ brokers, topic: uniqueTopic('java-tools-missing'), records: [{ key: 'k', value: 'v' }], compression: 'none', maxBlockMs: 2000 });
    await assert.rejects(produce, /send\(s\) failed/);
  });
});

describe('Java peers: default partitioner', () => {
  it('javaPartitionFor predicts where the Java producer puts each key', async () => {
    const brokers = testBrokers();
    const topic = uniqueTopic('java-tools-partitioner');
    const partitions = 7;
    await javaCreateTopic(brokers, topic, partitions);
    const keys = Array.from({ length: 60 }, (_, i) => `order-${i * 7919}`);
    const [predicted] = await Promise.all([
      Promise.all(keys.map((k) => javaPartitionFor(k, partitions))),
      javaProduce({ brokers, topic, records: keys.map((key) => ({ key, value: key })), compression: 'lz4' }),
    ]);
    const consumed = await javaConsume({ brokers, topic, maxMessages: keys.length, timeoutMs: 30_000, from: 'earliest' });
    assert.equal(consumed.length, keys.length);
    const actual = new Map(consumed.map((r) => [r.key, r.partition]));
    assert.deepEqual(keys.map((k) => actual.get(k)), predicted);
    // The keys spread: a constant answer would also "agree" on a one-partition topic.
    assert.ok(new Set(predicted).size >= 5, `keys landed on only ${new Set(predicted).size} partitions`);
  });

  it('javaKeyHashes gives murmur2 values consistent with the partition', async () => {
    const keys = ['', 'a', 'kafka', Buffer.from([0, 255, 128, 7])];
    const hashes = await javaKeyHashes(keys, 12);
    for (const { murmur2, partition } of hashes) {
      assert.ok(Number.isInteger(murmur2) && murmur2 >= -(2 ** 31) && murmur2 < 2 ** 31);
      // The default partitioner is toPositive(murmur2) % n, toPositive clearing the sign bit.
      assert.equal(partition, (murmur2 & 0x7fffffff) % 12);
    }
    assert.equal(new Set(hashes.map((h) => h.murmur2)).size, keys.length);
  });
});

describe('Java peers: performance tools', () => {
  it('ProducerPerformance and ConsumerPerformance report what they moved', async () => {
    const brokers = testBrokers();
    const topic = uniqueTopic('java-tools-perf');
    await javaCreateTopic(brokers, topic, 2);
    const produced = await javaProducerPerformance({
      brokers, topic, numRecords: 5000, recordSize: 100, compression: 'zstd', producerProps: { 'linger.ms': '5' },
    });
    assert.equal(produced.records, 5000);
    assert.ok(produced.recordsPerSec > 0 && produced.p99Ms >= produced.p50Ms);
    const ends = await javaListOffsets(brokers, topic, 'latest');
    assert.equal([...ends.values()].reduce((a, b) => a + b, 0), 5000);

    const consumed = await javaConsumerPerformance({ brokers, topic, messages: 5000, timeoutMs: 30_000 });
    assert.equal(consumed.messages, 5000);
    assert.equal(consumed.timedOut, false);
    assert.ok(consumed.mb > 0.4 && consumed.fetchMessagesPerSec > 0);
  });
});

describe('parseConsoleConsumerOutput', () => {
  it('splits fields at the separators and keeps separators inside values', () => {
    const text = 'Partition:2\x1fOffset:7\x1fa:1\x1db:x:y\x1fk\x1fv\x1fw\nx\x1ePartition:0\x1fOffset:0\x1fNO_HEADERS\x1f\x18\x1f\x18\x1e';
    assert.deepEqual(parseConsoleConsumerOutput(text), [
      { partition: 2, offset: 7, key: 'k', value: 'v\x1fw\nx', headers: { a: '1', b: 'x:y' }, headerList: [['a', '1'], ['b', 'x:y']] },
      { partition: 0, offset: 0, key: null, value: null, headers: {}, headerList: [] },
    ]);
  });

  it('rejects output it does not understand', () => {
    assert.throws(() => parseConsoleConsumerOutput('hello world\x1e'), /cannot parse/);
  });
});
