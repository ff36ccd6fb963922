/**
 * A small, dependency-free reader of zip archives (jars), enough to take text files out of the
 * Kafka jars the tests download: end-of-central-directory record → central directory → each
 * entry's local header → its data, stored or deflated (PKWARE APPNOTE 6.3, sections 4.3 and 4.4).
 *
 * Bounded by construction: every offset and length is checked against the archive before it is
 * read, an entry inflates to at most its declared size (and at most {@link MAX_ENTRY_BYTES}), and
 * its CRC-32 must match. Zip64 archives, encrypted entries and methods other than stored (0) and
 * deflate (8) are refused with an error that names them, never misread.
 */
import { readFileSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';

/** The largest entry taken out of an archive: the tests read small text files only. */
export const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
const CENTRAL_HEADER_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;
/** The end record may be followed by a comment of up to 65535 bytes. */
const MAX_COMMENT_BYTES = 0xffff;
/** A 16- or 32-bit field at its maximum means "look in the zip64 record", which we do not read. */
const ZIP64_MARKER_16 = 0xffff;
const ZIP64_MARKER_32 = 0xffffffff;
const FLAG_ENCRYPTED = 0x1;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

/** One file of an archive, as the central directory describes it. */
interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Thrown for an archive this reader cannot read or that is damaged; names the archive and why. */
export class ZipError extends Error {
  constructor(archive: string, reason: string) {
    super(`${archive}: ${reason}`);
    this.name = 'ZipError';
  }
}

/**
 * The files of the zip archive at `path` whose names `wanted` accepts, by name. Directories are
 * skipped. Throws {@link ZipError} when the archive is damaged or uses a feature this reader lacks.
 */
export function readZipEntries(path: string, wanted: (name: string) => boolean): Map<string, Buffer> {
  const zip = readFileSync(path);
  const fail = (reason: string): never => {
    throw new ZipError(path, reason);
  };
  const out = new Map<string, Buffer>();
  for (const entry of centralDirectory(zip, fail)) {
    if (entry.name.endsWith('/') || !wanted(entry.name)) continue;
    out.set(entry.name, entryData(zip, entry, fail));
  }
  return out;
}

/** The offset of the end-of-central-directory record: the last signature within reach of the end. */
function findEndRecord(zip: Buffer, fail: (reason: string) => never): number {
  const lowest = Math.max(0, zip.length - EOCD_BYTES - MAX_COMMENT_BYTES);
  for (let at = zip.length - EOCD_BYTES; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === EOCD_SIGNATURE && at + EOCD_BYTES + zip.readUInt16LE(at + 20) === zip.length) return at;
  }
  return fail('no end-of-central-directory record: not a zip archive');
}

function centralDirectory(zip: Buffer, fail: (reason: string) => never): CentralEntry[] {
  const end = findEndRecord(zip, fail);
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  const start = zip.readUInt32LE(end + 16);
  if (count === ZIP64_MARKER_16 || size === ZIP64_MARKER_32 || start === ZIP64_MARKER_32) fail('a zip64 archive (not supported)');
  if (start + size > end) fail(`central directory (${size} bytes at ${start}) runs past its end record at ${end}`);
  const entries: CentralEntry[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_HEADER_BYTES > start + size) fail(`central directory ends inside entry ${i} of ${count}`);
    if (zip.readUInt32LE(at) !== CENTRAL_SIGNATURE) fail(`no central header signature at ${at} (entry ${i})`);
    const nameLength = zip.readUInt16LE(at + 28);
    const variable = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (at + CENTRAL_HEADER_BYTES + variable > start + size) fail(`central header ${i} runs past the directory`);
    entries.push({
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
      name: zip.toString('utf8', at + CENTRAL_HEADER_BYTES, at + CENTRAL_HEADER_BYTES + nameLength),
    });
    at += CENTRAL_HEADER_BYTES + variable;
  }
  return entries;
}

/** The bytes of one entry, inflated and checked against the central directory's size and CRC. */
function entryData(zip: Buffer, entry: CentralEntry, fail: (reason: string) => never): Buffer {
  const what = `entry ${entry.name}`;
  if (entry.flags & FLAG_ENCRYPTED) fail(`${what} is encrypted`);
  if (entry.size > MAX_ENTRY_BYTES) fail(`${what} is ${entry.size} bytes, over the ${MAX_ENTRY_BYTES}-byte limit`);
  const local = entry.localHeaderOffset;
  if (local + LOCAL_HEADER_BYTES > zip.length || zip.readUInt32LE(local) !== LOCAL_SIGNATURE) fail(`${what}: no local header at ${local}`);
  // The local header's own sizes may be zero (data descriptor, flag bit 3): the central directory's count.
  const dataStart = local + LOCAL_HEADER_BYTES + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  if (dataStart + entry.compressedSize > zip.length) fail(`${what}: its ${entry.compressedSize} bytes run past the archive`);
  const raw = zip.subarray(dataStart, dataStart + entry.compressedSize);
  let data: Buffer;
  if (entry.method === METHOD_STORED) data = raw;
  else if (entry.method === METHOD_DEFLATE) {
    try {
      // One byte more than declared is allowed, so that a lying size shows as a mismatch below.
      data = inflateRawSync(raw, { maxOutputLength: entry.size + 1 });
    } catch (err) {
      return fail(`${what} does not inflate: ${(err as Error).message}`);
    }
  } else return fail(`${what} uses compression method ${entry.method} (only stored and deflate are read)`);
  if (data.length !== entry.size) fail(`${what} holds ${data.length} bytes, its header says ${entry.size}`);
  if (crc32(data) >>> 0 !== entry.crc) fail(`${what} fails its CRC-32 check`);
  return data;
}
