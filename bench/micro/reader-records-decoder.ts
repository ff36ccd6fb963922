/**
 * The straightforward records-section decoder, written with the project's Reader: one method call
 * per field. Kept only as the benchmark's baseline for the hand-specialised decoder in
 * src/protocol/records/decode-records.ts (same output, same checks).
 */
import { CorruptRecordError, ProtocolError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import type { KafkaRecord, RecordHeader } from '../../src/protocol/records/types.js';

const NO_HEADERS: RecordHeader[] = [];

function nullableVarintBytes(r: Reader, end: number, what: string): Buffer | null {
  const length = r.varint();
  if (length === -1) return null;
  if (length < 0 || length > end - r.offset) throw new CorruptRecordError(`bad ${what} length ${length}`);
  return r.raw(length);
}

/** Decodes `count` records from `buf[start..end)` into `out`, as decodeRecords does. */
export function decodeRecordsWithReader(
  buf: Buffer,
  start: number,
  end: number,
  count: number,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTime: number | null,
  topic: string,
  partition: number,
  out: KafkaRecord[],
): void {
  if (count < 0 || count * 7 > end - start) throw new CorruptRecordError(`record count ${count} does not fit`);
  const r = new Reader(buf, start, end);
  try {
    for (let i = 0; i < count; i++) {
      const length = r.varint();
      if (length < 0 || length > r.remaining) throw new CorruptRecordError(`record length ${length}`);
      const recordEnd = r.offset + length;
      const sub = new Reader(buf, r.offset, recordEnd);
      sub.int8();
      const timestampDelta = sub.varlong();
      const offsetDelta = sub.varint();
      const key = nullableVarintBytes(sub, recordEnd, 'key');
      const value = nullableVarintBytes(sub, recordEnd, 'value');
      const headerCount = sub.varint();
      let headers = NO_HEADERS;
      if (headerCount !== 0) {
        if (headerCount < 0 || headerCount * 2 > sub.remaining) throw new CorruptRecordError(`header count ${headerCount}`);
        headers = [];
        for (let h = 0; h < headerCount; h++) {
          const keyLength = sub.varint();
          if (keyLength < 0) throw new CorruptRecordError('null header key');
          sub.need(keyLength, 'header key');
          const headerKey = buf.toString('utf8', sub.offset, sub.offset + keyLength);
          sub.offset += keyLength;
          headers.push({ key: headerKey, value: nullableVarintBytes(sub, recordEnd, 'header value') });
        }
      }
      if (sub.remaining !== 0) throw new CorruptRecordError('record length mismatch');
      r.offset = recordEnd;
      out.push({ topic, partition, offset: baseOffset + offsetDelta, timestamp: logAppendTime ?? baseTimestamp + timestampDelta, key, value, headers, attempt: 1 });
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw new CorruptRecordError(error.message, {}, error);
    throw error;
  }
  if (r.remaining !== 0) throw new CorruptRecordError('bytes left after the records');
}
