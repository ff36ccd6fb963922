/**
 * Hosts the partition stages of one consumer, group member or standalone: creates a stage per
 * assigned partition at its start offset, runs the subscriber, wires the fetch scheduler and the
 * commit manager, and takes stages down on revoke (drain, commit the acked prefix), loss (no
 * commit) and stop. It also watches for stuck handlers and keeps the events.
 */
import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import type { Cluster } from '../cluster/cluster.js';
import { KafkaStageError } from '../protocol/errors.js';
import { ByteBudget } from '../stage/byte-budget.js';
import { CommitManager } from './commit-manager.js';
import { tpKey, type FetchTarget, type OffsetToCommit, type TopicPartition } from './contracts.js';
import { FetchScheduler, type OutOfRangeInfo } from './fetch-scheduler.js';
import { resetOutOfRange, resolveStartOffsets } from './offset-reset.js';
import type { ResolvedConsumerCommon } from './options.js';
import { PartitionStage } from './partition-stage.js';
import type { ConsumerBatch, ConsumerEventName, ConsumerEvents, DemandOptions, PartitionStats } from './types.js';
import { BatchChannel } from './batch-channel.js';

/** What the host needs from its owner (the group or the standalone consumer). */
export interface StageHostOwner {
  /** Sends a commit with the owner's identity (generation, member id). */
  commit(offsets: readonly OffsetToCommit[]): Promise<void>;
  /** Committed offsets of partitions, by `topic:partition` (null where none). */
  fetchCommitted(partitions: readonly TopicPartition[]): Promise<Map<string, number | null>>;
  /** A failure to surface as an `error` event (the owner may react, e.g. rejoin on fencing). */
  onCommitError?(error: Error): void;
}

/** Context handed to a subscriber factory with its stage. */
export interface SubscriberContext<E> {
  topic: string;
  partition: number;
  /** Aborted when the partition is revoked, lost or the consumer stops. */
  signal: AbortSignal;
  /** The extra arguments given to the consumer (the Elixir `extra_consumer_args`). */
  extra: E;
}

/**
 * Called for every assigned partition with its stage (as the Elixir library started a subscriber
 * per partition). Take records from the stage (records(), batches(), ask+onRecords, readable(),
 * readableStream()) and ack them. A returned promise that rejects is reported as an `error` event.
 */
export type SubscriberFactory<E = unknown> = (stage: PartitionStage, context: SubscriberContext<E>) => void | Promise<void>;

/** Diagnostics channels, one per event: `kafka-stage:consumer:<event>`. */
const CHANNELS = {
  assign: channel('kafka-stage:consumer:assign'),
  revoke: channel('kafka-stage:consumer:revoke'),
  lost: channel('kafka-stage:consumer:lost'),
  commit: channel('kafka-stage:consumer:commit'),
  error: channel('kafka-stage:consumer:error'),
  stuck: channel('kafka-stage:consumer:stuck'),
} as const;

/** The emitter every consumer is: typed events, mirrored on diagnostics channels. */
export class ConsumerEmitter extends EventEmitter<ConsumerEvents> {
  /** Emits `event` and publishes it on its diagnostics channel. Errors without listeners are not thrown. */
  publish<K extends ConsumerEventName>(event: K, ...payload: ConsumerEvents[K]): void {
    const ch = CHANNELS[event];
    if (ch.hasSubscribers) ch.publish(payload[0]);
    if (event === 'error' && this.listenerCount('error') === 0) return;
    (this.emit as (e: K, ...p: ConsumerEvents[K]) => boolean)(event, ...payload);
  }
}

