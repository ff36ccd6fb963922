/**
 * Compression codecs of record batches, by name. Compression is asynchronous (it may run off the
 * event loop); decompression is synchronous wherever the codec allows, because it sits on the
 * consumer's hot path and a promise per batch costs more than small batches take to decode.
 * Only zstd on a Node without built-in zstd decompresses asynchronously.
 */
import { CompressionError } from '../../errors.js';
import type { CompressionName } from '../types.js';
import { checkMaxBytes, tooLarge } from './bounds.js';
import { gzipCompress, gzipDecompress } from './gzip.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompress, snappyDecompress } from './snappy.js';
import { zstdCompress, zstdDecompress, zstdDecompressSync, zstdIsBuiltin } from './zstd.js';

export { lz4DecompressedBound } from './lz4.js';
export { zstdDecompressedBound, zstdIsBuiltin } from './zstd.js';

/**
 * Compresses `data` with `codec` (`none` returns it unchanged). The snappy output uses the xerial
 * framing and lz4 the LZ4 frame format, as the Java client writes them.
 *
 * @throws CodecUnavailableError when the codec's optional npm package is not installed
 */
export async function compress(codec: CompressionName, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipCompress(data);
    case 'snappy':
      return snappyCompress(data);
    case 'lz4':
      return lz4Compress(data);
    case 'zstd':
      return zstdCompress(data);
    default:
      throw new CompressionError(`unknown compression codec ${String(codec)}`, { codec });
  }
}

/**
 * Decompresses `data`, refusing (with {@link CompressionError}) anything that would exceed
 * `maxBytes` decompressed — checked before the codec allocates where the format allows it (gzip
 * and built-in zstd stop at the bound, snappy and lz4 declare sizes up front, the zstd package path
 * walks block headers). Returns a Buffer synchronously except for zstd without built-in support,
 * which returns a Promise.
 *
 * @param maxBytes - the most bytes the result may hold
 * @throws CompressionError on corrupt input or a size over the bound
 * @throws CodecUnavailableError when the codec's optional npm package is not installed
 */
export function decompress(codec: CompressionName, data: Buffer, maxBytes: number): Buffer | Promise<Buffer> {
  if (codec === 'zstd') return zstdDecompress(data, maxBytes);
  return decompressSync(codec, data, maxBytes);
}

/** True when {@link decompressSync} can decode `codec` in this runtime (all but zstd before Node 22.15). */
export function hasSyncDecompress(codec: CompressionName): boolean {
  return codec !== 'zstd' || zstdIsBuiltin;
}

/**
 * Synchronous {@link decompress}. For zstd on a Node without built-in zstd it throws a
 * CompressionError; check {@link hasSyncDecompress} first or use {@link decompress}.
 */
export function decompressSync(codec: CompressionName, data: Buffer, maxBytes: number): Buffer {
  switch (codec) {
    case 'none':
      checkMaxBytes(codec, maxBytes);
      if (data.length > maxBytes) throw tooLarge(codec, data.length, maxBytes);
      return data;
    case 'gzip':
      return gzipDecompress(data, maxBytes);
    case 'snappy':
      return snappyDecompress(data, maxBytes);
    case 'lz4':
      return lz4Decompress(data, maxBytes);
    case 'zstd':
      return zstdDecompressSync(data, maxBytes);
    default:
      throw new CompressionError(`unknown compression codec ${String(codec)}`, { codec });
  }
}
