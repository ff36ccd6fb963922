/**
 * One run of the model-based test: the real consumer core (StageHost with its real PartitionStages,
 * FetchScheduler, CommitManager and ByteBudget) wired to the model cluster, the model coordinator
 * and the model subscribers, with model time (node:test mock timers) and a seeded Math.random (the
 * scheduler's backoff jitter), so a run is a pure function of its configuration and commands.
 *
 * Operations are what the commands call. Host operations that take time (revoke, release, stop) run
 * in the background with a deadline in model time (I7); membership operations run one at a time, as
 * the group's membership pump runs them.
 */
import { mock } from 'node:test';
import { resolveStandaloneOptions } from '../../src/consumer/options.js';
import { ConsumerEmitter } from '../../src/consumer/consumer-emitter.js';
import { StageHost } from '../../src/consumer/stage-host.js';
import type { CommitStrategy } from '../../src/consumer/options.js';
import { ModelCluster, type FetchAnswer } from './model-cluster.js';
import { ModelCoordinator, type CommitMode } from './model-coordinator.js';
import { Oracle } from './oracle.js';
import type { AppendShape } from './partition-log.js';
import { SubscriberDriver, type AckForm, type AckOrder, type SubscriberPlan } from './subscribers.js';

/** What a run is made of. */
export interface WorldConfig {
  partitions: number;
  brokers: number;
  strategy: CommitStrategy;
  readCommitted: boolean;
  budgetBytes: number;
  maxBytesPerPartition: number;
  maxRecordsPerPartition: number;
  drainTimeoutMs: number;
  commitIntervalMs: number;
  commitThreshold: number;
  /** Subscriber plans, by partition (cycled). */
  plans: SubscriberPlan[];
  /** What is produced to every partition before the start: these segments, repeated until `initialOffsets` is reached. */
  initial: Segment[];
  /** Offsets each partition holds at the start (at least). */
  initialOffsets: number;
  /** Seed of Math.random during the run. */
  seed: number;
}

/** A piece of a log: a data batch, a compaction gap, or a transaction (committed or aborted) of one batch. */
export interface Segment {
  kind: 'data' | 'gap' | 'commit' | 'abort';
  records: number;
  valueBytes: number;
}

/** An operation with a bound in model time (I7). */
interface Bounded {
  what: string;
  deadline: number;
  done: boolean;
}

const TOPIC = 'model';
/** Slack beyond the drain timeout a revoke or stop may take (commits, model-time steps). */
const MARGIN_MS = 5_000;

/** See the module documentation. */
export class World {
  readonly cluster: ModelCluster;
  readonly coordinator: ModelCoordinator;
  readonly oracle: Oracle;
  readonly driver: SubscriberDriver;
  readonly host: StageHost<unknown>;
  readonly events = new ConsumerEmitter();
  readonly errors: Error[] = [];
  /** Partitions whose subscriber takes nothing for now (a stalled handler). */
  readonly paused = new Set<number>();
  private membership: Promise<void> | null = null;
  private readonly bounded: Bounded[] = [];
  private stopping = false;
  stopped = false;
  private generation = 1;
  /** Math.random as it was before the world seeded it. */
  private readonly originalRandom: () => number;

  constructor(readonly config: WorldConfig) {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
    let state = config.seed >>> 0 || 1;
    // Replaced by hand, not with mock.method: node:test's mock records every call (arguments, result,
    // a stack) on a tracker that outlives the world, so a long random run grew by tens of MB a seed
    // until the heap ran out (4 GB after 120 seeds).
    this.originalRandom = Math.random;
    Math.random = () => {
      // xorshift32: the scheduler's backoff jitter, repeatable.
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state / 0x1_0000_0000;
    };
    const limits = {
      budgetBytes: config.budgetBytes,
      maxBytesPerPartition: config.maxBytesPerPartition,
      maxRecordsPerPartition: config.maxRecordsPerPartition,
      brokers: config.brokers,
      readCommitted: config.readCommitted,
    };
    let oracle: Oracle | null = null;
    const recorder = {
      onFetchSent: (...args: Parameters<Oracle['onFetchSent']>) => oracle?.onFetchSent(...args),
      onCommitSent: (...args: Parameters<Oracle['onCommitSent']>) => oracle?.onCommitSent(...args),
      onCommitDurable: (...args: Parameters<Oracle['onCommitDurable']>) => oracle?.onCommitDurable(...args),
    };
    this.cluster = new ModelCluster(TOPIC, config.partitions, config.brokers, recorder);
    this.coordinator = new ModelCoordinator(recorder, (p) => oracle?.owned.has(p) === true);
    oracle = new Oracle(this.cluster, () => this.coordinator, limits);
    this.oracle = oracle;
    const key = (p: number): string => `${TOPIC}:${p}`;
    this.driver = new SubscriberDriver(
      this.oracle,
      (p) => config.plans[p % config.plans.length] as SubscriberPlan,
      config.strategy === 'sync' ? (p) => this.coordinator.committed.get(key(p)) : null,
    );
    const options = resolveStandaloneOptions({
      brokers: '127.0.0.1:9',
      partitions: [{ topic: TOPIC, partition: 0 }],
      groupId: 'model',
      autoOffsetReset: 'earliest',
      commit: { strategy: config.strategy, intervalMs: config.commitIntervalMs, threshold: config.commitThreshold },
      drainTimeoutMs: config.drainTimeoutMs,
      maxProcessingMs: 0,
      buffer: { maxBytes: config.budgetBytes, maxBytesPerPartition: config.maxBytesPerPartition, maxRecordsPerPartition: config.maxRecordsPerPartition },
      fetch: { isolationLevel: config.readCommitted ? 'read_committed' : 'read_uncommitted', minPartitionBytes: 1024, maxWaitMs: 500 },
      retry: { retries: 5, initialBackoffMs: 100, maxBackoffMs: 1000 },
    });
    this.events.on('error', (e) => this.errors.push(e));
    this.host = new StageHost<unknown>(this.cluster.asCluster(), options, this.coordinator, this.events, this.driver.factory, undefined);
    this.oracle.attach(this.host);
  }

