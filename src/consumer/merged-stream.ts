/**
 * The merged stream over every partition stage of a consumer (`consumer.stream()`): each stage's
 * batches() iterator is piped into one {@link BatchChannel}. It remembers which stage delivered
 * each batch, so an ack of a batch goes to that stage even after its partition was released and a
 * fresh stage delivers the same offsets again; and it counts, per stage, the records taken from
 * the stage that never reached the user (waiting in the channel, or dropped there when the stage
 * stopped), so a drain need not wait for acks of records nobody saw.
 */
import { KafkaStageError } from '../errors.js';
import { BatchChannel } from './batch-channel.js';
import type { PartitionStage } from './partition-stage.js';
import type { ConsumerBatch, DemandOptions } from './types.js';

/** What the merged stream tells its host. */
export interface MergedStreamHooks {
  /** A stage's pipe failed with something other than the stage stopping. */
  onError(error: unknown, stage: PartitionStage): void;
  /** Records of `stage` were dropped unseen (its drain may be able to end). */
  onAbandoned(stage: PartitionStage): void;
  /** Tracks the pipe's task, so stop() can wait for it. */
  track(task: Promise<void>, stage: PartitionStage): void;
}

export class MergedStream {
  private readonly channel = new BatchChannel();
  /** The stage that delivered each batch handed out. */
  private readonly deliveredBy = new WeakMap<ConsumerBatch, PartitionStage>();
  /** Records taken from a stage and not handed out (waiting, or dropped when the stage stopped). */
  private readonly unseen = new WeakMap<PartitionStage, number>();

  constructor(
    private readonly options: DemandOptions,
    private readonly hooks: MergedStreamHooks,
  ) {}

  /** The iterator the user reads. */
  iterator(): AsyncIterableIterator<ConsumerBatch> {
    return this.channel.iterator();
  }

  /** Pipes a stage's batches into the stream; the channel's backpressure drives the stage's demand. */
  attach(stage: PartitionStage): void {
    const task = (async () => {
      try {
        for await (const batch of stage.batches(this.options)) {
          this.deliveredBy.set(batch, stage);
          this.unseen.set(stage, this.unseenRecords(stage) + batch.records.length);
          if (await this.channel.put(batch, stage.signal)) {
            this.unseen.set(stage, this.unseenRecords(stage) - batch.records.length);
            continue;
          }
          // Dropped: its records stay in flight (never acked, so never committed) without a reader.
          this.hooks.onAbandoned(stage);
          break;
        }
      } catch (err) {
        if (!(stage.signal.aborted && isAbort(err))) this.hooks.onError(err, stage);
      }
    })();
    this.hooks.track(task, stage);
  }

  /** The stage that delivered `batch` through this stream, if it did. */
  stageOf(batch: ConsumerBatch): PartitionStage | undefined {
    return this.deliveredBy.get(batch);
  }

  /** Records of `stage` taken from it but never handed to the user. */
  unseenRecords(stage: PartitionStage): number {
    return this.unseen.get(stage) ?? 0;
  }

  /** Ends the user's iterator; batches still waiting are dropped. */
  close(): void {
    this.channel.close();
  }
}

/** True for the error an iterator ends with because its stage stopped. */
export function isAbort(err: unknown): boolean {
  return (err instanceof KafkaStageError && err.code === 'ERR_ABORTED') || (err instanceof Error && err.name === 'AbortError');
}
