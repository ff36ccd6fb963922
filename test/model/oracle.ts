/**
 * The oracle of the model-based test: it hears every delivery, ack, commit, fetch and rebalance,
 * and checks the invariants of /work/shared/testing.md against the partition logs:
 *
 * - I1 no loss: every offset below a committed offset was acked by some subscriber, or is not one a
 *   subscriber is given (control record, aborted transaction under read_committed, compaction gap);
 * - I3 commit sanity: a commit never passes the acked prefix of the assignment that sends it,
 *   never names a partition the member does not own, never moves backwards;
 * - I4 contiguity: within an assignment each delivery is the next offset a subscriber must see;
 * - I5 no zombie: no delivery after the revoke started, no stage for a partition not owned, no
 *   commit after the revoke ended or the loss;
 * - I6 a new owner starts at the committed offset (earliest when none);
 * - I8 bounded memory and demand: budget ≤ limit + one batch per broker, partition buffers within
 *   their bounds, no Fetch for a full buffer, never more delivered than asked, one Fetch per broker.
 *
 * I7 (liveness and bounded revoke/stop) is checked by the driver, which owns model time. Checks made
 * inside the consumer's own calls only record violations; {@link Oracle.assertClean} throws them.
 */
import type { OffsetToCommit } from '../../src/group/membership-contracts.js';
import type { PartitionStage } from '../../src/consumer/types.js';
import type { StageHost } from '../../src/consumer/stage-host.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import type { ClusterRecorder, ModelCluster, PendingFetch } from './model-cluster.js';
import type { CoordinatorRecorder, ModelCoordinator } from './model-coordinator.js';
import { lowerBound } from './partition-log.js';

/** One stage's life as the oracle follows it. */
export interface Assignment {
  readonly id: number;
  readonly partition: number;
  readonly stage: PartitionStage;
  readonly start: number;
  state: 'live' | 'revoking' | 'gone';
  /** Last offset delivered, null before the first. */
  lastDelivered: number | null;
  delivered: number;
  /** Records asked for (manual demand); null when the subscriber's iterator asks by itself. */
  asked: number | null;
  readonly acked: Set<number>;
  /** Index (in the partition's deliverable view) of the first offset ≥ start not acked. */
  unackedIndex: number;
}

/** Limits the oracle checks memory against. */
export interface OracleLimits {
  budgetBytes: number;
  maxBytesPerPartition: number;
  maxRecordsPerPartition: number;
  brokers: number;
  readCommitted: boolean;
}

/** See the module documentation. */
export class Oracle implements ClusterRecorder, CoordinatorRecorder {
  readonly violations: string[] = [];
  /** Every assignment, in creation order; the last of a partition is its current one. */
  readonly assignments: Assignment[] = [];
  private readonly current = new Map<number, Assignment>();
  /** Partitions the member owns in the model (assigned, not revoked or lost). */
  readonly owned = new Set<number>();
  /** How the next stage of a partition comes to be. */
  readonly expecting = new Map<number, 'assign' | 'release'>();
  /** Offsets acked by any subscriber, per partition (for I1). */
  private readonly everAcked = new Map<number, Set<number>>();
  private readonly i1Index = new Map<number, number>();
  /** Records delivered in all, for progress checks. */
  totalDelivered = 0;
  private host: StageHost<unknown> | null = null;
  private nextId = 1;

  constructor(
    private readonly cluster: ModelCluster,
    private readonly coordinator: () => ModelCoordinator,
    private readonly limits: OracleLimits,
  ) {}

  /** The host whose stages and budget are checked. */
  attach(host: StageHost<unknown>): void {
    this.host = host;
  }

  private violation(message: string): void {
    if (this.violations.length < 20) this.violations.push(message);
  }

  /** Throws the first violations recorded. */
  assertClean(where: string): void {
    if (this.violations.length > 0) throw new Error(`invariant violated (${where}):\n  ${this.violations.join('\n  ')}`);
  }

  private view(partition: number): readonly number[] {
    return this.cluster.log(partition).deliverable(this.limits.readCommitted);
  }

  /** The assignment of a partition whose stage is live or draining, if any. */
  assignmentOf(partition: number): Assignment | undefined {
    const a = this.current.get(partition);
    return a && a.state !== 'gone' ? a : undefined;
  }

  // ---- stages --------------------------------------------------------------------------------

