/**
 * What `kafka-stage consume` writes for a batch of records: a few large chunks instead of a string
 * per record. The `value` and `json` formats have their own batch paths because they are what people
 * pipe at volume, and the per-record route (a string per record, joined, then encoded back into
 * bytes by the stream) cost more CPU than reading the records did:
 *
 * - `value` copies the value bytes straight into a Buffer instead of decoding each to a string and
 *   encoding the joined text again. The output is byte for byte what decoding would have printed:
 *   each chunk is checked once as UTF-8 (values joined by a non-empty delimiter that is itself UTF-8
 *   form valid UTF-8 exactly when every value is valid), and a chunk with a value that is not falls
 *   back to the per-record text, where such bytes become U+FFFD.
 * - `json` writes each line as bytes: the constant parts once per batch, the integers as digits, and
 *   a key or value that needs no escaping (no quote, backslash or control byte) copied as it is
 *   between quotes, instead of an object per record for `JSON.stringify`, decoded strings and their
 *   re-encoding. The bytes are those of `JSON.stringify(jsonRecord(...))` (consume-format.ts): a line
 *   with headers or with something to escape is that text, and a chunk with bytes that are not
 *   UTF-8 is printed again as text (U+FFFD for them).
 *
 * Chunks stay under about 64 KiB ({@link CHUNK_BYTES}): each becomes one Buffer, and above 128 KiB
 * the C allocator maps fresh pages for every one (page faults on each write; `--format json` in
 * batches of 1000 records spent twice the system time of batches of 250).
 */
import { isUtf8 } from 'node:buffer';
import type { KafkaRecord } from '../protocol/records/types.js';
import type { RecordPrinter } from './format-string.js';

/** What is written for a batch: chunks of text (written as UTF-8) or bytes, in order; at least one. */
export type PrintedChunks = (string | Buffer)[];

/** Prints a batch of records of one partition: the chunks for all of them, delimiters included. */
export type BatchPrinter = (topic: string, partition: number, records: readonly KafkaRecord[]) => PrintedChunks;

/** Bytes a chunk grows to before the next one is started. */
export const CHUNK_BYTES = 64 * 1024;

/** Characters a text chunk grows to: its UTF-8 may take up to three bytes per character. */
const CHUNK_CHARS = CHUNK_BYTES / 2;

/** A batch printer that prints each record with `print` and joins the text into chunks. */
export function joinRecords(print: RecordPrinter): BatchPrinter {
  return (topic, partition, records) => joinText(print, topic, partition, records, 0, records.length);
}

function joinText(print: RecordPrinter, topic: string, partition: number, records: readonly KafkaRecord[], from: number, to: number): PrintedChunks {
  const chunks: PrintedChunks = [];
  let text = '';
  for (let i = from; i < to; i++) {
    text += print(topic, partition, records[i] as KafkaRecord);
    if (text.length >= CHUNK_CHARS) {
      chunks.push(text);
      text = '';
    }
  }
  if (text.length > 0 || chunks.length === 0) chunks.push(text);
  return chunks;
}

/**
 * The `value` format's batch printer: each value (nothing for an absent one) then `delimiter`, as
 * bytes. `fallback` prints one record as text: used for a chunk with a value that is not UTF-8.
 */
export function valueBatchPrinter(delimiter: string, fallback: RecordPrinter): BatchPrinter {
  const delimiterBytes = Buffer.from(delimiter, 'utf8');
  // Without a delimiter, a value's broken tail and the next value's head could join into valid UTF-8.
  const valid =
    delimiterBytes.length > 0
      ? (bytes: Buffer) => isUtf8(bytes)
      : (_bytes: Buffer, records: readonly KafkaRecord[], from: number, to: number) => records.slice(from, to).every((r) => r.value === null || isUtf8(r.value));
  return (topic, partition, records) => {
    const chunks: PrintedChunks = [];
    let from = 0;
    do {
      const to = chunkEnd(records, from, delimiterBytes.length);
      const bytes = valueBytes(records, from, to, delimiterBytes);
      if (valid(bytes, records, from, to)) chunks.push(bytes);
      else chunks.push(...joinText(fallback, topic, partition, records, from, to));
      from = to;
    } while (from < records.length);
    return chunks;
  };
}

/** The end of the chunk of values starting at `from`: at least one record, then up to {@link CHUNK_BYTES}. */
function chunkEnd(records: readonly KafkaRecord[], from: number, delimiterLength: number): number {
  let bytes = 0;
  let to = from;
  while (to < records.length) {
    const size = ((records[to] as KafkaRecord).value?.length ?? 0) + delimiterLength;
    if (to > from && bytes + size > CHUNK_BYTES) break;
    bytes += size;
    to++;
  }
  return to;
}

function valueBytes(records: readonly KafkaRecord[], from: number, to: number, delimiter: Buffer): Buffer {
  const delimiterLength = delimiter.length;
  let total = (to - from) * delimiterLength;
  for (let i = from; i < to; i++) total += (records[i] as KafkaRecord).value?.length ?? 0;
  const out = Buffer.allocUnsafe(total);
  const single = delimiterLength === 1 ? (delimiter[0] as number) : -1;
  let at = 0;
  for (let i = from; i < to; i++) {
    const value = (records[i] as KafkaRecord).value;
    if (value !== null) {
      out.set(value, at);
      at += value.length;
    }
    if (single >= 0) out[at++] = single;
    else {
      out.set(delimiter, at);
      at += delimiterLength;
    }
  }
  return out;
}

