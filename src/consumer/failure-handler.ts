/**
 * Applies the `onFailure` policy when a subscriber fails (it threw or rejected, a manual handler
 * threw, or it called `nack`). The failed stage stops delivering at once and is taken down as a
 * release takes a stage down (its acked prefix committed); the partition is then *parked* here,
 * still owned, while it
 * - waits out the retry backoff, then starts a fresh stage and subscriber call from the first
 *   unacked offset (records delivered again carry their `attempt`);
 * - or, retries exhausted with a dead-letter topic, produces the failed records there, acks them
 *   once the broker has them, and starts a fresh stage past them;
 * - or, retries exhausted otherwise, stays stopped (an `error` event) until `release()`; so does a
 *   partition whose dead-letter produce is refused for good (not retriable: the topic name is
 *   illegal, writing it is not authorized, the record is too large), the records unacked.
 * A revoke, a loss or stop() ends the parking at once: a wait or a dead-letter produce is given
 * up (what it did not ack is not committed) and nothing more is delivered.
 */
import type { Cluster } from '../cluster/cluster.js';
import type { Logger } from '../logger.js';
import { abortableDelay, untilAborted } from './abortable-delay.js';
import { takePartitions, tpKey, type TopicPartition } from './contracts.js';
import { deadLetterRecord, deadLetterTopic, readFailedRecords, type DeadLetterProducer } from './dead-letter.js';
import { KafkaStageError } from '../errors.js';
import { DeliveryTimeoutError } from '../producer/errors.js';
import { PartitionStoppedError } from './failure-errors.js';
import { retryDelay, type ResolvedFailurePolicy } from './failure-policy.js';
import { PartitionFailures, type CurrentFailure, type Redelivery } from './failure-state.js';
import type { FailureSink, PartitionStage } from './partition-stage.js';
import type { PartitionFailureStats } from './types.js';

/**
 * How long a dead-lettering stage may drain: the drain ends when the records are acked or the
 * parking is given up, never by this timer (the largest setTimeout takes).
 */
const DEAD_LETTER_DRAIN_MS = 2 ** 31 - 1;

/** What the failure handler needs of its stage host. */
export interface FailurePort {
  readonly cluster: Cluster;
  readonly logger: Logger;
  readonly isolationLevel: 'read_uncommitted' | 'read_committed';
  /** The policy of a partition (throws InvalidOptionError for a policy function's bad answer). */
  policyFor(tp: TopicPartition): ResolvedFailurePolicy;
  /** Takes the stage out of delivery: no fetches, no longer the partition's stage. */
  detach(stage: PartitionStage): void;
  /**
   * Runs `drain` (which ends the stage), then commits the stage's acked prefix unless `lost()`,
   * registered so that a revoke of the partition waits for it.
   */
  takeDown(stage: PartitionStage, drain: () => Promise<unknown>, lost: () => boolean): Promise<void>;
  /** Starts a fresh stage and subscriber call for `tp` at `offset`, if still owned and not stopping. */
  restart(tp: TopicPartition, offset: number): void;
  /** Reports an error event. */
  publishError(error: Error): void;
  /** True when someone listens to error events (else publishing one already logs it). */
  errorHeard(): boolean;
  /** The dead-letter producer, made on first use. */
  createProducer(): DeadLetterProducer;
}

/** A partition whose stage failed and that has no stage now. */
interface Parked {
  readonly tp: TopicPartition;
  /** The failed stage (closed once taken down): its committable offset is where delivery resumes. */
  readonly stage: PartitionStage;
  /** Aborted when the parking is given up (revoke, loss, stop, release). */
  readonly abort: AbortController;
  /** Set on a loss: nothing of the stage is committed. */
  lost: boolean;
}

type Action = 'retry' | 'deadLetter' | 'stop';

/** The failure handling of one consumer's partitions. */
export class FailureHandler implements FailureSink {
  private readonly parked = new Map<string, Parked>();
  private readonly history = new Map<string, PartitionFailures>();
  private producer: DeadLetterProducer | null = null;

  constructor(private readonly port: FailurePort) {}

