/**
 * Real partition stages for the fetch scheduler's tests (no test double: design's testing.md asks
 * for the real component, and a double that woke the scheduler on every take hid a stall).
 *
 * {@link ObservedStage} is a {@link PartitionStage} with a real PartitionBuffer, a real shared
 * {@link ByteBudget} and a {@link RecordingSink} that records acks. It adds only observation: a log
 * of what its subscriber received and of the errors it saw (tests wait on them with `eventually`).
 * The subscriber takes with manual demand (`ask(n)` + `onRecords`) and acks every
 * record it receives. Built with `{ taking: false }` it takes nothing until
 * {@link ObservedStage.setTaking} (a stalled handler: demand outstanding, buffer filling).
 */
import type { CommitSink } from '../../src/consumer/contracts.js';
import type { FetchTarget, FetchWaker } from '../../src/consumer/fetch-target.js';
import { fetchTargetOf, PartitionStage } from '../../src/consumer/partition-stage.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import type { ByteBudget } from '../../src/stage/byte-budget.js';
import type { PartitionBufferLimits } from '../../src/stage/partition-buffer.js';

/** A CommitSink stub: counts what each stage acked, commits nothing. */
export class RecordingSink implements CommitSink {
  /** Offsets newly acked, by `topic:partition`. */
  private readonly counts = new Map<string, number>();

  /** Offsets of `stage` acked so far. */
  count(stage: PartitionStage): number {
    return this.counts.get(`${stage.topic}:${stage.partition}`) ?? 0;
  }

  acked(stage: PartitionStage, newlyAcked: number): Promise<void> {
    const key = `${stage.topic}:${stage.partition}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + newlyAcked);
    return Promise.resolve();
  }
}

/** Limits used when a test gives none: the same as the scheduler tests always used. */
const DEFAULT_LIMITS: PartitionBufferLimits = { maxRecords: 1000, maxBytes: 256 * 1024, minFetchBytes: 4096 };

/** The handle the scheduler is given for an {@link ObservedStage}: the stage's own, naming its stage. */
export interface ObservedTarget extends FetchTarget {
  readonly stage: ObservedStage;
}

/**
 * A real PartitionStage whose subscriber the test drives and watches. Give the scheduler its
 * {@link ObservedStage.target} (the stage's own fetch handle, counting the answers it takes).
 */
export class ObservedStage extends PartitionStage {
  /** Every record handed to the subscriber, in order. */
  readonly delivered: KafkaRecord[] = [];
  /** Errors the subscriber was given (fetch errors the stage could not get past). */
  readonly errors: Error[] = [];
  /** Calls of onFetched (responses that named this partition without error). */
  responses = 0;
  /** The buffer limits the stage was built with. */
  readonly limits: PartitionBufferLimits;
  /** Called after every onFetched, once the stage has taken the response in (tests sample the budget here). */
  afterFetched: (() => void) | null = null;
  private taking = false;

  constructor(
    topic: string,
    partition: number,
    fromOffset: number,
    budget: ByteBudget,
    waker: FetchWaker,
    limits: Partial<PartitionBufferLimits> = {},
    options: { taking?: boolean; sink?: RecordingSink } = {},
  ) {
    const full = { ...DEFAULT_LIMITS, ...limits };
    const sink = options.sink ?? new RecordingSink();
    super({ topic, partition, startOffset: fromOffset, leaderEpoch: -1, limits: full, budget, waker, commitSink: sink, maxProcessingMs: 0 });
    this.limits = full;
    this.sink = sink;
    this.target = observedTarget(this, fetchTargetOf(this));
    if (options.taking ?? true) this.setTaking();
  }

  /** Where this stage's acks go. */
  readonly sink: RecordingSink;
  /** What the scheduler holds: the stage's fetch handle, counting {@link responses} and calling {@link afterFetched}. */
  readonly target: ObservedTarget;

  /** The subscriber starts taking (and acking) what it asks for; it never stops again. */
  setTaking(): void {
    if (this.taking) return;
    this.taking = true;
    this.onRecords(
      (records) => {
        for (const r of records) {
          this.delivered.push(r);
          void this.ack(r);
        }
      },
      (error) => {
        this.errors.push(error);
      },
    );
  }

  /**
   * A new subscriber after a fetch error ended the last one (a manual subscription ends once it has
   * reported the error): attaches the same handlers again and asks for `n`.
   */
  resubscribe(n: number): void {
    this.taking = false;
    this.setTaking();
    this.ask(n);
  }

  /** Offsets acked by the subscriber, as the commit sink heard them. */
  get ackedCount(): number {
    return this.sink.count(this);
  }

  /** Buffered records (stats of the real stage). */
  get bufferedRecords(): number {
    return this.stats().bufferedRecords;
  }

  /** True when the buffer is at one of its bounds. */
  get isFull(): boolean {
    const s = this.stats();
    return s.bufferedRecords >= this.limits.maxRecords || s.bufferedBytes >= this.limits.maxBytes;
  }

}

/** `inner` (the stage's own handle) with its answers counted on `stage`. */
function observedTarget(stage: ObservedStage, inner: FetchTarget): ObservedTarget {
  return {
    stage,
    topic: inner.topic,
    partition: inner.partition,
    get fetchOffset() {
      return inner.fetchOffset;
    },
    get leaderEpoch() {
      return inner.leaderEpoch;
    },
    get active() {
      return inner.active;
    },
    get growth() {
      return inner.growth;
    },
    get bufferedBytes() {
      return inner.bufferedBytes;
    },
    fetchBytesWanted: (budgetBytes, pendingRecords) => inner.fetchBytesWanted(budgetBytes, pendingRecords),
    onFetched: (batches, info) => {
      stage.responses++;
      inner.onFetched(batches, info);
      stage.afterFetched?.();
    },
    onFetchError: (error) => inner.onFetchError(error),
  };
}