  /** Produces the initial records, starts the host and assigns every partition. */
  async init(): Promise<void> {
    // Gaps alone never end a log (compaction keeps the last batch): some data always comes.
    const segments = this.config.initial.some((s) => s.kind !== 'gap') ? this.config.initial : [...this.config.initial, { kind: 'data' as const, records: 1, valueBytes: 1 }];
    for (let p = 0; p < this.config.partitions; p++) {
      const log = this.cluster.log(p);
      // Each partition starts at another segment, so partitions differ.
      for (let i = p; log.logEndOffset < this.config.initialOffsets; i++) await this.append(p, segments[i % segments.length] as Segment);
    }
    this.host.start();
    this.assign(Array.from({ length: this.config.partitions }, (_, p) => p));
    await this.flush();
  }

  /** Ends model time and the seeded random. */
  dispose(): void {
    mock.timers.reset();
    Math.random = this.originalRandom;
  }

  get now(): number {
    return Date.now();
  }

  /** Lets every queued microtask and promise chain run (timers do not move). */
  async flush(turns = 2): Promise<void> {
    for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Moves model time by `ms`, in steps so timers fire in order with their chains run between. */
  async tick(ms: number): Promise<void> {
    let left = ms;
    while (left > 0) {
      const step = Math.min(left, 50);
      mock.timers.tick(step);
      left -= step;
      await this.flush();
    }
  }

  /** Checks every invariant the oracle can check now, and the deadlines of bounded operations (I7). */
  check(where: string): void {
    this.oracle.checkMemory();
    for (const b of this.bounded) {
      if (!b.done && this.now > b.deadline) {
        this.oracle.violations.push(`I7 ${b.what} still running ${this.now - b.deadline} ms past its bound`);
        b.done = true;
      }
    }
    this.oracle.assertClean(where);
  }

  private track(what: string, boundMs: number, promise: Promise<unknown>): Promise<void> {
    const entry: Bounded = { what, deadline: this.now + boundMs, done: false };
    this.bounded.push(entry);
    return promise.then(
      () => {
        entry.done = true;
      },
      (err: unknown) => {
        entry.done = true;
        this.oracle.violations.push(`${what} rejected: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  get busy(): boolean {
    return this.membership !== null || this.stopping;
  }

  private runMembership(promise: Promise<void>): void {
    const run = promise.finally(() => {
      if (this.membership === run) this.membership = null;
    });
    this.membership = run;
  }

  private tps(partitions: readonly number[]): { topic: string; partition: number }[] {
    return partitions.map((partition) => ({ topic: TOPIC, partition }));
  }

  // ---- operations --------------------------------------------------------------------------------

  async produce(p: number, shapes: readonly AppendShape[], gap: number): Promise<void> {
    const log = this.cluster.log(p % this.config.partitions);
    if (gap > 0) log.gap(gap);
    for (const s of shapes) await log.appendData(s);
  }

  /** Appends one segment to a partition's log. */
  async append(p: number, segment: Segment): Promise<void> {
    const log = this.cluster.log(p % this.config.partitions);
    const shape = { records: segment.records, valueBytes: segment.valueBytes };
    if (segment.kind === 'gap') log.gap(segment.records);
    else if (segment.kind === 'data') await log.appendData(shape);
    else await log.appendTransaction([shape], segment.kind === 'abort');
  }

  async produceTransaction(p: number, shapes: readonly AppendShape[], abort: boolean): Promise<void> {
    await this.cluster.log(p % this.config.partitions).appendTransaction(shapes, abort);
  }

  /** Answers the oldest pending Fetch of the `pick`-th broker that has one. */
  answer(pick: number, how: FetchAnswer): void {
    const fetch = this.cluster.pending[pick % Math.max(1, this.cluster.pending.length)];
    if (fetch) this.cluster.answer(fetch, how);
  }

  failFetch(pick: number): void {
    const fetch = this.cluster.pending[pick % Math.max(1, this.cluster.pending.length)];
    if (fetch) this.cluster.fail(fetch);
  }

  demand(p: number, n: number): void {
    this.driver.current.get(p % this.config.partitions)?.demand(n);
  }

  ack(p: number, count: number, order: AckOrder, form: AckForm): void {
    this.driver.current.get(p % this.config.partitions)?.ack(count, order, form);
  }

  ackAgain(p: number, index: number): void {
    this.driver.current.get(p % this.config.partitions)?.ackAgain(index);
  }

  /** Acks, on the stage of `p`, a record another partition's subscriber holds (must change nothing). */
  ackForeign(p: number, q: number): void {
    const on = this.driver.current.get(p % this.config.partitions);
    const from = this.driver.current.get(q % this.config.partitions);
    const record = from?.held[0];
    if (!on || !from || record === undefined || from === on) return;
    void on.stage.ack(record).catch(() => undefined);
  }

  /** An old subscriber acks what it still holds, after its stage ended. */
  lateAck(index: number): void {
    const old = this.driver.old[index % Math.max(1, this.driver.old.length)];
    old?.ack(old.held.length, 'oldest', 'record');
  }

  setPaused(p: number, paused: boolean): void {
    if (paused) this.paused.add(p % this.config.partitions);
    else this.paused.delete(p % this.config.partitions);
  }

  setCommitMode(mode: CommitMode): void {
    this.coordinator.mode = mode;
  }

  setCommitLatency(ms: number): void {
    this.coordinator.latencyMs = ms;
  }

  /** Assigns those of `partitions` the member does not own (one membership operation at a time). */
  assign(partitions: readonly number[]): void {
    if (this.busy) return;
    const fresh = [...new Set(partitions.map((p) => p % this.config.partitions))].filter((p) => !this.oracle.owned.has(p) && !this.oracle.assignmentOf(p));
    if (fresh.length === 0) return;
    for (const p of fresh) {
      this.oracle.owned.add(p);
      this.oracle.expecting.set(p, 'assign');
    }
    this.runMembership(this.track(`assign ${fresh.join(',')}`, MARGIN_MS, this.host.assign(this.tps(fresh), this.generation)));
  }

  /** Revokes those of `partitions` the member owns (cooperative when some stay). */
  revoke(partitions: readonly number[]): void {
    if (this.busy) return;
    const owned = [...new Set(partitions.map((p) => p % this.config.partitions))].filter((p) => this.oracle.owned.has(p));
    if (owned.length === 0) return;
    this.oracle.revokeStarted(owned);
    const run = this.host.revoke(this.tps(owned)).then(() => this.oracle.revokeEnded(owned));
    this.runMembership(this.track(`revoke ${owned.join(',')}`, this.config.drainTimeoutMs + MARGIN_MS, run));
  }

  /** The member lost these partitions (session expired, fenced): no commit of them any more. */
  lose(partitions: readonly number[]): void {
    if (this.busy) return;
    const owned = [...new Set(partitions.map((p) => p % this.config.partitions))].filter((p) => this.oracle.owned.has(p));
    if (owned.length === 0) return;
    this.oracle.lost(owned);
    this.host.lose(this.tps(owned), 'model: lost');
    // The session expired: the group moved on to a new generation, and fences what the member still sends.
    this.generation++;
    this.coordinator.generation++;
  }

  /** A fenced member rejoins: everything it owned is lost, the generation moves, and it is assigned the same partitions again. */
  rejoin(): void {
    if (this.busy) return;
    const owned = [...this.oracle.owned];
    this.oracle.lost(owned);
    this.host.lose(this.tps(owned), 'model: fenced');
    this.generation++;
    this.coordinator.generation++;
    if (this.coordinator.mode === 'fence') this.coordinator.mode = 'ok';
    this.coordinator.fencedSinceRejoin = false;
    this.assign(owned);
  }

  /** Releases a partition whose handler the user gives up on. */
  release(p: number): void {
    const partition = p % this.config.partitions;
    if (this.stopping || !this.oracle.owned.has(partition) || this.oracle.assignmentOf(partition)?.state !== 'live') return;
    this.oracle.releaseStarted(partition);
    void this.track(`release ${partition}`, MARGIN_MS, this.host.release(TOPIC, partition, this.generation));
  }

  /** Stops the consumer: everything is revoked and the host stops. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    const owned = [...this.oracle.owned];
    this.oracle.revokeStarted(owned);
    const run = this.host.stop().then(() => {
      this.oracle.revokeEnded(owned);
      this.stopped = true;
    });
    void this.track('stop', this.config.drainTimeoutMs + MARGIN_MS, run);
  }

  /** True once every bounded operation has ended. */
  get idle(): boolean {
    return this.bounded.every((b) => b.done) && this.membership === null;
  }
}
