import { CompressionError } from '../../errors.js';
import { checkMaxBytes, corruptInput, tooLarge } from './bounds.js';
import { loadCodecPackage } from './load-package.js';

/** The part of the `snappy` package (napi-rs) used here: raw snappy blocks, synchronous. */
interface SnappyPackage {
  compressSync(input: Uint8Array): Buffer;
  uncompressSync(input: Uint8Array, options: { asBuffer: true }): Buffer | string;
}

function snappy(): SnappyPackage {
  return loadCodecPackage<SnappyPackage>('snappy', 'snappy');
}

/**
 * The xerial (snappy-java) stream header: magic `\x82SNAPPY\x00`, then int32 version and int32
 * minimum compatible version (both 1). The Java producer writes this framing (SnappyOutputStream),
 * so we write it too; then come chunks of int32 length + one raw snappy block.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
/** snappy-java's default block size: each chunk holds at most this much uncompressed input. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

/** Compresses in the xerial framing, chunk by chunk as snappy-java does, so Java consumers read it. */
export async function snappyCompress(data: Buffer): Promise<Buffer> {
  const lib = snappy();
  const parts: Buffer[] = [];
  const header = Buffer.allocUnsafe(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_VERSION, 12);
  parts.push(header);
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = lib.compressSync(data.subarray(at, Math.min(data.length, at + XERIAL_BLOCK_SIZE)));
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function hasXerialMagic(data: Buffer, at: number): boolean {
  return data.length - at >= XERIAL_HEADER_BYTES && data.compare(XERIAL_MAGIC, 0, 8, at, at + 8) === 0;
}

/**
 * Reads a raw snappy block's preamble: the uncompressed length as an unsigned varint (at most 32
 * bits). Knowing it before decompressing lets the bound be enforced without trusting the codec.
 */
function declaredLength(data: Buffer, start: number, end: number): number {
  let result = 0;
  for (let i = 0; i < 5; i++) {
    if (start + i >= end) throw new CompressionError('snappy block ends inside its length preamble', { codec: 'snappy' });
    const byte = data[start + i] as number;
    result += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (result > 0xffffffff) break;
      return result;
    }
  }
  throw new CompressionError('snappy block length preamble overflows 32 bits', { codec: 'snappy' });
}

function uncompressBlock(lib: SnappyPackage, block: Buffer, expected: number): Buffer {
  let out: Buffer | string;
  try {
    out = lib.uncompressSync(block, { asBuffer: true });
  } catch (cause) {
    throw corruptInput('snappy', cause);
  }
  if (typeof out === 'string' || out.length !== expected) {
    throw new CompressionError(`snappy block declared ${expected} bytes but decoded to ${out.length}`, { codec: 'snappy' });
  }
  return out;
}

/**
 * Decompresses snappy: the xerial framing written by Java producers, or a plain raw block (some
 * non-Java clients write that). Each block's declared length is checked against what remains of
 * `maxBytes` before it is decompressed.
 */
export function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  checkMaxBytes('snappy', maxBytes);
  const lib = snappy();
  if (!hasXerialMagic(data, 0)) {
    const expected = declaredLength(data, 0, data.length);
    if (expected > maxBytes) throw tooLarge('snappy', expected, maxBytes);
    return uncompressBlock(lib, data, expected);
  }
  const blocks: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < data.length) {
    // snappy-java accepts concatenated streams: a second header may follow a chunk.
    if (hasXerialMagic(data, at)) {
      at += XERIAL_HEADER_BYTES;
      continue;
    }
    if (data.length - at < 4) throw new CompressionError('snappy chunk length cut short', { codec: 'snappy', at });
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || length > data.length - at) {
      throw new CompressionError(`snappy chunk length ${length} exceeds the ${data.length - at} bytes left`, {
        codec: 'snappy',
        at,
      });
    }
    const expected = declaredLength(data, at, at + length);
    total += expected;
    if (total > maxBytes) throw tooLarge('snappy', `at least ${total}`, maxBytes);
    blocks.push(uncompressBlock(lib, data.subarray(at, at + length), expected));
    at += length;
  }
  if (blocks.length === 1) return blocks[0] as Buffer;
  return Buffer.concat(blocks, total);
}
