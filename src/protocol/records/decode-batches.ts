/**
 * Decoding of a Fetch response's `records` bytes: a sequence of record batches (magic 2), the last
 * of which may be cut short by the broker's size limit.
 *
 * Two entry points share one scanner: {@link decodeRecordBatchesSync} for every codec that can
 * decompress synchronously here (all of them on Node ≥ 22.15; all but zstd before), and
 * {@link decodeRecordBatches}, which also awaits the asynchronous zstd package. The async one
 * decodes uncompressed batches and every synchronous codec without awaiting anything.
 */
import { CompressionError, CorruptRecordError } from '../errors.js';
import {
  ATTRIBUTES_AT,
  BASE_SEQUENCE_AT,
  BASE_TIMESTAMP_AT,
  BATCH_LENGTH_AT,
  COMPRESSION_MASK,
  CONTROL_BIT,
  CRC_AT,
  LAST_OFFSET_DELTA_AT,
  LOG_OVERHEAD,
  MAGIC_AT,
  MAGIC_V2,
  MAX_TIMESTAMP_AT,
  MIN_BATCH_LENGTH,
  PARTITION_LEADER_EPOCH_AT,
  PRODUCER_EPOCH_AT,
  PRODUCER_ID_AT,
  RECORD_COUNT_AT,
  RECORDS_AT,
  TIMESTAMP_TYPE_BIT,
  TRANSACTIONAL_BIT,
} from './batch-layout.js';
import type { TopicPartition } from '../topic-partition.js';
import { decompress, decompressSync } from './compression/index.js';
import { crc32c } from './crc32c.js';
import { decodeRecords } from './decode-records.js';
import { UNKNOWN_PARTITION, UNKNOWN_TOPIC, type CompressionName, type KafkaRecord, type RecordBatch } from './types.js';

/** Options of the batch decoders. */
export interface DecodeRecordBatchesOptions {
  /** Verify each batch's CRC32C (default true). Off only saves time on trusted bytes. */
  verifyCrc?: boolean;
  /**
   * The most bytes decompression may produce in one call, summed over its compressed batches
   * (uncompressed batches are views of the input and do not count). A batch that would go past it
   * is refused with a CompressionError before its output is allocated, where the codec allows.
   */
  maxDecompressedBytes: number;
  /**
   * Topic the bytes were fetched from, set on every decoded record. Consumers pass it; callers
   * holding bytes of no known partition (tests, benchmarks, tools reading raw bytes) may leave it out, and
   * their records carry {@link UNKNOWN_TOPIC} ('') — which no stage accepts in an ack.
   */
  topic?: string;
  /** Partition the bytes were fetched from, set on every decoded record; {@link UNKNOWN_PARTITION} (-1) when left out. */
  partition?: number;
}

/** What a decoder call found in the bytes. */
export interface DecodedRecordBatches {
  /** The complete batches, in order. */
  batches: RecordBatch[];
  /**
   * True when the bytes end inside a batch — the broker cuts the last batch at the fetch size
   * limit. Not an error: fetch again from the offset after the last complete batch.
   */
  truncatedTail: boolean;
  /** Bytes taken by the complete batches (where the partial tail, if any, starts). */
  bytesRead: number;
}

const CODEC_BY_ID: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** The largest base offset whose records (delta up to 2^31) still have safe-integer offsets. */
const MAX_BASE_OFFSET = Number.MAX_SAFE_INTEGER - 2 ** 31;

/** A complete batch located in the input, its header checked, its records not yet decoded. */
interface BatchFrame {
  start: number;
  end: number;
  baseOffset: number;
  codec: CompressionName;
  attributes: number;
  recordCount: number;
}

function corrupt(message: string, at: number, baseOffset?: number): CorruptRecordError {
  return new CorruptRecordError(message, baseOffset === undefined ? { at } : { at, baseOffset });
}

/** An int64 as a number; values beyond ±(2^53 - 1) are refused rather than rounded. */
function safeInt64(buf: Buffer, at: number, what: string): number {
  const value = buf.readInt32BE(at) * 2 ** 32 + buf.readUInt32BE(at + 4);
  if (!Number.isSafeInteger(value)) throw corrupt(`${what} beyond 2^53`, at);
  return value;
}

