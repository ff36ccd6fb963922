/**
 * Byte layout of a record batch (magic 2), as positions from the batch start. Shared by the
 * encoder and the decoder so both agree on every field.
 *
 * baseOffset int64 · batchLength int32 · partitionLeaderEpoch int32 · magic int8 · crc uint32 ·
 * attributes int16 · lastOffsetDelta int32 · baseTimestamp int64 · maxTimestamp int64 ·
 * producerId int64 · producerEpoch int16 · baseSequence int32 · recordCount int32 · records
 */

export const BASE_OFFSET_AT = 0;
export const BATCH_LENGTH_AT = 8;
export const PARTITION_LEADER_EPOCH_AT = 12;
export const MAGIC_AT = 16;
export const CRC_AT = 17;
/** The CRC covers everything from the attributes to the end of the batch. */
export const ATTRIBUTES_AT = 21;
export const LAST_OFFSET_DELTA_AT = 23;
export const BASE_TIMESTAMP_AT = 27;
export const MAX_TIMESTAMP_AT = 35;
export const PRODUCER_ID_AT = 43;
export const PRODUCER_EPOCH_AT = 51;
export const BASE_SEQUENCE_AT = 53;
export const RECORD_COUNT_AT = 57;
/** Size of the batch header; the records section follows. */
export const RECORDS_AT = 61;

/** Bytes before `batchLength` starts counting (baseOffset and batchLength themselves). */
export const LOG_OVERHEAD = 12;
/** The smallest valid `batchLength`: a header with an empty records section. */
export const MIN_BATCH_LENGTH = RECORDS_AT - LOG_OVERHEAD;

/** The only record format this library reads and writes. */
export const MAGIC_V2 = 2;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_BIT = 0x08;
export const TRANSACTIONAL_BIT = 0x10;
export const CONTROL_BIT = 0x20;

/**
 * The fewest bytes one record can take: length, attributes, timestamp delta, offset delta, key
 * length, value length and header count, one byte each. Record counts are checked against it
 * before any loop or allocation trusts them.
 */
export const MIN_RECORD_BYTES = 7;
/** The fewest bytes one header can take: key length and value length, one byte each. */
export const MIN_HEADER_BYTES = 2;
