/**
 * The records section of a batch: the consumer's hot path, specialised by hand.
 *
 * Varints are read inline from the raw buffer with a one-byte fast path (most record fields are
 * small), falling back to a general reader only for longer encodings; the Reader class is not
 * used here because a method call and property write per field measurably slow the loop. Every length and count is
 * checked against the bytes that remain before it is trusted.
 *
 * Allocation per record: the record object, one Buffer view each for a non-null key and value,
 * and, only when the record has headers, their array, objects and key strings.
 */
import { CorruptRecordError } from '../errors.js';
import { MIN_HEADER_BYTES, MIN_RECORD_BYTES } from './batch-layout.js';
import type { KafkaRecord, RecordHeader } from './types.js';

/** Shared by every record without headers; frozen so no caller can add to it for all. */
const NO_HEADERS = Object.freeze([]) as unknown as RecordHeader[];

/** Position after the last varint read by a slow path: an out parameter without an object per read. */
let after = 0;

function corrupt(message: string, at: number): CorruptRecordError {
  return new CorruptRecordError(message, { at });
}

/** Zig-zag varint (32 bits) at `p`, not reading at or past `end`. Sets {@link after}. */
function varintAt(buf: Buffer, start: number, end: number): number {
  let result = 0;
  let p = start;
  for (let i = 0; i < 5; i++) {
    if (p >= end) throw corrupt('varint runs past the end of its record', p);
    const byte = buf[p++] as number;
    if (i === 4 && byte > 0x0f) throw corrupt('varint overflows 32 bits', p - 1);
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      after = p;
      const u = result >>> 0;
      return (u >>> 1) ^ -(u & 1);
    }
  }
  /* c8 ignore next */
  throw corrupt('varint longer than 5 bytes', p);
}

/** Zig-zag varlong at `p` as a safe integer (beyond ±2^53 is corrupt, not rounded). Sets {@link after}. */
function varlongAt(buf: Buffer, start: number, end: number): number {
  let p = start;
  // The first 28 bits fit 32-bit integer arithmetic, which is several times faster than floating
  // point powers; only longer encodings (deltas beyond ~3 days in ms) take the second loop.
  let lo = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) throw corrupt('varlong runs past the end of its record', p);
    const byte = buf[p++] as number;
    lo |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      after = p;
      return (lo >>> 1) ^ -(lo & 1);
    }
  }
  let hi = 0;
  let scale = 1;
  for (let i = 4; ; i++) {
    if (i === 10) throw corrupt('varlong longer than 10 bytes', p);
    if (p >= end) throw corrupt('varlong runs past the end of its record', p);
    const byte = buf[p++] as number;
    hi += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) break;
  }
  if (hi >= 2 ** 25) throw corrupt('varlong beyond 2^53', start);
  after = p;
  const u = hi * 2 ** 28 + lo;
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/**
 * Decodes `count` records from `buf[start..end)` and appends them to `out`. The section must hold
 * exactly those records: bytes left over or missing are corruption.
 *
 * @param baseOffset - the batch's base offset; record offsets add their delta to it
 * @param baseTimestamp - the batch's base timestamp; record timestamps add their delta to it
 * @param logAppendTime - when not null, every record's timestamp (the broker's append time)
 * @param topic - topic the bytes were fetched from, set on every record (UNKNOWN_TOPIC when none)
 * @param partition - partition the bytes were fetched from, set on every record (UNKNOWN_PARTITION when none)
 * @throws CorruptRecordError with `context.at` the position of the fault in `buf`
 */
