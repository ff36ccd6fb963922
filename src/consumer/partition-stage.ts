/**
 * The partition stage: one per assigned partition, the primary shape of the consumer.
 * It is a GenStage producer: it fetches (through the fetch scheduler) only what its subscriber has
 * asked for, holds a bounded buffer, hands records out no faster than they are asked for, and
 * counts offsets as committable only once they are acked.
 *
 * ```
 *  FetchScheduler ──onFetched──▶ PartitionBuffer ──take (against demand)──▶ subscriber
 *        ▲ fetchBytesWanted            │ bytes held in the ByteBudget          │ ack()
 *        └──────── wake ◀── demand ────┘                                       ▼
 *                                              OffsetTracker ──acked──▶ CommitSink (commit manager)
 * ```
 *
 * A subscriber takes records in exactly one way at a time: `records()` (also `for await (… of
 * stage)`), `batches()`, `ask(n)` + `onRecords()`, `readable()` or `readableStream()`.
 *
 * Memory accounting (agreed with the fetch scheduler): the scheduler `reserve`s budget bytes before
 * a Fetch and calls `budget.settle(reserved, 0)` when the response is decoded; the stage calls
 * `budget.settle(0, bytes)` for the records it buffers and `budget.release(bytes)` as records leave
 * the buffer (delivered, or dropped on revoke, loss or seek). A record's size is
 * {@link recordSizeInBytes}: key + value + header bytes + a fixed overhead. `fetchBytesWanted`
 * answers in wire bytes (what the broker's size limit counts), converted from the buffered size the
 * buffer wants with the wire/buffered ratio of earlier batches. The buffered size it stands for
 * fits the `budgetBytes` offered, so what the fetch brings stays within the budget the scheduler
 * offered (plus one batch), though it may exceed the wire-sized reservation.
 *
 * Lifecycle: `active` → `revoke()` → draining (nothing more is delivered; acks still count) →
 * closed; `lose()` closes at once. Once closed, acks are ignored and the commit sink hears nothing.
 */
import { AbortedError, InvalidArgumentError } from '../errors.js';
import { CorruptRecordError } from '../protocol/errors.js';
import type { KafkaRecord, RecordBatch } from '../protocol/records/types.js';
import type { ByteBudget } from '../stage/byte-budget.js';
import { DeliveryCheckpoints } from '../stage/delivery-checkpoints.js';
import { AckLedger } from '../stage/ack-ledger.js';
import { PartitionBuffer, type PartitionBufferLimits } from '../stage/partition-buffer.js';
import { recordSizeInBytes } from '../stage/buffered-size.js';
import { WireEstimate } from '../stage/wire-estimate.js';
import { ackTargetOf, foreignAck } from './ack-target.js';
import type { CommitSink } from './contracts.js';
import type { FetchedPartitionInfo, FetchTarget, FetchWaker } from './fetch-target.js';
import type { ErrorHandler, RecordsHandler } from './delivery/manual.js';
import type { DeliverySource } from './delivery/source.js';
import { SubscriberSlot } from './stage-subscriber.js';
import { visibleRecords } from './visible-records.js';
import type { Redelivery } from './failure-state.js';
import type { ReadableStream } from 'node:stream/web';
import type { Readable } from 'node:stream';
import type { Ackable, ConsumerBatch, DemandOptions, PartitionFailureStats, PartitionStats, PartitionStage as SubscriberView } from './types.js';

/** What a partition stage is made of. */
export interface PartitionStageOptions {
  topic: string;
  partition: number;
  /** Offset to start from (committed, given, or from the reset policy). */
  startOffset: number;
  /** Leader epoch known for the partition, -1 when unknown. */
  leaderEpoch: number;
  /** Bounds of this partition's buffer. */
  limits: PartitionBufferLimits;
  /** The consumer-wide memory budget, shared by every stage. */
  budget: ByteBudget;
  /** Wakes the fetch scheduler when this stage starts wanting records. */
  waker: FetchWaker;
  /** Where acks go (the commit manager). */
  commitSink: CommitSink;
  /** Records held unacked longer than this make the stage {@link PartitionStage.stuck}, ms; 0 disables. */
  maxProcessingMs: number;
  /** Monotonic milliseconds; default `performance.now`. */
  clock?: () => number;
  /** Hears of subscriber failures (`nack`, a manual handler that threw): the stage host applies `onFailure`. */
  failureSink?: FailureSink;
  /** Which offsets this stage delivers again after a failure, so their records carry their attempt. */
  redelivery?: Redelivery;
}

