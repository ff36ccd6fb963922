/** The Reader/Writer pair: every primitive round trips, edge values, and malformed input is refused with ProtocolError. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

function bytesOf(write: (w: Writer) => void): Buffer {
  const w = new Writer(4);
  write(w);
  return Buffer.from(w.finish());
}

function reader(hex: string): Reader {
  return new Reader(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

/** Writes `v`, checks the exact bytes when given, reads it back and checks nothing is left. */
function roundTrip<T>(v: NoInfer<T>, read: (r: Reader) => T, write: (w: Writer, v: T) => void, hex?: string): void {
  const buf = bytesOf((w) => write(w, v));
  if (hex !== undefined) assert.equal(buf.toString('hex'), hex, `bytes of ${String(v)}`);
  const r = new Reader(buf);
  assert.deepEqual(read(r), v);
  assert.equal(r.remaining, 0);
}

describe('fixed-width integers', () => {
  it('round trip at their limits, big-endian', () => {
    for (const v of [-128, -1, 0, 1, 127]) roundTrip(v, (r) => r.int8(), (w, x) => w.int8(x));
    for (const v of [0, 1, 255]) roundTrip(v, (r) => r.uint8(), (w, x) => w.uint8(x));
    for (const v of [-32768, -1, 0, 32767]) roundTrip(v, (r) => r.int16(), (w, x) => w.int16(x));
    for (const v of [0, 65535]) roundTrip(v, (r) => r.uint16(), (w, x) => w.uint16(x));
    for (const v of [-(2 ** 31), -1, 0, 2 ** 31 - 1]) roundTrip(v, (r) => r.int32(), (w, x) => w.int32(x));
    for (const v of [0, 2 ** 32 - 1]) roundTrip(v, (r) => r.uint32(), (w, x) => w.uint32(x));
    for (const v of [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]) roundTrip(v, (r) => r.int64(), (w, x) => w.int64(x));
    for (const v of [0, -1.5, Number.MAX_VALUE, -Infinity]) roundTrip(v, (r) => r.float64(), (w, x) => w.float64(x));
    roundTrip(0x01020304, (r) => r.int32(), (w, x) => w.int32(x), '01020304');
    roundTrip(-2n, (r) => r.int64(), (w, x) => w.int64(x), 'fffffffffffffffe');
  });

  it('booleans: any non-zero byte is true', () => {
    roundTrip(true, (r) => r.bool(), (w, x) => w.bool(x), '01');
    roundTrip(false, (r) => r.bool(), (w, x) => w.bool(x), '00');
    assert.equal(reader('ff').bool(), true);
  });

  it('every width refuses to read past the end', () => {
    const reads: ((r: Reader) => unknown)[] = [
      (r) => r.int8(),
      (r) => r.uint8(),
      (r) => r.int16(),
      (r) => r.uint16(),
      (r) => r.int32(),
      (r) => r.uint32(),
      (r) => r.int64(),
      (r) => r.float64(),
      (r) => r.uuid(),
    ];
    for (const read of reads) {
      assert.throws(() => read(new Reader(Buffer.alloc(0))), ProtocolError);
    }
    assert.throws(() => reader('0000').int32(), ProtocolError);
    assert.throws(() => reader('00000000000000').int64(), ProtocolError);
  });

  it('a reader window outside its buffer is refused', () => {
    assert.throws(() => new Reader(Buffer.alloc(4), 0, 5), ProtocolError);
    assert.throws(() => new Reader(Buffer.alloc(4), 3, 2), ProtocolError);
    assert.throws(() => new Reader(Buffer.alloc(4), -1), ProtocolError);
    const r = new Reader(Buffer.from('00010203', 'hex'), 1, 3);
    assert.equal(r.int16(), 0x0102);
    assert.throws(() => r.int8(), ProtocolError, 'the window ends before the buffer does');
  });
});

