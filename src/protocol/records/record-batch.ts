/**
 * Record batches (magic 2): the public face of the codec. Encoding, decoding, control records,
 * CRC32C and compression live in their own files; this module gathers them.
 */
export { encodeRecordBatch, type EncodeRecordBatchOptions } from './encode-batch.js';
export {
  decodeRecordBatches,
  decodeRecordBatchesSync,
  type DecodeRecordBatchesOptions,
  type DecodedRecordBatches,
} from './decode-batches.js';
export { parseControlRecordKey, CONTROL_TYPE_ABORT, CONTROL_TYPE_COMMIT, type ControlRecordKey } from './control-record.js';
export { compress, decompress, decompressSync, hasSyncDecompress } from './compression/index.js';
export { crc32c } from './crc32c.js';
export type { CompressionName, KafkaRecord, RecordBatch, RecordHeader, RecordInput } from './types.js';
export { COMPRESSION_CODES, UNKNOWN_PARTITION, UNKNOWN_TOPIC } from './types.js';
