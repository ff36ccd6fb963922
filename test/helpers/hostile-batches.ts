/**
 * Record batches a well-behaved producer never writes but a broken or hostile one can: valid CRC,
 * valid lengths, odd contents. Shared by the unit tests (decoded and handed to a stage) and the
 * integration test (written to a real broker with a raw Produce request).
 */
import { ATTRIBUTES_AT, CRC_AT, LAST_OFFSET_DELTA_AT, RECORDS_AT } from '../../src/protocol/records/batch-layout.js';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import type { RecordInput } from '../../src/protocol/records/types.js';

/** Reads the unsigned varint at `p`; returns its value (zig-zag decoded) and its byte length. */
function readVarint(buf: Buffer, p: number): { value: number; bytes: number } {
  let raw = 0;
  let shift = 0;
  let bytes = 0;
  for (;;) {
    const b = buf[p + bytes] as number;
    raw += (b & 0x7f) * 2 ** shift;
    bytes++;
    if (b < 0x80) break;
    shift += 7;
  }
  return { value: raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, bytes };
}

/** Writes `value` zig-zag encoded in exactly `bytes` bytes (continuation bits padding short values). */
function writeVarintOfLength(buf: Buffer, p: number, value: number, bytes: number): void {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  for (let i = 0; i < bytes; i++) {
    const last = i === bytes - 1;
    const low = raw % 128;
    raw = Math.floor(raw / 128);
    buf[p + i] = last ? low : low | 0x80;
  }
  if (raw !== 0) throw new RangeError(`offset delta ${value} does not fit in ${bytes} varint bytes`);
}

/**
 * An uncompressed magic-2 batch of `values` whose records carry `offsetDeltas` (one per value)
 * instead of 0, 1, 2, …, with a correct CRC32C. `lastOffsetDelta` stays `values.length - 1`, as a
 * broker would set it. Offset deltas must be non-negative (the decoder rejects negative ones).
 */
export async function batchWithOffsetDeltas(values: readonly string[], offsetDeltas: readonly number[], baseOffset = 0): Promise<Buffer> {
  if (values.length !== offsetDeltas.length) throw new RangeError('one offset delta per value');
  const records: RecordInput[] = values.map((value) => ({ value, timestamp: 1_700_000_000_000 }));
  const batch = Buffer.from(await encodeRecordBatch({ records, compression: 'none', baseOffset }));
  let p = RECORDS_AT;
  for (const delta of offsetDeltas) {
    const length = readVarint(batch, p);
    const bodyStart = p + length.bytes;
    // attributes (1 byte), timestamp delta (varlong), then the offset delta
    const timestampDelta = readVarint(batch, bodyStart + 1);
    const at = bodyStart + 1 + timestampDelta.bytes;
    const old = readVarint(batch, at);
    // Rewritten in place at the same width, so no length in the batch changes.
    writeVarintOfLength(batch, at, delta, old.bytes);
    p = bodyStart + length.value;
  }
  if (batch.readInt32BE(LAST_OFFSET_DELTA_AT) !== values.length - 1) throw new Error('unexpected lastOffsetDelta');
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_AT), CRC_AT);
  return batch;
}
