import { ProtocolError } from './errors.js';

const UUID_BYTES = 16;

/**
 * Synchronous reader over a buffer of untrusted bytes.
 *
 * Every read checks that the bytes are there before touching them, and every length or count read
 * from the wire is checked against the bytes that remain before anything is allocated from it, so a
 * lying broker can never make us allocate more than the frame it already sent. Failures throw one
 * typed error, {@link ProtocolError}.
 *
 * Byte and string values are views into the underlying buffer (no copy): keep the frame alive as
 * long as the views are used.
 */
export class Reader {
  /** The bytes being read. */
  readonly buffer: Buffer;
  /** Position of the next byte to read. */
  offset: number;
  /** Position one past the last readable byte. */
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    if (offset < 0 || end > buffer.length || offset > end) {
      throw new ProtocolError(`reader window ${offset}..${end} outside buffer of ${buffer.length} bytes`);
    }
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what = 'value'): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new ProtocolError(
        `truncated ${what}: need ${n} bytes at offset ${this.offset}, ${this.end - this.offset} left`,
      );
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buffer.readInt8(this.offset++);
  }

  uint8(): number {
    this.need(1, 'uint8');
    return this.buffer[this.offset++] as number;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A signed 64-bit integer as a bigint (offsets, timestamps, producer ids). */
  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buffer.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 varint of at most 5 bytes (32 bits). */
  unsignedVarint(): number {
    let result = 0;
    let shift = 0;
    const buf = this.buffer;
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw new ProtocolError(`truncated varint at offset ${this.offset}`);
      const byte = buf[this.offset++] as number;
      if (i === 4 && byte > 0x0f) throw new ProtocolError(`varint overflows 32 bits at offset ${this.offset - 1}`);
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    /* c8 ignore next */
    throw new ProtocolError(`varint longer than 5 bytes at offset ${this.offset}`);
  }

  /** Zig-zag signed varint (32 bits). */
  varint(): number {
    const u = this.unsignedVarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /**
   * Zig-zag signed varlong as a number. Kafka uses varlongs for record timestamp and offset deltas,
   * which in practice fit easily; a value outside [-2^52, 2^52) (zig-zag form of 53 bits or more) is
   * rejected rather than silently rounded.
   */
  varlong(): number {
    const buf = this.buffer;
    // Fast path: deltas nearly always fit in 4 bytes (28 bits), where 32-bit arithmetic is exact.
    let lo = 0;
    for (let i = 0; i < 4; i++) {
      if (this.offset >= this.end) throw new ProtocolError(`truncated varlong at offset ${this.offset}`);
      const byte = buf[this.offset++] as number;
      lo |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) return (lo >>> 1) ^ -(lo & 1);
    }
    let hi = 0;
    for (let i = 0; i < 6; i++) {
      if (this.offset >= this.end) throw new ProtocolError(`truncated varlong at offset ${this.offset}`);
      const byte = buf[this.offset++] as number;
      hi += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        if (hi >= 2 ** 25) throw new ProtocolError(`varlong beyond 53 bits at offset ${this.offset}`);
        const u = hi * 2 ** 28 + (lo >>> 0);
        // zig-zag decode without 32-bit bitwise operators
        return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      }
    }
    throw new ProtocolError(`varlong longer than 10 bytes at offset ${this.offset}`);
  }

  /** A 16-byte UUID rendered as Kafka renders it (URL-safe base64 without padding). */
  uuid(): string {
    this.need(UUID_BYTES, 'uuid');
    const s = this.buffer.toString('base64url', this.offset, this.offset + UUID_BYTES);
    this.offset += UUID_BYTES;
    return s;
  }

  /** `n` raw bytes as a view (no copy). */
  raw(n: number): Buffer {
    this.need(n, 'bytes');
    const v = this.buffer.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.need(n, 'skipped bytes');
    this.offset += n;
  }

  private text(length: number): string {
    this.need(length, 'string');
    const s = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return s;
  }

  /** int16-length string. */
  string(): string {
    const length = this.int16();
    if (length < 0) throw new ProtocolError(`null where a string is required at offset ${this.offset - 2}`);
    return this.text(length);
  }

  /** int16-length string, -1 for null. */
  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolError(`negative string length ${length}`);
    return this.text(length);
  }

  /** Unsigned-varint length+1 string (flexible versions). */
  compactString(): string {
    const n = this.unsignedVarint();
    if (n === 0) throw new ProtocolError(`null where a compact string is required at offset ${this.offset - 1}`);
    return this.text(n - 1);
  }

  compactNullableString(): string | null {
    const n = this.unsignedVarint();
    return n === 0 ? null : this.text(n - 1);
  }

  /** int32-length bytes, -1 for null; a view, no copy. */
  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolError(`negative bytes length ${length}`);
    return this.raw(length);
  }

  bytes(): Buffer {
    const v = this.nullableBytes();
    if (v === null) throw new ProtocolError('null where bytes are required');
    return v;
  }

  compactNullableBytes(): Buffer | null {
    const n = this.unsignedVarint();
    return n === 0 ? null : this.raw(n - 1);
  }

  compactBytes(): Buffer {
    const v = this.compactNullableBytes();
    if (v === null) throw new ProtocolError('null where compact bytes are required');
    return v;
  }

  /**
   * Reads an array length (int32, or unsigned varint length+1 when `compact`); -1 means null.
   * The count is checked against the bytes left, assuming each element takes at least
   * `minElementBytes`, so a lying count cannot drive a huge allocation or a long loop.
   */
  arrayLength(compact: boolean, minElementBytes = 1): number {
    const count = compact ? this.unsignedVarint() - 1 : this.int32();
    if (count < -1) throw new ProtocolError(`negative array length ${count}`);
    if (count > 0 && count * minElementBytes > this.remaining) {
      throw new ProtocolError(`array of ${count} elements exceeds the ${this.remaining} bytes left`);
    }
    return count;
  }

  /**
   * Reads a tagged-field section (flexible versions). `onTag` gets each tag with a reader over exactly
   * its bytes and returns true if it consumed it; unknown tags are skipped, as the protocol requires.
   */
  taggedFields(onTag?: (tag: number, r: Reader) => void): void {
    const count = this.unsignedVarint();
    if (count > this.remaining) throw new ProtocolError(`tagged field count ${count} exceeds bytes left`);
    let lastTag = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.unsignedVarint();
      if (tag <= lastTag) throw new ProtocolError(`tagged fields out of order (${tag} after ${lastTag})`);
      lastTag = tag;
      const size = this.unsignedVarint();
      this.need(size, 'tagged field');
      if (onTag) {
        const sub = new Reader(this.buffer, this.offset, this.offset + size);
        onTag(tag, sub);
      }
      this.offset += size;
    }
  }
}
