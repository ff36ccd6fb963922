/**
 * Encoding of one record batch (magic 2): records as varint-framed entries, the records section
 * compressed as a whole, then the header with its CRC32C.
 */
import { InvalidOptionError } from '../../errors.js';
import { Writer } from '../writer.js';
import {
  ATTRIBUTES_AT,
  BASE_OFFSET_AT,
  BASE_SEQUENCE_AT,
  BASE_TIMESTAMP_AT,
  BATCH_LENGTH_AT,
  CONTROL_BIT,
  CRC_AT,
  LAST_OFFSET_DELTA_AT,
  LOG_OVERHEAD,
  MAGIC_AT,
  MAGIC_V2,
  MAX_TIMESTAMP_AT,
  PARTITION_LEADER_EPOCH_AT,
  PRODUCER_EPOCH_AT,
  PRODUCER_ID_AT,
  RECORD_COUNT_AT,
  RECORDS_AT,
  TRANSACTIONAL_BIT,
} from './batch-layout.js';
import { compress } from './compression/index.js';
import { crc32c } from './crc32c.js';
import { lengthFieldBytes, varintBytes, varlongBytes } from './varint-size.js';
import { COMPRESSION_CODES, type CompressionName, type RecordInput } from './types.js';

/** What to put in a batch. Defaults match a non-idempotent, non-transactional Java producer. */
export interface EncodeRecordBatchOptions {
  /** The records, in offset order; at least one. */
  records: readonly RecordInput[];
  compression: CompressionName;
  /** Offset of the first record (default 0; the broker assigns real offsets on produce). */
  baseOffset?: number;
  /** Idempotent/transactional producer id (default -1: none). */
  producerId?: bigint | number;
  /** Producer epoch (default -1). */
  producerEpoch?: number;
  /** Sequence number of the first record (default -1). */
  baseSequence?: number;
  /** Part of a transaction (default false). */
  isTransactional?: boolean;
  /** A control batch of transaction markers (default false); producers of user records never set it. */
  isControl?: boolean;
  /** Partition leader epoch (default -1; the broker sets it). */
  partitionLeaderEpoch?: number;
  /** Base timestamp in ms (default: the first record's timestamp, or now). Deltas are taken from it. */
  baseTimestamp?: number;
}

const NO_PRODUCER_ID = -1n;

/**
 * A record with every field as bytes. Records that already are (the producer's: byte keys and
 * values, no headers) are used as they are, so a batch of them is encoded without an object per record.
 */
interface BytesRecord {
  timestamp?: number;
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: ReadonlyArray<{ key: Uint8Array; value: Uint8Array | null }>;
}

function bytesOf(value: Uint8Array | string | null | undefined): Uint8Array | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function checkSafeInteger(option: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new InvalidOptionError(option, `must be a safe integer, got ${value}`);
}

function checkInt32(option: string, value: number): void {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new InvalidOptionError(option, `must be a 32-bit integer, got ${value}`);
  }
}

function toProducerId(value: bigint | number): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new InvalidOptionError('producerId', `must be an integer, got ${value}`);
  }
  const id = BigInt(value);
  if (id < -(2n ** 63n) || id >= 2n ** 63n) throw new InvalidOptionError('producerId', `must fit in 64 bits, got ${id}`);
  return id;
}

/** The record itself when its fields are bytes and it has no headers, else a copy converted to bytes. */
function asBytesRecord(record: RecordInput, index: number): BytesRecord {
  const { key, value, headers } = record;
  if (typeof key !== 'string' && typeof value !== 'string' && (headers === undefined || headers.length === 0)) return record as BytesRecord;
  const converted = (headers ?? []).map((h, i) => {
    if (typeof h.key !== 'string') throw new InvalidOptionError(`records[${index}].headers[${i}].key`, 'must be a string');
    return { key: Buffer.from(h.key, 'utf8'), value: bytesOf(h.value) };
  });
  const out: BytesRecord = { key: bytesOf(key), value: bytesOf(value), headers: converted };
  if (record.timestamp !== undefined) out.timestamp = record.timestamp;
  return out;
}

/** Bytes of a record's body (after its length prefix). */
function bodyBytes(record: BytesRecord, timestampDelta: number, index: number): number {
  const headers = record.headers;
  let bytes = 1 + varlongBytes(timestampDelta) + varintBytes(index) + lengthFieldBytes(record.key ?? null) + lengthFieldBytes(record.value);
  if (headers === undefined) return bytes + 1;
  bytes += varintBytes(headers.length);
  for (const h of headers) bytes += lengthFieldBytes(h.key) + lengthFieldBytes(h.value);
  return bytes;
}

function writeBytesField(w: Writer, bytes: Uint8Array | null | undefined): void {
  if (bytes === null || bytes === undefined) {
    w.varint(-1);
  } else {
    w.varint(bytes.length);
    w.raw(bytes);
  }
}

