/**
 * Record batches: golden bytes from the Java producer, encode→decode round trips per codec, the
 * partial tail of a fetch, CRC verification, control batches, and lying or corrupt fields, each
 * refused with a typed error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, KafkaStageError } from '../../../src/errors.js';
import { CompressionError, CorruptRecordError } from '../../../src/protocol/errors.js';
import { Writer } from '../../../src/protocol/writer.js';
import {
  CONTROL_TYPE_ABORT,
  CONTROL_TYPE_COMMIT,
  decodeRecordBatches,
  decodeRecordBatchesSync,
  encodeRecordBatch,
  hasSyncDecompress,
  parseControlRecordKey,
  type CompressionName,
  type DecodedRecordBatches,
  type RecordBatch,
  type RecordInput,
  UNKNOWN_PARTITION,
  UNKNOWN_TOPIC,
} from '../../../src/protocol/records/record-batch.js';
import { ATTRIBUTES_AT, BATCH_LENGTH_AT, MAGIC_AT, RECORD_COUNT_AT } from '../../../src/protocol/records/batch-layout.js';
import { handBatch, handRecord, patched, plainFields } from './helpers.js';
import { JAVA_BATCHES } from './java-golden.js';

const CODECS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const LIMIT = 64 * 1024 * 1024;

function decodeSync(bytes: Buffer, verifyCrc = true): DecodedRecordBatches {
  return decodeRecordBatchesSync(bytes, { maxDecompressedBytes: LIMIT, verifyCrc });
}

/** Records as plain values, for deep comparison. */
function plain(batch: RecordBatch): unknown[] {
  return batch.records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString('latin1'),
    value: r.value === null ? null : r.value.toString('latin1'),
    headers: r.headers.map((h) => [h.key, h.value === null ? null : h.value.toString('latin1')]),
  }));
}