  /** A subscriber was started for a new stage (I5: owned; I6: where it starts). */
  stageStarted(stage: PartitionStage): Assignment {
    const p = stage.partition;
    const start = stage.stats().deliveredOffset;
    const how = this.expecting.get(p);
    this.expecting.delete(p);
    const previous = this.current.get(p);
    if (!this.owned.has(p)) this.violation(`I5 zombie stage: a stage for ${p} started at ${start} while the member does not own it`);
    // A release starts the fresh stage only after the old one's drain and final commit: the old one is done.
    if (how === 'release' && previous && previous.state === 'revoking') previous.state = 'gone';
    if (previous && previous.state !== 'gone') this.violation(`I5 two stages for ${p} at once`);
    const committed = this.coordinator().committed.get(this.key(p));
    if (how === 'release' && previous) {
      const prefix = this.prefixEnd(previous);
      if (start > prefix) this.violation(`I1 release restarts ${p} at ${start}, past the acked prefix ${prefix}`);
      if (committed !== undefined && start < committed) this.violation(`I6 release restarts ${p} at ${start}, below the commit ${committed}`);
    } else {
      const expected = committed ?? this.cluster.log(p).logStartOffset;
      if (start !== expected) this.violation(`I6 new owner of ${p} starts at ${start}, committed ${committed ?? 'none'} (expected ${expected})`);
    }
    const view = this.view(p);
    const assignment: Assignment = {
      id: this.nextId++,
      partition: p,
      stage,
      start,
      state: 'live',
      lastDelivered: null,
      delivered: 0,
      asked: null,
      acked: new Set(),
      unackedIndex: lowerBound(view, start),
    };
    this.assignments.push(assignment);
    this.current.set(p, assignment);
    return assignment;
  }

  /** The revoke (or stop) of these partitions started: no delivery from now on. */
  revokeStarted(partitions: readonly number[]): void {
    for (const p of partitions) {
      this.owned.delete(p);
      const a = this.assignmentOf(p);
      if (a) a.state = 'revoking';
    }
  }

  /** The revoke ended: no commit from now on. */
  revokeEnded(partitions: readonly number[]): void {
    for (const p of partitions) {
      const a = this.current.get(p);
      if (a && a.state === 'revoking') a.state = 'gone';
    }
  }

  /** The partitions were lost: nothing of them may be committed any more. */
  lost(partitions: readonly number[]): void {
    for (const p of partitions) {
      this.owned.delete(p);
      const a = this.current.get(p);
      if (a) a.state = 'gone';
    }
  }

  /** A release of `p` began: the old stage stops; the partition stays owned. */
  releaseStarted(p: number): void {
    const a = this.assignmentOf(p);
    if (a) a.state = 'revoking';
    this.expecting.set(p, 'release');
  }

  // ---- deliveries and acks ---------------------------------------------------------------------

  /** Records reached the subscriber of `a` (I4, I5, demand). */
  delivered(a: Assignment, records: readonly KafkaRecord[]): void {
    if (records.length === 0) return;
    if (a.state !== 'live') this.violation(`I5 ${records.length} record(s) of ${a.partition} from ${records[0]?.offset} delivered after its revoke/loss`);
    const view = this.view(a.partition);
    for (const r of records) {
      const from = a.lastDelivered === null ? a.start : a.lastDelivered + 1;
      const i = lowerBound(view, from);
      const expected = i < view.length ? view[i] : undefined;
      if (r.offset !== expected) {
        this.violation(`I4 ${a.partition} delivered ${r.offset} after ${a.lastDelivered ?? `start ${a.start}`}, expected ${expected ?? 'nothing'}`);
        break;
      }
      a.lastDelivered = r.offset;
    }
    a.delivered += records.length;
    this.totalDelivered += records.length;
    if (a.asked !== null && a.delivered > a.asked) this.violation(`§2.1 ${a.partition}: ${a.delivered} delivered against ${a.asked} asked`);
  }

  /** The subscriber of `a` acked these offsets it was given. */
  acked(a: Assignment, offsets: readonly number[]): void {
    let ever = this.everAcked.get(a.partition);
    if (!ever) this.everAcked.set(a.partition, (ever = new Set()));
    for (const o of offsets) {
      a.acked.add(o);
      ever.add(o);
    }
  }

