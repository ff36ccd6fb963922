/**
 * Decoding of one partition's fetched `records` bytes for the fetch scheduler: synchronously
 * whenever every batch's codec allows it (no promise, no microtask per partition on the hot path),
 * else through the asynchronous decoder (zstd on a Node without built-in zstd).
 */
import { ATTRIBUTES_AT, BATCH_LENGTH_AT, COMPRESSION_MASK, LOG_OVERHEAD } from '../protocol/records/batch-layout.js';
import { hasSyncDecompress } from '../protocol/records/compression/index.js';
import {
  decodeRecordBatches,
  decodeRecordBatchesSync,
  type DecodedRecordBatches,
  type DecodeRecordBatchesOptions,
} from '../protocol/records/decode-batches.js';

/** Wire id of zstd in the batch attributes. */
const ZSTD_ID = 4;
const ZSTD_IS_SYNC = hasSyncDecompress('zstd');

/**
 * True when some complete batch in `bytes` is zstd-compressed. Only reads headers; a malformed
 * length stops the walk, and the decoder then reports it properly.
 */
function holdsZstd(bytes: Buffer): boolean {
  let at = 0;
  while (at + ATTRIBUTES_AT + 2 <= bytes.length) {
    if ((bytes.readInt16BE(at + ATTRIBUTES_AT) & COMPRESSION_MASK) === ZSTD_ID) return true;
    const length = bytes.readInt32BE(at + BATCH_LENGTH_AT);
    if (length <= 0) return false;
    at += LOG_OVERHEAD + length;
  }
  return false;
}

/**
 * Decodes the batches of one fetched partition: a value when it could be done synchronously, a
 * promise otherwise. Throws (or rejects) as the batch decoders do: CorruptRecordError,
 * CompressionError, CodecUnavailableError.
 */
export function decodeFetched(bytes: Buffer, options: DecodeRecordBatchesOptions): DecodedRecordBatches | Promise<DecodedRecordBatches> {
  if (ZSTD_IS_SYNC || !holdsZstd(bytes)) return decodeRecordBatchesSync(bytes, options);
  return decodeRecordBatches(bytes, options);
}

/**
 * Size of the first batch in `bytes` (header included) when the bytes stop inside it, so the next
 * fetch can ask for at least that much; null when its length is not there yet.
 */
export function firstBatchSize(bytes: Buffer): number | null {
  if (bytes.length < LOG_OVERHEAD) return null;
  const length = bytes.readInt32BE(BATCH_LENGTH_AT);
  return length > 0 ? LOG_OVERHEAD + length : null;
}
