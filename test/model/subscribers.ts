/**
 * The subscribers of the model-based test: the subscriber factory the stage host calls for every
 * new stage, and, per stage, a subscriber the test drives step by step. It takes records by manual
 * demand (`ask` + `onRecords`) or by pulling `batches()`, holds them, and acks them when told: by
 * record, offset or batch, in any order, twice, on the wrong stage, or after its stage ended.
 * Everything it is given and acks is reported to the oracle; under the `sync` strategy every ack
 * promise is watched (it may resolve only once a commit covering it is durable).
 */
import type { PartitionStage } from '../../src/consumer/types.js';
import type { SubscriberContext, SubscriberFactory } from '../../src/consumer/stage-host.js';
import type { ConsumerBatch } from '../../src/consumer/types.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import type { Assignment, Oracle } from './oracle.js';

/** How a partition's subscriber takes records. */
export interface SubscriberPlan {
  mode: 'manual' | 'batches';
  /** The handler never returns, whatever its signal says (stop and revoke must not wait for it for ever). */
  ignoresSignal: boolean;
  /** `maxDemand` of `batches()`. */
  maxDemand: number;
}

/** How to pick the records an ack covers. */
export type AckOrder = 'oldest' | 'newest' | 'middle';
/** What the ack is given. */
export type AckForm = 'record' | 'offset' | 'batch';

/** An ack promise under watch (sync strategy). */
interface WatchedAck {
  settled: boolean;
  describe: string;
}

/** The subscriber of one stage. */
export class Subscriber {
  /** Records given and not acked, in offset order. */
  readonly held: KafkaRecord[] = [];
  /** Offsets acked (for duplicate acks). */
  readonly ackedRecords: KafkaRecord[] = [];
  readonly errors: Error[] = [];
  ended = false;
  private iterator: AsyncIterator<ConsumerBatch> | null = null;
  private pulling = false;

  constructor(
    readonly assignment: Assignment,
    readonly stage: PartitionStage,
    readonly plan: SubscriberPlan,
    private readonly driver: SubscriberDriver,
  ) {}

  /** Starts taking records the subscriber's way. */
  start(): void {
    if (this.plan.mode === 'manual') {
      this.assignment.asked = 0;
      this.stage.onRecords(
        (records) => this.given(records),
        (error) => this.errors.push(error),
      );
    } else {
      this.iterator = this.stage.batches({ maxDemand: this.plan.maxDemand, minDemand: Math.floor(this.plan.maxDemand / 2) });
    }
  }