describe('varints', () => {
  it('unsigned varints: exact bytes from 1 to 5 bytes, up to 2^32-1', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [16383, 'ff7f'],
      [16384, '808001'],
      [2 ** 21 - 1, 'ffff7f'],
      [2 ** 28 - 1, 'ffffff7f'],
      [2 ** 28, '8080808001'],
      [2 ** 31, '8080808008'],
      [2 ** 32 - 1, 'ffffffff0f'],
    ];
    for (const [v, hex] of cases) roundTrip(v, (r) => r.unsignedVarint(), (w, x) => w.unsignedVarint(x), hex);
  });

  it('signed varints zig-zag, int32 min and max included', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-64, '7f'],
      [64, '8001'],
      [2 ** 31 - 1, 'feffffff0f'],
      [-(2 ** 31), 'ffffffff0f'],
    ];
    for (const [v, hex] of cases) roundTrip(v, (r) => r.varint(), (w, x) => w.varint(x), hex);
  });

  it('overlong and overflowing varints are refused', () => {
    // A sixth byte would follow (continuation bit on the fifth byte).
    assert.throws(() => reader('ffffffff8f01').unsignedVarint(), ProtocolError);
    // The fifth byte may only carry 4 bits of a 32-bit value.
    assert.throws(() => reader('ffffffff1f').unsignedVarint(), ProtocolError);
    assert.throws(() => reader('8080808010').varint(), ProtocolError);
    // Truncated: the continuation bit promises more bytes.
    assert.throws(() => reader('80').unsignedVarint(), ProtocolError);
    assert.throws(() => reader('ffffffff').varint(), ProtocolError);
  });

  it('redundant (non-minimal) encodings of small values still decode', () => {
    // Java accepts these; the limit is on length and overflow, not minimality.
    assert.equal(reader('8000').unsignedVarint(), 0);
    assert.equal(reader('8180808000').unsignedVarint(), 1);
  });

  it('the writer refuses unsigned varints outside 0..2^32-1', () => {
    for (const v of [-1, 2 ** 32, 1.5, Number.NaN]) assert.throws(() => new Writer().unsignedVarint(v), ProtocolError);
  });

  it('varlongs: exact bytes, and the extremes of the supported range [-2^52, 2^52)', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [150, 'ac02'],
      [-(2 ** 31) - 1, '8180808010'],
      [1_700_000_000_000, '80a0abfef962'],
    ];
    for (const [v, hex] of cases) roundTrip(v, (r) => r.varlong(), (w, x) => w.varlong(x), hex);
    for (const v of [2 ** 52 - 1, -(2 ** 52), 2 ** 40 + 3, -(2 ** 45) - 7]) {
      roundTrip(v, (r) => r.varlong(), (w, x) => w.varlong(x));
    }
  });

  it('varlongs beyond the range are refused on both sides, never rounded', () => {
    for (const v of [2 ** 52, -(2 ** 52) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0.5]) {
      assert.throws(() => new Writer().varlong(v), ProtocolError, String(v));
    }
    // 2^52 zig-zagged (2^53): valid Kafka, outside what we read into a number.
    assert.throws(() => reader('8080808080808010').varlong(), ProtocolError);
    // 2^62 zig-zagged (2^63), ten bytes.
    assert.throws(() => reader('80808080808080808001').varlong(), ProtocolError);
    // Ten bytes with the continuation bit still set on the last one.
    assert.throws(() => reader('ffffffffffffffffff81').varlong(), ProtocolError);
    assert.throws(() => reader('ffff').varlong(), ProtocolError);
  });
});

