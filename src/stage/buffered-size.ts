/**
 * What a fetched record costs in memory once buffered: the one figure the partition buffers, the
 * consumer-wide byte budget and the fetch scheduler's bounds all count in.
 */

/**
 * Bytes a buffered record is counted for, per record, on top of its key, value and headers: a
 * nominal allowance for the record object and its Buffer views. Measured on Node 20, a decoded
 * record costs about 300 B of JS heap besides its bytes (the object plus two Buffer views into the
 * fetched response), so the budget undercounts small records; the per-partition record bound
 * (`buffer.maxRecordsPerPartition`) caps that difference at about maxRecords × 240 B per partition.
 */
export const RECORD_OVERHEAD_BYTES = 64;

/** The parts of a decoded record that hold memory. */
export interface SizedRecordParts {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly { readonly key: string; readonly value: Buffer | null }[];
}

/**
 * Bytes a record is counted for in the buffers and the consumer-wide budget: key length + value
 * length + every header's key length (UTF-16 units, as a cheap stand-in for UTF-8 bytes) and value
 * length + {@link RECORD_OVERHEAD_BYTES}. Decompressed sizes: what the record holds in memory.
 */
export function recordSizeInBytes(record: SizedRecordParts): number {
  let size = RECORD_OVERHEAD_BYTES;
  if (record.key !== null) size += record.key.length;
  if (record.value !== null) size += record.value.length;
  const headers = record.headers;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i] as { key: string; value: Buffer | null };
    size += h.key.length + (h.value === null ? 0 : h.value.length);
  }
  return size;
}
