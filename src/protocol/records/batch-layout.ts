/**
 * Byte layout of a record batch (magic 2), as positions from the batch start. Shared by the
 * encoder and the decoder so both agree on every field.
 *
 * baseOffset int64 · batchLength int32 · partitionLeaderEpoch int32 · magic int8 · crc uint32 ·
 * attributes int16 · lastOffsetDelta int32 · baseTimestamp int64 · maxTimestamp int64 ·
 * producerId int64 · producerEpoch int16 · baseSequence int32 · recordCount int32 · records
 */

/** int64: offset of the batch's first record. */
export const BASE_OFFSET_AT = 0;
/** int32: bytes after this field to the end of the batch. */
export const BATCH_LENGTH_AT = 8;
/** int32: leader epoch, set by the broker. */
export const PARTITION_LEADER_EPOCH_AT = 12;
/** int8: record format version, 2. */
export const MAGIC_AT = 16;
/** uint32: CRC32C of the bytes from the attributes to the end. */
export const CRC_AT = 17;
/** int16 attributes; the CRC covers everything from here to the end of the batch. */
export const ATTRIBUTES_AT = 21;
/** int32: offset delta of the last record written. */
export const LAST_OFFSET_DELTA_AT = 23;
/** int64: timestamp the record deltas are taken from. */
export const BASE_TIMESTAMP_AT = 27;
/** int64: largest record timestamp (or the log-append time). */
export const MAX_TIMESTAMP_AT = 35;
/** int64: idempotent/transactional producer id, -1 for none. */
export const PRODUCER_ID_AT = 43;
/** int16: producer epoch. */
export const PRODUCER_EPOCH_AT = 51;
/** int32: sequence number of the first record. */
export const BASE_SEQUENCE_AT = 53;
/** int32: number of records in the batch. */
export const RECORD_COUNT_AT = 57;
/** Size of the batch header; the records section follows. */
export const RECORDS_AT = 61;

/** Bytes before `batchLength` starts counting (baseOffset and batchLength themselves). */
export const LOG_OVERHEAD = 12;
/** The smallest valid `batchLength`: a header with an empty records section. */
export const MIN_BATCH_LENGTH = RECORDS_AT - LOG_OVERHEAD;

/** The only record format this library reads and writes. */
export const MAGIC_V2 = 2;

/** Attribute bits 0-2: the compression codec id. */
export const COMPRESSION_MASK = 0x07;
/** Attribute bit 3: timestamps are the broker's log-append time. */
export const TIMESTAMP_TYPE_BIT = 0x08;
/** Attribute bit 4: the batch belongs to a transaction. */
export const TRANSACTIONAL_BIT = 0x10;
/** Attribute bit 5: a control batch (transaction markers). */
export const CONTROL_BIT = 0x20;

/**
 * The fewest bytes one record can take: length, attributes, timestamp delta, offset delta, key
 * length, value length and header count, one byte each. Record counts are checked against it
 * before any loop or allocation trusts them.
 */
export const MIN_RECORD_BYTES = 7;
/** The fewest bytes one header can take: key length and value length, one byte each. */
export const MIN_HEADER_BYTES = 2;