describe('strings', () => {
  it('int16-length strings, nullable with -1', () => {
    roundTrip('', (r) => r.string(), (w, x) => w.string(x), '0000');
    roundTrip('abc', (r) => r.string(), (w, x) => w.string(x), '0003616263');
    roundTrip('é', (r) => r.string(), (w, x) => w.string(x), '0002c3a9');
    roundTrip(null, (r) => r.nullableString(), (w, x) => w.nullableString(x), 'ffff');
    roundTrip('x', (r) => r.nullableString(), (w, x) => w.nullableString(x), '000178');
    const long = 'k'.repeat(0x7fff);
    roundTrip(long, (r) => r.string(), (w, x) => w.string(x));
    assert.throws(() => new Writer().string('k'.repeat(0x8000)), ProtocolError);
  });

  it('compact strings: unsigned varint length+1, 0 for null', () => {
    roundTrip('', (r) => r.compactString(), (w, x) => w.compactString(x), '01');
    roundTrip('abc', (r) => r.compactString(), (w, x) => w.compactString(x), '04616263');
    roundTrip(null, (r) => r.compactNullableString(), (w, x) => w.compactNullableString(x), '00');
    roundTrip('y', (r) => r.compactNullableString(), (w, x) => w.compactNullableString(x), '0279');
    const long = 'z'.repeat(200);
    roundTrip(long, (r) => r.compactString(), (w, x) => w.compactString(x), `c901${Buffer.from(long).toString('hex')}`);
  });

  it('null where a value is required, negative lengths and lengths past the end are refused', () => {
    assert.throws(() => reader('ffff').string(), ProtocolError);
    assert.throws(() => reader('fffe').nullableString(), ProtocolError);
    assert.throws(() => reader('8000').nullableString(), ProtocolError);
    assert.throws(() => reader('00').compactString(), ProtocolError);
    assert.throws(() => reader('000561').string(), ProtocolError);
    assert.throws(() => reader('7fff').string(), ProtocolError);
    assert.throws(() => reader('0561').compactString(), ProtocolError);
    assert.throws(() => reader('ffffffff0f').compactNullableString(), ProtocolError);
  });
});

describe('bytes', () => {
  it('int32-length bytes, nullable with -1, read as views without copying', () => {
    roundTrip(Buffer.alloc(0), (r) => r.bytes(), (w, x) => w.bytes(x), '00000000');
    roundTrip(Buffer.from([1, 2]), (r) => r.bytes(), (w, x) => w.bytes(x), '000000020102');
    roundTrip(null, (r) => r.nullableBytes(), (w, x) => w.nullableBytes(x), 'ffffffff');
    const buf = Buffer.from('0000000309080706', 'hex');
    const view = new Reader(buf).bytes();
    assert.deepEqual([...view], [9, 8, 7]);
    assert.equal(view.buffer, buf.buffer, 'a view of the frame');
    buf[4] = 1;
    assert.equal(view[0], 1, 'shares memory with the frame');
  });

  it('compact bytes: unsigned varint length+1, 0 for null', () => {
    roundTrip(Buffer.from([5]), (r) => r.compactBytes(), (w, x) => w.compactBytes(x), '0205');
    roundTrip(Buffer.alloc(0), (r) => r.compactBytes(), (w, x) => w.compactBytes(x), '01');
    roundTrip(null, (r) => r.compactNullableBytes(), (w, x) => w.compactNullableBytes(x), '00');
    roundTrip(Buffer.from([5, 6]), (r) => r.compactNullableBytes(), (w, x) => w.compactNullableBytes(x), '030506');
  });

  it('null where bytes are required, negative lengths and lengths past the end are refused', () => {
    assert.throws(() => reader('ffffffff').bytes(), ProtocolError);
    assert.throws(() => reader('fffffffe').nullableBytes(), ProtocolError);
    assert.throws(() => reader('80000000').nullableBytes(), ProtocolError);
    assert.throws(() => reader('00').compactBytes(), ProtocolError);
    // A length of 2^31-1 with four bytes behind it: refused before any allocation.
    assert.throws(() => reader('7fffffff00000000').bytes(), ProtocolError);
    assert.throws(() => reader('ffffffff0f00').compactBytes(), ProtocolError);
    assert.throws(() => reader('01').raw(2), ProtocolError);
    assert.throws(() => reader('01').skip(2), ProtocolError);
    assert.throws(() => reader('01').raw(-1), ProtocolError);
  });
});

describe('uuid', () => {
  it('round trips as URL-safe base64 of 16 bytes; zero is all zeros', () => {
    const hex = '0123456789abcdeffedcba9876543210';
    const id = Buffer.from(hex, 'hex').toString('base64url');
    roundTrip(id, (r) => r.uuid(), (w, x) => w.uuid(x), hex);
    roundTrip('AAAAAAAAAAAAAAAAAAAAAA', (r) => r.uuid(), (w, x) => w.uuid(x), '00'.repeat(16));
  });

  it('refuses ids that are not 16 bytes, and truncated ids', () => {
    assert.throws(() => new Writer().uuid('AAAA'), ProtocolError);
    assert.throws(() => new Writer().uuid(''), ProtocolError);
    assert.throws(() => reader('00'.repeat(15)).uuid(), ProtocolError);
  });
});