  /** Re-deliveries of `tp` after failures, for a stage starting now (none when it never failed). */
  redeliveryOf(tp: TopicPartition): Redelivery | undefined {
    return this.history.get(tpKey(tp.topic, tp.partition));
  }

  /** The failure a fresh stage of `tp` is retrying, for its stats (null when none). */
  retryingStats(tp: TopicPartition): PartitionFailureStats | null {
    const now = this.history.get(tpKey(tp.topic, tp.partition))?.current;
    return now ? { state: 'retrying', offset: now.offset, attempts: now.attempts, error: now.error } : null;
  }

  /** True while `tp` is parked (waiting, dead-lettering or stopped). */
  isParked(topic: string, partition: number): boolean {
    return this.parked.has(tpKey(topic, partition));
  }

  /** The failed stages of the parked partitions (for stats and the assignment). */
  parkedStages(): PartitionStage[] {
    return [...this.parked.values()].map((p) => p.stage);
  }

  /**
   * Gives up the parking of `partitions` (a revoke, a loss with `lost`, stop, release): the wait or
   * dead-letter produce ends, nothing more starts. Returns the failed stages of the partitions
   * that were parked (their committable offset is where delivery would resume).
   */
  unpark(partitions: readonly TopicPartition[], lost = false): PartitionStage[] {
    return takePartitions(this.parked, partitions).map(([, entry]) => {
      entry.lost ||= lost;
      entry.abort.abort();
      return entry.stage;
    });
  }