/** An int64 field from a safe integer, without a BigInt round trip. */
function writeInt64(buf: Buffer, at: number, value: number): void {
  buf.writeInt32BE(Math.floor(value / 2 ** 32), at);
  buf.writeUInt32BE(value >>> 0, at + 4);
}

/**
 * Encodes one record batch (magic 2, create-time timestamps). Record offsets and timestamps are
 * stored as deltas from the batch's base offset and base timestamp; with a codec other than
 * `none` the records section is compressed as a whole. The CRC32C covers attributes to end.
 *
 * @throws InvalidOptionError naming the field for empty input or out-of-range numbers
 * @throws CodecUnavailableError when the codec's optional npm package is not installed
 */
export async function encodeRecordBatch(options: EncodeRecordBatchOptions): Promise<Buffer> {
  const { records, compression } = options;
  if (records.length === 0) throw new InvalidOptionError('records', 'a batch needs at least one record');
  if (!(compression in COMPRESSION_CODES)) throw new InvalidOptionError('compression', `unknown codec ${String(compression)}`);
  const baseOffset = options.baseOffset ?? 0;
  checkSafeInteger('baseOffset', baseOffset);
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? Date.now();
  checkSafeInteger('baseTimestamp', baseTimestamp);
  const producerId = toProducerId(options.producerId ?? NO_PRODUCER_ID);
  const producerEpoch = options.producerEpoch ?? -1;
  if (!Number.isInteger(producerEpoch) || producerEpoch < -0x8000 || producerEpoch > 0x7fff) {
    throw new InvalidOptionError('producerEpoch', `must be a 16-bit integer, got ${producerEpoch}`);
  }
  const baseSequence = options.baseSequence ?? -1;
  checkInt32('baseSequence', baseSequence);
  const partitionLeaderEpoch = options.partitionLeaderEpoch ?? -1;
  checkInt32('partitionLeaderEpoch', partitionLeaderEpoch);

  // Two passes over the records (measure, then write) and no object per record: at 100 B a
  // prepared copy of each record cost more in allocation and GC than the encoding itself.
  const input = records.map(asBytesRecord);
  let sectionBytes = 0;
  let maxTimestampDelta = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < input.length; index++) {
    const record = input[index] as BytesRecord;
    const timestamp = record.timestamp ?? baseTimestamp;
    checkSafeInteger(`records[${index}].timestamp`, timestamp);
    const timestampDelta = timestamp - baseTimestamp;
    checkSafeInteger(`records[${index}].timestamp`, timestampDelta);
    const body = bodyBytes(record, timestampDelta, index);
    sectionBytes += varintBytes(body) + body;
    if (timestampDelta > maxTimestampDelta) maxTimestampDelta = timestampDelta;
  }

  // The header is reserved ahead of the records so an uncompressed batch needs no second copy.
  const w = new Writer(RECORDS_AT + sectionBytes);
  w.ensure(RECORDS_AT);
  w.offset = RECORDS_AT;
  for (let index = 0; index < input.length; index++) {
    const record = input[index] as BytesRecord;
    const timestampDelta = (record.timestamp ?? baseTimestamp) - baseTimestamp;
    w.varint(bodyBytes(record, timestampDelta, index));
    w.int8(0); // record attributes: unused
    w.varlong(timestampDelta);
    w.varint(index);
    writeBytesField(w, record.key);
    writeBytesField(w, record.value);
    const headers = record.headers;
    w.varint(headers === undefined ? 0 : headers.length);
    if (headers !== undefined) {
      for (const h of headers) {
        writeBytesField(w, h.key);
        writeBytesField(w, h.value);
      }
    }
  }
  const written = w.finish();

  let batch: Buffer;
  if (compression === 'none') {
    batch = written;
  } else {
    const section = await compress(compression, written.subarray(RECORDS_AT));
    batch = Buffer.allocUnsafe(RECORDS_AT + section.length);
    section.copy(batch, RECORDS_AT);
  }

  let attributes = COMPRESSION_CODES[compression];
  if (options.isTransactional === true) attributes |= TRANSACTIONAL_BIT;
  if (options.isControl === true) attributes |= CONTROL_BIT;
  writeInt64(batch, BASE_OFFSET_AT, baseOffset);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_AT);
  batch.writeInt32BE(partitionLeaderEpoch, PARTITION_LEADER_EPOCH_AT);
  batch.writeInt8(MAGIC_V2, MAGIC_AT);
  batch.writeInt16BE(attributes, ATTRIBUTES_AT);
  batch.writeInt32BE(records.length - 1, LAST_OFFSET_DELTA_AT);
  writeInt64(batch, BASE_TIMESTAMP_AT, baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP_AT, baseTimestamp + maxTimestampDelta);
  batch.writeBigInt64BE(producerId, PRODUCER_ID_AT);
  batch.writeInt16BE(producerEpoch, PRODUCER_EPOCH_AT);
  batch.writeInt32BE(baseSequence, BASE_SEQUENCE_AT);
  batch.writeInt32BE(records.length, RECORD_COUNT_AT);
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_AT), CRC_AT);
  return batch;
}
