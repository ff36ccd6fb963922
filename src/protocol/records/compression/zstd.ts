import * as zlib from 'node:zlib';
import { CompressionError } from '../../errors.js';
import { checkMaxBytes, corruptInput, tooLarge } from './bounds.js';
import { loadCodecPackage } from './load-package.js';

/**
 * node:zlib's zstd functions (Node ≥ 22.15 / 23.8). Declared here because the @types/node this
 * project compiles against (Node 20) does not know them.
 */
interface BuiltinZstd {
  zstdCompressSync(data: Buffer): Buffer;
  zstdCompress(data: Buffer, callback: (error: Error | null, result: Buffer) => void): void;
  zstdDecompressSync(data: Buffer, options: { maxOutputLength: number }): Buffer;
}

/** The part of `@mongodb-js/zstd` used on older Node versions: asynchronous only. */
interface ZstdPackage {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

const candidate = zlib as unknown as Partial<BuiltinZstd>;
const builtin: BuiltinZstd | undefined =
  typeof candidate.zstdDecompressSync === 'function' &&
  typeof candidate.zstdCompressSync === 'function' &&
  typeof candidate.zstdCompress === 'function'
    ? (candidate as BuiltinZstd)
    : undefined;

/** True when this Node has zstd built in, so zstd decompresses synchronously. */
export const zstdIsBuiltin = builtin !== undefined;

/** Level 3, zstd's default and the Java client's. */
const LEVEL = 3;
const SYNC_COMPRESS_LIMIT = 64 * 1024;

function zstdPackage(): ZstdPackage {
  return loadCodecPackage<ZstdPackage>('zstd', '@mongodb-js/zstd');
}

/** Compresses one zstd frame at level 3 (node:zlib when built in, else `@mongodb-js/zstd`). */
export async function zstdCompress(data: Buffer): Promise<Buffer> {
  if (builtin === undefined) return zstdPackage().compress(data, LEVEL);
  if (data.length <= SYNC_COMPRESS_LIMIT) return builtin.zstdCompressSync(data);
  return new Promise((resolve, reject) => {
    builtin.zstdCompress(data, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const MAX_BLOCK = 128 * 1024;
const DICT_ID_BYTES = [0, 1, 2, 4] as const;
const CONTENT_SIZE_BYTES = [0, 2, 4, 8] as const;
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_RESERVED = 3;

function malformed(message: string, at: number): CompressionError {
  return new CompressionError(`malformed zstd frame: ${message}`, { codec: 'zstd', at });
}

/**
 * Walks zstd frames and block headers (no decompression) and returns an upper bound of the
 * decompressed size: raw and RLE blocks state their size, a compressed block decodes to at most
 * the block maximum (the window size, capped at 128 KiB). Refuses a declared frame content size
 * above `maxBytes`, and a bound above `maxBytes + slack`. Used where the codec itself cannot be
 * given an output limit.
 */
export function zstdDecompressedBound(data: Buffer, maxBytes: number, slack = 0): number {
  let bound = 0;
  let at = 0;
  while (at < data.length) {
    if (data.length - at < 4) throw malformed('frame magic cut short', at);
    const magic = data.readUInt32LE(at);
    at += 4;
    if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      if (data.length - at < 4) throw malformed('skippable frame size cut short', at);
      at += 4 + data.readUInt32LE(at);
      if (at > data.length) throw malformed('skippable frame cut short', at);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw malformed(`bad magic 0x${magic.toString(16)}`, at - 4);
    if (at >= data.length) throw malformed('frame header cut short', at);
    const descriptor = data[at++] as number;
    const contentSizeFlag = descriptor >> 6;
    const singleSegment = (descriptor & 0x20) !== 0;
    const hasChecksum = (descriptor & 0x04) !== 0;
    if ((descriptor & 0x08) !== 0) throw malformed('reserved header bit set', at - 1);
    let windowSize = 0;
    if (!singleSegment) {
      if (at >= data.length) throw malformed('window descriptor cut short', at);
      const w = data[at++] as number;
      const base = 2 ** (10 + (w >> 3));
      windowSize = base + (base / 8) * (w & 0x07);
    }
    at += DICT_ID_BYTES[descriptor & 0x03] as number;
    const contentSizeBytes = contentSizeFlag === 0 ? (singleSegment ? 1 : 0) : (CONTENT_SIZE_BYTES[contentSizeFlag] as number);
    if (at + contentSizeBytes > data.length) throw malformed('frame header cut short', at);
    if (contentSizeBytes > 0) {
      let contentSize: number;
      if (contentSizeBytes === 1) contentSize = data[at] as number;
      else if (contentSizeBytes === 2) contentSize = data.readUInt16LE(at) + 256;
      else if (contentSizeBytes === 4) contentSize = data.readUInt32LE(at);
      else contentSize = data.readUInt32LE(at + 4) * 2 ** 32 + data.readUInt32LE(at);
      if (contentSize > maxBytes) throw tooLarge('zstd', contentSize, maxBytes);
      if (singleSegment) windowSize = contentSize;
      at += contentSizeBytes;
    }
    const blockMax = Math.min(windowSize, MAX_BLOCK);
    for (;;) {
      if (at + 3 > data.length) throw malformed('block header cut short', at);
      const header = data.readUIntLE(at, 3);
      at += 3;
      const last = (header & 1) === 1;
      const type = (header >> 1) & 0x03;
      const size = header >> 3;
      if (type === BLOCK_RESERVED) throw malformed('reserved block type', at - 3);
      if (size > MAX_BLOCK) throw malformed(`block of ${size} bytes exceeds 128 KiB`, at - 3);
      if (type === BLOCK_RAW) {
        bound += size;
        at += size;
      } else if (type === BLOCK_RLE) {
        bound += size;
        at += 1;
      } else {
        bound += blockMax;
        at += size;
      }
      if (at > data.length) throw malformed('block cut short', at);
      // Stop walking as soon as the bound is exceeded: a bomb may declare many blocks.
      if (bound > maxBytes + slack) throw tooLarge('zstd', `up to ${bound}`, maxBytes);
      if (last) break;
    }
    if (hasChecksum) at += 4;
    if (at > data.length) throw malformed('checksum cut short', at);
  }
  return bound;
}

/**
 * Decompresses zstd synchronously with node:zlib, which stops at `maxBytes` itself.
 * Only available when {@link zstdIsBuiltin}.
 */
export function zstdDecompressSync(data: Buffer, maxBytes: number): Buffer {
  checkMaxBytes('zstd', maxBytes);
  if (builtin === undefined) throw new CompressionError('zstd has no synchronous decoder on this Node version', { codec: 'zstd' });
  try {
    const out = builtin.zstdDecompressSync(data, { maxOutputLength: Math.max(1, maxBytes) });
    if (out.length > maxBytes) throw tooLarge('zstd', out.length, maxBytes);
    return out;
  } catch (cause) {
    if (cause instanceof CompressionError) throw cause;
    if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('zstd', `more than ${maxBytes}`, maxBytes);
    throw corruptInput('zstd', cause);
  }
}

/**
 * Decompresses zstd: synchronously with node:zlib when built in, else with `@mongodb-js/zstd`,
 * whose decoder takes no output limit. On that path the frame and block headers are walked first
 * and a frame is refused before decompressing when its declared content size exceeds `maxBytes`
 * or its block bound exceeds `maxBytes` plus one block. That bound counts each compressed block at
 * the 128 KiB block maximum, and streams (as Java writes them) fill every block but the last, so
 * one block of slack keeps frames that fit from being refused; the price is that, on this path
 * only, the codec may allocate up to 128 KiB past `maxBytes` before the result is refused.
 */
export function zstdDecompress(data: Buffer, maxBytes: number): Buffer | Promise<Buffer> {
  if (builtin !== undefined) return zstdDecompressSync(data, maxBytes);
  checkMaxBytes('zstd', maxBytes);
  zstdDecompressedBound(data, maxBytes, MAX_BLOCK);
  const lib = zstdPackage();
  return lib.decompress(data).then(
    (out) => {
      if (out.length > maxBytes) throw tooLarge('zstd', out.length, maxBytes);
      return out;
    },
    (cause: unknown) => {
      throw corruptInput('zstd', cause);
    },
  );
}
