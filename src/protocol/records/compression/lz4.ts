import { CompressionError } from '../../errors.js';
import { checkMaxBytes, corruptInput, tooLarge } from './bounds.js';
import { loadCodecPackage } from './load-package.js';

/**
 * The part of `lz4-napi` used here. `compressSync`/`uncompressSync` handle one raw LZ4 block
 * preceded by its uncompressed size (uint32 LE); `uncompressSync` fails when the block decodes to
 * more than that size, which is what makes an exact bound possible.
 */
interface Lz4Package {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Uint8Array): Buffer;
  decompressFrameSync(data: Buffer): Buffer;
}

function lz4(): Lz4Package {
  return loadCodecPackage<Lz4Package>('lz4', 'lz4-napi');
}

const FRAME_MAGIC = 0x184d2204;
/** Skippable frames use magics 0x184D2A50..0x184D2A5F. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/**
 * The most one byte of a compressed LZ4 block can expand to: match lengths grow by at most 255 per
 * extension byte, so a block of n bytes decodes to at most 255·n bytes. This keeps the bound tight
 * for a frame's short last block.
 */
const MAX_EXPANSION = 255;
const BLOCK_MAX_SIZES: Readonly<Record<number, number>> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };
const STORED_BIT = 0x80000000;

/**
 * Frame header we write: magic, FLG 0x60 (version 01, independent blocks, no checksums, no content
 * size), BD 0x40 (64 KiB blocks, as the Java client writes), and 0x82, the header checksum of those
 * two descriptor bytes (second byte of their xxHash32).
 */
const FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
const WRITE_BLOCK_SIZE = 64 * 1024;

/**
 * Compresses to one LZ4 frame of 64 KiB independent blocks without checksums — the layout of the
 * Java client's KafkaLZ4BlockOutputStream. The framing is written here, the blocks by `lz4-napi`;
 * a block that does not shrink is stored uncompressed.
 */
export async function lz4Compress(data: Buffer): Promise<Buffer> {
  const lib = lz4();
  const parts: Buffer[] = [FRAME_HEADER];
  let total = FRAME_HEADER.length + 4;
  for (let at = 0; at < data.length; at += WRITE_BLOCK_SIZE) {
    const chunk = data.subarray(at, Math.min(data.length, at + WRITE_BLOCK_SIZE));
    const block = lib.compressSync(chunk).subarray(4); // drop the size prefix lz4-napi adds
    const size = Buffer.allocUnsafe(4);
    if (block.length < chunk.length) {
      size.writeUInt32LE(block.length, 0);
      parts.push(size, block);
    } else {
      size.writeUInt32LE((STORED_BIT | chunk.length) >>> 0, 0);
      parts.push(size, chunk);
    }
    total += 4 + Math.min(block.length, chunk.length);
  }
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts, total);
}

function malformed(message: string, at: number): CompressionError {
  return new CompressionError(`malformed lz4 frame: ${message}`, { codec: 'lz4', at });
}

/** What a frame descriptor says, and where its first block starts. */
interface FrameHeader {
  blocksStart: number;
  blockMax: number;
  blockChecksums: boolean;
  contentChecksum: boolean;
  independentBlocks: boolean;
}

/**
 * Parses the frame starting at `at` (after skipping skippable frames). Returns null at the end of
 * the data. Refuses a declared content size above `maxBytes`. The header checksum is left to the
 * codec; the record batch CRC covers these bytes anyway.
 */
function frameHeader(data: Buffer, start: number, maxBytes: number): FrameHeader | null {
  let at = start;
  for (;;) {
    if (at === data.length) return null;
    if (data.length - at < 4) throw malformed('frame magic cut short', at);
    const magic = data.readUInt32LE(at);
    if (((magic & SKIPPABLE_MASK) >>> 0) !== SKIPPABLE_MAGIC) break;
    if (data.length - at < 8) throw malformed('skippable frame size cut short', at);
    at += 8 + data.readUInt32LE(at + 4);
    if (at > data.length) throw malformed('skippable frame cut short', at);
  }
  const magic = data.readUInt32LE(at);
  if (magic !== FRAME_MAGIC) throw malformed(`bad magic 0x${magic.toString(16)}`, at);
  at += 4;
  if (data.length - at < 3) throw malformed('frame descriptor cut short', at);
  const flg = data[at] as number;
  const bd = data[at + 1] as number;
  at += 2;
  if (flg >> 6 !== 1) throw malformed(`unsupported frame version ${flg >> 6}`, at - 2);
  const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 0x07];
  if (blockMax === undefined) throw malformed(`bad block maximum size code ${(bd >> 4) & 0x07}`, at - 1);
  if ((flg & 0x08) !== 0) {
    if (data.length - at < 8) throw malformed('content size cut short', at);
    const contentSize = data.readUInt32LE(at + 4) * 2 ** 32 + data.readUInt32LE(at);
    if (contentSize > maxBytes) throw tooLarge('lz4', contentSize, maxBytes);
    at += 8;
  }
  if ((flg & 0x01) !== 0) at += 4; // dictionary id
  at += 1; // header checksum
  if (at > data.length) throw malformed('frame descriptor cut short', at);
  return {
    blocksStart: at,
    blockMax,
    blockChecksums: (flg & 0x10) !== 0,
    contentChecksum: (flg & 0x04) !== 0,
    independentBlocks: (flg & 0x20) !== 0,
  };
}