  /** One past the acked prefix of `a`: the highest offset it may commit. */
  prefixEnd(a: Assignment): number {
    const view = this.view(a.partition);
    while (a.unackedIndex < view.length && a.acked.has(view[a.unackedIndex] as number)) a.unackedIndex++;
    return a.unackedIndex < view.length ? (view[a.unackedIndex] as number) : this.cluster.log(a.partition).logEndOffset;
  }

  // ---- commits (CoordinatorRecorder) -----------------------------------------------------------

  onCommitSent(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) {
      const p = o.partition;
      const a = this.assignmentOf(p);
      if (!a) {
        this.violation(`I5/I3 commit of ${p} at ${o.offset} while the member does not own it`);
        continue;
      }
      const prefix = this.prefixEnd(a);
      if (o.offset > prefix) this.violation(`I3 commit of ${p} at ${o.offset} passes the acked prefix ${prefix} (assignment from ${a.start})`);
      const last = this.coordinator().committed.get(this.key(p));
      if (last !== undefined && o.offset < last) this.violation(`I3 commit of ${p} moves backwards: ${last} → ${o.offset}`);
    }
  }

  onCommitDurable(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) this.checkNoLoss(o.partition, o.offset);
  }

  /** I1: every offset a subscriber must see below `committed` was acked by one. */
  private checkNoLoss(p: number, committed: number): void {
    const view = this.view(p);
    const ever = this.everAcked.get(p) ?? new Set<number>();
    let i = this.i1Index.get(p) ?? 0;
    while (i < view.length && ever.has(view[i] as number)) i++;
    this.i1Index.set(p, i);
    const firstUnacked = i < view.length ? (view[i] as number) : Infinity;
    if (committed > firstUnacked) this.violation(`I1 ${p} committed at ${committed} but offset ${firstUnacked} was never acked`);
    if (committed > this.cluster.log(p).logEndOffset) this.violation(`I1 ${p} committed at ${committed}, past the log end ${this.cluster.log(p).logEndOffset}`);
  }

  // ---- fetches (ClusterRecorder) ---------------------------------------------------------------

  onFetchSent(fetch: PendingFetch, concurrent: boolean): void {
    if (concurrent) this.violation(`§2.4 a second Fetch to broker ${fetch.broker} while one is unanswered`);
    for (const part of fetch.parts) {
      const stage = this.host?.stage(part.topic, part.partition);
      if (!stage) continue;
      const s = stage.stats();
      if (s.bufferedRecords >= this.limits.maxRecordsPerPartition || s.bufferedBytes >= this.limits.maxBytesPerPartition) {
        this.violation(`§2.3 Fetch for ${part.partition} whose buffer is full (${s.bufferedRecords} records, ${s.bufferedBytes} B)`);
      }
    }
  }

  // ---- after every step ------------------------------------------------------------------------

  /** I8: budget, buffers. */
  checkMemory(): void {
    const host = this.host;
    if (!host) return;
    let batchBytes = 0;
    let batchRecords = 0;
    for (const log of this.cluster.logs.values()) {
      batchBytes = Math.max(batchBytes, log.maxBatchBufferedBytes);
      batchRecords = Math.max(batchRecords, log.maxBatchRecords);
    }
    const used = host.budget.heldBytes + host.budget.reservedBytes;
    const bound = this.limits.budgetBytes + this.limits.brokers * batchBytes;
    if (used > bound) {
      this.violation(`I8 budget ${used} B in use (held ${host.budget.heldBytes}, reserved ${host.budget.reservedBytes}) > limit ${this.limits.budgetBytes} + ${this.limits.brokers} × batch ${batchBytes}`);
    }
    for (const stage of host.owned) {
      const s = stage.stats();
      if (s.bufferedBytes > this.limits.maxBytesPerPartition + batchBytes) {
        this.violation(`I8 ${stage.partition} buffers ${s.bufferedBytes} B > ${this.limits.maxBytesPerPartition} + batch ${batchBytes}`);
      }
      if (s.bufferedRecords > this.limits.maxRecordsPerPartition + batchRecords) {
        this.violation(`I8 ${stage.partition} buffers ${s.bufferedRecords} records > ${this.limits.maxRecordsPerPartition} + batch ${batchRecords}`);
      }
    }
  }

  private key(p: number): string {
    return `${this.cluster.topic}:${p}`;
  }
}
