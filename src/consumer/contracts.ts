/**
 * The internal contracts between the consumer's parts, so each can be built and tested alone:
 *
 * ```
 *  ConsumerGroup ── owns ──▶ PartitionStage (one per assigned partition) ◀── subscriber (user code)
 *        │                        ▲   │ ack()
 *        │                        │   ▼
 *        │        FetchScheduler ─┘  CommitManager ──▶ GroupMembership.commitOffsets()
 *        │        (one Fetch per broker in flight; sizes from demand and budget)
 *        └── GroupMembership (coordinator, join/sync, heartbeat timer, leave) ── calls back on assign/revoke/lost
 * ```
 *
 * Nothing here does I/O; the types only say who calls whom with what.
 */
import type { RecordBatch } from '../protocol/records/types.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import type { PartitionStage } from './partition-stage.js';

// The one topic-partition type, re-exported here for the consumer's files.
export type { TopicPartition };

/** Key of a topic-partition in maps: `topic:partition`. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Per-partition facts a Fetch response carries besides the records. */
export interface FetchedPartitionInfo {
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Aborted transactions overlapping the returned batches (read_committed only). */
  abortedTransactions: { producerId: bigint; firstOffset: number }[] | null;
  /**
   * The `fetchOffset` the request carried. When given, a stage whose position moved while the
   * request was in flight (a seek) drops the response instead of taking its records for the new
   * position. Optional so older callers compile; schedulers should pass it.
   */
  fetchOffset?: number;
}

/**
 * What the fetch scheduler needs from a partition stage. The scheduler asks every target led by a
 * broker how many bytes it wants, sends one Fetch for them, and hands each its batches.
 */
export interface FetchTarget extends TopicPartition {
  /** Next offset to fetch. */
  readonly fetchOffset: number;
  /** Leader epoch known for the partition, -1 when unknown (lets the broker fence a stale leader). */
  readonly leaderEpoch: number;
  /** False once revoked or stopped: the scheduler drops it. */
  readonly active: boolean;
  /**
   * Bytes to ask the broker for now (the partition's `partitionMaxBytes`, in wire bytes), 0 for none
   * (full buffer or no uncovered demand). `budgetBytes` bounds what the answer may grow into once
   * buffered (decompressed); the target converts with the ratio of wire to buffered bytes it saw.
   *
   * Wake-up rule: the scheduler calls this for every target it considers and does not fetch now;
   * a target it passes over (no budget left, over its share, waiting for room, parked) is called
   * with `budgetBytes` 0. A target whose last answer was 0 (whatever the reason) must call
   * {@link FetchWaker.wake} once it could use bytes again (demand added, records taken, position
   * moved); a target whose last answer was above 0 may stay silent, since a Fetch then covers it.
   */
  fetchBytesWanted(budgetBytes: number): number;
  /**
   * Bytes the target holds buffered (as counted in the ByteBudget). Optional: when given, the
   * scheduler keeps each partition within its share of the budget, so partitions whose subscribers
   * stall cannot hold all of it and starve the others.
   */
  readonly bufferedBytes?: number;
  /**
   * Batches fetched from `fetchOffset` (possibly starting before it: skip records below it; skip
   * control batches, moving the position past them). Called once per Fetch response that named the
   * partition without error.
   */
  onFetched(batches: readonly RecordBatch[], info: FetchedPartitionInfo): void;
  /** A per-partition error the scheduler could not handle itself (e.g. OFFSET_OUT_OF_RANGE under `autoOffsetReset: 'none'`). */
  onFetchError(error: Error): void;
}

/** The scheduler's side: stages wake it when demand arrives. */
export interface FetchWaker {
  /** Something changed (demand, ack, assignment): re-evaluate which partitions want a fetch. */
  wake(): void;
}

/**
 * Where a partition stage reports acks: the commit manager implements it and decides, per commit
 * strategy, when the stage's committable offset is committed.
 */
export interface CommitSink {
  /**
   * `newlyAcked` offsets of `stage` were just acked (never 0: the stage does not report acks that
   * changed nothing), the highest of them `lastOffset`. Read `stage.committableOffset` for what may
   * be committed now. The promise is what `stage.ack()` returns: under the `sync` strategy it
   * resolves once a durable commit covers `lastOffset` (committed offset > `lastOffset`, which for
   * an out-of-order ack means after the gap before it is acked too), and rejects if that commit
   * fails or none ever will (partition lost or released first: `ERR_COMMIT_LOST`); otherwise it
   * may resolve at once.
   */
  acked(stage: PartitionStage, newlyAcked: number, lastOffset: number): Promise<void>;
  /**
   * An ack of `stage` that acked nothing new but names a delivered offset up to `offset`: a
   * re-ack (for instance after a failed commit), or an ack after the stage closed. Under `sync`
   * the promise settles as for {@link acked}: a re-ack whose offset no durable commit covers yet
   * triggers or awaits one. Optional: a sink without it lets such acks resolve at once.
   */
  covered?(stage: PartitionStage, offset: number): Promise<void>;
  /**
   * The committable offset of `stage` moved without an ack: offsets were skipped (control records,
   * aborted transactions) after everything delivered was acked. The sink commits it as it would
   * after an ack (otherwise a trailing transaction marker would stay uncommitted, a lag of 1, until
   * the next ack). Optional.
   */
  moved?(stage: PartitionStage): void;
}