/** Where a stage reports that its subscriber failed on records. */
export interface FailureSink {
  /**
   * The subscriber failed on the delivered, unacked records at `offsets` (ascending; empty when it
   * failed holding none). Called synchronously: the sink stops the stage's delivery before it returns.
   */
  failed(stage: PartitionStage, offsets: readonly number[], error: Error): void;
}

/** Why a stage stopped delivering: the reason of its aborted `signal`. */
export type StageEndReason = 'revoked' | 'stopped' | 'lost' | 'failed';

type StageState = 'active' | 'draining' | 'closed';

interface Drain {
  promise: Promise<number>;
  resolve(offset: number): void;
  timer: ReturnType<typeof setTimeout> | null;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** Each stage's handle for the fetch scheduler (see {@link fetchTargetOf}). */
const fetchTargets = new WeakMap<PartitionStage, FetchTarget>();

/**
 * The fetch scheduler's handle on `stage`: what it asks (bytes wanted, growth) and hands over
 * (batches, errors). Private to the consumer's own parts: the stage itself has none of these
 * methods, so neither a subscriber nor a cast can feed it records.
 */
export function fetchTargetOf(stage: PartitionStage): FetchTarget {
  return fetchTargets.get(stage) as FetchTarget;
}

/**
 * One assigned partition: bounded buffer, demand, delivery and ack tracking; its fetch side is a
 * separate handle ({@link fetchTargetOf}). Users see it only as the public `PartitionStage`
 * interface (the subscriber's methods); the engine methods below (revoke, lose, seek, …) are for
 * the consumer's own parts, which hold the class.
 */
export class PartitionStage implements SubscriberView {
  readonly topic: string;
  readonly partition: number;
  /** Leader epoch sent with fetches; the group or scheduler updates it when metadata changes. */
  leaderEpoch: number;
  /** Aborted when the stage stops delivering (revoke, stop, loss); the reason is an {@link AbortedError} naming it. */
  readonly signal: AbortSignal;
  /** Records held unacked longer than this make the stage {@link stuck}, ms; 0 disables. */
  readonly maxProcessingMs: number;

  private readonly abortController = new AbortController();
  private readonly buffer: PartitionBuffer<KafkaRecord>;
  private readonly budget: ByteBudget;
  private readonly waker: FetchWaker;
  private readonly commitSink: CommitSink;
  private readonly clock: () => number;
  private readonly checkpoints = new DeliveryCheckpoints();
  private readonly source: DeliverySource;
  /** Which delivered offsets are acked, across seeks (see {@link seek}). */
  private readonly tracker: AckLedger;
  /** Next offset to fetch: one past the last batch taken in. */
  private position: number;
  private state: StageState = 'active';
  /** The one way records are taken now (iterator, batches, manual, streams). */
  private readonly subscriber: SubscriberSlot;
  private failure: Error | null = null;
  private highWatermark: number | null = null;
  /**
   * What the scheduler last heard from fetchBytesWanted: wake it only when this goes from "nothing"
   * to "something". The scheduler asks with 0 when it passes the stage over, so this is false
   * whenever no Fetch covers the stage's want (were it left true, the stage would never wake the
   * scheduler again and stall).
   */
  private wantReported = false;
  /** Buffered bytes per wire byte of this partition: the one estimate, read by the scheduler too. */
  private readonly wire = new WireEstimate();
  private drain: Drain | null = null;
  private readonly failureSink: FailureSink | null;
  private readonly redelivery: Redelivery | null;
  /** Offsets below this are re-deliveries (see {@link Redelivery}); 0 when none: one compare per record. */
  private readonly redeliverUntil: number;
  /** Set by the stage host while the partition is failing (retrying, dead-lettering, stopped): shown in stats(). */
  private failureStats: PartitionFailureStats | null = null;

