/**
 * The records `kafka-stage produce` reads from stdin: the input split on a delimiter (`-D`, default
 * a newline), each piece optionally split again into key and value on the first key delimiter
 * (`-K`). Binary-safe: pieces are bytes, never decoded. With the default newline a trailing `\r`
 * is dropped (text from Windows), and a last piece without a delimiter is still a record when it is
 * not empty, as a last line without a newline is.
 *
 * Memory is bounded: a piece longer than `maxBytes` without a delimiter fails the read (it could not
 * be sent anyway), rather than growing a buffer without end. Each record is copied out of the read
 * chunks, so a record in flight does not keep a whole chunk alive.
 */

/** Options of {@link readRecords}. */
export interface StdinRecordOptions {
  /** What ends a record. */
  delimiter: Buffer;
  /** When set, what separates the key from the value (first occurrence); a record without it has no key. */
  keyDelimiter?: Buffer;
  /** Longest record accepted, bytes. */
  maxBytes: number;
}

/** One record read from stdin. */
export interface StdinRecord {
  key: Buffer | null;
  value: Buffer;
}

/** A record longer than allowed before its delimiter. */
export class StdinRecordTooLargeError extends Error {
  readonly code = 'ERR_CLI_RECORD_TOO_LARGE';

  constructor(index: number, maxBytes: number) {
    super(`stdin record ${index + 1} is longer than ${maxBytes} bytes without a delimiter (a record that large cannot be sent)`);
    this.name = 'StdinRecordTooLargeError';
  }
}

const NEWLINE = Buffer.from('\n');
const CR = 0x0d;

/** Splits `input` into records; see the module comment. */
export async function* readRecords(input: AsyncIterable<Buffer | string>, options: StdinRecordOptions): AsyncGenerator<StdinRecord> {
  const { delimiter, keyDelimiter, maxBytes } = options;
  const stripCr = delimiter.equals(NEWLINE);
  let rest: Buffer = Buffer.alloc(0);
  let index = 0;
  const record = (piece: Buffer): StdinRecord => {
    const bytes = Buffer.from(stripCr && piece.length > 0 && piece[piece.length - 1] === CR ? piece.subarray(0, -1) : piece);
    index++;
    if (!keyDelimiter) return { key: null, value: bytes };
    const at = bytes.indexOf(keyDelimiter);
    return at < 0 ? { key: null, value: bytes } : { key: bytes.subarray(0, at), value: bytes.subarray(at + keyDelimiter.length) };
  };
  for await (const chunk of input) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // Search only where a delimiter can newly appear: from just before the old end.
    let searchFrom = Math.max(0, rest.length - delimiter.length + 1);
    rest = rest.length === 0 ? data : Buffer.concat([rest, data]);
    let start = 0;
    for (;;) {
      const at = rest.indexOf(delimiter, Math.max(start, searchFrom));
      if (at < 0) break;
      if (at - start > maxBytes) throw new StdinRecordTooLargeError(index, maxBytes);
      yield record(rest.subarray(start, at));
      start = at + delimiter.length;
      searchFrom = start;
    }
    rest = rest.subarray(start);
    if (rest.length > maxBytes) throw new StdinRecordTooLargeError(index, maxBytes);
    // Keep only the unfinished piece, not the chunk it came in.
    if (start > 0) rest = Buffer.from(rest);
  }
  if (rest.length > 0) yield record(rest);
}