function corruptError(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CorruptRecordError, `expected CorruptRecordError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_CORRUPT_RECORD');
    if (message) assert.match(error.message, message);
    return true;
  });
}

const SAMPLE: RecordInput[] = [
  { key: 'key-1', value: 'value one', timestamp: 1_700_000_000_000, headers: [{ key: 'trace', value: 'abc' }, { key: 'empty', value: '' }] },
  { key: 'key-2', value: null, timestamp: 1_700_000_000_500, headers: [{ key: 'none', value: null }] },
  { key: null, value: 'no key', timestamp: 1_699_999_990_000 }, // earlier than the base: negative delta
  { key: Buffer.from([0, 1, 2, 255]), value: Buffer.alloc(0), timestamp: 1_700_000_000_000 + 3 * 86_400_000 }, // multi-byte varlong
  { value: 'ü ünïcödé', headers: [{ key: 'ключ', value: Buffer.from([0xff]) }] }, // timestamp defaults to the base
];

describe('golden batches written by the Java producer', () => {
  for (const codec of CODECS) {
    it(`${codec}: decodes keys, values, headers, nulls and producer fields`, async () => {
      const bytes = Buffer.from(JAVA_BATCHES[codec], 'hex');
      const { batches, truncatedTail, bytesRead } = await decodeRecordBatches(bytes, { maxDecompressedBytes: LIMIT });
      assert.equal(truncatedTail, false);
      assert.equal(bytesRead, bytes.length);
      assert.equal(batches.length, 1);
      const batch = batches[0] as RecordBatch;
      assert.equal(batch.compression, codec);
      assert.equal(batch.baseOffset, 0);
      assert.equal(batch.lastOffset, 2);
      assert.equal(batch.isControl, false);
      assert.equal(batch.isTransactional, false);
      assert.equal(batch.logAppendTime, false);
      assert.ok(batch.producerId >= 0n, 'idempotent producer id');
      assert.equal(batch.producerEpoch, 0);
      assert.equal(batch.baseSequence, 0);
      assert.equal(batch.sizeInBytes, bytes.length);
      assert.deepEqual(
        plain(batch).map((r) => ({ ...(r as object), timestamp: undefined })),
        [
          { offset: 0, timestamp: undefined, key: 'key-1', value: 'value one', headers: [['trace', 'abc'], ['empty', '']] },
          { offset: 1, timestamp: undefined, key: 'key-2', value: null, headers: [['none', null]] },
          { offset: 2, timestamp: undefined, key: null, value: 'third value, no key', headers: [['h', 'x']] },
        ],
      );
      const timestamps = batch.records.map((r) => r.timestamp);
      assert.equal(timestamps[0], batch.baseTimestamp);
      assert.equal(Math.max(...timestamps), batch.maxTimestamp);
    });
  }

  it('our encoder reproduces the uncompressed Java batch byte for byte', async () => {
    const java = Buffer.from(JAVA_BATCHES.none, 'hex');
    const batch = decodeSync(java).batches[0] as RecordBatch;
    const ours = await encodeRecordBatch({
      compression: 'none',
      baseOffset: batch.baseOffset,
      partitionLeaderEpoch: batch.partitionLeaderEpoch,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      records: batch.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    });
    assert.equal(ours.toString('hex'), java.toString('hex'));
  });
});

describe('encode → decode round trips', () => {
  for (const codec of CODECS) {
    it(`${codec}: keys, values, headers, nulls, timestamps and header fields survive`, async () => {
      const bytes = await encodeRecordBatch({
        records: SAMPLE,
        compression: codec,
        baseOffset: 1234,
        producerId: 77n,
        producerEpoch: 3,
        baseSequence: 40,
        isTransactional: true,
        partitionLeaderEpoch: 9,
        baseTimestamp: 1_700_000_000_000,
      });
      const { batches, truncatedTail } = await decodeRecordBatches(bytes, { maxDecompressedBytes: LIMIT });
      assert.equal(truncatedTail, false);
      const batch = batches[0] as RecordBatch;
      assert.deepEqual(
        { ...batch, records: undefined },
        {
          baseOffset: 1234,
          lastOffset: 1238,
          partitionLeaderEpoch: 9,
          compression: codec,
          logAppendTime: false,
          isTransactional: true,
          isControl: false,
          baseTimestamp: 1_700_000_000_000,
          maxTimestamp: 1_700_000_000_000 + 3 * 86_400_000,
          producerId: 77n,
          producerEpoch: 3,
          baseSequence: 40,
          records: undefined,
          sizeInBytes: bytes.length,
        },
      );
      assert.deepEqual(plain(batch), [
        { offset: 1234, timestamp: 1_700_000_000_000, key: 'key-1', value: 'value one', headers: [['trace', 'abc'], ['empty', '']] },
        { offset: 1235, timestamp: 1_700_000_000_500, key: 'key-2', value: null, headers: [['none', null]] },
        { offset: 1236, timestamp: 1_699_999_990_000, key: null, value: 'no key', headers: [] },
        { offset: 1237, timestamp: 1_700_259_200_000, key: '\x00\x01\x02\xff', value: '', headers: [] },
        {
          offset: 1238,
          timestamp: 1_700_000_000_000,
          key: null,
          value: Buffer.from('ü ünïcödé').toString('latin1'),
          headers: [['ключ', '\xff']],
        },
      ]);
      if (hasSyncDecompress(codec)) assert.deepEqual(plain(decodeSync(bytes).batches[0] as RecordBatch), plain(batch));
    });

    it(`${codec}: 2,000 records with 1 KiB values and a 300 KiB value`, async () => {
      const records: RecordInput[] = Array.from({ length: 2000 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(1024, i & 0xff), timestamp: i }));
      records.push({ key: 'big', value: Buffer.alloc(300 * 1024, 'x'), timestamp: 5 });
      const bytes = await encodeRecordBatch({ records, compression: codec, baseOffset: 10 });
      const batch = (await decodeRecordBatches(bytes, { maxDecompressedBytes: LIMIT })).batches[0] as RecordBatch;
      assert.equal(batch.records.length, 2001);
      for (let i = 0; i < 2000; i++) {
        const r = batch.records[i];
        assert.ok(r !== undefined && r.offset === 10 + i && r.timestamp === i && r.key?.toString() === `k${i}`);
        assert.ok(r.value?.equals(Buffer.alloc(1024, i & 0xff)));
      }
      assert.ok(batch.records[2000]?.value?.equals(Buffer.alloc(300 * 1024, 'x')));
    });
  }

  it('hands out views into the input, and one shared frozen empty header list', async () => {
    const bytes = await encodeRecordBatch({ records: [{ key: 'a', value: 'b' }, { value: 'c' }], compression: 'none' });
    const [first, second] = (decodeSync(bytes).batches[0] as RecordBatch).records;
    assert.ok(first && second && first.key && first.value);
    assert.equal(first.key.buffer, bytes.buffer, 'key is a view of the input');
    assert.equal(first.value.buffer, bytes.buffer, 'value is a view of the input');
    assert.ok(Buffer.isBuffer(first.value));
    assert.equal(first.headers, second.headers);
    assert.ok(Object.isFrozen(first.headers));
  });

  it("every record carries the topic and partition given to the decoder, in every codec; '' and -1 when none is given", async () => {
    for (const codec of CODECS) {
      const bytes = await encodeRecordBatch({ records: Array.from({ length: 3000 }, (_, i) => ({ value: `v${i}` })), compression: codec });
      const decoded = await decodeRecordBatches(bytes, { maxDecompressedBytes: LIMIT, topic: 'orders', partition: 7 });
      const records = (decoded.batches[0] as RecordBatch).records;
      assert.equal(records.length, 3000);
      assert.ok(
        records.every((r) => r.topic === 'orders' && r.partition === 7),
        codec,
      );
      const anonymous = (decodeSync(await encodeRecordBatch({ records: [{ value: 'a' }], compression: 'none' })).batches[0] as RecordBatch).records[0];
      assert.equal(anonymous?.topic, UNKNOWN_TOPIC);
      assert.equal(anonymous?.partition, UNKNOWN_PARTITION);
    }
    assert.equal(UNKNOWN_TOPIC, '');
    assert.equal(UNKNOWN_PARTITION, -1);
  });

  it('refuses bad encoder input with InvalidOptionError naming the field', async () => {
    await assert.rejects(encodeRecordBatch({ records: [], compression: 'none' }), InvalidOptionError);
    await assert.rejects(
      encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b', timestamp: 1.5 }], compression: 'none' }),
      (e: unknown) => e instanceof InvalidOptionError && e.option === 'records[1].timestamp',
    );
    await assert.rejects(encodeRecordBatch({ records: [{ value: 'a' }], compression: 'none', baseSequence: 2 ** 31 }), /baseSequence/);
    await assert.rejects(encodeRecordBatch({ records: [{ value: 'a' }], compression: 'brotli' as CompressionName }), /compression/);
    await assert.rejects(encodeRecordBatch({ records: [{ value: 'a' }], compression: 'none', producerId: 0.5 }), /producerId/);
    await assert.rejects(encodeRecordBatch({ records: [{ value: 'a' }], compression: 'none', producerId: 2n ** 63n }), /producerId/);
    await assert.rejects(encodeRecordBatch({ records: [{ value: 'a' }], compression: 'none', producerEpoch: 40_000 }), /producerEpoch/);
    const numeric = await encodeRecordBatch({ records: [{ value: 'a' }], compression: 'none', producerId: 12 });
    assert.equal(decodeSync(numeric).batches[0]?.producerId, 12n);
  });
});

describe('the bytes of a fetch: several batches and a partial tail', () => {
  async function threeBatches(codecs: readonly CompressionName[]): Promise<Buffer[]> {
    return Promise.all(
      codecs.map((compression, i) =>
        encodeRecordBatch({ compression, baseOffset: i * 10, records: [{ key: `k${i}`, value: 'v'.repeat(40 * (i + 1)) }, { value: null }] }),
      ),
    );
  }

  it('cut at every byte: the complete batches before the cut, and truncatedTail when inside one', async () => {
    const syncCodecs = CODECS.filter((c) => hasSyncDecompress(c));
    const parts = await threeBatches(syncCodecs.length >= 3 ? syncCodecs.slice(1, 4) : syncCodecs);
    const all = Buffer.concat(parts);
    const ends = parts.map((_, i) => parts.slice(0, i + 1).reduce((n, p) => n + p.length, 0));
    for (let cut = 0; cut <= all.length; cut++) {
      const result = decodeSync(all.subarray(0, cut));
      const complete = ends.filter((e) => e <= cut).length;
      assert.equal(result.batches.length, complete, `cut at ${cut}`);
      assert.equal(result.bytesRead, complete === 0 ? 0 : ends[complete - 1]);
      assert.equal(result.truncatedTail, cut !== result.bytesRead);
    }
  });

  it('the async decoder agrees at every cut, with zstd in the mix', async () => {
    const parts = await threeBatches(['zstd', 'none', 'zstd']);
    const all = Buffer.concat(parts);
    for (let cut = 0; cut <= all.length; cut += 3) {
      const result = await decodeRecordBatches(all.subarray(0, cut), { maxDecompressedBytes: LIMIT });
      const expected = parts.filter((_, i) => parts.slice(0, i + 1).reduce((n, p) => n + p.length, 0) <= cut).length;
      assert.equal(result.batches.length, expected);
    }
  });

  it('a batch length that lies gives truncatedTail or a typed error, never another exception', async () => {
    const parts = await threeBatches(['none', 'gzip', 'none']);
    const all = Buffer.concat(parts);
    const second = (parts[0] as Buffer).length;
    for (let length = -3; length < all.length; length++) {
      const bytes = Buffer.from(all);
      bytes.writeInt32BE(length, second + BATCH_LENGTH_AT);
      for (const verifyCrc of [true, false]) {
        try {
          const result = decodeSync(bytes, verifyCrc);
          assert.ok(result.batches.length >= 1);
        } catch (error) {
          assert.ok(error instanceof KafkaStageError, `length ${length}: ${String(error)}`);
        }
      }
    }
  });

  it('caps decompression over the whole call, not per batch', async () => {
    const one = await encodeRecordBatch({ compression: 'gzip', records: [{ value: Buffer.alloc(100_000) }] });
    const two = Buffer.concat([one, one]);
    const section = decodeRecordBatchesSync(one, { maxDecompressedBytes: LIMIT }).batches.length;
    assert.equal(section, 1);
    assert.equal(decodeRecordBatchesSync(two, { maxDecompressedBytes: 250_000 }).batches.length, 2);
    assert.throws(
      () => decodeRecordBatchesSync(two, { maxDecompressedBytes: 150_000 }),
      (e: unknown) => e instanceof CompressionError && e.context.batchAt === one.length,
    );
    // Uncompressed batches are views and do not count.
    const plainBatch = await encodeRecordBatch({ compression: 'none', records: [{ value: Buffer.alloc(100_000) }] });
    assert.equal(decodeRecordBatchesSync(plainBatch, { maxDecompressedBytes: 0 }).batches.length, 1);
  });

  it('zstd without a synchronous decoder is refused by the sync decoder only', async () => {
    const bytes = await encodeRecordBatch({ compression: 'zstd', records: [{ value: 'z' }] });
    if (hasSyncDecompress('zstd')) assert.equal(decodeSync(bytes).batches.length, 1);
    else assert.throws(() => decodeSync(bytes), CompressionError);
    assert.equal((await decodeRecordBatches(bytes, { maxDecompressedBytes: 10 })).batches.length, 1);
  });

  it('empty input is no batches and no tail', () => {
    assert.deepEqual(decodeSync(Buffer.alloc(0)), { batches: [], truncatedTail: false, bytesRead: 0 });
  });
});

describe('CRC verification', () => {
  it('a flipped byte is CorruptRecordError when verifying, and decodes when not', async () => {
    const bytes = await encodeRecordBatch({ records: [{ value: 'hello' }], compression: 'none' });
    const flipped = Buffer.from(bytes);
    const at = bytes.indexOf('hello') + 2;
    flipped[at] = (bytes[at] as number) ^ 0x20; // inside the value: 'hello' → 'heLlo'
    corruptError(() => decodeSync(flipped), /CRC32C mismatch/);
    assert.equal((decodeSync(flipped, false).batches[0] as RecordBatch).records[0]?.value?.toString(), 'heLlo');
  });

  it('the CRC error names the batch', async () => {
    const bytes = await encodeRecordBatch({ records: [{ value: 'x' }], compression: 'none', baseOffset: 42 });
    bytes.writeUInt8((bytes.at(-1) as number) ^ 1, bytes.length - 1);
    assert.throws(() => decodeSync(bytes), (e: unknown) => e instanceof CorruptRecordError && e.context.baseOffset === 42);
  });
});

describe('control batches', () => {
  function controlKey(type: number): Buffer {
    const key = Buffer.alloc(4);
    key.writeInt16BE(0, 0);
    key.writeInt16BE(type, 2);
    return key;
  }

  it('are flagged, and their keys parse as commit or abort markers', async () => {
    const value = Buffer.from([0, 0, 0, 0, 0, 5]); // version 0, coordinator epoch 5
    for (const type of [CONTROL_TYPE_COMMIT, CONTROL_TYPE_ABORT]) {
      const bytes = await encodeRecordBatch({
        compression: 'none',
        isControl: true,
        isTransactional: true,
        producerId: 9n,
        records: [{ key: controlKey(type), value }],
      });
      const batch = decodeSync(bytes).batches[0] as RecordBatch;
      assert.equal(batch.isControl, true);
      assert.equal(batch.isTransactional, true);
      assert.deepEqual(parseControlRecordKey(batch.records[0]?.key ?? null), { version: 0, type });
    }
    const user = decodeSync(await encodeRecordBatch({ compression: 'none', records: [{ value: 'v' }] })).batches[0];
    assert.equal(user?.isControl, false);
  });

  it('a control key that is null or short is CorruptRecordError', () => {
    corruptError(() => parseControlRecordKey(null));
    corruptError(() => parseControlRecordKey(Buffer.from([0, 0, 1])));
  });
});

describe('log-append time', () => {
  it('gives every record the batch max timestamp', async () => {
    const bytes = await encodeRecordBatch({ compression: 'none', records: [{ value: 'a', timestamp: 5 }, { value: 'b', timestamp: 9 }] });
    const appended = patched(bytes, (b) => {
      b.writeInt16BE(b.readInt16BE(ATTRIBUTES_AT) | 0x08, ATTRIBUTES_AT);
      b.writeBigInt64BE(777n, 35);
    });
    const batch = decodeSync(appended).batches[0] as RecordBatch;
    assert.equal(batch.logAppendTime, true);
    assert.deepEqual(batch.records.map((r) => r.timestamp), [777, 777]);
  });
});

describe('lying and corrupt fields are CorruptRecordError', () => {
  const twoRecords = Buffer.concat([handRecord((w) => plainFields(w, 0, 'k', 'v')), handRecord((w) => plainFields(w, 1, null, 'w'))]);

  it('a hand-made batch decodes (the builders are sound)', () => {
    const batch = decodeSync(handBatch(twoRecords, { recordCount: 2 })).batches[0] as RecordBatch;
    assert.deepEqual(plain(batch), [
      { offset: 0, timestamp: 1000, key: 'k', value: 'v', headers: [] },
      { offset: 1, timestamp: 1000, key: null, value: 'w', headers: [] },
    ]);
  });

  it('magic other than 2', async () => {
    const bytes = await encodeRecordBatch({ records: [{ value: 'a' }], compression: 'none' });
    for (const magic of [0, 1, 3]) {
      corruptError(() => decodeSync(patched(bytes, (b) => b.writeInt8(magic, MAGIC_AT))), /magic/);
      // Also when the batch is cut right after the magic byte.
      corruptError(() => decodeSync(patched(bytes, (b) => b.writeInt8(magic, MAGIC_AT)).subarray(0, MAGIC_AT + 1)), /magic/);
    }
  });

  it('record counts that lie: more, fewer, negative, huge', () => {
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: 3 })));
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: 1 })), /left after/);
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: -1 })), /negative record count/);
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: 0x7fffffff })), /does not fit/);
    const bytes = handBatch(twoRecords, { recordCount: 2 });
    corruptError(() => decodeSync(patched(bytes, (b) => b.writeInt32BE(1_000_000, RECORD_COUNT_AT))), /does not fit/);
  });

  it('batch lengths below the header size, or negative', () => {
    const bytes = handBatch(twoRecords, { recordCount: 2 });
    for (const length of [-1, -(2 ** 31), 0, 48]) {
      const b = Buffer.from(bytes);
      b.writeInt32BE(length, BATCH_LENGTH_AT);
      corruptError(() => decodeSync(b, false), /batch length/);
    }
  });

  it('record lengths negative or beyond the batch', () => {
    const negative = new Writer().varint(-5).finish();
    corruptError(() => decodeSync(handBatch(Buffer.concat([negative, twoRecords]), { recordCount: 1 })), /record length/);
    const long = Buffer.concat([new Writer().varint(1000).finish(), Buffer.alloc(10)]);
    corruptError(() => decodeSync(handBatch(long, { recordCount: 1 })), /record length/);
  });

  it('a record whose fields do not fill its declared length, or overrun it', () => {
    const body = handRecord((w) => plainFields(w, 0, 'k', 'v'));
    const longer = Buffer.concat([new Writer().varint(body.length).finish(), body.subarray(1), Buffer.alloc(1)]);
    corruptError(() => decodeSync(handBatch(longer, { recordCount: 1 })), /declared/);
    const shorter = Buffer.concat([new Writer().varint(body.length - 2).finish(), body.subarray(1, body.length - 1)]);
    corruptError(() => decodeSync(handBatch(shorter, { recordCount: 1 })));
  });

  it('key, value and header lengths that lie', () => {
    const cases: Array<[string, (w: Writer) => void]> = [
      ['key too long', (w) => w.int8(0).varlong(0).varint(0).varint(50).raw(Buffer.from('k')).varint(-1).varint(0)],
      ['key -2', (w) => w.int8(0).varlong(0).varint(0).varint(-2).varint(-1).varint(0)],
      ['value too long', (w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(40).raw(Buffer.alloc(3)).varint(0)],
      ['value -7', (w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-7).varint(0)],
      ['header count lies', (w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1000).raw(Buffer.alloc(4))],
      ['header count negative', (w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(-3)],
      ['header key null', (w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1).varint(-1).varint(-1)],
      ['header key too long', (w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1).varint(9).raw(Buffer.from('ab')).varint(-1)],
      ['header value too long', (w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1).varint(1).raw(Buffer.from('h')).varint(30)],
      ['header value -4', (w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1).varint(1).raw(Buffer.from('h')).varint(-4)],
      ['negative offset delta', (w) => w.int8(0).varlong(0).varint(-1).varint(-1).varint(-1).varint(0)],
    ];
    for (const [name, fields] of cases) {
      assert.throws(() => decodeSync(handBatch(handRecord(fields), { recordCount: 1 })), CorruptRecordError, name);
    }
  });

  it('varints and varlongs that overflow or run past their record', () => {
    const overflowing = (w: Writer): void => {
      w.int8(0).varlong(0);
      w.raw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])); // offset delta: 5th byte > 0x0f
      w.varint(-1).varint(-1).varint(0);
    };
    corruptError(() => decodeSync(handBatch(handRecord(overflowing), { recordCount: 1 })), /overflows/);
    const longVarlong = (w: Writer): void => {
      w.int8(0).raw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
      w.varint(0).varint(-1).varint(-1).varint(0);
    };
    corruptError(() => decodeSync(handBatch(handRecord(longVarlong), { recordCount: 1 })), /varlong/);
    const beyond53 = (w: Writer): void => {
      w.int8(0).raw(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]));
      w.varint(0).varint(-1).varint(-1).varint(0);
    };
    corruptError(() => decodeSync(handBatch(handRecord(beyond53), { recordCount: 1 })), /2\^53/);
    // A three-byte record whose timestamp varlong continues past it (into bytes that follow).
    const cut = Buffer.concat([handRecord((w) => w.int8(0).raw(Buffer.from([0x80, 0x80]))), Buffer.alloc(4, 0x80)]);
    corruptError(() => decodeSync(handBatch(cut, { recordCount: 1 })), /past the end/);
  });

  it('int64 fields beyond 2^53 are refused, not rounded', () => {
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: 2, baseOffset: 2n ** 60n })), /base offset/);
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: 2, baseOffset: -1n })), /base offset/);
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: 2, baseTimestamp: 2n ** 62n })), /base timestamp/);
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: 2, maxTimestamp: -1n * 2n ** 62n })), /max timestamp/);
    const late = handRecord((w) => w.int8(0).varlong(2 ** 52 - 1).varint(0).varint(-1).varint(-1).varint(0));
    corruptError(() => decodeSync(handBatch(late, { recordCount: 1, baseTimestamp: 2n ** 52n + 10n })), /timestamp/);
  });

  it('an unknown codec id', () => {
    corruptError(() => decodeSync(handBatch(twoRecords, { recordCount: 2, attributes: 6 })), /codec/);
  });

  it('compressed sections that are not what their codec says: CompressionError', () => {
    for (const attributes of [1, 2, 3, 4]) {
      try {
        decodeSync(handBatch(twoRecords, { recordCount: 2, attributes }));
        assert.fail(`codec ${attributes} accepted garbage`);
      } catch (error) {
        assert.ok(error instanceof CompressionError, `codec ${attributes}: ${String(error)}`);
      }
    }
  });
});