  constructor(options: PartitionStageOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.leaderEpoch = options.leaderEpoch;
    this.maxProcessingMs = options.maxProcessingMs;
    this.position = options.startOffset;
    this.tracker = new AckLedger(options.startOffset);
    this.buffer = new PartitionBuffer<KafkaRecord>(options.limits, recordSizeInBytes);
    this.budget = options.budget;
    this.waker = options.waker;
    this.commitSink = options.commitSink;
    this.clock = options.clock ?? (() => performance.now());
    this.failureSink = options.failureSink ?? null;
    this.redelivery = options.redelivery ?? null;
    this.redeliverUntil = this.redelivery?.until ?? 0;
    this.signal = this.abortController.signal;
    // The subscriptions' view of the stage; arrow functions keep the stage's private state private.
    this.source = {
      topic: this.topic,
      partition: this.partition,
      demand: (n) => this.addDemand(n),
      outstandingDemand: () => this.buffer.outstandingDemand,
      takeOne: () => this.takeOne(),
      take: (limit) => this.take(limit),
      ended: () => this.state !== 'active',
      failure: () => this.failure,
      notifySoon: () => this.notifySoon(),
      detach: (subscription) => this.subscriber.detach(subscription),
      fail: (error) => this.fail(error),
    };
    fetchTargets.set(this, this.makeFetchTarget());
    this.subscriber = new SubscriberSlot(
      this.source,
      () => this.state !== 'active' || this.failure !== null,
      () => this.buffer.cancelDemand(),
    );
  }

  // ---- taking records -------------------------------------------------------------------------

  /**
   * The partition's records, one per `next()`, with GenStage demand: asks `maxDemand` (default 2000)
   * on the first `next()`, and asks again — `maxDemand − outstanding` — once outstanding demand has
   * fallen to `minDemand` (default 75 % of `maxDemand`). Ends when the stage is revoked or lost
   * (records not yet delivered are dropped: only delivered ones are the subscriber's); rejects once
   * with a fetch error the consumer could not get past. Throws StageBusyError (`ERR_STAGE_BUSY`)
   * when another subscriber is attached, InvalidOptionError for bad demand options.
   */
  records(options?: DemandOptions): AsyncIterableIterator<KafkaRecord, undefined> {
    return this.subscriber.records(options);
  }

  /** Same as {@link records}: `for await (const record of stage)`. */
  [Symbol.asyncIterator](): AsyncIterableIterator<KafkaRecord, undefined> {
    return this.records();
  }

  /**
   * The partition's records in batches, as they are buffered (a batch never waits to fill). A batch
   * holds at most `maxDemand − minDemand` records, never more than the outstanding demand; demand
   * is as in {@link records}. Ack a whole batch with `ack(batch)`.
   */
  batches(options?: DemandOptions): AsyncIterableIterator<ConsumerBatch, undefined> {
    return this.subscriber.batches(options);
  }

  /**
   * Manual demand: asks for `n` more records (asks accumulate). Records reach the handler set by
   * {@link onRecords} only against asks. Throws StageBusyError when another way of taking records
   * is attached; ignored once the stage has stopped.
   */
  ask(n: number): void {
    this.subscriber.ask(n);
  }

  /**
   * Manual demand: `handler` receives buffered records against outstanding demand, in offset order,
   * from a microtask. `onError` receives a fetch error the consumer could not get past, or an error
   * the handler threw (without it, a throw is a failure of the subscriber: the `onFailure` policy retries the records).
   */
  onRecords(handler: RecordsHandler, onError?: ErrorHandler): void {
    this.subscriber.onRecords(handler, onError);
  }

  /**
   * The partition's records as a Node `Readable` in object mode; `highWaterMark` is `maxDemand`
   * (default 2000) and each `_read` asks for the room left below it, so the stream's queue plus the
   * stage's demand never exceed it. Records pushed into the stream count as delivered. Ends after
   * its queued records when the stage stops; a fetch error destroys it (records still queued in it
   * are dropped unacked, so never committed).
   */
  readable(options?: Pick<DemandOptions, 'maxDemand'>): Readable {
    return this.subscriber.readable(options);
  }

