/** The error a consumer reports when the `onFailure` policy stops a partition. */
import { KafkaStageError } from '../errors.js';

/**
 * A subscriber kept failing on a record until the `onFailure` retries were exhausted, and the
 * policy says stop (`exhausted: 'stop'`, the default): the partition delivers nothing more, its
 * acked prefix is committed (never the failed record), it stays with this consumer, and
 * `stats()` shows the failure. `consumer.release(topic, partition)` starts it again from the
 * failed record. `cause` is the subscriber's last error.
 */
export class PartitionStoppedError extends KafkaStageError {
  static override readonly brand: string = 'PartitionStoppedError';
  /** Offset of the record the subscriber failed on. */
  readonly offset: number;
  /** Deliveries of that record. */
  readonly attempts: number;

  constructor(topic: string, partition: number, offset: number, attempts: number, cause: Error) {
    super(
      'ERR_PARTITION_STOPPED',
      `partition ${topic}/${partition} stopped: its subscriber failed on offset ${offset} ${attempts} time(s) (${cause.message}); release() starts it again`,
      { cause, context: { topic, partition, offset, attempts }, retriable: false },
    );
    this.offset = offset;
    this.attempts = attempts;
  }
}
