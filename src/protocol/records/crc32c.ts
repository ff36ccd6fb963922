/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of record batches (magic 2).
 *
 * When the optional package `@node-rs/crc32` is installed (a prebuilt native module using the CPU's
 * CRC32C instructions), ranges of {@link NATIVE_MIN_BYTES} or more go to it: verifying a 1 KiB-record
 * topic spent most of its decode time here with the table-driven code below (~0.6–1.4 GB/s, where
 * the CPU instruction does several GB/s). Without the package, or for short ranges where the call
 * costs more than it saves, the portable code runs.
 *
 * Portable code: pure TypeScript, slicing-by-16: sixteen 256-entry tables, built once at module load, let the loop
 * fold sixteen bytes per iteration with table look-ups only. On little-endian hosts (x86, ARM) the
 * bytes are loaded as four aligned 32-bit words, faster than byte loads; big-endian hosts use byte loads. Fast enough that verification stays on.
 */
import { createRequire } from 'node:module';
import { endianness } from 'node:os';

/** The part of `@node-rs/crc32` used here: `crc32c(bytes, initial)` continues a CRC over `bytes`. */
type NativeCrc32c = (bytes: Buffer, initial?: number) => number;

/** Shorter ranges stay in JS: a native call's fixed cost outweighs its speed below this. */
export const NATIVE_MIN_BYTES = 256;

/** The native implementation, or null when the optional package (or its build for this platform) is missing. */
export const nativeCrc32c: NativeCrc32c | null = loadNative();

function loadNative(): NativeCrc32c | null {
  if (process.env.KAFKA_STAGE_PORTABLE_CRC === '1') return null;
  try {
    const module = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: unknown };
    return typeof module.crc32c === 'function' ? (module.crc32c as NativeCrc32c) : null;
  } catch {
    return null;
  }
}

const POLYNOMIAL = 0x82f63b78;
const TABLE_SIZE = 256;
const SLICES = 16;
/** Below this many bytes the word path's setup costs more than it saves. */
const WORD_PATH_MIN_BYTES = 64;
const LITTLE_ENDIAN = endianness() === 'LE';

/** All sixteen tables in one array (table k at k*256), so each look-up is one typed-array access. */
const T = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(TABLE_SIZE * SLICES);
  for (let n = 0; n < TABLE_SIZE; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    t[n] = c;
  }
  // Table k maps a byte to its CRC contribution when followed by k zero bytes.
  for (let n = 0; n < TABLE_SIZE; n++) {
    let c = t[n] as number;
    for (let k = 1; k < SLICES; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * TABLE_SIZE + n] = c;
    }
  }
  return t;
}

/**
 * CRC32C of `buf[start..end)` as an unsigned 32-bit number.
 *
 * @param buf - bytes to checksum
 * @param start - first byte (default 0)
 * @param end - one past the last byte (default `buf.length`)
 */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  if (start < 0 || end > buf.length || start > end) {
    throw new RangeError(`crc32c range ${start}..${end} outside ${buf.length} bytes`);
  }
  return crc32cUpdate(0, buf, start, end);
}

/**
 * Continues a CRC32C over more bytes: `crc32cUpdate(crc32c(a), b)` equals the CRC of `a` followed
 * by `b`. The range is trusted (callers check it).
 */
export function crc32cUpdate(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  if (nativeCrc32c !== null && end - start >= NATIVE_MIN_BYTES) {
    return nativeCrc32c(Buffer.from(buf.buffer, buf.byteOffset + start, end - start), crc) >>> 0;
  }
  return crc32cPortable(crc, buf, start, end);
}

/** {@link crc32cUpdate} without the native path (exported for tests and benchmarks). */
export function crc32cPortable(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  const c = LITTLE_ENDIAN && end - start >= WORD_PATH_MIN_BYTES ? wordwise(~crc, buf, start, end) : bytewise(~crc, buf, start, end);
  return ~c >>> 0;
}

/** One byte at a time from `c` (the inverted running CRC); returns the inverted CRC. */
function tail(c: number, buf: Uint8Array, start: number, end: number): number {
  const t = T;
  for (let i = start; i < end; i++) c = (t[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return c;
}

/** Slicing-by-16 with byte loads: any host. Exported for tests, which check it against the word path. */
export function bytewise(c: number, buf: Uint8Array, start: number, end: number): number {
  const t = T;
  let i = start;
  const bulkEnd = end - ((end - i) & 15);
  for (; i < bulkEnd; i += 16) {
    const a = c ^ ((buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24));
    c =
      (t[3840 + (a & 0xff)] as number) ^
      (t[3584 + ((a >>> 8) & 0xff)] as number) ^
      (t[3328 + ((a >>> 16) & 0xff)] as number) ^
      (t[3072 + (a >>> 24)] as number) ^
      (t[2816 + (buf[i + 4] as number)] as number) ^
      (t[2560 + (buf[i + 5] as number)] as number) ^
      (t[2304 + (buf[i + 6] as number)] as number) ^
      (t[2048 + (buf[i + 7] as number)] as number) ^
      (t[1792 + (buf[i + 8] as number)] as number) ^
      (t[1536 + (buf[i + 9] as number)] as number) ^
      (t[1280 + (buf[i + 10] as number)] as number) ^
      (t[1024 + (buf[i + 11] as number)] as number) ^
      (t[768 + (buf[i + 12] as number)] as number) ^
      (t[512 + (buf[i + 13] as number)] as number) ^
      (t[256 + (buf[i + 14] as number)] as number) ^
      (t[buf[i + 15] as number] as number);
  }
  return tail(c, buf, i, end);
}

/**
 * Slicing-by-16 with aligned 32-bit word loads: little-endian hosts only, where a word's low byte
 * is the first in memory. Bytes before the first aligned word and after the last group go one by one.
 */
export function wordwise(c: number, buf: Uint8Array, start: number, end: number): number {
  const t = T;
  const head = (4 - ((buf.byteOffset + start) & 3)) & 3;
  if (end - start < head + 4) return tail(c, buf, start, end);
  c = tail(c, buf, start, start + head);
  const from = start + head;
  const words = new Int32Array(buf.buffer, buf.byteOffset + from, (end - from) >>> 2);
  const groups = words.length & ~3;
  for (let w = 0; w < groups; w += 4) {
    const a = c ^ (words[w] as number);
    const b = words[w + 1] as number;
    const d = words[w + 2] as number;
    const e = words[w + 3] as number;
    c =
      (t[3840 + (a & 0xff)] as number) ^
      (t[3584 + ((a >>> 8) & 0xff)] as number) ^
      (t[3328 + ((a >>> 16) & 0xff)] as number) ^
      (t[3072 + (a >>> 24)] as number) ^
      (t[2816 + (b & 0xff)] as number) ^
      (t[2560 + ((b >>> 8) & 0xff)] as number) ^
      (t[2304 + ((b >>> 16) & 0xff)] as number) ^
      (t[2048 + (b >>> 24)] as number) ^
      (t[1792 + (d & 0xff)] as number) ^
      (t[1536 + ((d >>> 8) & 0xff)] as number) ^
      (t[1280 + ((d >>> 16) & 0xff)] as number) ^
      (t[1024 + (d >>> 24)] as number) ^
      (t[768 + (e & 0xff)] as number) ^
      (t[512 + ((e >>> 8) & 0xff)] as number) ^
      (t[256 + ((e >>> 16) & 0xff)] as number) ^
      (t[e >>> 24] as number);
  }
  return tail(c, buf, from + groups * 4, end);
}
