/**
 * What the fetch scheduler asks of the partitions it fetches for (a partition stage, in the
 * consumer), and what it hands them: the scheduler's own contract, so it lives beside the
 * scheduler and the stage implements it, not the other way round.
 */
import type { RecordBatch } from '../protocol/records/types.js';
import type { TopicPartition } from './contracts.js';
import type { ResolvedConsumerCommon } from './options.js';

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
   *
   * `pendingRecords` (default 0): records of an answer already received and not yet handed over,
   * which the target must count as buffered (the scheduler plans the next Fetch while it decodes).
   */
  fetchBytesWanted(budgetBytes: number, pendingRecords?: number): number;
  /**
   * Buffered bytes one fetched (wire) byte of this partition becomes (≥ 1), as the target estimates
   * it from what it buffered: the scheduler reserves an ask's bytes times this in the budget. The
   * target owns the estimate; the scheduler keeps none of its own.
   */
  readonly growth: number;
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

/** The log bounds an OFFSET_OUT_OF_RANGE answer carried (-1 where the broker did not say). */
export interface OutOfRangeInfo {
  /** The offset that was asked for. */
  offset: number;
  logStartOffset: number;
  highWatermark: number;
  /** Node id of the broker that answered. */
  broker: number;
}

/** Fetch settings the scheduler needs: the consumer's fetch options plus the per-partition cap. */
export type FetchSchedulerSettings = ResolvedConsumerCommon['fetch'] & {
  /** The partition buffer's byte bound: most bytes one partition may ask for in one Fetch, and hold (plus one batch). */
  maxBytesPerPartition: number;
  /** Longest broker throttle time honoured, ms (default fetch-error-policy.ts's MAX_THROTTLE_MS); longer ones are reported and cut. */
  maxThrottleMs?: number;
};
