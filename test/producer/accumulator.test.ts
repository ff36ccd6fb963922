import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordTooLargeError } from '../../src/producer/errors.js';
import { RecordAccumulator } from '../../src/producer/accumulator.js';
import type { QueuedRecord } from '../../src/producer/batch.js';
import { recordSizeAt, recordSizeUpperBound } from '../../src/producer/record-size.js';

function rec(valueBytes: number, key: string | null = null): QueuedRecord {
  return { key: key === null ? null : Buffer.from(key), value: Buffer.alloc(valueBytes, 0x61), headers: [], timestamp: 0 };
}

const SIZE_100 = recordSizeUpperBound(rec(100));
/** What a 100 B record encodes to in a batch (its offset delta below 64, same timestamp as the first). */
const EXACT_100 = recordSizeAt(rec(100), 0, 0);

function acc(batchSize = 1000, lingerMs = 10, maxRequestSize = 1_048_576) {
  return new RecordAccumulator<number>({ batchSize, lingerMs, maxRequestSize });
}

test('records of a partition share a batch until it is full (by encoded sizes); the next record opens a new one', () => {
  assert.ok(EXACT_100 < SIZE_100, 'the upper bound counts the widest deltas');
  const a = acc(61 + 3 * EXACT_100);
  const b1 = a.append('t', 0, rec(100), 1, 0);
  assert.equal(a.append('t', 0, rec(100), 2, 0), b1);
  assert.equal(a.append('t', 0, rec(100), 3, 0), b1);
  assert.equal(b1.closed, true, 'exactly full closes the batch');
  const b2 = a.append('t', 0, rec(100), 4, 0);
  assert.notEqual(b2, b1);
  assert.deepEqual(b1.handles, [1, 2, 3]);
  assert.deepEqual(b2.handles, [4]);
  assert.equal(b1.sizeBytes, 61 + 3 * EXACT_100, 'sized as the encoder writes it');
  assert.equal(a.lastAppendedBytes, EXACT_100, 'what the sticky partitioner counts');
  // Other partitions have their own batches.
  assert.notEqual(a.append('t', 1, rec(100), 5, 0), b2);
  assert.equal(a.bufferedBytes, 5 * SIZE_100, 'buffer memory counts upper bounds');
});

test('a batch is ready when full, when lingered, or on flush — not before', () => {
  const a = acc(1000, 10);
  a.append('t', 0, rec(100), 1, 100);
  let r = a.ready(105, false);
  assert.equal(r.ready.length, 0);
  assert.equal(r.nextReadyAt, 110);
  assert.equal(a.ready(110, false).ready.length, 1, 'lingered');
  assert.equal(a.ready(105, true).ready.length, 1, 'flush');
  // Full: a second batch queues behind the first, so the first is ready at once.
  const b = acc(61 + SIZE_100 + 10, 1000);
  b.append('t', 0, rec(100), 1, 0);
  b.append('t', 0, rec(100), 2, 0);
  r = b.ready(1, false);
  assert.equal(r.ready.length, 1);
});

test('a record larger than batchSize gets a batch of its own', () => {
  const a = acc(200);
  const small = a.append('t', 0, rec(10), 1, 0);
  const big = a.append('t', 0, rec(500), 2, 0);
  const after = a.append('t', 0, rec(10), 3, 0);
  assert.notEqual(big, small);
  assert.notEqual(after, big);
  assert.equal(big.count, 1);
  assert.equal(big.closed, true);
});

test('a record that can never fit in a request is refused with RecordTooLargeError', () => {
  const a = acc(16384, 5, 2048);
  assert.throws(
    () => a.append('t', 3, rec(4000), 1, 0),
    (err: unknown) => err instanceof RecordTooLargeError && err.code === 'ERR_RECORD_TOO_LARGE' && err.context.topic === 't' && err.limitBytes === 2048,
  );
  assert.equal(a.bufferedBytes, 0);
  assert.ok(a.isEmpty);
});

test('take, complete and buffered bytes', () => {
  const a = acc();
  const b = a.append('t', 0, rec(100), 1, 0);
  const [queue] = a.ready(0, true).ready;
  assert.ok(queue);
  assert.equal(a.take(queue), b);
  assert.equal(b.attempts, 1);
  assert.equal(a.inFlightCount, 1);
  // A taken batch accepts no more records.
  assert.notEqual(a.append('t', 0, rec(100), 2, 0), b);
  a.complete(b);
  assert.equal(a.inFlightCount, 0);
  assert.equal(a.bufferedBytes, SIZE_100);
});

