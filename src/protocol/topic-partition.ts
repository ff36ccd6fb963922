/**
 * The one topic-partition shape. It sits in the protocol layer because the lowest code that names a
 * partition (the record decoder, the consumer protocol's assignments) is here; every layer above uses
 * this type rather than its own `{ topic; partition }`.
 */

/** One partition of one topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A position in one partition: the offset of a commit, or where to start reading. */
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}
