/**
 * Sizes of records in a v2 record batch, computed before encoding so the accumulator can decide
 * where a record goes. The figures are upper bounds of the uncompressed size: the timestamp and
 * offset deltas are counted at their largest varint width.
 */
import { lengthFieldBytes, varintBytes, varlongBytes } from '../protocol/records/varint-size.js';

/** Bytes of a record batch's fixed header (magic 2): base offset through record count. */
export const BATCH_HEADER_BYTES = 61;

/** A record whose fields are already bytes (the producer converts strings once, at `send`). */
export interface RecordBytes {
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<{ key: string; value: Buffer | null }>;
}

/** Upper bound of one record's encoded size inside a batch, its own length prefix included. */
export function recordSizeUpperBound(record: RecordBytes): number {
  // attributes (1) + timestampDelta (≤ 10, varlong) + offsetDelta (≤ 5)
  let body = 1 + 10 + 5 + lengthFieldBytes(record.key) + lengthFieldBytes(record.value) + varintBytes(record.headers.length);
  for (const h of record.headers) {
    const keyBytes = Buffer.byteLength(h.key);
    body += varintBytes(keyBytes) + keyBytes + lengthFieldBytes(h.value);
  }
  return varintBytes(body) + body;
}

/**
 * Exact encoded size of `record` as the record at `offsetDelta` of its batch, `timestampDelta` ms
 * after the batch's first record (what the batch encoder writes for it).
 */
export function recordSizeAt(record: RecordBytes, offsetDelta: number, timestampDelta: number): number {
  let body = 1 + varlongBytes(timestampDelta) + varintBytes(offsetDelta) + lengthFieldBytes(record.key) + lengthFieldBytes(record.value) + varintBytes(record.headers.length);
  for (const h of record.headers) {
    const keyBytes = Buffer.byteLength(h.key);
    body += varintBytes(keyBytes) + keyBytes + lengthFieldBytes(h.value);
  }
  return varintBytes(body) + body;
}