test('a retried batch blocks newer batches of its partition and waits until nothing is in flight', () => {
  const a = acc(61 + SIZE_100, 0);
  const b1 = a.append('t', 0, rec(100), 1, 0);
  const b2 = a.append('t', 0, rec(100), 2, 0);
  const b3 = a.append('t', 0, rec(100), 3, 0);
  const q = a.ready(0, false).ready[0];
  assert.ok(q);
  assert.equal(a.take(q), b1);
  assert.equal(a.take(q), b2);
  // b1 fails retriably while b2 is in flight: nothing of partition 0 is ready, b3 included.
  a.retry(b1, 50, new Error('not leader'));
  assert.equal(a.ready(100, true).ready.length, 0);
  assert.ok(a.hasOlderUnresolved(b2));
  // b2 then fails too (its predecessor is missing): both wait, oldest first.
  a.retry(b2, 60, new Error('out of order'));
  let r = a.ready(10, false);
  assert.equal(r.ready.length, 0);
  assert.equal(r.nextReadyAt, 50);
  r = a.ready(50, false);
  assert.equal(r.ready.length, 1);
  assert.equal(a.take(r.ready[0]!), b1);
  assert.equal(b1.attempts, 2);
  // One retry at a time: b2 waits for b1's answer.
  assert.equal(a.ready(100, true).ready.length, 0);
  a.complete(b1);
  assert.equal(a.take(a.ready(100, false).ready[0]!), b2);
  a.complete(b2);
  // Only now does the new batch go.
  assert.equal(a.take(a.ready(100, false).ready[0]!), b3);
  assert.equal(a.hasOlderUnresolved(b3), false);
});

test('untake puts an unsent batch back at the head', () => {
  const a = acc(61 + SIZE_100, 0);
  const b1 = a.append('t', 0, rec(100), 1, 0);
  a.append('t', 0, rec(100), 2, 0);
  const q = a.ready(0, false).ready[0]!;
  assert.equal(a.take(q), b1);
  a.untake(b1);
  assert.equal(b1.attempts, 0);
  assert.equal(a.take(q), b1);
});

test('expire removes waiting batches past their delivery timeout, not in-flight ones', () => {
  const a = acc(61 + SIZE_100, 0);
  const old = a.append('t', 0, rec(100), 1, 0);
  const waiting = a.append('t', 0, rec(100), 2, 5);
  const fresh = a.append('t', 1, rec(100), 3, 20);
  a.take(a.ready(0, false).ready.find((q) => q.partition === 0)!);
  assert.equal(a.oldestWaiting(), 5);
  const expired = a.expire(10);
  assert.deepEqual(expired, [waiting]);
  assert.equal(a.bufferedBytes, 2 * SIZE_100, 'old (in flight) and fresh remain');
  a.complete(old);
  assert.deepEqual(a.drainAll(), [fresh]);
  assert.ok(a.isEmpty);
  assert.equal(a.bufferedBytes, 0);
});

test('with a codec, batches hold what is expected to compress to batchSize; uncompressed they stay within maxRequestSize', () => {
  const batchSize = 61 + 4 * EXACT_100;
  const a = new RecordAccumulator<number>({ batchSize, lingerMs: 10, maxRequestSize: 1_048_576, compression: 'gzip' });
  const fill = (topic: string) => {
    const first = a.append(topic, 0, rec(100), 0, 0);
    while (a.append(topic, 0, rec(100), 0, 0) === first);
    return first.count;
  };
  assert.equal(fill('t'), 4, 'before any batch was encoded: sized as uncompressed');
  // Encoded batches shrank to a quarter: the estimate comes down, batches grow.
  for (let i = 0; i < 200; i++) a.observeCompression('t', 61 + 4000, 61 + 1000);
  const count = fill('t');
  assert.ok(count >= 14 && count <= 16, `about four times the records (${count})`);
  assert.ok(a.lastAppendedBytes < EXACT_100 / 3, 'the sticky partitioner counts expected compressed bytes');
  assert.equal(fill('u'), 4, 'per topic');

  const small = new RecordAccumulator<number>({ batchSize: 100_000, lingerMs: 10, maxRequestSize: 512 + 61 + 3 * EXACT_100, compression: 'zstd' });
  for (let i = 0; i < 500; i++) small.observeCompression('t', 61 + 4000, 61 + 10);
  const b = small.append('t', 0, rec(100), 0, 0);
  small.append('t', 0, rec(100), 0, 0);
  small.append('t', 0, rec(100), 0, 0);
  assert.notEqual(small.append('t', 0, rec(100), 0, 0), b, 'the uncompressed bytes would pass maxRequestSize');
});

test("a batch's size is what the encoder writes for it, whatever the keys, headers and timestamps", async () => {
  const { encodeRecordBatch } = await import('../../src/protocol/records/encode-batch.js');
  const a = acc(1_000_000);
  const records: QueuedRecord[] = [];
  for (let i = 0; i < 300; i++) {
    const headers = i % 3 === 0 ? [{ key: `h-${i}-ü`, value: i % 2 ? null : Buffer.alloc(i % 50) }] : [];
    // Timestamps before and long after the first record's: negative and wide deltas.
    records.push({ key: i % 4 ? Buffer.alloc(i % 70, 1) : null, value: i % 7 ? Buffer.alloc((i * 37) % 300) : null, headers, timestamp: 1_700_000_000_000 + ((i * 7919) % 5000) * (i % 2 ? 1 : -1) * 1000 });
  }
  let batch;
  for (const r of records) batch = a.append('t', 0, r, 0, 0);
  assert.ok(batch);
  assert.equal(batch.count, 300);
  const encoded = await encodeRecordBatch({ records: batch.records, compression: 'none' });
  assert.equal(batch.sizeBytes, encoded.length);
});