  /**
   * The partition's records as a Web `ReadableStream` with a pull source and a count queuing
   * strategy of `maxDemand` (default 2000): each pull asks for the queue's free room. Enqueued
   * records count as delivered. Closes after its queued records when the stage stops; a fetch error
   * errors it (records still queued in it are dropped unacked, so never committed).
   */
  readableStream(options?: Pick<DemandOptions, 'maxDemand'>): ReadableStream<KafkaRecord> {
    return this.subscriber.readableStream(options);
  }

  // ---- acks and commits -----------------------------------------------------------------------

  /**
   * Acks a record (its offset), a batch (every delivered offset in it) or an offset, in any order.
   * The committable offset moves over the contiguous acked prefix. Returns the commit sink's promise:
   * under the `sync` strategy it resolves once a durable commit covers the acked offset (the last
   * one, for a batch) — for an out-of-order ack, only after the gap before it is acked and
   * committed too; it rejects with the commit's error when that commit fails, and with
   * `ERR_COMMIT_LOST` (CommitLostError) when no commit ever will cover it (the partition was lost,
   * or revoked with a final commit below it, also for acks after that). A re-ack of an offset no
   * durable commit covers yet (say after a failed commit) triggers or awaits a commit like a first
   * ack. Acks of offsets never delivered resolve at once. Under `async` and `none` acks resolve at
   * once. Rejects with InvalidArgumentError (`ERR_INVALID_ARGUMENT`), acking nothing, for something
   * that is no record, batch or offset, and for a batch or a record of another partition
   * (a record carries the topic and partition it was fetched from; acking it here by its offset
   * alone could commit past a record of this partition not yet processed).
   */
  ack(x: Ackable): Promise<void> {
    const target = ackTargetOf(x);
    if (target instanceof InvalidArgumentError) return Promise.reject(target);
    if (target.topic !== undefined && (target.topic !== this.topic || target.partition !== this.partition)) {
      return Promise.reject(foreignAck(target, this.topic, this.partition));
    }
    const { from, to, batch: isBatch } = target;
    // Offsets past every delivery are not the subscriber's to ack.
    const last = Math.min(to, this.tracker.highestPosition - 1);
    if (last < from) return RESOLVED;
    // Closed: the ack no longer counts, but a `sync` caller must learn whether a commit covers it.
    if (this.state === 'closed') return this.reacked(last);
    let newlyAcked: number;
    if (isBatch) {
      newlyAcked = this.tracker.ackRange(from, to);
    } else {
      const result = this.tracker.ack(from);
      if (result === 'unknown') return RESOLVED;
      newlyAcked = result === 'acked' ? 1 : 0;
    }
    const committed = newlyAcked > 0 ? this.commitSink.acked(this, newlyAcked, last) : this.reacked(last);
    if (this.state === 'draining' && this.tracker.inFlight === 0) this.finishDrain();
    return committed;
  }

  /**
   * Moves the ack tracking past offsets consumed without delivery; when that moves the committable
   * offset (everything delivered was acked), the sink hears of it: no ack will come to commit it.
   */
  private skipUndelivered(position: number): void {
    const before = this.tracker.committableOffset;
    this.tracker.skipTo(position);
    if (this.state !== 'closed' && this.tracker.committableOffset !== before) this.commitSink.moved?.(this);
  }

  /** An ack that acked nothing new: resolved when a commit this stage saw covers it, else the sink decides. */
  private reacked(offset: number): Promise<void> {
    const committed = this.commitSink.committedOffset?.(this) ?? null;
    if (committed !== null && committed > offset) return RESOLVED;
    return this.commitSink.covered?.(this, offset) ?? RESOLVED;
  }

  /** The offset a commit may carry now: the first delivered offset not acked, or the delivery position when all are. */
  get committableOffset(): number {
    return this.tracker.committableOffset;
  }


