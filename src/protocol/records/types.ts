/**
 * Shapes of records and record batches (magic 2), shared by the batch codec, the producer and the
 * consumer. Offsets and timestamps are numbers: Kafka's int64 values stay far below 2^53 in
 * practice, and the decoders reject any that do not, rather than round them.
 */

/** Compression codec of a record batch (attribute bits 0-2). */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Wire id of each codec. */
export const COMPRESSION_CODES: Readonly<Record<CompressionName, number>> = Object.freeze({
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
});

/**
 * Topic of records decoded from bytes that came from no known partition (a decoder called without
 * `topic`, as some tests and the benchmarks do). No Kafka topic has an empty name.
 */
export const UNKNOWN_TOPIC = '';
/** Partition of records decoded from bytes that came from no known partition. */
export const UNKNOWN_PARTITION = -1;

/** One record header. Header keys are UTF-8 strings; values are bytes or null. */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/**
 * A record as decoded from a batch. `key` and `value` are views into the fetched bytes (no copy).
 * `topic` and `partition` name the partition it was fetched from (as the Java client's
 * ConsumerRecord does), so an ack can be checked against the stage it is given to.
 */
export interface KafkaRecord {
  /** Topic it was fetched from; {@link UNKNOWN_TOPIC} when decoded without one (see DecodeRecordBatchesOptions). */
  topic: string;
  /** Partition it was fetched from; {@link UNKNOWN_PARTITION} when decoded without one. */
  partition: number;
  offset: number;
  /** Milliseconds since the epoch: create time or log-append time, per the batch's timestamp type. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /**
   * Delivery attempt of this record by a consumer: 1 on its first delivery, 2 when it comes again
   * after a failure of its subscriber (the `onFailure` retry policy), and so on. 1 on records that
   * were never re-delivered, and on records read without a consumer (readPartition, decoders).
   */
  attempt: number;
}

/** A record to encode. */
export interface RecordInput {
  key?: Uint8Array | string | null;
  value: Uint8Array | string | null;
  headers?: ReadonlyArray<{ key: string; value: Uint8Array | string | null }>;
  /** Defaults to the batch's first timestamp. */
  timestamp?: number;
}

/** A decoded record batch (magic 2). */
export interface RecordBatch {
  baseOffset: number;
  /** Offset of the last record the batch held when written (compaction may have removed records). */
  lastOffset: number;
  partitionLeaderEpoch: number;
  compression: CompressionName;
  /** True when the timestamps are the broker's log-append time. */
  logAppendTime: boolean;
  isTransactional: boolean;
  /** Control batches carry transaction markers, never user records. */
  isControl: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: KafkaRecord[];
  /** Bytes the batch took on the wire (compressed). */
  sizeInBytes: number;
}
