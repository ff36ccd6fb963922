/** What a `send()` resolves with, and the handle the producer keeps per record to settle it. */

/** Where a record landed. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /**
   * Offset of the record in its partition; -1 when unknown: with acks 0 (the broker does not
   * answer) or when the broker reported the batch as a duplicate of one it already had.
   */
  offset: number;
  /** The record's timestamp: the broker's log-append time when the topic uses it, else the create time. */
  timestamp: number;
}

/** Settles one record's `send()` promise. */
export interface Delivery {
  resolve(metadata: RecordMetadata): void;
  reject(error: unknown): void;
}
