/** Builders shared by the record-batch tests: hand-made batches and CRC fix-ups. */
import { Writer } from '../../../src/protocol/writer.js';
import { ATTRIBUTES_AT, CRC_AT, RECORDS_AT } from '../../../src/protocol/records/batch-layout.js';
import { crc32c } from '../../../src/protocol/records/crc32c.js';

/** Recomputes a batch's CRC in place, so a test's deliberate lie reaches the parser. */
export function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_AT), CRC_AT);
  return batch;
}

/** A copy of `batch` changed by `edit`, with its CRC recomputed. */
export function patched(batch: Buffer, edit: (copy: Buffer) => void): Buffer {
  const copy = Buffer.from(batch);
  edit(copy);
  return fixCrc(copy);
}

/** Header fields of a hand-made batch. */
export interface HandBatch {
  recordCount: number;
  attributes?: number;
  baseOffset?: bigint;
  baseTimestamp?: bigint;
  maxTimestamp?: bigint;
  magic?: number;
}

/** A batch with a records section written by hand (`section`), valid CRC, honest batch length. */
export function handBatch(section: Buffer, h: HandBatch): Buffer {
  const w = new Writer();
  w.int64(h.baseOffset ?? 0n);
  w.int32(RECORDS_AT - 12 + section.length);
  w.int32(0); // partition leader epoch
  w.int8(h.magic ?? 2);
  w.uint32(0); // crc, fixed below
  w.int16(h.attributes ?? 0);
  w.int32(Math.max(0, h.recordCount - 1));
  w.int64(h.baseTimestamp ?? 1000n);
  w.int64(h.maxTimestamp ?? 1000n);
  w.int64(-1n);
  w.int16(-1);
  w.int32(-1);
  w.int32(h.recordCount);
  w.raw(section);
  return fixCrc(Buffer.from(w.finish()));
}

/** Writes one record's fields as given (no validation: tests use it to lie). */
export function handRecord(fields: (w: Writer) => void): Buffer {
  const body = new Writer();
  fields(body);
  const bytes = body.finish();
  const w = new Writer();
  w.varint(bytes.length);
  w.raw(bytes);
  return Buffer.from(w.finish());
}

/** The fields of an ordinary record: attributes, deltas, key, value, no headers. */
export function plainFields(w: Writer, offsetDelta: number, key: string | null, value: string | null): void {
  w.int8(0);
  w.varlong(0);
  w.varint(offsetDelta);
  if (key === null) w.varint(-1);
  else w.varint(Buffer.byteLength(key)).raw(Buffer.from(key));
  if (value === null) w.varint(-1);
  else w.varint(Buffer.byteLength(value)).raw(Buffer.from(value));
  w.varint(0);
}
