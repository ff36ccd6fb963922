/** Errors of the commit path: commits from acknowledgements, fenced or lost assignments. */
import { KafkaStageError } from '../errors.js';

/**
 * An ack under the `sync` strategy that no durable commit will ever cover: its partition was lost,
 * revoked (or released) with a final commit below the acked offset, or the consumer stopped. The
 * record may be delivered again to whoever consumes the partition next. `offset` is the acked
 * offset that is not covered; `committed` the last offset this consumer committed for the
 * partition, if any.
 */
export class CommitLostError extends KafkaStageError {
  static override readonly brand: string = 'CommitLostError';
  /** The acked offset no commit covers. */
  readonly offset: number;
  /** The last offset this consumer committed for the partition, or null. */
  readonly committed: number | null;

  constructor(topic: string, partition: number, offset: number, committed: number | null, why: string) {
    super('ERR_COMMIT_LOST', `ack of ${topic}/${partition} offset ${offset} will not be committed: ${why}`, {
      context: { topic, partition, offset, committed },
      retriable: false,
    });
    this.offset = offset;
    this.committed = committed;
  }
}