/**
 * Visits the blocks of the frame `h`: `visit(start, size, stored)` per data block. Returns the
 * position after the frame. Throws on any structural error, so the codec only sees sound framing.
 */
function walkBlocks(data: Buffer, h: FrameHeader, visit: (start: number, size: number, stored: boolean) => void): number {
  let at = h.blocksStart;
  for (;;) {
    if (data.length - at < 4) throw malformed('block size cut short', at);
    const word = data.readUInt32LE(at);
    at += 4;
    if (word === 0) break; // end mark
    const size = word & 0x7fffffff;
    if (size > h.blockMax) throw malformed(`block of ${size} bytes exceeds the frame's ${h.blockMax}`, at - 4);
    if (data.length - at < size + (h.blockChecksums ? 4 : 0)) throw malformed('block cut short', at);
    visit(at, size, word >>> 31 === 1);
    at += size + (h.blockChecksums ? 4 : 0);
  }
  if (h.contentChecksum) at += 4;
  if (at > data.length) throw malformed('content checksum cut short', at);
  return at;
}

/**
 * Walks frames and block headers (no decompression) and returns an upper bound of the
 * decompressed size: stored blocks count their size, compressed ones the smaller of the frame's
 * block maximum and 255 times their compressed size.
 */
export function lz4DecompressedBound(data: Buffer, maxBytes = Number.MAX_SAFE_INTEGER): number {
  let bound = 0;
  let at = 0;
  for (let h = frameHeader(data, at, maxBytes); h !== null; h = frameHeader(data, at, maxBytes)) {
    const blockMax = h.blockMax;
    at = walkBlocks(data, h, (_start, size, stored) => {
      bound += stored ? size : Math.min(blockMax, size * MAX_EXPANSION);
    });
  }
  return bound;
}

/**
 * Decodes block by block, giving each compressed block only the output room left under
 * `maxBytes`, so the bound is exact. Used only when the cheap upper bound exceeds `maxBytes`.
 * Block and content checksums are not verified here (the batch CRC already covers these bytes).
 */
function decompressBlockwise(lib: Lz4Package, data: Buffer, maxBytes: number): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  let at = 0;
  for (let h = frameHeader(data, at, maxBytes); h !== null; h = frameHeader(data, at, maxBytes)) {
    const frame = h;
    if (!frame.independentBlocks) throw new CompressionError('lz4 frames with linked blocks are not supported', { codec: 'lz4' });
    at = walkBlocks(data, frame, (start, size, stored) => {
      const room = maxBytes - total;
      if (stored) {
        if (size > room) throw tooLarge('lz4', `more than ${maxBytes}`, maxBytes);
        out.push(data.subarray(start, start + size));
        total += size;
        return;
      }
      const input = Buffer.allocUnsafe(4 + size);
      input.writeUInt32LE(Math.min(room, frame.blockMax), 0);
      data.copy(input, 4, start, start + size);
      let block: Buffer;
      try {
        block = lib.uncompressSync(input);
      } catch (cause) {
        if (/too small/i.test(String(cause)) && room < frame.blockMax) throw tooLarge('lz4', `more than ${maxBytes}`, maxBytes);
        throw corruptInput('lz4', cause);
      }
      out.push(block);
      total += block.length;
    });
  }
  return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out, total);
}

/**
 * Decompresses LZ4 frames, never past `maxBytes`. The framing is walked first; when its upper
 * bound fits, the whole frame is decoded in one call, otherwise block by block with the output
 * room of each block capped at what is left.
 */
export function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  checkMaxBytes('lz4', maxBytes);
  const bound = lz4DecompressedBound(data, maxBytes);
  const lib = lz4();
  if (bound > maxBytes) return decompressBlockwise(lib, data, maxBytes);
  let out: Buffer;
  try {
    out = lib.decompressFrameSync(data);
  } catch (cause) {
    throw corruptInput('lz4', cause);
  }
  if (out.length > maxBytes) throw tooLarge('lz4', out.length, maxBytes);
  return out;
}
