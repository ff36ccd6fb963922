/**
 * Hosts the partition stages of one consumer, group member or standalone: creates a stage per
 * assigned partition at its start offset, runs the subscriber, wires the fetch scheduler and the
 * commit manager, and takes stages down on revoke (drain, commit the acked prefix), loss (no
 * commit) and stop. The start offsets come from start-lookup.ts, the stuck-handler watch is
 * stuck-watch.ts, the events consumer-emitter.ts.
 */
import type { Cluster } from '../cluster/cluster.js';
import type { OffsetToCommit } from '../group/membership-contracts.js';
import { InvalidArgumentError, KafkaStageError } from '../errors.js';
import { SubscriberTimeoutError } from './errors.js';
import { ByteBudget } from '../stage/byte-budget.js';
import { ackTargetOf } from './ack-target.js';
import { CommitLostError } from './commit-errors.js';
import { CommitManager } from './commit-manager.js';
import type { ConsumerEmitter } from './consumer-emitter.js';
import { takePartitions, tpKey, type TopicPartition } from './contracts.js';
import type { FetchTarget } from './fetch-target.js';
import { FetchScheduler, type OutOfRangeInfo } from './fetch-scheduler.js';
import { resetOutOfRange } from './offset-reset.js';
import type { ResolvedConsumerCommon } from './options.js';
import { fetchTargetOf, PartitionStage, toError } from './partition-stage.js';
import type { Ackable, ConsumerBatch, DemandOptions, PartitionStats, PartitionStage as SubscriberView } from './types.js';
import { isAbort, MergedStream } from './merged-stream.js';
import { SubscriberTasks } from './subscriber-tasks.js';
import type { DeadLetterProducer } from './dead-letter.js';
import { FailureHandler } from './failure-handler.js';
import { lookUpStarts, type StartLookup } from './start-lookup.js';
import { StuckWatch } from './stuck-watch.js';


/**
 * Least time stop() gives subscribers to return once their drain ended, when the drain already
 * used up `drainTimeoutMs`: a subscriber that honours its signal returns within a few ticks.
 */
export const STOP_GRACE_MS = 250;

