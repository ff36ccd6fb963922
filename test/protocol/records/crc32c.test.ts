/** CRC32C: published test vectors, ranges, incremental use, and the word path against the byte path. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytewise, crc32c, crc32cPortable, crc32cUpdate, NATIVE_MIN_BYTES, nativeCrc32c, wordwise } from '../../../src/protocol/records/crc32c.js';

/** Reference CRC32C one bit at a time, straight from the definition. */
function referenceCrc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the RFC 3720 (iSCSI) appendix B.4 vectors', () => {
    const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const descending = Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i));
    assert.equal(crc32c(Buffer.alloc(32, 0x00)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(ascending), 0x46dd794e);
    assert.equal(crc32c(descending), 0x113fdb5c);
    // The 48-byte iSCSI read command PDU, also from B.4.
    const pdu = Buffer.from(
      ['01c00000', '00000000', '00000000', '00000000', '14000000', '00000400',
       '00000014', '00000018', '28000000', '00000000', '02000000', '00000000'].join(''),
      'hex',
    );
    assert.equal(pdu.length, 48);
    assert.equal(crc32c(pdu), 0xd9963a56);
  });

  it('matches the common check value and the empty input', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });

  it('checksums only the given range', () => {
    const data = Buffer.from('xx123456789yy');
    assert.equal(crc32c(data, 2, 11), 0xe3069283);
    assert.equal(crc32c(data, 5, 5), 0);
    assert.throws(() => crc32c(data, 4, 2), RangeError);
    assert.throws(() => crc32c(data, -1, 2), RangeError);
    assert.throws(() => crc32c(data, 0, 14), RangeError);
  });

  it('continues across pieces: crc(a+b) = update(crc(a), b)', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) & 0xff));
    for (const cut of [0, 1, 7, 63, 64, 500, 999, 1000]) {
      assert.equal(crc32cUpdate(crc32c(data, 0, cut), data, cut, data.length), crc32c(data), `cut at ${cut}`);
    }
  });

  it('agrees with the bitwise definition for every length and alignment up to 300 bytes', () => {
    const data = Buffer.from(Array.from({ length: 320 }, (_, i) => (i * 197 + 13) & 0xff));
    for (let start = 0; start < 8; start++) {
      for (let end = start; end <= start + 300; end++) {
        const expected = referenceCrc32c(data.subarray(start, end));
        assert.equal(crc32c(data, start, end), expected);
        assert.equal(~wordwise(-1, data, start, end) >>> 0, expected, `word path ${start}..${end}`);
        assert.equal(~bytewise(-1, data, start, end) >>> 0, expected, `byte path ${start}..${end}`);
      }
    }
  });

  it('handles views at any byte offset of a larger buffer', () => {
    const backing = Buffer.alloc(4096 + 3);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 31) & 0xff;
    const view = backing.subarray(3);
    assert.equal(crc32c(view), referenceCrc32c(view));
  });
});

describe('crc32c native path (@node-rs/crc32)', () => {
  it('is loaded in this checkout, where the optional package is installed', () => {
    assert.equal(typeof nativeCrc32c, 'function');
  });

  it('agrees with the portable code on every length around the cut-over, at every alignment, and when continued', () => {
    const data = Buffer.from(Array.from({ length: 4096 + 64 }, (_, i) => (i * 197 + 11) & 0xff));
    for (const length of [NATIVE_MIN_BYTES - 1, NATIVE_MIN_BYTES, NATIVE_MIN_BYTES + 1, 1000, 4096]) {
      for (let offset = 0; offset < 8; offset++) {
        const expected = crc32cPortable(0, data, offset, offset + length);
        assert.equal(crc32c(data, offset, offset + length), expected, `length ${length} offset ${offset}`);
        assert.equal(crc32c(data, offset, offset + length), referenceCrc32c(data.subarray(offset, offset + length)));
        const half = offset + (length >> 1);
        assert.equal(crc32cUpdate(crc32c(data, offset, half), data, half, offset + length), expected, `continued, length ${length}`);
      }
    }
  });
});
