import { ProtocolError } from './errors.js';

const INITIAL_CAPACITY = 256;
/** Magnitude bound of varlongs held in a number (see {@link Writer.varlong}). */
const VARLONG_LIMIT = 2 ** 52;

/**
 * Synchronous growable writer. Encoding is never async. Length prefixes that are only known after
 * the body is written are reserved with {@link Writer.reserveInt32} and back-filled with
 * {@link Writer.patchInt32}.
 */
export class Writer {
  private buf: Buffer;
  /** Number of bytes written so far. */
  offset = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const needed = this.offset + n;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  /** The written bytes (a view of the internal buffer: do not write after taking it). */
  finish(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  int8(v: number): this {
    this.ensure(1);
    this.offset = this.buf.writeInt8(v, this.offset);
    return this;
  }

  uint8(v: number): this {
    this.ensure(1);
    this.offset = this.buf.writeUInt8(v, this.offset);
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.offset = this.buf.writeInt16BE(v, this.offset);
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.offset = this.buf.writeUInt16BE(v, this.offset);
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.offset = this.buf.writeInt32BE(v, this.offset);
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.offset = this.buf.writeUInt32BE(v, this.offset);
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.offset = this.buf.writeBigInt64BE(v, this.offset);
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.offset = this.buf.writeDoubleBE(v, this.offset);
    return this;
  }

  unsignedVarint(v: number): this {
    if (v < 0 || v > 0xffffffff || !Number.isInteger(v)) throw new ProtocolError(`unsigned varint out of range: ${v}`);
    this.ensure(5);
    let u = v >>> 0;
    while (u >= 0x80) {
      this.buf[this.offset++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    this.buf[this.offset++] = u;
    return this;
  }

  varint(v: number): this {
    return this.unsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /**
   * Zig-zag varlong of an integer in [-2^52, 2^52): the range whose zig-zag form (2|v| or 2|v|-1)
   * is still exact as a number, and the range {@link Reader.varlong} accepts.
   */
  varlong(v: number): this {
    if (!Number.isInteger(v) || v < -VARLONG_LIMIT || v >= VARLONG_LIMIT) {
      throw new ProtocolError(`varlong out of the supported range [-2^52, 2^52): ${v}`);
    }
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(10);
    while (u >= 0x80) {
      this.buf[this.offset++] = (u % 0x80) | 0x80;
      u = Math.floor(u / 0x80);
    }
    this.buf[this.offset++] = u;
    return this;
  }

  /** A UUID given as Kafka renders it (URL-safe base64, 22 characters). */
  uuid(v: string): this {
    const bytes = Buffer.from(v, 'base64url');
    if (bytes.length !== 16) throw new ProtocolError(`not a 16-byte UUID: ${v}`);
    return this.raw(bytes);
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }

  string(v: string): this {
    const length = Buffer.byteLength(v);
    if (length > 0x7fff) throw new ProtocolError(`string of ${length} bytes exceeds the int16 length limit`);
    this.int16(length);
    this.ensure(length);
    this.offset += this.buf.write(v, this.offset, 'utf8');
    return this;
  }

  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }

  compactString(v: string): this {
    const length = Buffer.byteLength(v);
    this.unsignedVarint(length + 1);
    this.ensure(length);
    this.offset += this.buf.write(v, this.offset, 'utf8');
    return this;
  }

  compactNullableString(v: string | null): this {
    return v === null ? this.unsignedVarint(0) : this.compactString(v);
  }

  bytes(v: Uint8Array): this {
    this.int32(v.length);
    return this.raw(v);
  }

  nullableBytes(v: Uint8Array | null): this {
    return v === null ? this.int32(-1) : this.bytes(v);
  }

  compactBytes(v: Uint8Array): this {
    this.unsignedVarint(v.length + 1);
    return this.raw(v);
  }

  compactNullableBytes(v: Uint8Array | null): this {
    return v === null ? this.unsignedVarint(0) : this.compactBytes(v);
  }

  /** Array length prefix: int32, or unsigned varint length+1 when compact; null is -1 / 0. */
  arrayLength(length: number | null, compact: boolean): this {
    if (compact) return this.unsignedVarint(length === null ? 0 : length + 1);
    return this.int32(length === null ? -1 : length);
  }

  /** Reserves four bytes for an int32 written later with {@link Writer.patchInt32}; returns its position. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.offset;
    this.offset += 4;
    return at;
  }

  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  patchUInt32(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  /** Direct access for hand-specialised encoders (record batches); valid until the next write. */
  get buffer(): Buffer {
    return this.buf;
  }
}
