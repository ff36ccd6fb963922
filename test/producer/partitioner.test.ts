import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DefaultPartitioner, murmur2, partitionForKey, toPositive } from '../../src/producer/partitioner.js';

// Vectors computed with the Java client's org.apache.kafka.common.utils.Utils.murmur2 (kafka-clients
// 4.1.1) over the UTF-8 bytes of each key, and the partition of `toPositive(hash) % 6`.
const VECTORS: [key: string | number[], hash: number, partitionOf6: number][] = [
  ['', 275646681, 3],
  ['a', -1563381124, 4],
  ['ab', 316155434, 2],
  ['abc', 479470107, 3],
  ['abcd', -1323649548, 2],
  ['21', -973932308, 0],
  ['foobar', -790332482, 0],
  ['a-little-bit-long-string', -985981536, 2],
  ['a-little-bit-longer-string', -1486304829, 5],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5],
  ['key-0', 29210041, 1],
  ['key-1', 193331640, 0],
  ['key-42', -187086521, 3],
  ['héllo wörld', 439213890, 0],
  ['\u00ff\u00fe\u00fd', -827240790, 2],
  // Bytes with the high bit set: Java's signed bytes are masked with 0xff before mixing.
  [[0xff, 0x80, 0x7f, 0x00, 0xfe, 0x81, 0x01], -523946266, 4],
];

test('murmur2 matches the Java client for every tail length and for high bytes', () => {
  for (const [key, hash, partition] of VECTORS) {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Uint8Array.from(key);
    assert.equal(murmur2(bytes), hash, `murmur2(${JSON.stringify(key)})`);
    assert.equal(partitionForKey(bytes, 6), partition, `partition of ${JSON.stringify(key)}`);
  }
});

test('toPositive clears the sign bit, including for INT_MIN', () => {
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(-2147483648), 0);
  assert.equal(toPositive(5), 5);
});

test('keyed records always go to the murmur2 partition, whatever the sticky state', () => {
  const p = new DefaultPartitioner(100, () => 0.99);
  const key = Buffer.from('key-42');
  for (let i = 0; i < 5; i++) assert.equal(p.partition('t', key, 6), 3);
});

test('keyless records stick to one partition until batchSize bytes went there, then move to another', () => {
  const randoms = [0.5, 0.0, 0.6];
  const p = new DefaultPartitioner(100, () => randoms.shift() ?? 0);
  const first = p.partition('t', null, 4);
  assert.equal(first, 2); // floor(0.5 * 4)
  for (let i = 0; i < 3; i++) {
    assert.equal(p.partition('t', null, 4), first);
    p.recordAppended('t', first, 30);
  }
  // 90 bytes so far: still sticky.
  assert.equal(p.partition('t', null, 4), first);
  p.recordAppended('t', first, 30); // 120 ≥ 100: switch
  const second = p.partition('t', null, 4);
  assert.notEqual(second, first);
  assert.equal(second, 3); // (2 + 1 + floor(0.0 * 3)) % 4
  // Bytes reported for another partition do not count toward the sticky one.
  p.recordAppended('t', first, 1000);
  assert.equal(p.partition('t', null, 4), second);
});

test('sticky state is per topic and survives a shrinking partition count', () => {
  const p = new DefaultPartitioner(100, () => 0.75);
  assert.equal(p.partition('a', null, 8), 6);
  assert.equal(p.partition('b', null, 4), 3);
  // Topic a now reports fewer partitions than its sticky choice: a valid one is picked.
  const again = p.partition('a', null, 2);
  assert.ok(again >= 0 && again < 2);
});

test('keyless records spread over every partition over time', () => {
  const p = new DefaultPartitioner(10);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const part = p.partition('t', null, 6);
    seen.add(part);
    p.recordAppended('t', part, 5);
  }
  assert.equal(seen.size, 6);
});
