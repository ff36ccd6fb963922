/**
 * What a group member and a standalone consumer share on top of their {@link StageHost}: the merged
 * stream, acks by partition, commits, stats and the owned stages. Subclasses add how partitions are
 * obtained (group membership, or an explicit list) and start/stop.
 */
import { InvalidArgumentError, KafkaStageError } from '../errors.js';
import { ackTargetOf } from './ack-target.js';
import type { TopicPartition } from './contracts.js';
import { ConsumerEmitter } from './consumer-emitter.js';
import type { StageHost } from './stage-host.js';
import type { Ackable, ConsumerBatch, DemandOptions, PartitionStage, PartitionStats } from './types.js';

export abstract class ConsumerBase<E> extends ConsumerEmitter {
  /** Set by the subclass constructor (it needs the subclass's own owner callbacks). */
  protected abstract readonly host: StageHost<E>;

  /** The merged stream over all partitions (when no subscriber factory was given). Ack batches with {@link ack}. */
  stream(options?: DemandOptions): AsyncIterableIterator<ConsumerBatch> {
    return this.host.stream(options);
  }

  /**
   * Acks a batch from the merged stream, or a record/offset of a partition. A merged-stream batch
   * is acked on the stage that delivered it: after its partition was released, revoked or lost,
   * the ack is ignored (never committed) even if the partition has a fresh stage delivering the
   * same offsets again. Acks during a drain (revoke, release, stop) count. For a partition not
   * consumed here it resolves at once, except under `sync`, where it rejects with CommitLostError
   * (`ERR_COMMIT_LOST`): no commit will cover it. Rejects with InvalidArgumentError
   * (`ERR_INVALID_ARGUMENT`), acking nothing, when `what` is no record, batch or offset, or a record
   * or batch of another partition than `topic`/`partition`.
   */
  ack(batch: ConsumerBatch): Promise<void>;
  ack(topic: string, partition: number, what: Ackable): Promise<void>;
  ack(a: ConsumerBatch | string, partition?: number, what?: Ackable): Promise<void> {
    if (typeof a === 'string') return this.host.ack(a, partition as number, what as Ackable);
    const target = ackTargetOf(a);
    if (target instanceof InvalidArgumentError) return Promise.reject(target);
    // A bare offset names no partition: it needs ack(topic, partition, offset).
    if (target.topic === undefined || target.partition === undefined) {
      return Promise.reject(new InvalidArgumentError('batch', 'ack(batch) takes a batch (or record); ack an offset with ack(topic, partition, offset)'));
    }
    return this.host.ack(target.topic, target.partition, a);
  }

  /**
   * Reports that processing failed, for a batch of the merged stream, or a record, batch or offset
   * of a partition: the `onFailure` policy takes over as when a subscriber throws. The partition
   * stops delivering at once; after the retry backoff it delivers again from its first unacked
   * record (records re-delivered carry their `attempt`; records acked after the failed one may come
   * again: at-least-once); other partitions go on meanwhile. Once a record's deliveries reach
   * `retry.maxAttempts`, it goes to the dead-letter topic (then is acked) or the partition stops
   * (an `error` event, PartitionStoppedError; `stats()` shows why; {@link release} starts it
   * again). A merged-stream batch is failed on the stage that delivered it. Returns false, doing
   * nothing, when none of the records named is delivered and unacked here (acked already, or the
   * partition was revoked, released or failed meanwhile).
   *
   * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) when `what` is no record, batch or offset,
   *   or one of another partition
   */
  nack(batch: ConsumerBatch, error?: unknown): boolean;
  nack(topic: string, partition: number, what: Ackable, error?: unknown): boolean;
  nack(a: ConsumerBatch | string, b?: unknown, what?: Ackable, error?: unknown): boolean {
    if (typeof a === 'string') return this.host.nack(a, b as number, what as Ackable, error);
    const target = ackTargetOf(a);
    if (target instanceof InvalidArgumentError) throw target;
    if (target.topic === undefined || target.partition === undefined) {
      throw new InvalidArgumentError('batch', 'nack(batch, error) takes a batch (or record); nack an offset with nack(topic, partition, offset, error)');
    }
    return this.host.nack(target.topic, target.partition, a, b);
  }

  /**
   * Commits now: every owned partition's acked prefix, or — with `offset` — exactly that offset of
   * one partition (the Elixir `trigger_commit`; honoured even below the last commit). A partition
   * being drained (revoke, release, stop) may still be committed this way until its drain ends, so
   * work finished during the drain need not be delivered again (commit strategy `none`).
   *
   * @throws KafkaStageError `ERR_PARTITION_NOT_OWNED` when the partition is neither owned nor draining
   * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `offset` is not a non-negative integer
   */
  async commit(target?: { topic: string; partition: number; offset: number }): Promise<void> {
    if (!target) return this.host.commits.commitNow();
    if (!Number.isSafeInteger(target.offset) || target.offset < 0) {
      throw new InvalidArgumentError('target.offset', `commit offset must be a non-negative integer, got ${String(target.offset)}`, {
        topic: target.topic,
        partition: target.partition,
      });
    }
    const stage = this.host.reachableStage(target.topic, target.partition);
    if (!stage) {
      throw new KafkaStageError('ERR_PARTITION_NOT_OWNED', `${target.topic}/${target.partition} is not consumed by this consumer`, {
        context: { topic: target.topic, partition: target.partition },
      });
    }
    return this.host.commitOffset(stage, target.offset);
  }

  /**
   * Releases a partition whose handler is stuck (see the `stuck` event): its subscriber's `signal`
   * aborts, the acked prefix is committed, and a fresh stage and subscriber call start from there,
   * so the records the stuck handler held are delivered again. Heartbeats were never affected; the
   * partition stays with this consumer. Resolves false, starting nothing, when the partition is not
   * owned, is revoked or lost while the old stage is taken down, or the consumer is stopping.
   *
   * A partition the `onFailure` policy stopped (or that waits out a retry backoff) starts again at
   * once from its first unacked record, with a fresh count of `retry.maxAttempts` failures.
   */
  release(topic: string, partition: number): Promise<boolean> {
    return this.host.release(topic, partition, this.generationForRelease());
  }

  /** Generation reported in the `assign` event of a released partition; -1 outside a group. */
  protected generationForRelease(): number {
    return -1;
  }

  /** Live figures of every owned partition; `failure` says why one is retrying, dead-lettering or stopped. */
  stats(): PartitionStats[] {
    return this.host.stats();
  }

  /** The stage of an owned partition. */
  stage(topic: string, partition: number): PartitionStage | undefined {
    return this.host.stage(topic, partition);
  }

  /** Partitions owned now (including ones stopped or waiting after a subscriber failure). */
  assignment(): TopicPartition[] {
    return this.host.assigned();
  }
}