  /** Forgets the failures of partitions that left this consumer (a new assignment counts afresh). */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.history.delete(tpKey(tp.topic, tp.partition));
  }

  /** A stopped partition released by the user gets `maxAttempts` fresh tries (its attempts keep counting). */
  resetFailures(tp: TopicPartition): void {
    this.history.get(tpKey(tp.topic, tp.partition))?.resetFailures();
  }

  /** Closes the dead-letter producer (flushing what it holds). */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.close();
  }

  /** FailureSink: the subscriber of `stage` failed on the unacked records at `offsets`. */
  failed(stage: PartitionStage, offsets: readonly number[], error: Error): void {
    const tp = { topic: stage.topic, partition: stage.partition };
    const key = tpKey(tp.topic, tp.partition);
    let history = this.history.get(key);
    if (!history) {
      history = new PartitionFailures();
      this.history.set(key, history);
    }
    const from = stage.committableOffset;
    const failure = history.fail(offsets[0] ?? from, from, stage.deliveredUntil, error);
    let policy: ResolvedFailurePolicy | null = null;
    try {
      policy = this.port.policyFor(tp);
    } catch (err) {
      this.port.publishError(err instanceof Error ? err : new Error(String(err)));
    }
    const exhausted = policy === null || failure.failures >= policy.retry.maxAttempts;
    // A failure holding no record leaves nothing to dead-letter: the partition stops instead.
    const action: Action = !exhausted ? 'retry' : policy?.exhausted === 'deadLetter' && offsets.length > 0 ? 'deadLetter' : 'stop';
    const entry: Parked = { tp, stage, abort: new AbortController(), lost: false };
    this.parked.set(key, entry);
    this.show(entry, action === 'deadLetter' ? 'deadLettering' : action === 'stop' ? 'stopped' : 'retrying', failure);
    this.port.detach(stage);
    void this.handle(entry, action, offsets, policy, failure);
  }

  private async handle(entry: Parked, action: Action, offsets: readonly number[], policy: ResolvedFailurePolicy | null, failure: CurrentFailure): Promise<void> {
    const { tp, stage } = entry;
    const fields = { topic: tp.topic, partition: tp.partition, offset: failure.offset, attempt: failure.attempts, error: failure.error };
    let refused: Error | null = null;
    if (action === 'deadLetter' && policy?.deadLetter) {
      const deadLetter = policy.deadLetter;
      this.port.logger.warn('subscriber failed, retries exhausted: dead-lettering the failed records', { ...fields, records: offsets.length });
      await this.port.takeDown(
        stage,
        async () => {
          // Draining: acks still count, so the records are acked here once the broker has them.
          const drained = stage.revoke(DEAD_LETTER_DRAIN_MS, 'failed');
          const outcome = await this.deadLetter(entry, offsets, deadLetter, policy, failure);
          if (outcome === 'sent') for (const offset of offsets) stage.ack(offset).catch(() => undefined);
          else if (outcome !== 'aborted') refused = outcome;
          // Ends the drain (records the old subscriber still holds stay unacked: delivered again).
          stage.lose();
          await drained;
        },
        () => entry.lost,
      );
    } else {
      if (action === 'retry') this.port.logger.warn('subscriber failed: delivering its records again after a backoff', fields);
      await this.port.takeDown(stage, () => stage.revoke(0, 'failed'), () => entry.lost);
    }
    if (entry.abort.signal.aborted) return;
    if (action === 'stop' || refused) {
      if (refused) this.show(entry, 'stopped', failure);
      const error = new PartitionStoppedError(tp.topic, tp.partition, failure.offset, failure.attempts, refused ?? failure.error);
      // An error event nobody listens to is logged by the emitter: once either way.
      if (this.port.errorHeard()) {
        const why = refused ? 'the dead-letter produce was refused for good' : 'retries exhausted';
        this.port.logger.error(`subscriber failed, ${why}: partition stopped`, { ...fields, ...(refused ? { error: refused } : {}) });
      }
      this.port.publishError(error);
      return;
    }
    if (action === 'retry' && policy) {
      await abortableDelay(retryDelay(failure.failures, policy.retry), entry.abort.signal);
      if (entry.abort.signal.aborted) return;
    }
    this.parked.delete(tpKey(tp.topic, tp.partition));
    this.port.restart(tp, stage.committableOffset);
  }

  /**
   * Produces the records at `offsets` to the dead-letter topic until the broker has them all:
   * 'sent'; 'aborted' when the parking was given up; the error when the produce (or the read-back)
   * was refused for a reason retrying cannot change (not a retriable KafkaStageError, nor a
   * delivery timeout), which stops the partition rather than retrying for ever.
   */
  private async deadLetter(
    entry: Parked,
    offsets: readonly number[],
    options: NonNullable<ResolvedFailurePolicy['deadLetter']>,
    policy: ResolvedFailurePolicy,
    failure: CurrentFailure,
  ): Promise<'sent' | 'aborted' | Error> {
    const signal = entry.abort.signal;
    const history = this.history.get(tpKey(entry.tp.topic, entry.tp.partition));
    for (let round = 1; !signal.aborted; round++) {
      try {
        const records = await readFailedRecords(this.port.cluster, entry.tp, offsets, { isolationLevel: this.port.isolationLevel, signal });
        this.producer ??= this.port.createProducer();
        const producer = this.producer;
        const sends = records.map((r) => {
          const attempts = Math.max(1, (history?.attemptOf(r.offset) ?? 2) - 1);
          return producer.send(deadLetterTopic(options, r, entry.tp), deadLetterRecord(r, attempts, failure.error));
        });
        const sent = await untilAborted(Promise.all(sends), signal);
        if (sent === undefined) return 'aborted';
        this.port.logger.warn('failed records dead-lettered', { topic: entry.tp.topic, partition: entry.tp.partition, offset: failure.offset, records: sent.length });
        return 'sent';
      } catch (err) {
        if (signal.aborted) return 'aborted';
        // A delivery timeout is the producer's own retries running out (say, the broker away for
        // longer): the next round may get through. Anything else not retriable never will.
        if (!(err instanceof KafkaStageError && (err.retriable || err instanceof DeliveryTimeoutError))) return err instanceof Error ? err : new Error(String(err));
        const delayMs = retryDelay(round, policy.retry);
        this.port.logger.warn('dead-letter produce failed: trying again, the records stay unacked', {
          topic: entry.tp.topic,
          partition: entry.tp.partition,
          offset: failure.offset,
          attempt: round,
          delayMs,
          error: err instanceof Error ? err : new Error(String(err)),
        });
        await abortableDelay(delayMs, signal);
      }
    }
    return 'aborted';
  }

  private show(entry: Parked, state: PartitionFailureStats['state'], failure: CurrentFailure): void {
    entry.stage.setFailureStats({ state, offset: failure.offset, attempts: failure.attempts, error: failure.error });
  }
}