/**
 * Locates and checks the batch at `at`. Returns null when the bytes end inside it (a truncated
 * tail); throws CorruptRecordError for anything that cannot be a magic-2 batch.
 */
function frameAt(bytes: Buffer, at: number, verifyCrc: boolean): BatchFrame | null {
  const left = bytes.length - at;
  if (left < LOG_OVERHEAD) return null;
  const batchLength = bytes.readInt32BE(at + BATCH_LENGTH_AT);
  if (batchLength < MIN_BATCH_LENGTH) throw corrupt(`batch length ${batchLength} is below the ${MIN_BATCH_LENGTH}-byte minimum`, at);
  if (left > MAGIC_AT) {
    const magic = bytes.readInt8(at + MAGIC_AT);
    if (magic !== MAGIC_V2) throw corrupt(`record batch magic ${magic} is not supported (only 2)`, at);
  }
  const end = at + LOG_OVERHEAD + batchLength;
  if (end > bytes.length) return null;
  const baseOffset = safeInt64(bytes, at, 'base offset');
  if (baseOffset < 0 || baseOffset > MAX_BASE_OFFSET) throw corrupt(`base offset ${baseOffset} out of range`, at);
  if (verifyCrc) {
    const expected = bytes.readUInt32BE(at + CRC_AT);
    const actual = crc32c(bytes, at + ATTRIBUTES_AT, end);
    if (actual !== expected) {
      throw corrupt(`batch CRC32C mismatch: header says ${expected.toString(16)}, bytes give ${actual.toString(16)}`, at, baseOffset);
    }
  }
  const attributes = bytes.readInt16BE(at + ATTRIBUTES_AT);
  const codec = CODEC_BY_ID[attributes & COMPRESSION_MASK];
  if (codec === undefined) throw corrupt(`unknown compression codec id ${attributes & COMPRESSION_MASK}`, at, baseOffset);
  const recordCount = bytes.readInt32BE(at + RECORD_COUNT_AT);
  if (recordCount < 0) throw corrupt(`negative record count ${recordCount}`, at, baseOffset);
  return { start: at, end, baseOffset, codec, attributes, recordCount };
}

/**
 * Decodes the records of `frame` from `section` (the input itself, or its decompressed records).
 * `source` is set on each record as it is created.
 */
function buildBatch(bytes: Buffer, frame: BatchFrame, section: Buffer, sectionStart: number, sectionEnd: number, source: TopicPartition): RecordBatch {
  const at = frame.start;
  const baseTimestamp = safeInt64(bytes, at + BASE_TIMESTAMP_AT, 'base timestamp');
  const maxTimestamp = safeInt64(bytes, at + MAX_TIMESTAMP_AT, 'max timestamp');
  const logAppendTime = (frame.attributes & TIMESTAMP_TYPE_BIT) !== 0;
  const records: KafkaRecord[] = [];
  try {
    decodeRecords(
      section,
      sectionStart,
      sectionEnd,
      frame.recordCount,
      frame.baseOffset,
      baseTimestamp,
      logAppendTime ? maxTimestamp : null,
      source.topic,
      source.partition,
      records,
    );
  } catch (error) {
    if (error instanceof CorruptRecordError) {
      throw new CorruptRecordError(error.message, { ...error.context, baseOffset: frame.baseOffset, batchAt: at }, error);
    }
    throw error;
  }
  return {
    baseOffset: frame.baseOffset,
    lastOffset: frame.baseOffset + bytes.readInt32BE(at + LAST_OFFSET_DELTA_AT),
    partitionLeaderEpoch: bytes.readInt32BE(at + PARTITION_LEADER_EPOCH_AT),
    compression: frame.codec,
    logAppendTime,
    isTransactional: (frame.attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (frame.attributes & CONTROL_BIT) !== 0,
    baseTimestamp,
    maxTimestamp,
    producerId: bytes.readBigInt64BE(at + PRODUCER_ID_AT),
    producerEpoch: bytes.readInt16BE(at + PRODUCER_EPOCH_AT),
    baseSequence: bytes.readInt32BE(at + BASE_SEQUENCE_AT),
    records,
    sizeInBytes: frame.end - frame.start,
  };
}

function checkMaxDecompressedBytes(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CompressionError(`maxDecompressedBytes must be a non-negative integer, got ${value}`, {});
  }
}

