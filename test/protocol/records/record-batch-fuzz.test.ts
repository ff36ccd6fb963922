/**
 * Property tests of the batch decoder: random bytes and mutated real batches give either batches
 * or a typed KafkaStageError — never a RangeError, TypeError or a hang — and any records the
 * encoder accepts come back unchanged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KafkaStageError } from '../../../src/errors.js';
import {
  decodeRecordBatches,
  decodeRecordBatchesSync,
  encodeRecordBatch,
  type CompressionName,
  type RecordInput,
} from '../../../src/protocol/records/record-batch.js';
import { fixCrc } from './helpers.js';

const CODECS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const LIMIT = 1024 * 1024;

/** Decodes and returns the outcome; any error that is not ours fails the property. */
async function outcome(bytes: Buffer, verifyCrc: boolean): Promise<'ok' | 'typed-error'> {
  try {
    await decodeRecordBatches(bytes, { maxDecompressedBytes: LIMIT, verifyCrc });
    return 'ok';
  } catch (error) {
    if (error instanceof KafkaStageError) return 'typed-error';
    throw error;
  }
}

function outcomeSync(bytes: Buffer, verifyCrc: boolean): 'ok' | 'typed-error' {
  try {
    decodeRecordBatchesSync(bytes, { maxDecompressedBytes: LIMIT, verifyCrc });
    return 'ok';
  } catch (error) {
    if (error instanceof KafkaStageError) return 'typed-error';
    throw error;
  }
}

const bytesArb = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(fc.oneof(bytesArb, fc.string({ maxLength: 20 })), { nil: null }),
  value: fc.option(fc.oneof(bytesArb, fc.string({ maxLength: 200 })), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: fc.option(bytesArb, { nil: null }) }), { maxLength: 3 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});

let samples: Buffer[] | undefined;
async function sampleBatches(): Promise<Buffer[]> {
  samples ??= await Promise.all(
    CODECS.map((compression, i) =>
      encodeRecordBatch({
        compression,
        baseOffset: i * 100,
        records: [
          { key: 'key', value: 'value '.repeat(20), headers: [{ key: 'h', value: 'v' }], timestamp: 1_700_000_000_000 },
          { key: null, value: null, timestamp: 1_700_000_000_100 },
          { value: 'x'.repeat(300), timestamp: 1_700_000_100_000 },
        ],
      }),
    ),
  );
  return samples;
}

describe('decoder properties', () => {
  it('random bytes: batches or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (raw, verifyCrc) => {
        outcomeSync(Buffer.from(raw), verifyCrc);
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes behind a plausible batch header: batches or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: -5, max: 40 }), (body, codec, count) => {
        const header = Buffer.alloc(61);
        header.writeInt32BE(49 + body.length, 8);
        header.writeInt8(2, 16);
        header.writeInt16BE(codec, 21);
        header.writeInt32BE(count, 57);
        const bytes = fixCrc(Buffer.concat([header, body]));
        outcomeSync(bytes, true);
      }),
      { numRuns: 2000 },
    );
  });

  it('real batches of every codec with bytes mutated: batches or a typed error', async () => {
    const batches = await sampleBatches();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: batches.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (which, mutations, recomputeCrc) => {
          const bytes = Buffer.from(batches[which] as Buffer);
          for (const [at, value] of mutations) bytes[at % bytes.length] = value;
          if (recomputeCrc && bytes.length >= 61) fixCrc(bytes);
          await outcome(bytes, false);
          await outcome(bytes, true);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('real batches concatenated and cut anywhere: the complete ones, or a typed error', async () => {
    const all = Buffer.concat(await sampleBatches());
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: all.length }), fc.integer({ min: 0, max: 60 }), async (cut, start) => {
        const view = all.subarray(Math.min(start, cut), cut);
        await outcome(view, true);
      }),
      { numRuns: 500 },
    );
  });

  it('whatever the encoder accepts decodes to the same records', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(...CODECS),
        fc.integer({ min: 0, max: 2 ** 40 }),
        async (records, compression, baseOffset) => {
          const bytes = await encodeRecordBatch({ records, compression, baseOffset });
          const { batches, truncatedTail } = await decodeRecordBatches(bytes, { maxDecompressedBytes: LIMIT });
          assert.equal(truncatedTail, false);
          const decoded = batches[0]?.records ?? [];
          assert.equal(decoded.length, records.length);
          const asBuffer = (v: Uint8Array | string | null | undefined): Buffer | null =>
            v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
          records.forEach((input, i) => {
            const r = decoded[i];
            assert.ok(r !== undefined);
            assert.equal(r.offset, baseOffset + i);
            assert.equal(r.timestamp, input.timestamp);
            assert.deepEqual(r.key === null ? null : Buffer.from(r.key), asBuffer(input.key));
            assert.deepEqual(r.value === null ? null : Buffer.from(r.value), asBuffer(input.value));
            assert.deepEqual(
              r.headers.map((h) => [h.key, h.value === null ? null : Buffer.from(h.value)]),
              (input.headers ?? []).map((h) => [h.key, asBuffer(h.value)]),
            );
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
