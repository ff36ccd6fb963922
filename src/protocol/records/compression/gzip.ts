import { gunzipSync, gzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { CompressionError } from '../../errors.js';
import { checkMaxBytes, corruptInput, tooLarge } from './bounds.js';

const gzipAsync = promisify(gzip);

/**
 * Below this size gzip runs on the calling thread: the thread-pool round trip of async zlib costs
 * more than compressing a small batch. Larger inputs go to the pool so the event loop stays free.
 */
const SYNC_COMPRESS_LIMIT = 64 * 1024;

/** Compresses with gzip (node:zlib, default level), as the Java client's GZIPOutputStream does. */
export async function gzipCompress(data: Buffer): Promise<Buffer> {
  return data.length <= SYNC_COMPRESS_LIMIT ? gzipSync(data) : gzipAsync(data);
}

/**
 * Decompresses gzip (concatenated members accepted, as Java's GZIPInputStream does). zlib itself
 * stops at `maxBytes` (`maxOutputLength`), so a bomb never allocates past the bound.
 */
export function gzipDecompress(data: Buffer, maxBytes: number): Buffer {
  checkMaxBytes('gzip', maxBytes);
  try {
    // zlib rejects a maxOutputLength of 0; an empty result still passes the length check below.
    const out = gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes) });
    if (out.length > maxBytes) throw tooLarge('gzip', out.length, maxBytes);
    return out;
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('gzip', `more than ${maxBytes}`, maxBytes);
    if (cause instanceof CompressionError) throw cause;
    throw corruptInput('gzip', cause);
  }
}
