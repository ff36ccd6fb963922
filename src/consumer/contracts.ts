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
 * Nothing here does I/O; the types only say who calls whom with what. What the fetch scheduler
 * asks of a stage lives with the scheduler, in `fetch-target.ts`.
 */
import type { TopicPartition } from '../protocol/topic-partition.js';

// The one topic-partition type, re-exported here for the consumer's files.
export type { TopicPartition };

/** Key of a topic-partition in maps: `topic:partition`. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/**
 * Removes the entries of `partitions` from `byKey` (keyed by {@link tpKey}) and returns them with
 * their keys, in the order of `partitions`; partitions without an entry are passed over.
 */
export function takePartitions<V>(byKey: Map<string, V>, partitions: readonly TopicPartition[]): [key: string, value: V][] {
  const out: [string, V][] = [];
  for (const tp of partitions) {
    const key = tpKey(tp.topic, tp.partition);
    const value = byKey.get(key);
    if (value === undefined) continue;
    byKey.delete(key);
    out.push([key, value]);
  }
  return out;
}

/** What a commit sink reads of a partition stage that reports to it. */
export interface AckSource extends TopicPartition {
  /** First offset not acked: everything before it is processed (what a commit may carry). */
  readonly committableOffset: number;
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
  acked(stage: AckSource, newlyAcked: number, lastOffset: number): Promise<void>;
  /**
   * An ack of `stage` that acked nothing new but names a delivered offset up to `offset`: a
   * re-ack (for instance after a failed commit), or an ack after the stage closed. Under `sync`
   * the promise settles as for {@link acked}: a re-ack whose offset no durable commit covers yet
   * triggers or awaits one. Optional: a sink without it lets such acks resolve at once.
   */
  covered?(stage: AckSource, offset: number): Promise<void>;
  /**
   * The committable offset of `stage` moved without an ack: offsets were skipped (control records,
   * aborted transactions) after everything delivered was acked. The sink commits it as it would
   * after an ack (otherwise a trailing transaction marker would stay uncommitted, a lag of 1, until
   * the next ack). Optional.
   */
  moved?(stage: AckSource): void;
  /**
   * Last offset committed successfully for `stage` in this assignment, null before the first: the
   * sink (the commit manager) is the one record of it; the stage shows it in stats and resolves
   * re-acks it covers. Optional: a sink without it has committed nothing.
   */
  committedOffset?(stage: AckSource): number | null;
}