  /**
   * Reports that the subscriber failed on a record, a batch (its delivered, unacked records) or an
   * offset, with `error`; the consumer's `onFailure` policy takes over. Delivery stops at once
   * (`signal` aborts with reason 'failed', iterators end). After the policy's backoff the partition
   * rewinds to its first unacked offset and a fresh stage and subscriber call deliver from there,
   * each re-delivered record carrying its `attempt`; records acked after the failed one come again
   * too (at-least-once). Once a record's deliveries reach `retry.maxAttempts`, it is dead-lettered
   * or the partition stops, as the policy says. Returns false, doing nothing, when none of the
   * records named is delivered and unacked, or the stage already stopped delivering (revoked, lost,
   * failed), or no consumer stands behind the stage.
   *
   * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) for something that is no record, batch or
   *   offset, and for a record or batch of another partition
   */
  nack(x: Ackable, error?: unknown): boolean {
    const target = ackTargetOf(x);
    if (target instanceof InvalidArgumentError) throw target;
    if (target.topic !== undefined && (target.topic !== this.topic || target.partition !== this.partition)) {
      throw new InvalidArgumentError('item', `a ${target.batch ? 'batch' : 'record'} of ${target.topic}/${target.partition} was nacked on the stage of ${this.topic}/${this.partition}`, {
        topic: this.topic,
        partition: this.partition,
      });
    }
    return this.fail(toError(error), target.from, target.to, false);
  }

  /**
   * @internal The subscriber failed on its unacked records in [from, to]: tells the failure sink,
   * which stops delivery. With `evenIfNone` a failure holding no record is reported too (a
   * subscriber that threw before taking any). False when nothing was reported.
   */
  fail(error: Error, from = 0, to = Number.MAX_SAFE_INTEGER, evenIfNone = true): boolean {
    if (this.state !== 'active' || this.failureSink === null) return false;
    const offsets = this.tracker.unackedIn(from, to);
    if (offsets.length === 0 && !evenIfNone) return false;
    this.failureSink.failed(this, offsets, error);
    return true;
  }

  /** @internal One past the highest offset delivered (or skipped): where a rewind's re-deliveries end. */
  get deliveredUntil(): number {
    return this.tracker.highestPosition;
  }

  /** @internal The stage host marks the partition failing (or recovered, with null): stats() shows it. */
  setFailureStats(failure: PartitionFailureStats | null): void {
    this.failureStats = failure;
  }

  /** The fetch error standing for this partition (cleared by {@link seek}), or null. */
  get error(): Error | null {
    return this.failure;
  }

  // ---- figures --------------------------------------------------------------------------------

  /**
   * Milliseconds the oldest unacked record has been held, 0 when none. Measured against the times
   * this (or {@link stats}) is read, without a clock read per record: it may fall short by the
   * interval between reads, never overstate (see DeliveryCheckpoints).
   */
  get oldestInFlightMs(): number {
    return this.checkpoints.age(this.tracker.deliveredPosition, this.tracker.committableOffset, this.tracker.inFlight, this.clock());
  }

  /** True when records have been held unacked longer than `maxProcessingMs` (and that check is enabled). */
  get stuck(): boolean {
    return this.maxProcessingMs > 0 && this.oldestInFlightMs > this.maxProcessingMs;
  }

  /** Live figures of the partition. */
  stats(): PartitionStats {
    const delivered = this.tracker.deliveredPosition;
    // A retried failure is over once its record is acked.
    if (this.failureStats?.state === 'retrying' && this.state === 'active' && this.tracker.committableOffset > this.failureStats.offset) this.failureStats = null;
    return {
      topic: this.topic,
      partition: this.partition,
      fetchedOffset: this.position,
      deliveredOffset: delivered,
      ackedOffset: this.tracker.committableOffset,
      committedOffset: this.commitSink.committedOffset?.(this) ?? null,
      bufferedRecords: this.buffer.bufferedRecords,
      bufferedBytes: this.buffer.bufferedBytes,
      outstandingDemand: this.buffer.outstandingDemand,
      inFlight: this.tracker.inFlight,
      lag: this.highWatermark === null ? null : Math.max(0, this.highWatermark - delivered),
      highWatermark: this.highWatermark,
      oldestInFlightMs: this.oldestInFlightMs,
      failure: this.failureStats,
    };
  }