export class StageHost<E> {
  readonly budget: ByteBudget;
  readonly scheduler: FetchScheduler;
  readonly commits: CommitManager;
  private readonly stages = new Map<string, PartitionStage>();
  private readonly running = new Set<Promise<void>>();
  private readonly stuckReported = new Set<string>();
  private stuckTimer: NodeJS.Timeout | null = null;
  private merged: BatchChannel | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ResolvedConsumerCommon,
    private readonly owner: StageHostOwner,
    private readonly events: ConsumerEmitter,
    private readonly subscriber: SubscriberFactory<E> | null,
    private readonly extra: E,
  ) {
    this.budget = new ByteBudget(options.buffer.maxBytes);
    this.scheduler = new FetchScheduler({
      cluster,
      budget: this.budget,
      options: { ...options.fetch, maxBytesPerPartition: options.buffer.maxBytesPerPartition },
      onOffsetOutOfRange: (target, info) => this.outOfRange(target, info),
      onError: (err) => this.events.publish('error', err),
    });
    this.commits = new CommitManager({
      ...options.commit,
      commit: (offsets) => owner.commit(offsets),
      onCommit: (outcome) => {
        this.events.publish('commit', outcome);
        if (outcome.error) owner.onCommitError?.(outcome.error);
      },
    });
  }

  /** Starts fetching and the stuck-handler watch. */
  start(): void {
    this.scheduler.start();
    const max = this.options.maxProcessingMs;
    if (max > 0) {
      this.stuckTimer = setInterval(() => this.checkStuck(), Math.max(50, Math.min(1000, Math.floor(max / 4))));
      this.stuckTimer.unref();
    }
  }

  /** The merged stream over every partition: used instead of a subscriber factory. */
  stream(options: DemandOptions = {}): AsyncIterableIterator<ConsumerBatch> {
    if (this.subscriber) {
      throw new KafkaStageError('ERR_STAGE_BUSY', 'this consumer has a subscriber factory: take records from the stages it is given');
    }
    if (this.merged) throw new KafkaStageError('ERR_STAGE_BUSY', 'stream() was already called on this consumer');
    this.merged = new BatchChannel();
    for (const stage of this.stages.values()) this.pipe(stage, options);
    this.mergedOptions = options;
    return this.merged.iterator();
  }

  private mergedOptions: DemandOptions = {};

  /** Stages of the partitions owned now. */
  get owned(): PartitionStage[] {
    return [...this.stages.values()];
  }

  /** The stage of a partition, if owned. */
  stage(topic: string, partition: number): PartitionStage | undefined {
    return this.stages.get(tpKey(topic, partition));
  }

  /** Live figures of every owned partition. */
  stats(): PartitionStats[] {
    return this.owned.map((s) => s.stats());
  }

  /** Takes partitions on: committed offsets (or given ones, or the reset policy), a stage each, its subscriber. */
  async assign(partitions: readonly TopicPartition[], generationId: number, given: ReadonlyMap<string, number> = new Map()): Promise<void> {
    const fresh = partitions.filter((tp) => !this.stages.has(tpKey(tp.topic, tp.partition)));
    if (fresh.length === 0) return;
    const needCommitted = fresh.filter((tp) => !given.has(tpKey(tp.topic, tp.partition)));
    const committed = needCommitted.length > 0 ? await this.owner.fetchCommitted(needCommitted) : new Map<string, number | null>();
    const starts = await resolveStartOffsets(this.cluster, needCommitted, committed, this.options.autoOffsetReset, {
      isolationLevel: this.options.fetch.isolationLevel,
    });
    for (const [key, offset] of given) starts.set(key, offset);
    for (const tp of fresh) {
      const key = tpKey(tp.topic, tp.partition);
      const start = starts.get(key) as number;
      const info = this.cluster.metadata?.topics.get(tp.topic)?.partitions[tp.partition];
      const stage = new PartitionStage({
        topic: tp.topic,
        partition: tp.partition,
        startOffset: start,
        leaderEpoch: info?.leaderEpoch ?? -1,
        limits: {
          maxRecords: this.options.buffer.maxRecordsPerPartition,
          maxBytes: this.options.buffer.maxBytesPerPartition,
          minFetchBytes: this.options.fetch.minPartitionBytes,
        },
        budget: this.budget,
        waker: this.scheduler,
        commitSink: this.commits,
        maxProcessingMs: this.options.maxProcessingMs,
      });
      this.stages.set(key, stage);
      const c = committed.get(key);
      this.commits.register(stage, c !== undefined && c !== null && c >= 0 && c === start ? c : null);
      this.scheduler.add(stage);
      this.run(stage);
    }
    this.events.publish('assign', { partitions: fresh.map(({ topic, partition }) => ({ topic, partition })), generationId });
  }

  /** Gives partitions up cleanly: stop delivering, drain up to the drain timeout, commit the acked prefix. */
  async revoke(partitions: readonly TopicPartition[], reason: 'revoked' | 'stopped' = 'revoked'): Promise<void> {
    const stages = this.take(partitions);
    if (stages.length === 0) return;
    await Promise.all(
      stages.map(async (stage) => {
        this.scheduler.remove(stage);
        await stage.revoke(this.options.drainTimeoutMs, reason);
        try {
          if (this.options.commit.strategy !== 'none') await this.commits.commitFinal(stage);
          else this.commits.unregister(stage);
        } catch {
          // Reported through the commit event; the partition is released either way.
        }
      }),
    );
    this.events.publish('revoke', { partitions: stages.map(({ topic, partition }) => ({ topic, partition })) });
  }

  /**
   * Releases a partition whose handler is stuck (or misbehaving): its stage stops at once (no drain
   * wait), the acked prefix is committed, and a fresh stage with a fresh subscriber call starts from
   * that commit. Records the old handler still holds come again to the new one; acks the old handler
   * sends later are ignored. The partition stays with this member.
   */
  async release(topic: string, partition: number, generationId: number): Promise<boolean> {
    const stage = this.stages.get(tpKey(topic, partition));
    if (!stage) return false;
    this.scheduler.remove(stage);
    this.stages.delete(tpKey(topic, partition));
    this.stuckReported.delete(tpKey(topic, partition));
    await stage.revoke(0, 'revoked');
    if (this.options.commit.strategy !== 'none') {
      // A failed commit is reported through the commit event; the restart point is the same.
      await this.commits.commitFinal(stage).catch(() => undefined);
    } else {
      this.commits.unregister(stage);
    }
    this.events.publish('revoke', { partitions: [{ topic, partition }] });
    // Start again where the acked prefix ends: the offset just committed (or that would have been).
    const restart = new Map([[tpKey(topic, partition), stage.committableOffset]]);
    await this.assign([{ topic, partition }], generationId, restart);
    return true;
  }

  /** Partitions already lost: stop at once, commit nothing. */
  lose(partitions: readonly TopicPartition[], reason: string): void {
    const stages = this.take(partitions);
    if (stages.length === 0) return;
    for (const stage of stages) {
      this.commits.unregister(stage);
      this.scheduler.remove(stage);
      stage.lose();
    }
    this.events.publish('lost', { partitions: stages.map(({ topic, partition }) => ({ topic, partition })), reason });
  }

  /** Revokes everything, stops fetching and committing, waits for subscribers to return. */
  async stop(): Promise<void> {
    await this.revoke(this.owned, 'stopped');
    if (this.stuckTimer) clearInterval(this.stuckTimer);
    this.stuckTimer = null;
    await this.commits.stop();
    await this.scheduler.stop();
    this.merged?.close();
    await Promise.allSettled([...this.running]);
  }

  private take(partitions: readonly TopicPartition[]): PartitionStage[] {
    const out: PartitionStage[] = [];
    for (const tp of partitions) {
      const key = tpKey(tp.topic, tp.partition);
      const stage = this.stages.get(key);
      if (!stage) continue;
      this.stages.delete(key);
      this.stuckReported.delete(key);
      out.push(stage);
    }
    return out;
  }

  private run(stage: PartitionStage): void {
    if (!this.subscriber) {
      if (this.merged) this.pipe(stage, this.mergedOptions);
      return;
    }
    const context: SubscriberContext<E> = { topic: stage.topic, partition: stage.partition, signal: stage.signal, extra: this.extra };
    const task = (async () => {
      try {
        await this.subscriber?.(stage, context);
      } catch (err) {
        if (stage.signal.aborted && isAbort(err)) return;
        this.events.publish('error', wrapSubscriberError(err, stage));
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  /** Feeds a stage's batches into the merged stream; the channel's backpressure drives demand. */
  private pipe(stage: PartitionStage, options: DemandOptions): void {
    const channel = this.merged as BatchChannel;
    const task = (async () => {
      try {
        for await (const batch of stage.batches(options)) {
          if (!(await channel.put(batch, stage.signal))) break;
        }
      } catch (err) {
        if (!(stage.signal.aborted && isAbort(err))) this.events.publish('error', wrapSubscriberError(err, stage));
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  private async outOfRange(target: FetchTarget, info: OutOfRangeInfo): Promise<void> {
    const stage = this.stages.get(tpKey(target.topic, target.partition));
    if (!stage) return;
    const offset = await resetOutOfRange(this.cluster, target, info, this.options.autoOffsetReset, {
      isolationLevel: this.options.fetch.isolationLevel,
    });
    stage.seek(offset);
  }

  private checkStuck(): void {
    for (const [key, stage] of this.stages) {
      if (stage.stuck) {
        if (this.stuckReported.has(key)) continue;
        this.stuckReported.add(key);
        const s = stage.stats();
        this.events.publish('stuck', { topic: stage.topic, partition: stage.partition, heldMs: Math.round(s.oldestInFlightMs), inFlight: s.inFlight });
      } else {
        this.stuckReported.delete(key);
      }
    }
  }
}

function isAbort(err: unknown): boolean {
  return (err instanceof KafkaStageError && err.code === 'ERR_ABORTED') || (err instanceof Error && err.name === 'AbortError');
}

function wrapSubscriberError(err: unknown, stage: PartitionStage): Error {
  if (err instanceof KafkaStageError) return err;
  return new KafkaStageError('ERR_SUBSCRIBER', `subscriber of ${stage.topic}/${stage.partition} failed: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
    context: { topic: stage.topic, partition: stage.partition },
  });
}