  /** Asks for `n` more records (manual), or pulls the next batch (batches). */
  demand(n: number): void {
    if (this.ended) return;
    if (this.plan.mode === 'manual') {
      if (this.assignment.asked !== null && this.assignment.state === 'live') this.assignment.asked += n;
      this.stage.ask(n);
      return;
    }
    if (this.pulling || this.iterator === null) return;
    this.pulling = true;
    this.iterator.next().then(
      (r) => {
        this.pulling = false;
        if (r.done === true) this.ended = true;
        else {
          if (r.value.records.length > this.plan.maxDemand) {
            this.driver.oracle.violations.push(`§2.1 a batch of ${r.value.records.length} records against maxDemand ${this.plan.maxDemand}`);
          }
          this.given(r.value.records);
        }
      },
      (error: unknown) => {
        this.pulling = false;
        this.ended = true;
        this.errors.push(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  /** Outstanding demand as the subscriber sees it: asked and not yet given (manual), or a pull waiting. */
  get wantsMore(): boolean {
    if (this.plan.mode === 'manual') return (this.assignment.asked ?? 0) > this.assignment.delivered;
    return this.pulling;
  }

  private given(records: readonly KafkaRecord[]): void {
    this.driver.oracle.delivered(this.assignment, records);
    for (const r of records) this.held.push(r);
  }

  /** Acks `count` held records picked by `order`, given as `form`. */
  ack(count: number, order: AckOrder, form: AckForm): void {
    if (this.held.length === 0 || count <= 0) return;
    const n = Math.min(count, this.held.length);
    const at = order === 'oldest' ? 0 : order === 'newest' ? this.held.length - n : Math.floor((this.held.length - n) / 2);
    const picked = this.held.splice(at, n);
    const offsets = picked.map((r) => r.offset);
    const fresh = offsets.filter((o) => !this.assignment.acked.has(o));
    if (this.assignment.state !== 'gone') this.driver.oracle.acked(this.assignment, offsets);
    for (const r of picked) this.ackedRecords.push(r);
    const live = this.assignment.state === 'live';
    if (form === 'batch') {
      const batch: ConsumerBatch = {
        topic: this.stage.topic,
        partition: this.stage.partition,
        records: picked,
        firstOffset: offsets[0] as number,
        lastOffset: offsets[offsets.length - 1] as number,
      };
      this.driver.watch(this, this.stage.ack(batch), live ? fresh : [], `batch ${batch.firstOffset}..${batch.lastOffset}`);
      return;
    }
    for (const r of picked) {
      const promise = this.stage.ack(form === 'record' ? r : r.offset);
      this.driver.watch(this, promise, live && fresh.includes(r.offset) ? [r.offset] : [], `offset ${r.offset}`);
    }
  }

  /**
   * Acks again the newest record whose `sync` ack rejected (its commit failed), as a user retries a
   * failed commit: the library reports the failure through the ack and leaves the retry to the user.
   * Returns whether it acked.
   */
  retryFailedAck(): boolean {
    const failed = this.driver.failedAcks.get(this.assignment);
    if (failed === undefined || failed.size === 0) return false;
    for (let i = this.ackedRecords.length - 1; i >= 0; i--) {
      if (!failed.has((this.ackedRecords[i] as KafkaRecord).offset)) continue;
      this.ackAgain(i);
      return true;
    }
    return false;
  }

  /** Acks again a record already acked (a duplicate: must change nothing). */
  ackAgain(index: number): void {
    const r = this.ackedRecords[index % Math.max(1, this.ackedRecords.length)];
    if (r === undefined) return;
    const failedBefore = this.driver.failedAcks.get(this.assignment)?.has(r.offset) === true;
    this.driver.watch(this, this.stage.ack(r), failedBefore && this.assignment.state === 'live' ? [r.offset] : [], `re-ack ${r.offset}`);
  }
}

/** Creates and keeps the subscribers; the stage host's subscriber factory is {@link SubscriberDriver.factory}. */
export class SubscriberDriver {
  /** The current subscriber of each partition. */
  readonly current = new Map<number, Subscriber>();
  /** Subscribers of stages that ended, for late acks. */
  readonly old: Subscriber[] = [];
  /** Offsets whose ack promise rejected, per assignment (a re-ack must not then resolve without a commit). */
  readonly failedAcks = new Map<Assignment, Set<number>>();
  private readonly watched: WatchedAck[] = [];
  /** Handlers the test lets return (their signal aborted); the others never return. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    readonly oracle: Oracle,
    private readonly plans: (partition: number) => SubscriberPlan,
    /** Under `sync`: the committed offset of a partition now, to check an ack's durability. */
    private readonly committed: ((partition: number) => number | undefined) | null,
  ) {}

  readonly factory: SubscriberFactory<unknown> = (stage: PartitionStage, context: SubscriberContext<unknown>) => {
    const assignment = this.oracle.stageStarted(stage);
    const previous = this.current.get(stage.partition);
    if (previous) this.old.push(previous);
    const plan = this.plans(stage.partition);
    const subscriber = new Subscriber(assignment, stage, plan, this);
    this.current.set(stage.partition, subscriber);
    subscriber.start();
    const done = new Promise<void>((resolve) => {
      if (plan.ignoresSignal) return;
      if (context.signal.aborted) resolve();
      else context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.running.add(done);
    return done;
  };

  /** Watches an ack promise: under `sync`, `mustCover` offsets must be durably committed when it resolves. */
  watch(subscriber: Subscriber, promise: Promise<void>, mustCover: readonly number[], what: string): void {
    const entry: WatchedAck = { settled: false, describe: `${subscriber.stage.partition} ${what}` };
    this.watched.push(entry);
    const a = subscriber.assignment;
    promise.then(
      () => {
        entry.settled = true;
        if (this.committed === null || mustCover.length === 0) return;
        const c = this.committed(a.partition) ?? -1;
        const highest = Math.max(...mustCover);
        if (c <= highest) this.oracle.violations.push(`§3.2 sync ack of ${a.partition} ${what} resolved while the commit is ${c} (not covering ${highest})`);
      },
      () => {
        entry.settled = true;
        let failed = this.failedAcks.get(a);
        if (!failed) this.failedAcks.set(a, (failed = new Set()));
        for (const o of mustCover) failed.add(o);
      },
    );
  }

  /** Ack promises that have not settled. */
  unsettledAcks(): string[] {
    return this.watched.filter((w) => !w.settled).map((w) => w.describe);
  }
}