const jsonText = (bytes: Buffer | null): string => (bytes === null ? 'null' : JSON.stringify(bytes.toString('utf8')));

/** The text of one record's `json` line, `delimiter` included (the same as consume-format.ts prints). */
function jsonLine(head: string, r: KafkaRecord, delimiter: string): string {
  let headers = '';
  const hs = r.headers;
  for (let h = 0; h < hs.length; h++) {
    const header = hs[h] as KafkaRecord['headers'][number];
    headers += `${h === 0 ? '' : ','}{"key":${JSON.stringify(header.key)},"value":${jsonText(header.value)}}`;
  }
  return `${head}${r.offset},"key":${jsonText(r.key)},"value":${jsonText(r.value)},"headers":[${headers}],"timestamp":${r.timestamp}}${delimiter}`;
}

/**
 * Writes `bytes` as a JSON string at `at` when they need no escaping (no `"`, `\\` or control
 * character): a quote, the bytes, a quote. Returns the end, or -1 when they need escaping. Whether
 * they are UTF-8 is checked for the whole chunk afterwards.
 */
function plainJsonString(out: Buffer, at: number, bytes: Buffer): number {
  out[at++] = 0x22;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 || b === 0x22 || b === 0x5c) return -1;
    out[at++] = b;
  }
  out[at++] = 0x22;
  return at;
}

/** Writes a safe integer in decimal at `at`; returns the end. */
function writeInteger(out: Buffer, at: number, value: number): number {
  let n = value;
  if (n < 0) {
    out[at++] = 0x2d;
    n = -n;
  }
  if (n < 1e8) return writeSmall(out, at, n, 0);
  // Timestamps (13 digits) and large offsets: two parts that small-integer arithmetic can take.
  const high = Math.floor(n / 1e8);
  return writeSmall(out, writeSmall(out, at, high, 0), n - high * 1e8, 8);
}

/** Writes `n` (< 1e9) in decimal, left-padded with zeros to `width` digits. */
function writeSmall(out: Buffer, at: number, n: number, width: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++;
  if (digits < width) digits = width;
  let rest = n;
  for (let i = at + digits - 1; i >= at; i--) {
    const next = (rest / 10) | 0;
    out[i] = 0x30 + rest - next * 10;
    rest = next;
  }
  return at + digits;
}

function writeBytes(out: Buffer, at: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) out[at++] = bytes[i] as number;
  return at;
}

const NULL_BYTES = Buffer.from('null');
const KEY_BYTES = Buffer.from(',"key":');
const VALUE_BYTES = Buffer.from(',"value":');
const NO_HEADERS_BYTES = Buffer.from(',"headers":[],"timestamp":');

/**
 * The `json` format's batch printer: the line of each record (see consume-format.ts), then
 * `delimiter`, written as bytes. A line whose key or value needs escaping, or that has headers, is
 * the text of {@link jsonLine}; a chunk holding a key or value that is not UTF-8 is printed again as
 * text, where such bytes become U+FFFD.
 */
export function jsonBatchPrinter(delimiter: string): BatchPrinter {
  const end = Buffer.from(`}${delimiter}`, 'utf8');
  return (topic, partition, records) => {
    const headText = `{"topic":${JSON.stringify(topic)},"partition":${partition},"offset":`;
    const head = Buffer.from(headText, 'utf8');
    // Most a line written from bytes can take: head, two 17-character integers and the constants.
    const fixed = head.length + KEY_BYTES.length + VALUE_BYTES.length + NO_HEADERS_BYTES.length + end.length + 2 * 17;
    const chunks: PrintedChunks = [];
    let out = Buffer.allocUnsafe(0);
    let at = 0;
    let chunkFrom = 0;
    const flush = (to: number) => {
      if (at === 0) return;
      const bytes = out.subarray(0, at);
      if (isUtf8(bytes)) chunks.push(bytes);
      else chunks.push(...joinText((_t, _p, r) => jsonLine(headText, r, delimiter), topic, partition, records, chunkFrom, to));
      chunkFrom = to;
      at = 0;
    };
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as KafkaRecord;
      const line = r.headers.length > 0 ? Buffer.from(jsonLine(headText, r, delimiter), 'utf8') : null;
      const need = line !== null ? line.length : fixed + (r.key?.length ?? 2) + (r.value?.length ?? 2) + 4;
      if (at + need > out.length) {
        flush(i);
        out = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, need));
      }
      if (line !== null) {
        at = writeBytes(out, at, line);
        continue;
      }
      const start = at;
      let to = writeInteger(out, writeBytes(out, at, head), r.offset);
      to = writeBytes(out, to, KEY_BYTES);
      to = r.key === null ? writeBytes(out, to, NULL_BYTES) : plainJsonString(out, to, r.key);
      if (to >= 0) to = writeBytes(out, to, VALUE_BYTES);
      if (to >= 0) to = r.value === null ? writeBytes(out, to, NULL_BYTES) : plainJsonString(out, to, r.value);
      if (to >= 0) to = writeBytes(out, writeInteger(out, writeBytes(out, to, NO_HEADERS_BYTES), r.timestamp), end);
      if (to >= 0) {
        at = to;
        continue;
      }
      // Something to escape: the line as text, then its bytes (escaping can take up to six bytes per byte).
      const text = Buffer.from(jsonLine(headText, r, delimiter), 'utf8');
      if (start + text.length > out.length) {
        at = start;
        flush(i);
        out = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, text.length));
      }
      at = writeBytes(out, at, text);
    }
    flush(records.length);
    if (chunks.length === 0) chunks.push('');
    return chunks;
  };
}