/** Adds the batch's position to a codec failure so it can be found in the fetched bytes. */
function withBatchContext(error: unknown, frame: BatchFrame): unknown {
  if (error instanceof CompressionError) {
    return new CompressionError(error.message, { ...error.context, baseOffset: frame.baseOffset, batchAt: frame.start }, error);
  }
  return error;
}

/** A compressed records section the decoding loop needs decompressed before it can go on. */
interface PendingSection {
  frame: BatchFrame;
  codec: Exclude<BatchFrame['codec'], 'none'>;
  data: Buffer;
  /** Decompressed bytes still allowed for this call. */
  budget: number;
}

/**
 * The one decoding loop, shared by the sync and async entry points: it yields each compressed
 * section and is resumed with its decompressed bytes, so only the driver differs (a generator step
 * per compressed batch, nothing per record).
 */
function* decodeSteps(bytes: Buffer, options: DecodeRecordBatchesOptions): Generator<PendingSection, DecodedRecordBatches, Buffer> {
  const verifyCrc = options.verifyCrc ?? true;
  checkMaxDecompressedBytes(options.maxDecompressedBytes);
  let budget = options.maxDecompressedBytes;
  const source: TopicPartition = { topic: options.topic ?? UNKNOWN_TOPIC, partition: options.partition ?? UNKNOWN_PARTITION };
  const batches: RecordBatch[] = [];
  let at = 0;
  for (let frame = frameAt(bytes, at, verifyCrc); frame !== null; frame = frameAt(bytes, at, verifyCrc)) {
    if (frame.codec === 'none') {
      batches.push(buildBatch(bytes, frame, bytes, frame.start + RECORDS_AT, frame.end, source));
    } else {
      const section = yield { frame, codec: frame.codec, data: bytes.subarray(frame.start + RECORDS_AT, frame.end), budget };
      budget -= section.length;
      batches.push(buildBatch(bytes, frame, section, 0, section.length, source));
    }
    at = frame.end;
  }
  return { batches, truncatedTail: at < bytes.length, bytesRead: at };
}

/**
 * Decodes the record batches in `bytes` synchronously. Keys, values and header values are views
 * into `bytes` (or into a batch's decompressed buffer): no copies.
 *
 * @throws CorruptRecordError on anything that is not a sound magic-2 batch (bad CRC when
 *   verifying, lengths or counts that lie, magic other than 2, int64 values beyond 2^53)
 * @throws CompressionError on corrupt compressed data, output beyond `maxDecompressedBytes`, or a
 *   zstd batch when this Node has no synchronous zstd (see `hasSyncDecompress`)
 * @throws CodecUnavailableError when a batch's codec package is not installed
 */
export function decodeRecordBatchesSync(bytes: Buffer, options: DecodeRecordBatchesOptions): DecodedRecordBatches {
  const steps = decodeSteps(bytes, options);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    const pending = step.value;
    let section: Buffer;
    try {
      section = decompressSync(pending.codec, pending.data, pending.budget);
    } catch (error) {
      throw withBatchContext(error, pending.frame);
    }
    step = steps.next(section);
  }
}

/**
 * Decodes the record batches in `bytes`, like {@link decodeRecordBatchesSync}, and also handles
 * codecs that only decompress asynchronously (zstd before Node 22.15, through
 * `@mongodb-js/zstd`). Batches of the other codecs are decoded without awaiting.
 */
export async function decodeRecordBatches(bytes: Buffer, options: DecodeRecordBatchesOptions): Promise<DecodedRecordBatches> {
  const steps = decodeSteps(bytes, options);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    const pending = step.value;
    let section: Buffer;
    try {
      const result = decompress(pending.codec, pending.data, pending.budget);
      section = result instanceof Buffer ? result : await result;
    } catch (error) {
      throw withBatchContext(error, pending.frame);
    }
    step = steps.next(section);
  }
}