describe('array lengths', () => {
  it('int32 or compact, null as -1 / 0', () => {
    // Three one-byte elements follow each length, so the count fits the bytes left.
    assert.equal(bytesOf((w) => w.arrayLength(3, false)).toString('hex'), '00000003');
    assert.equal(bytesOf((w) => w.arrayLength(3, true)).toString('hex'), '04');
    assert.equal(reader('00000003 010203').arrayLength(false), 3);
    assert.equal(reader('04 010203').arrayLength(true), 3);
    assert.equal(bytesOf((w) => w.arrayLength(null, false)).toString('hex'), 'ffffffff');
    assert.equal(bytesOf((w) => w.arrayLength(null, true)).toString('hex'), '00');
    assert.equal(reader('ffffffff').arrayLength(false), -1);
    assert.equal(reader('00').arrayLength(true), -1);
    assert.equal(reader('00000000').arrayLength(false), 0);
  });

  it('negative counts other than -1 are refused', () => {
    assert.throws(() => reader('fffffffe').arrayLength(false), ProtocolError);
    assert.throws(() => reader('80000000').arrayLength(false), ProtocolError);
  });

  it('counts larger than the bytes left are refused before anything is allocated', () => {
    assert.throws(() => reader('7fffffff').arrayLength(false), ProtocolError);
    assert.throws(() => reader('ffffffff0f').arrayLength(true), ProtocolError);
    // Three elements of at least 4 bytes cannot fit in 8 bytes; two can.
    assert.throws(() => reader('00000003 0000000000000000').arrayLength(false, 4), ProtocolError);
    assert.equal(reader('00000002 0000000000000000').arrayLength(false, 4), 2);
  });
});

describe('tagged fields', () => {
  it('are handed over in order, each with a reader over exactly its bytes', () => {
    // Two fields: tag 0 with 2 bytes, tag 5 with 1 byte; then a trailing int8.
    const r = reader('02 00 02 abcd 05 01 ef 7f');
    const seen: [number, string][] = [];
    r.taggedFields((tag, sub) => {
      seen.push([tag, sub.raw(sub.remaining).toString('hex')]);
    });
    assert.deepEqual(seen, [
      [0, 'abcd'],
      [5, 'ef'],
    ]);
    assert.equal(r.int8(), 0x7f, 'the reader continues after the section');
  });

  it('unknown tags are skipped when no handler takes them', () => {
    const r = reader('01 09 03 010203 11');
    r.taggedFields();
    assert.equal(r.int8(), 0x11);
  });

  it('an empty section is one zero byte', () => {
    const r = reader('00');
    r.taggedFields(() => assert.fail('no tags'));
    assert.equal(r.remaining, 0);
  });

  it('out-of-order or repeated tags, oversized counts and truncated values are refused', () => {
    assert.throws(() => reader('02 05 00 01 00').taggedFields(), ProtocolError);
    assert.throws(() => reader('02 01 00 01 00').taggedFields(), ProtocolError);
    assert.throws(() => reader('05 00 00').taggedFields(), ProtocolError);
    assert.throws(() => reader('01 00 05 0102').taggedFields(), ProtocolError);
    assert.throws(() => reader('01 00').taggedFields(), ProtocolError);
  });

  it('a handler cannot read past its field', () => {
    const r = reader('01 00 01 aa bbbbbbbb');
    assert.throws(() => r.taggedFields((_tag, sub) => sub.int32()), ProtocolError);
  });
});

describe('writer', () => {
  it('grows from a tiny capacity and back-fills reserved lengths', () => {
    const w = new Writer(1);
    const at = w.reserveInt32();
    for (let i = 0; i < 1000; i++) w.int32(i);
    w.patchInt32(at, w.offset - 4);
    const buf = w.finish();
    assert.equal(buf.length, 4004);
    assert.equal(buf.readInt32BE(0), 4000);
    assert.equal(buf.readInt32BE(4 + 999 * 4), 999);
    w.patchUInt32(at, 0xffffffff);
    assert.equal(buf.readUInt32BE(0), 0xffffffff);
  });
});
