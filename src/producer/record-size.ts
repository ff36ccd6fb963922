/**
 * Sizes of records in a v2 record batch, computed before encoding so the accumulator can decide
 * where a record goes. The figures are upper bounds of the uncompressed size: the timestamp and
 * offset deltas are counted at their largest varint width.
 */

/** Bytes of a record batch's fixed header (magic 2): base offset through record count. */
export const BATCH_HEADER_BYTES = 61;

/** A record whose fields are already bytes (the producer converts strings once, at `send`). */
export interface RecordBytes {
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<{ key: string; value: Buffer | null }>;
}

/** Bytes of the zigzag varint encoding of a 32-bit signed `n`. */
export function varintSize(n: number): number {
  // Zigzag maps small negatives (the -1 of a null length) to small unsigned values.
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

function lengthPrefixed(bytes: Buffer | null): number {
  return bytes === null ? 1 : varintSize(bytes.length) + bytes.length;
}

/** Upper bound of one record's encoded size inside a batch, its own length prefix included. */
export function recordSizeUpperBound(record: RecordBytes): number {
  // attributes (1) + timestampDelta (≤ 10, varlong) + offsetDelta (≤ 5)
  let body = 1 + 10 + 5 + lengthPrefixed(record.key) + lengthPrefixed(record.value) + varintSize(record.headers.length);
  for (const h of record.headers) {
    const keyBytes = Buffer.byteLength(h.key);
    body += varintSize(keyBytes) + keyBytes + lengthPrefixed(h.value);
  }
  return varintSize(body) + body;
}