  // ---- lifecycle (called by the group) --------------------------------------------------------

  /**
   * Stops delivering: drops the undelivered buffer (releasing its budget), aborts `signal`, ends
   * the subscription, then waits until every delivered record is acked or `drainTimeoutMs` passes.
   * Resolves with the committable offset, which the group commits before releasing the partition.
   * Acks during the drain count (and reach the commit sink); acks after it are ignored.
   */
  revoke(drainTimeoutMs: number, reason: Exclude<StageEndReason, 'lost'> = 'revoked'): Promise<number> {
    if (this.drain !== null) return this.drain.promise;
    if (this.state === 'closed') return Promise.resolve(this.tracker.committableOffset);
    this.state = 'draining';
    this.stopDelivering(reason);
    if (this.tracker.inFlight === 0) {
      this.state = 'closed';
      return Promise.resolve(this.tracker.committableOffset);
    }
    let resolve!: (offset: number) => void;
    const promise = new Promise<number>((r) => {
      resolve = r;
    });
    this.drain = { promise, resolve, timer: null };
    this.drain.timer = setTimeout(() => this.finishDrain(), Math.max(0, drainTimeoutMs));
    return promise;
  }

  /**
   * The partition is lost (fenced, session expired): stops at once, aborts `signal`, and nothing
   * of it will be committed; later acks are ignored. A drain under way ends now (its promise
   * resolves with the committable offset, which must not be committed).
   */
  lose(): void {
    if (this.state === 'closed') return;
    const wasActive = this.state === 'active';
    this.state = 'closed';
    if (wasActive) this.stopDelivering('lost');
    else if (!this.signal.aborted) this.abortController.abort(this.abortReason('lost'));
    this.finishDrain();
  }

  /**
   * Moves the position to `offset` (offset reset, or the user re-reading): drops the buffer, clears
   * a standing fetch error and tracks acks afresh from there. Demand is kept. Ignored once the
   * stage has stopped.
   *
   * Records delivered before the seek and still unacked stay the subscriber's: their acks still
   * count, and until every one of them is acked the committable offset is held at the lowest of
   * the committable offset before the seek and the one after it. A commit never passes them,
   * forward seek or backward; once they are acked, commits follow the new position. A revoke
   * waits for them too. After a backward seek an offset can be in flight twice (delivered before
   * and after the seek): an ack of it counts for the delivery from before the seek first (the
   * oldest unacked delivery of that offset); see AckLedger.
   *
   * For an offset reset after records were deleted by retention this holds the commit until the
   * records already delivered are processed, which is what at-least-once asks; it does not wait for
   * records never delivered (those below the reset point are gone from the log).
   */
  seek(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidArgumentError('offset', `seek offset must be a non-negative integer, got ${String(offset)}`);
    if (this.state !== 'active') return;
    this.dropBuffer();
    this.position = offset;
    this.tracker.seek(offset);
    this.checkpoints.clear();
    this.failure = null;
    this.maybeWake();
  }

  // ---- the fetch side (the scheduler reaches it through fetchTargetOf) --------------------------

  /** The handle {@link fetchTargetOf} returns: arrow functions and getters over the stage's private state. */
  private makeFetchTarget(): FetchTarget {
    const read = {
      fetchOffset: () => this.position,
      leaderEpoch: () => this.leaderEpoch,
      active: () => this.state === 'active',
      // Buffered bytes per wire byte from the batches buffered so far (a cautious 2 before the first).
      growth: () => this.wire.growth,
      bufferedBytes: () => this.buffer.bufferedBytes,
    };
    return {
      topic: this.topic,
      partition: this.partition,
      get fetchOffset() {
        return read.fetchOffset();
      },
      get leaderEpoch() {
        return read.leaderEpoch();
      },
      get active() {
        return read.active();
      },
      get growth() {
        return read.growth();
      },
      get bufferedBytes() {
        return read.bufferedBytes();
      },
      fetchBytesWanted: (budgetBytes, pendingRecords) => this.#fetchBytesWanted(budgetBytes, pendingRecords),
      onFetched: (batches, info) => this.#onFetched(batches, info),
      onFetchError: (error) => this.#onFetchError(error),
    };
  }

