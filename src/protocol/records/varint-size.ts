/**
 * Encoded sizes of the record format's zig-zag varints, owned here so that the batch encoder and
 * the producer's size estimate (which must agree with it) count bytes the same way.
 */

/** Bytes of a zig-zag varint holding the 32-bit integer `v`. */
export function varintBytes(v: number): number {
  const u = ((v << 1) ^ (v >> 31)) >>> 0;
  return u < 0x80 ? 1 : u < 0x4000 ? 2 : u < 0x200000 ? 3 : u < 0x10000000 ? 4 : 5;
}

/** Bytes of a zig-zag varlong holding the safe integer `v`. */
export function varlongBytes(v: number): number {
  // Float arithmetic: bit operators would cut `v` to 32 bits.
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 0x80);
    n++;
  }
  return n;
}

/** Bytes of a length-prefixed field: the varint length (-1 for null) and the bytes themselves. */
export function lengthFieldBytes(bytes: Uint8Array | null): number {
  return bytes === null ? 1 : varintBytes(bytes.length) + bytes.length;
}