/** What the host needs from its owner (the group or the standalone consumer). */
export interface StageHostOwner {
  /** Sends a commit with the owner's identity (generation, member id). */
  commit(offsets: readonly OffsetToCommit[]): Promise<void>;
  /** Committed offsets of partitions, by `topic:partition` (null where none); `signal` cuts retries short. */
  fetchCommitted(partitions: readonly TopicPartition[], signal?: AbortSignal): Promise<Map<string, number | null>>;
  /** A failure to surface as an `error` event (the owner may react, e.g. rejoin on fencing). */
  onCommitError?(error: Error): void;
  /**
   * Whether the partition is still the owner's (a group member: in its current assignment, not
   * being revoked). Checked after every await of assign and release, so that neither starts a
   * stage for a partition revoked or lost meanwhile. Default: always (a standalone consumer).
   */
  owns?(topic: string, partition: number): boolean;
  /**
   * Makes the producer that dead-letters records (`onFailure` with `deadLetter`): idempotent,
   * `acks: 'all'`, on the consumer's cluster options. Called on first use; closed by stop().
   */
  createDeadLetterProducer?(): DeadLetterProducer;
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
export type SubscriberFactory<E = unknown> = (stage: SubscriberView, context: SubscriberContext<E>) => void | Promise<void>;


/**
 * The stages of one consumer and their lifecycle. Every await in assign, release and stop is
 * followed by a check of what may have changed meanwhile (stop, revoke, loss): a stage is only
 * ever started for a partition the owner still owns, and never after stop() began.
 */
export class StageHost<E> {
  readonly budget: ByteBudget;
  readonly scheduler: FetchScheduler;
  readonly commits: CommitManager;
  private readonly stages = new Map<string, PartitionStage>();
  /** Stages being revoked or released: still reachable for acks and explicit commits until their drain ends. */
  private readonly draining = new Map<string, PartitionStage>();
  /**
   * Releases taking their old stage down (drain, final commit), by partition: a revoke or stop of
   * the same partition waits for them, so the release's final commit goes out while the partition is
   * still this member's, never after the revoke has handed it back.
   */
  private readonly releasing = new Map<string, Promise<void>>();
  private readonly tasks = new SubscriberTasks();
  private readonly stuckWatch: StuckWatch;
  private readonly startLookup: StartLookup;
  private merged: MergedStream | null = null;
  /** Aborted when stop() begins: look-ups in flight give up, assign and release start nothing. */
  private readonly closing = new AbortController();
  /** When stop() must be done waiting for subscribers (`drainTimeoutMs` after it began). */
  private stopDeadline = 0;
  /** Explicit commits in flight: stop() lets them finish before the connections close. */
  private readonly explicitCommits = new Set<Promise<void>>();
  /** Partitions a revoke (or stop) is taking down now, by key: their take-downs may still commit. */
  private readonly revoking = new Set<string>();
  /** The `onFailure` policy at work: parked partitions, retries, dead-lettering. */
  private readonly failures: FailureHandler;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ResolvedConsumerCommon,
    private readonly owner: StageHostOwner,
    private readonly events: ConsumerEmitter,
    private readonly subscriber: SubscriberFactory<E> | null,
    private readonly extra: E,
  ) {
    events.logUnheardErrorsTo(cluster.options.logger);
    this.stuckWatch = new StuckWatch(options.maxProcessingMs, () => this.stages.values(), (stuck) => this.events.publish('stuck', stuck));
    this.startLookup = {
      cluster,
      options,
      fetchCommitted: (partitions, signal) => owner.fetchCommitted(partitions, signal),
      signal: this.closing.signal,
      reportAttemptFailure: (error) => this.events.publish('error', error),
    };
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
      logger: cluster.options.logger,
      commit: (offsets) => owner.commit(offsets),
      onCommit: (outcome) => {
        this.events.publish('commit', outcome);
        if (outcome.error) owner.onCommitError?.(outcome.error);
      },
    });
    this.failures = new FailureHandler({
      cluster,
      logger: cluster.options.logger,
      isolationLevel: options.fetch.isolationLevel,
      policyFor: (tp) => options.onFailure.policyFor(tp),
      detach: (stage) => this.detach(stage),
      takeDown: (stage, drain, lost) => this.takeDown(stage, drain, lost),
      restart: (tp, offset) => this.restart(tp, offset),
      publishError: (error) => this.events.publish('error', error),
      errorHeard: () => this.events.listenerCount('error') > 0,
      createProducer: () => {
        if (!owner.createDeadLetterProducer) throw new KafkaStageError('ERR_CLOSED', 'this consumer cannot dead-letter: it has no producer');
        return owner.createDeadLetterProducer();
      },
    });
  }

  /** True once stop() began. */
  get stopping(): boolean {
    return this.closing.signal.aborted;
  }

  /** Starts fetching and the stuck-handler watch; nothing once stop() began (a stop during start). */
  start(): void {
    if (this.stopping) return;
    this.scheduler.start();
    this.stuckWatch.start();
  }

  /** The merged stream over every partition: used instead of a subscriber factory. */
  stream(options: DemandOptions = {}): AsyncIterableIterator<ConsumerBatch> {
    if (this.subscriber) {
      throw new KafkaStageError('ERR_STAGE_BUSY', 'this consumer has a subscriber factory: take records from the stages it is given');
    }
    if (this.merged) throw new KafkaStageError('ERR_STAGE_BUSY', 'stream() was already called on this consumer');
    const merged = new MergedStream(options, {
      onError: (err, stage) => this.events.publish('error', wrapSubscriberError(err, stage)),
      onAbandoned: (stage) => this.maybeEndDrain(stage),
      track: (task, stage) => this.tasks.track(task, stage),
    });
    this.merged = merged;
    const iterator = merged.iterator();
    // A stream asked for after stop() ends at once.
    if (this.stopping) merged.close();
    for (const stage of this.stages.values()) merged.attach(stage);
    return iterator;
  }

  /** Stages of the partitions owned now. */
  get owned(): PartitionStage[] {
    return [...this.stages.values()];
  }

  /** The stage of a partition, if owned. */
  stage(topic: string, partition: number): PartitionStage | undefined {
    return this.stages.get(tpKey(topic, partition));
  }

  /** The stage of a partition, owned or still draining (revoke, release, stop): where acks and explicit commits go. */
  reachableStage(topic: string, partition: number): PartitionStage | undefined {
    const key = tpKey(topic, partition);
    return this.stages.get(key) ?? this.draining.get(key);
  }

  /**
   * Acks on behalf of the user. A batch handed out by the merged stream is acked on the stage that
   * delivered it (a released or re-assigned partition's fresh stage never takes an old batch's
   * acks); anything else on the partition's current or draining stage. Resolves at once when the
   * partition is not reachable (acks of a partition no longer owned are never committed). The promise is the stage's, unchanged: its rejection is the caller's to handle.
   */
  ack(topic: string, partition: number, item: Ackable): Promise<void> {
    const target = ackTargetOf(item);
    if (target instanceof InvalidArgumentError) return Promise.reject(target);
    const tagged = target.batch ? this.merged?.stageOf(item as ConsumerBatch) : undefined;
    const stage = tagged ?? this.reachableStage(topic, partition);
    if (!stage) {
      // Not consumed here (never assigned, or revoked and drained): no commit will ever cover it.
      if (this.options.commit.strategy !== 'sync') return Promise.resolve();
      return Promise.reject(new CommitLostError(topic, partition, target.to, null, 'the partition is not consumed by this consumer'));
    }
    const done = stage.ack(item);
    this.maybeEndDrain(stage);
    return done;
  }

  /**
   * Commits exactly `offset` of `stage`'s partition now (see ConsumerBase.commit), tracked so that
   * stop() does not close the connections under it.
   */
  commitOffset(stage: PartitionStage, offset: number): Promise<void> {
    const commit = this.commits.commitOffset(stage, offset);
    const tracked = commit.then(
      () => undefined,
      () => undefined,
    );
    this.explicitCommits.add(tracked);
    void tracked.finally(() => this.explicitCommits.delete(tracked));
    return commit;
  }

  /** Live figures of every owned partition. */
  stats(): PartitionStats[] {
    return [...this.owned, ...this.failures.parkedStages()].map((s) => s.stats());
  }

  /**
   * Takes partitions on: committed offsets (or given ones, or the reset policy), a stage each, its
   * subscriber. Look-ups that fail transiently are tried {@link ASSIGN_ATTEMPTS} times, each failure
   * reported as an `error` event. Rejects with the last failure when they keep failing, at once with
   * {@link NoOffsetError} under `autoOffsetReset: 'none'` (the owner gives the partitions back).
   * Partitions no longer owned when the look-ups return, and everything once stop() began, are skipped.
   */
  async assign(partitions: readonly TopicPartition[], generationId: number, given: ReadonlyMap<string, number> = new Map()): Promise<void> {
    if (this.stopping) return;
    const fresh = partitions.filter((tp) => !this.stages.has(tpKey(tp.topic, tp.partition)) && !this.failures.isParked(tp.topic, tp.partition));
    if (fresh.length === 0) return;
    const needCommitted = fresh.filter((tp) => !given.has(tpKey(tp.topic, tp.partition)));
    const { committed, starts } = await lookUpStarts(this.startLookup, needCommitted);
    if (this.stopping) return;
    for (const [key, offset] of given) starts.set(key, offset);
    const started: TopicPartition[] = [];
    for (const tp of fresh) {
      const key = tpKey(tp.topic, tp.partition);
      // Revoked or lost during the look-ups, or started meanwhile by another path (a release).
      if (this.stages.has(key) || this.failures.isParked(tp.topic, tp.partition) || !this.ownsNow(tp)) continue;
      const start = starts.get(key);
      if (start === undefined) continue;
      const c = committed.get(key);
      this.startStage(tp, start, c !== undefined && c !== null && c >= 0 && c === start ? c : null);
      started.push({ topic: tp.topic, partition: tp.partition });
    }
    if (started.length > 0) this.events.publish('assign', { partitions: started, generationId });
  }

  /** Creates, registers and runs the stage of `tp` from `start` (`committed`: the committed offset when it equals `start`). */
  private startStage(tp: TopicPartition, start: number, committed: number | null): PartitionStage {
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
      failureSink: this.failures,
      redelivery: this.failures.redeliveryOf(tp),
    });
    stage.setFailureStats(this.failures.retryingStats(tp));
    this.stages.set(tpKey(tp.topic, tp.partition), stage);
    this.commits.register(stage, committed);
    this.scheduler.add(fetchTargetOf(stage));
    this.run(stage);
    return stage;
  }

  /** Gives partitions up cleanly: stop delivering, drain up to the drain timeout, commit the acked prefix. */
  async revoke(partitions: readonly TopicPartition[], reason: 'revoked' | 'stopped' = 'revoked'): Promise<void> {
    // Partitions parked after a subscriber failure give up their backoff or dead-letter produce first.
    const parked = this.failures.unpark(partitions);
    this.failures.forget(partitions);
    const parkedKeys = parked.map((s) => tpKey(s.topic, s.partition));
    for (const key of parkedKeys) this.revoking.add(key);
    try {
      await this.revokeStages(partitions, reason, parked);
    } finally {
      for (const key of parkedKeys) this.revoking.delete(key);
    }
  }

  private async revokeStages(partitions: readonly TopicPartition[], reason: 'revoked' | 'stopped', parked: readonly PartitionStage[]): Promise<void> {
    const releases = partitions.flatMap((tp) => this.releasing.get(tpKey(tp.topic, tp.partition)) ?? []);
    const stages = this.take(partitions);
    if (stages.length === 0) {
      await Promise.all(releases);
      if (parked.length > 0) this.events.publish('revoke', { partitions: parked.map(({ topic, partition }) => ({ topic, partition })) });
      return;
    }
    await Promise.all([
      ...releases,
      ...stages.map(async (stage) => {
        const key = tpKey(stage.topic, stage.partition);
        this.draining.set(key, stage);
        try {
          this.scheduler.remove(fetchTargetOf(stage));
          const drained = stage.revoke(this.options.drainTimeoutMs, reason);
          this.maybeEndDrain(stage);
          await drained;
          try {
            if (this.options.commit.strategy !== 'none') await this.commits.commitFinal(stage);
            else this.commits.unregister(stage);
          } catch {
            // Reported through the commit event; the partition is released either way.
          }
        } finally {
          if (this.draining.get(key) === stage) this.draining.delete(key);
        }
      }),
    ]);
    this.events.publish('revoke', { partitions: [...stages, ...parked].map(({ topic, partition }) => ({ topic, partition })) });
  }

  /**
   * Releases a partition whose handler is stuck (or misbehaving): its stage stops at once (no drain
   * wait), the acked prefix is committed, and a fresh stage with a fresh subscriber call starts from
   * that commit. Records the old handler still holds come again to the new one; acks the old handler
   * sends later are ignored. The partition stays with this member. Resolves false, starting nothing,
   * when the partition is not owned, stops being owned while the old stage is taken down (revoked
   * or lost in a rebalance), was started again meanwhile, or the consumer is stopping.
   *
   * A partition parked after a subscriber failure (stopped by the `onFailure` policy, or waiting
   * out a retry backoff) starts again at once from its first unacked record, with a fresh count of
   * `retry.maxAttempts` failures.
   */
  async release(topic: string, partition: number, generationId: number): Promise<boolean> {
    const key = tpKey(topic, partition);
    const tp = { topic, partition };
    if (this.stopping) return false;
    const [parked] = this.failures.unpark([tp]);
    if (parked) {
      // Its take-down (final commit) may still be under way.
      await this.releasing.get(key);
      this.failures.resetFailures(tp);
      if (this.stopping || this.stages.has(key) || !this.ownsNow(tp)) return false;
      await this.assign([tp], generationId, new Map([[key, parked.committableOffset]]));
      return this.stages.has(key);
    }
    const stage = this.stages.get(key);
    if (!stage) return false;
    this.detach(stage);
    // A failed commit is reported through the commit event; the restart point is the same.
    await this.takeDown(stage, () => stage.revoke(0, 'revoked'), () => this.stopping);
    this.events.publish('revoke', { partitions: [tp] });
    if (this.stopping || this.stages.has(key) || !this.ownsNow(tp)) return false;
    // Start again where the acked prefix ends: the offset just committed (or that would have been).
    await this.assign([tp], generationId, new Map([[key, stage.committableOffset]]));
    const restarted = this.stages.get(key);
    return restarted !== undefined && restarted !== stage;
  }

  /** Partitions already lost: stop at once, commit nothing. */
  lose(partitions: readonly TopicPartition[], reason: string): void {
    const parked = this.failures.unpark(partitions, true);
    this.failures.forget(partitions);
    const stages = this.take(partitions);
    if (stages.length === 0 && parked.length === 0) return;
    for (const stage of stages) {
      this.commits.unregister(stage);
      this.scheduler.remove(fetchTargetOf(stage));
      stage.lose();
    }
    this.events.publish('lost', { partitions: [...stages, ...parked].map(({ topic, partition }) => ({ topic, partition })), reason });
  }

  /** Takes `stage` out of delivery (no fetches, no longer its partition's stage); it stays reachable for acks while it drains. */
  private detach(stage: PartitionStage): void {
    const key = tpKey(stage.topic, stage.partition);
    this.scheduler.remove(fetchTargetOf(stage));
    if (this.stages.get(key) === stage) this.stages.delete(key);
    this.stuckWatch.forget(stage.topic, stage.partition);
    this.draining.set(key, stage);
  }

  /**
   * Ends a detached stage with `drain`, then commits its acked prefix (unless `lost()`, the
   * strategy is `none`, or the partition is no longer owned). A revoke or stop of the partition
   * waits for it, so the commit goes out while the partition is still this member's.
   */
  private async takeDown(stage: PartitionStage, drain: () => Promise<unknown>, lost: () => boolean): Promise<void> {
    const key = tpKey(stage.topic, stage.partition);
    const run = (async () => {
      try {
        await drain();
        // The commit manager keys partitions by name: once another stage of it is registered, the old
        // one must not touch it.
        if (!this.stages.has(key)) {
          // A revoke waiting for this take-down still owns the partition: the commit goes out before it hands it back.
          const owned = this.revoking.has(key) || (this.owner.owns?.(stage.topic, stage.partition) ?? true);
          if (this.options.commit.strategy !== 'none' && !lost() && owned) {
            await this.commits.commitFinal(stage).catch(() => undefined);
          } else {
            this.commits.unregister(stage);
          }
        }
      } finally {
        if (this.draining.get(key) === stage) this.draining.delete(key);
      }
    })();
    this.releasing.set(key, run);
    try {
      await run;
    } finally {
      if (this.releasing.get(key) === run) this.releasing.delete(key);
    }
  }

  /** Starts `tp` again at `offset` after a subscriber failure (retry backoff over, or records dead-lettered). */
  private restart(tp: TopicPartition, offset: number): void {
    const key = tpKey(tp.topic, tp.partition);
    if (this.stages.has(key) || this.failures.isParked(tp.topic, tp.partition) || !this.ownsNow(tp)) return;
    this.startStage(tp, offset, null);
  }

  /**
   * Reports a subscriber failure on a record, a batch or an offset (see PartitionStage.nack). A
   * merged-stream batch goes to the stage that delivered it. False when nothing was failed (the
   * partition is not delivering here, or nothing named is unacked).
   *
   * @throws InvalidArgumentError for something that is no record, batch or offset
   */
  nack(topic: string, partition: number, item: Ackable, error: unknown): boolean {
    const target = ackTargetOf(item);
    if (target instanceof InvalidArgumentError) throw target;
    const tagged = target.batch ? this.merged?.stageOf(item as ConsumerBatch) : undefined;
    const stage = tagged ?? this.stages.get(tpKey(topic, partition));
    return stage ? stage.nack(item, error) : false;
  }

  /** Partitions owned now, delivering or parked after a subscriber failure. */
  assigned(): TopicPartition[] {
    return [...this.owned, ...this.failures.parkedStages()].map(({ topic, partition }) => ({ topic, partition }));
  }

  /**
   * Marks the start of stop(): assign and release start nothing from now on, look-ups in flight
   * give up, and subscribers have until `drainTimeoutMs` from now to return. Called by stop(); an
   * owner whose stop does more first (a group member leaving) calls it at the start of its stop.
   */
  beginStop(): void {
    if (this.stopping) return;
    this.stopDeadline = Date.now() + this.options.drainTimeoutMs;
    this.closing.abort();
  }

  /**
   * Revokes everything (reason 'stopped'), stops fetching and committing, and waits for subscribers
   * to return until `drainTimeoutMs` after {@link beginStop} (at least {@link STOP_GRACE_MS} after
   * the drain). Subscribers still running then are left behind, named in a
   * {@link SubscriberTimeoutError} `error` event: stop() is bounded whatever they do.
   */
  async stop(): Promise<void> {
    this.beginStop();
    await this.revoke(this.assigned(), 'stopped');
    // Releases under way end too (they start nothing new once stopping).
    await Promise.all([...this.releasing.values()]);
    await this.failures.close().catch((err: unknown) => this.cluster.options.logger.warn('closing the dead-letter producer failed', { error: toError(err) }));
    this.stuckWatch.stop();
    await this.commits.stop();
    // Commits asked for during the drain (commit strategy 'none') are bounded by the request timeout.
    await Promise.all([...this.explicitCommits]);
    await this.scheduler.stop();
    this.merged?.close();
    const deadline = Math.max(this.stopDeadline, Date.now() + STOP_GRACE_MS);
    const left = await this.tasks.settle(deadline);
    if (left.length > 0) {
      const partitions = uniqueStages(left).map(({ topic, partition }) => ({ topic, partition }));
      this.events.publish('error', new SubscriberTimeoutError(partitions, Date.now() - (this.stopDeadline - this.options.drainTimeoutMs)));
    }
  }

  private ownsNow(tp: TopicPartition): boolean {
    return !this.stopping && (this.owner.owns?.(tp.topic, tp.partition) ?? true);
  }


  /**
   * Ends a drain early when every record still in flight was taken by the merged stream and never
   * handed out (it waits, or was dropped, in the channel): nobody can ack those, and waiting the
   * drain timeout for them would only delay the revoke. They stay unacked, so never committed.
   */
  private maybeEndDrain(stage: PartitionStage): void {
    if (!this.merged || !stage.signal.aborted) return;
    const key = tpKey(stage.topic, stage.partition);
    if (this.draining.get(key) !== stage) return;
    if (stage.stats().inFlight <= this.merged.unseenRecords(stage)) {
      // lose() on a draining stage closes it and resolves the drain with its committable offset;
      // the host still commits that offset (a revoke, not a loss).
      stage.lose();
    }
  }

  private take(partitions: readonly TopicPartition[]): PartitionStage[] {
    return takePartitions(this.stages, partitions).map(([, stage]) => {
      this.stuckWatch.forget(stage.topic, stage.partition);
      return stage;
    });
  }

  private run(stage: PartitionStage): void {
    if (!this.subscriber) {
      this.merged?.attach(stage);
      return;
    }
    const context: SubscriberContext<E> = { topic: stage.topic, partition: stage.partition, signal: stage.signal, extra: this.extra };
    const task = (async () => {
      try {
        await this.subscriber?.(stage, context);
      } catch (err) {
        if (stage.signal.aborted) {
          // Ended by its signal, or the failure was reported already (nack): nothing new.
          if (isAbort(err) || endReason(stage) === 'failed') return;
          this.events.publish('error', wrapSubscriberError(err, stage));
          return;
        }
        // A fetch error the stage could not get past reached it through its iterator: not the handler's failure.
        if (err === stage.error || !stage.fail(toError(err))) this.events.publish('error', wrapSubscriberError(err, stage));
      }
    })();
    this.tasks.track(task, stage);
  }

  private async outOfRange(target: FetchTarget, info: OutOfRangeInfo): Promise<void> {
    const stage = this.stages.get(tpKey(target.topic, target.partition));
    if (!stage) return;
    const offset = await resetOutOfRange(this.cluster, target, info, this.options.autoOffsetReset, {
      isolationLevel: this.options.fetch.isolationLevel,
    });
    stage.seek(offset);
  }

}

/** Why a stage's signal aborted ('revoked', 'stopped', 'lost', 'failed'), undefined while it has not. */
function endReason(stage: PartitionStage): unknown {
  const reason: unknown = stage.signal.reason;
  return reason instanceof KafkaStageError ? reason.context.reason : undefined;
}

function uniqueStages(stages: readonly PartitionStage[]): PartitionStage[] {
  const seen = new Set<string>();
  return stages.filter((s) => {
    const key = tpKey(s.topic, s.partition);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}


function wrapSubscriberError(err: unknown, stage: PartitionStage): Error {
  if (err instanceof KafkaStageError) return err;
  return new KafkaStageError('ERR_SUBSCRIBER', `subscriber of ${stage.topic}/${stage.partition} failed: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
    context: { topic: stage.topic, partition: stage.partition },
  });
}