  /** Bytes (decompressed) buffered and undelivered: the scheduler caps each partition's share of the budget by it. */
  get bufferedBytes(): number {
    return this.buffer.bufferedBytes;
  }

  /** Next offset to fetch. */
  get fetchOffset(): number {
    return this.position;
  }

  /** False once the stage stopped delivering: the scheduler drops it. */
  get active(): boolean {
    return this.state === 'active';
  }

  /**
   * Bytes to fetch now (the partition's `partitionMaxBytes`), at most `budgetBytes`: 0 when the
   * buffer is full, the demand is covered, the stage stopped, or a fetch error stands. The buffer
   * sizes what it wants in buffered (decompressed) bytes; the broker limits a fetch in wire
   * (possibly compressed) bytes, so the figure is converted with the ratio seen in earlier batches:
   * otherwise a gzip topic would bring several times the buffer's room. The scheduler asks this of
   * every target it considers when it plans a Fetch, with 0 when it passes the target over; the
   * stage wakes it when it goes from having answered 0 to wanting (FetchTarget's wake-up rule).
   */
  #fetchBytesWanted(budgetBytes: number, pendingRecords = 0): number {
    const buffered = this.state === 'active' && this.failure === null ? this.buffer.fetchBytesWanted(budgetBytes, pendingRecords) : 0;
    this.wantReported = buffered > 0;
    return buffered > 0 ? Math.max(1, this.wire.wireFor(buffered)) : 0;
  }

