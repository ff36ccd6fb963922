/** The fake cluster's partition log: offsets assigned, idempotent producers checked as a broker checks them, retention bounded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRecordBatchesSync } from '../../src/protocol/records/decode-batches.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import type { RecordBatch } from '../../src/protocol/records/types.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { PartitionLog } from '../../src/testing/partition-log.js';

async function batch(count: number, producer?: { id: bigint; epoch: number; sequence: number }, valueBytes = 10): Promise<{ raw: Buffer; decoded: RecordBatch }> {
  const raw = await encodeRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({ value: `${i}`.padEnd(valueBytes, '.'), timestamp: 1000 + i })),
    compression: 'none',
    ...(producer ? { producerId: producer.id, producerEpoch: producer.epoch, baseSequence: producer.sequence } : {}),
  });
  const decoded = decodeRecordBatchesSync(raw, { maxDecompressedBytes: 1 << 20 }).batches[0] as RecordBatch;
  return { raw, decoded };
}

function offsetsIn(bytes: Buffer): number[] {
  return decodeRecordBatchesSync(bytes, { maxDecompressedBytes: 1 << 20 }).batches.flatMap((b) => b.records.map((r) => r.offset));
}

test('batches get consecutive offsets, and the stored bytes carry them with the CRC intact', async () => {
  const log = new PartitionLog(1 << 20);
  const a = await batch(3);
  const b = await batch(2);
  assert.deepEqual(log.append(a.raw, a.decoded, 0), { errorCode: ErrorCode.NONE, baseOffset: 0 });
  assert.deepEqual(log.append(b.raw, b.decoded, 0), { errorCode: ErrorCode.NONE, baseOffset: 3 });
  assert.equal(log.logEndOffset, 5);
  assert.deepEqual(offsetsIn(Buffer.concat(log.read(0, 1 << 20, true))), [0, 1, 2, 3, 4]);
  assert.deepEqual(offsetsIn(Buffer.concat(log.read(4, 1 << 20, true))), [3, 4], 'the batch holding offset 4, whole');
});

test('a read stops at its byte limit, as Kafka answers: the first batch comes whole when asked, else not at all; a later batch is cut', async () => {
  const log = new PartitionLog(1 << 20);
  for (let i = 0; i < 3; i++) {
    const b = await batch(10, undefined, 100);
    log.append(b.raw, b.decoded, 0);
  }
  const size = (log.storedBatches[0] as { bytes: Buffer }).bytes.length;
  const whole = log.read(0, 10, true);
  assert.equal(whole.length, 1);
  assert.equal(whole[0]?.length, size, 'past the limit, whole');
  const cut = log.read(0, size + 20, false);
  assert.deepEqual(cut.map((b) => b.length), [size, 20]);
  assert.deepEqual(log.read(0, 10, false), [], 'a first batch past the limit, not asked whole: no bytes (Kafka never cuts a first batch)');
});

test('an idempotent producer: a repeat of a recent batch answers its first offset and is not written twice', async () => {
  const log = new PartitionLog(1 << 20);
  const producer = { id: 7n, epoch: 0, sequence: 0 };
  const first = await batch(3, producer);
  const second = await batch(2, { ...producer, sequence: 3 });
  log.append(first.raw, first.decoded, 0);
  log.append(second.raw, second.decoded, 0);
  assert.deepEqual(log.append(first.raw, first.decoded, 0), { errorCode: ErrorCode.NONE, baseOffset: 0 });
  assert.deepEqual(log.append(second.raw, second.decoded, 0), { errorCode: ErrorCode.NONE, baseOffset: 3 });
  assert.equal(log.logEndOffset, 5);
});

test('an idempotent producer: a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an older epoch INVALID_PRODUCER_EPOCH, a new epoch starts at 0', async () => {
  const log = new PartitionLog(1 << 20);
  const start = await batch(2, { id: 9n, epoch: 1, sequence: 0 });
  log.append(start.raw, start.decoded, 0);
  const gap = await batch(1, { id: 9n, epoch: 1, sequence: 5 });
  assert.equal(log.append(gap.raw, gap.decoded, 0).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const old = await batch(1, { id: 9n, epoch: 0, sequence: 2 });
  assert.equal(log.append(old.raw, old.decoded, 0).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  const bumpedLate = await batch(1, { id: 9n, epoch: 2, sequence: 2 });
  assert.equal(log.append(bumpedLate.raw, bumpedLate.decoded, 0).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const bumped = await batch(1, { id: 9n, epoch: 2, sequence: 0 });
  assert.deepEqual(log.append(bumped.raw, bumped.decoded, 0), { errorCode: ErrorCode.NONE, baseOffset: 2 });
  assert.equal(log.logEndOffset, 3);
});

test('retention by bytes drops the oldest batches and moves the log start, never the last batch', async () => {
  const one = await batch(5, undefined, 200);
  const log = new PartitionLog(one.raw.length * 2);
  for (let i = 0; i < 4; i++) log.append(one.raw, one.decoded, 0);
  assert.equal(log.logEndOffset, 20);
  assert.equal(log.logStartOffset, 10);
  assert.equal(log.storedBatches.length, 2);
  const tiny = new PartitionLog(1);
  tiny.append(one.raw, one.decoded, 0);
  assert.equal(tiny.storedBatches.length, 1, 'the active batch stays');
});

test('timestamps: the first offset at or after a time, and the record with the largest time', async () => {
  const log = new PartitionLog(1 << 20);
  const b = await batch(4);
  log.append(b.raw, b.decoded, 0);
  log.append(b.raw, b.decoded, 0);
  assert.deepEqual(log.offsetForTime(1002), { offset: 2, timestamp: 1002 });
  assert.equal(log.offsetForTime(5000), null);
  assert.deepEqual(log.maxTimestamp(), { offset: 3, timestamp: 1003 });
});

test('an idempotent producer the partition holds no state for is taken at any first sequence, as Kafka does (its state may have expired)', async () => {
  const log = new PartitionLog(1 << 20);
  const late = await batch(2, { id: 11n, epoch: 0, sequence: 49 });
  assert.deepEqual(log.append(late.raw, late.decoded, 0), { errorCode: ErrorCode.NONE, baseOffset: 0 });
  const next = await batch(1, { id: 11n, epoch: 0, sequence: 51 });
  assert.deepEqual(log.append(next.raw, next.decoded, 0), { errorCode: ErrorCode.NONE, baseOffset: 2 });
  const behind = await batch(1, { id: 11n, epoch: 0, sequence: 0 });
  assert.equal(log.append(behind.raw, behind.decoded, 0).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'known now: sequence 0 is a gap backwards');
});