export function decodeRecords(
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
  if (count < 0 || count * MIN_RECORD_BYTES > end - start) {
    throw corrupt(`record count ${count} does not fit in ${end - start} bytes`, start);
  }
  const arrayBuffer = buf.buffer;
  const viewBase = buf.byteOffset;
  let p = start;
  let b = 0;
  for (let i = 0; i < count; i++) {
    // length: bounded by the section
    let length: number;
    if (p < end && (b = buf[p] as number) < 0x80) {
      length = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      length = varintAt(buf, p, end);
      p = after;
    }
    if (length < 0 || length > end - p) throw corrupt(`record length ${length} exceeds the ${end - p} bytes left`, p);
    const recordEnd = p + length;
    // attributes: unused in magic 2
    p++;
    let timestampDelta: number;
    if (p < recordEnd && (b = buf[p] as number) < 0x80) {
      timestampDelta = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      timestampDelta = varlongAt(buf, p, recordEnd);
      p = after;
    }
    let offsetDelta: number;
    if (p < recordEnd && (b = buf[p] as number) < 0x80) {
      offsetDelta = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      offsetDelta = varintAt(buf, p, recordEnd);
      p = after;
    }
    if (offsetDelta < 0) throw corrupt(`negative offset delta ${offsetDelta}`, p);

    let keyLength: number;
    if (p < recordEnd && (b = buf[p] as number) < 0x80) {
      keyLength = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      keyLength = varintAt(buf, p, recordEnd);
      p = after;
    }
    let key: Buffer | null = null;
    if (keyLength >= 0) {
      if (keyLength > recordEnd - p) throw corrupt(`key length ${keyLength} exceeds the ${recordEnd - p} bytes left`, p);
      key = Buffer.from(arrayBuffer, viewBase + p, keyLength);
      p += keyLength;
    } else if (keyLength !== -1) {
      throw corrupt(`negative key length ${keyLength}`, p);
    }

    let valueLength: number;
    if (p < recordEnd && (b = buf[p] as number) < 0x80) {
      valueLength = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      valueLength = varintAt(buf, p, recordEnd);
      p = after;
    }
    let value: Buffer | null = null;
    if (valueLength >= 0) {
      if (valueLength > recordEnd - p) throw corrupt(`value length ${valueLength} exceeds the ${recordEnd - p} bytes left`, p);
      value = Buffer.from(arrayBuffer, viewBase + p, valueLength);
      p += valueLength;
    } else if (valueLength !== -1) {
      throw corrupt(`negative value length ${valueLength}`, p);
    }

    let headerCount: number;
    if (p < recordEnd && (b = buf[p] as number) < 0x80) {
      headerCount = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      headerCount = varintAt(buf, p, recordEnd);
      p = after;
    }
    let headers = NO_HEADERS;
    if (headerCount !== 0) {
      if (headerCount < 0 || headerCount * MIN_HEADER_BYTES > recordEnd - p) {
        throw corrupt(`header count ${headerCount} does not fit in the ${recordEnd - p} bytes left`, p);
      }
      headers = [];
      for (let h = 0; h < headerCount; h++) {
        const keyBytes = varintAt(buf, p, recordEnd);
        p = after;
        if (keyBytes < 0 || keyBytes > recordEnd - p) throw corrupt(`header key length ${keyBytes} is invalid here`, p);
        const headerKey = buf.toString('utf8', p, p + keyBytes);
        p += keyBytes;
        const valueBytes = varintAt(buf, p, recordEnd);
        p = after;
        let headerValue: Buffer | null = null;
        if (valueBytes >= 0) {
          if (valueBytes > recordEnd - p) throw corrupt(`header value length ${valueBytes} exceeds the ${recordEnd - p} bytes left`, p);
          headerValue = Buffer.from(arrayBuffer, viewBase + p, valueBytes);
          p += valueBytes;
        } else if (valueBytes !== -1) {
          throw corrupt(`negative header value length ${valueBytes}`, p);
        }
        headers.push({ key: headerKey, value: headerValue });
      }
    }
    if (p !== recordEnd) throw corrupt(`record declared ${length} bytes but its fields took ${length + p - recordEnd}`, p);

    const timestamp = logAppendTime ?? baseTimestamp + timestampDelta;
    if (timestamp > Number.MAX_SAFE_INTEGER || timestamp < Number.MIN_SAFE_INTEGER) {
      throw corrupt(`record timestamp beyond 2^53`, recordEnd);
    }
    // Every field set here, in one literal: all records share one shape (hidden class) on the hot path.
    out.push({ topic, partition, offset: baseOffset + offsetDelta, timestamp, key, value, headers, attempt: 1 });
  }
  if (p !== end) throw corrupt(`${end - p} bytes left after the last of ${count} records`, p);
}