  /**
   * Takes in one Fetch response's batches: skips records below the fetch position (and records
   * whose offsets go backwards or past their batch's end inside a batch, as the Java consumer skips
   * records below its position), control batches and (when `info.abortedTransactions` is given:
   * read_committed) aborted transactions; moves the position past the last batch even where
   * compaction left no records; buffers the rest, counting their bytes into the budget; notes the
   * high watermark; and lets the subscriber take what its demand allows. A transaction marker it
   * cannot read stops the intake before that batch: the records before it are buffered, the
   * position stays at it, and a CorruptRecordError (`ERR_CORRUPT_RECORD`, context topic, partition,
   * offset, lastOffset) stands as the partition's error until a {@link seek}, as the Java consumer
   * raises it ("seek past the record to continue"). Never throws for what a broker sent, and
   * decides everything before it changes anything, so it never leaves the
   * stage half-updated. Ignored when the stage stopped, or when `info.fetchOffset` shows the
   * response was asked for a position the stage has left (seek).
   */
  #onFetched(batches: readonly RecordBatch[], info: FetchedPartitionInfo): void {
    if (this.state !== 'active') return;
    if (info.fetchOffset !== undefined && info.fetchOffset !== this.position) return;
    const intake = visibleRecords(batches, this.position, {
      abortedTransactions: info.abortedTransactions,
      recordRoom: this.buffer.limits.maxRecords - this.buffer.bufferedRecords,
    });
    this.highWatermark = info.highWatermark;
    const from = this.position;
    this.position = intake.position;
    const bytesBefore = this.buffer.bufferedBytes;
    for (const run of intake.runs) this.buffer.push(run.records);
    const added = this.buffer.bufferedBytes - bytesBefore;
    if (added > 0) {
      this.wire.sample(intake.wireBytes, added);
      this.budget.settle(0, added);
      this.notifySoon();
    } else if (this.buffer.bufferedRecords === 0) {
      // Only skipped offsets came (control records, aborts, compaction): nothing waits before them.
      this.skipUndelivered(intake.position);
    }
    // A run of offsets that are never delivered must not be crossed at the first-fetch size.
    if (added === 0 && intake.position > from) this.buffer.noteSkippedAnswer();
    if (intake.unreadable !== null) this.failUnreadable(intake.unreadable.batch, intake.unreadable.cause);
  }

  /** A batch of this partition could not be read: it stands as the partition's error (no refetch) until a seek. */
  private failUnreadable(batch: RecordBatch, cause: CorruptRecordError): void {
    this.failure = new CorruptRecordError(
      `${this.topic}/${this.partition}: the batch at offsets ${batch.baseOffset}-${batch.lastOffset} cannot be read (${cause.message}); seek past it to consume on`,
      { ...cause.context, topic: this.topic, partition: this.partition, offset: batch.baseOffset, lastOffset: batch.lastOffset },
      cause,
    );
    this.notifySoon();
  }

  /** A per-partition error the scheduler could not handle: it stands (no more fetches) until {@link seek}; the subscriber sees it once buffered records it may take are taken. */
  #onFetchError(error: Error): void {
    if (this.state !== 'active') return;
    this.failure = error;
    this.notifySoon();
  }

  // ---- internals ------------------------------------------------------------------------------

  private addDemand(n: number): void {
    if (this.state !== 'active' || n <= 0) return;
    this.buffer.ask(n);
    this.maybeWake();
  }

  private takeOne(): KafkaRecord | undefined {
    const before = this.buffer.bufferedBytes;
    const record = this.buffer.takeOne();
    if (record === undefined) return undefined;
    this.tracker.delivered(record.offset);
    if (record.offset < this.redeliverUntil) this.markAttempt(record);
    this.afterTake(before);
    return record;
  }

  private take(limit: number): KafkaRecord[] {
    const before = this.buffer.bufferedBytes;
    const records = this.buffer.take(limit);
    if (records.length === 0) return records;
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as KafkaRecord;
      this.tracker.delivered(record.offset);
      if (record.offset < this.redeliverUntil) this.markAttempt(record);
    }
    this.afterTake(before);
    return records;
  }

  /** A record delivered again after a failure carries its attempt. */
  private markAttempt(record: KafkaRecord): void {
    record.attempt = (this.redelivery as Redelivery).attemptOf(record.offset);
  }

  /** Bookkeeping after records left the buffer for the subscriber. */
  private afterTake(bytesBefore: number): void {
    this.releaseBytes(bytesBefore - this.buffer.bufferedBytes);
    // With the buffer empty, every offset below the fetch position is delivered or skipped.
    if (this.buffer.bufferedRecords === 0) this.skipUndelivered(this.position);
    this.maybeWake();
  }

  private releaseBytes(bytes: number): void {
    if (bytes <= 0) return;
    const wasSpent = this.budget.free === 0;
    this.budget.release(bytes);
    // Another partition may have been starved of budget: let the scheduler look again.
    if (wasSpent) this.waker.wake();
  }

  /** Wakes the scheduler when this stage now wants a fetch and last told it otherwise. */
  private maybeWake(): void {
    if (this.wantReported || this.state !== 'active' || this.failure !== null) return;
    if (this.buffer.fetchBytesWanted(this.budget.free) > 0) {
      this.wantReported = true;
      this.waker.wake();
    }
  }

  private dropBuffer(): void {
    const bytes = this.buffer.bufferedBytes;
    this.buffer.clear();
    this.releaseBytes(bytes);
  }

  private stopDelivering(reason: StageEndReason): void {
    this.dropBuffer();
    this.buffer.cancelDemand();
    this.abortController.abort(this.abortReason(reason));
    this.notifySoon();
  }

  private abortReason(reason: StageEndReason): AbortedError {
    return new AbortedError(`partition ${this.topic}/${this.partition} ${reason}`, { topic: this.topic, partition: this.partition, reason });
  }

  private finishDrain(): void {
    this.state = 'closed';
    const drain = this.drain;
    if (drain === null) return;
    this.drain = null;
    if (drain.timer !== null) clearTimeout(drain.timer);
    drain.resolve(this.tracker.committableOffset);
  }

  private notifySoon(): void {
    this.subscriber.notifySoon();
  }
}

/** What a subscriber threw or nacked with, as an Error (a string or other value is wrapped). */
export function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(error === undefined ? 'nack() without an error' : String(error));
}
