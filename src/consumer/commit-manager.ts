/**
 * Turns acks into commits (the acked prefix of each partition), one OffsetCommit in flight at a time so committed offsets
 * of a partition only move forward.
 *
 * - `async`: commit the acked prefix of every partition with new acks when `threshold` acks pile up
 *   or `intervalMs` passes, in the background; a failed commit is retried with backoff (no new ack
 *   needed), except after a fencing error: that assignment is never committed again;
 * - `sync`: an ack resolves once a commit covering it (committed offset > the acked offset) is
 *   durable, and rejects when that commit fails, or with {@link CommitLostError} when none ever will
 *   (partition lost, or released with a final commit below it);
 * - `none`: only explicit {@link CommitManager.commitNow} / {@link CommitManager.commitOffset} calls commit.
 *
 * Every request made while a commit is in flight joins the one commit queued behind it: a final
 * commit (revoke, release) or an explicit one waits for at most the commit in flight, whatever
 * traffic other partitions bring. A partition's final commit takes it out of the automatic
 * commits, and `unregister` drops it outright (loss), so an ack arriving later is never committed.
 */
import { backoffDelay, DEFAULT_RETRY, isRetriable, type RetryOptions } from '../cluster/retry.js';
import { isFencingError } from '../group/errors.js';
import type { OffsetToCommit } from '../group/membership-contracts.js';
import { partitionsField, type Logger } from '../logger.js';
import { KafkaError } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import type { TopicPartition, TopicPartitionOffset } from '../protocol/topic-partition.js';
import { CommitLostError } from './commit-errors.js';
import { CommitRound, RoundResult, type CommitSource } from './commit-round.js';
import { tpKey } from './contracts.js';
import type { CommitStrategy } from './options.js';

/** What the manager needs from a partition stage. */
export type CommittableSource = CommitSource;

/** Outcome of one commit, for the `commit` event. */
export interface CommitOutcome {
  offsets: TopicPartitionOffset[];
  error: Error | null;
}

/** Settings of a {@link CommitManager}. */
export interface CommitManagerOptions {
  strategy: CommitStrategy;
  intervalMs: number;
  threshold: number;
  /** Sends the commit (the group's membership, or a standalone commit). Rejects on failure. */
  commit(offsets: readonly OffsetToCommit[]): Promise<void>;
  /** Told about every commit attempt that carried offsets. */
  onCommit?(outcome: CommitOutcome): void;
  /**
   * `async`: backoff between retries of a failed commit (exponential, jittered). Default
   * {@link DEFAULT_RETRY}'s: 100 ms doubling to 1 s (Java `retry.backoff.ms` / `retry.backoff.max.ms`).
   */
  retryBackoff?: Pick<RetryOptions, 'initialBackoffMs' | 'maxBackoffMs'>;
  /**
   * Told of a commit failing (warn when retriable, else error) once per failing streak, and of
   * commits succeeding again (info); the failures in between are debug. Default: none.
   */
  logger?: Logger;
}

/**
 * Commits carry no leader epoch: the stage knows the partition's current epoch, not the epoch of
 * the record before the committed offset, and a wrong epoch would mislead offset validation
 * (KIP-320) after a leader change. -1 is what Kafka stores for "unknown".
 */
const UNKNOWN_EPOCH = -1;

const RESOLVED: Promise<void> = Promise.resolve();

/** A `sync` ack waiting for a durable commit above `offset`. */
interface Waiter {
  offset: number;
  resolve(): void;
  reject(err: unknown): void;
}

/** What the manager keeps of one registered partition. */
interface Entry {
  readonly key: string;
  readonly source: CommittableSource;
  /** Last offset this member committed (or started from, when that was a commit): the one record of it. */
  committed: number | undefined;
  /** A commit succeeded since registration (`committed` is not just where the partition started). */
  committedHere: boolean;
  /** `sync` acks not yet covered by a durable commit. */
  waiters: Waiter[];
  /** Its final commit is queued: out of the automatic commits. */
  releasing: boolean;
  /** The fencing error after which nothing of this assignment may be committed. */
  fenced: Error | null;
  /** Offset carried by the commit in flight, if it carries this partition. */
  sending: number | undefined;
}

/** One partition's offset in a round being sent. */
interface Carried {
  source: CommittableSource;
  entry: Entry | undefined;
  offset: number;
  /** Explicit: may move the committed offset backwards. */
  manual: boolean;
}

export class CommitManager {
  private readonly entries = new Map<string, Entry>();
  /** The entry each source was registered with, kept (weakly) after it is dropped: see {@link committedOffset}. */
  private readonly registered = new WeakMap<CommittableSource, Entry>();
  private readonly backoff: Pick<RetryOptions, 'initialBackoffMs' | 'maxBackoffMs'>;
  private pendingAcks = 0;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Failed commits in a row (`async` retries back off on it). */
  private failures = 0;
  /** Since when, and for how many rounds, commits fail (null while they succeed): what the log says once. */
  private failingStreak: { since: number; rounds: number } | null = null;
  private inFlight: CommitRound<CommittableSource> | null = null;
  /** The round that starts when the one in flight is answered; every request meanwhile joins it. */
  private queued: CommitRound<CommittableSource> | null = null;
  private stopped = false;

  constructor(private readonly options: CommitManagerOptions) {
    this.backoff = options.retryBackoff ?? DEFAULT_RETRY;
  }

  /** Starts tracking a partition; `committedOffset` is where it started if that was a commit. */
  register(source: CommittableSource, committedOffset: number | null): void {
    const key = tpKey(source.topic, source.partition);
    const old = this.entries.get(key);
    if (old !== undefined && old.source !== source) this.drop(old, 'the partition was assigned afresh');
    const entry: Entry = { key, source, committed: committedOffset ?? undefined, committedHere: false, waiters: [], releasing: false, fenced: null, sending: undefined };
    this.entries.set(key, entry);
    this.registered.set(source, entry);
  }

  /**
   * Stops tracking a partition (lost, or given up without a final commit): later acks of it are
   * never committed, and `sync` acks still waiting reject with {@link CommitLostError}.
   */
  unregister(source: TopicPartition): void {
    const entry = this.entries.get(tpKey(source.topic, source.partition));
    if (entry !== undefined) this.drop(entry, 'the partition was lost or given up without a commit');
  }

  /**
   * A stage's acks moved (or may have moved) its committable offset: `newlyAcked` offsets were
   * acked, the highest of them `lastOffset` (default: just below the committable offset). Under
   * `sync` the promise resolves once a durable commit covers `lastOffset`.
   */
  acked(source: CommittableSource, newlyAcked: number, lastOffset?: number): Promise<void> {
    switch (this.options.strategy) {
      case 'none':
        return RESOLVED;
      case 'sync':
        return this.covered(source, lastOffset ?? source.committableOffset - 1);
      case 'async': {
        const entry = this.entryOf(source);
        if (this.stopped || newlyAcked <= 0 || entry === undefined || entry.releasing || entry.fenced !== null) return RESOLVED;
        this.pendingAcks += newlyAcked;
        if (this.pendingAcks >= this.options.threshold) {
          this.requestAuto();
        } else if (this.timer === null) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.requestAuto();
          }, this.options.intervalMs);
        }
        return RESOLVED;
      }
    }
  }

  /**
   * The committable offset moved without an ack (skipped control records or aborted transactions):
   * `async` commits it at the next interval, `sync` at once; `none` waits for an explicit commit.
   */
  moved(source: CommittableSource): void {
    const entry = this.entryOf(source);
    if (this.stopped || entry === undefined || entry.releasing || entry.fenced !== null) return;
    if (entry.committed !== undefined && source.committableOffset <= entry.committed) return;
    if (this.options.strategy === 'sync') this.requestAuto();
    else if (this.options.strategy === 'async' && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.requestAuto();
      }, this.options.intervalMs);
    }
  }

  /**
   * An ack that acked nothing new (already acked, or arriving after the stage closed). Under `sync`
   * it resolves once a durable commit covers `offset` — at once if one already does, else after
   * the commit it triggers — and rejects with {@link CommitLostError} when none will. Other
   * strategies resolve at once.
   */
  covered(source: CommittableSource, offset: number): Promise<void> {
    if (this.options.strategy !== 'sync') return RESOLVED;
    const entry = this.entryOf(source);
    if (entry === undefined) {
      return Promise.reject(new CommitLostError(source.topic, source.partition, offset, null, 'the partition is no longer committed by this consumer'));
    }
    if (entry.fenced !== null) return Promise.reject(entry.fenced);
    if (entry.committed !== undefined && entry.committed > offset) return RESOLVED;
    if (this.stopped) return Promise.reject(this.lost(entry, offset, 'the consumer stopped'));
    const promise = new Promise<void>((resolve, reject) => entry.waiters.push({ offset, resolve, reject }));
    // Callers that do not await must not trigger unhandled rejections; awaiting callers still see the error.
    promise.catch(() => undefined);
    // A final commit already queued covers what can be covered; otherwise commit what moved.
    if (!entry.releasing && (entry.committed === undefined || source.committableOffset > entry.committed)) this.requestAuto();
    return promise;
  }

  /**
   * Commits the acked prefix of every tracked partition that moved since its last commit: now, or
   * right after the commit in flight. Rejects when that commit fails.
   */
  async commitNow(): Promise<void> {
    const result = await this.enqueue((r) => {
      r.auto = true;
    });
    if (result.error !== null) throw result.error;
  }

  /**
   * Commits `offset` for one partition whatever the acks say (strategy `none`'s manual commit, the
   * Elixir `trigger_commit`): now, or right after the commit in flight. An offset below the last
   * commit is honoured: the user asked for it.
   */
  async commitOffset(source: CommittableSource, offset: number): Promise<void> {
    const key = tpKey(source.topic, source.partition);
    const result = await this.enqueue((r) => {
      r.manual.set(key, { source, offset });
    });
    const error = result.errorFor(key);
    if (error !== null) throw error;
  }

  /**
   * Commits one partition's acked prefix as its final commit before it is released (revoke,
   * release), then unregisters it. Waits for at most the commit in flight (so commits of the
   * partition stay in order), never behind the commits of other partitions. Resolves true when
   * something was committed, false when nothing moved since the last commit (or the assignment
   * was fenced); rejects when the commit fails. `sync` acks it does not cover reject with
   * {@link CommitLostError}.
   */
  async commitFinal(source: CommittableSource): Promise<boolean> {
    const key = tpKey(source.topic, source.partition);
    const entry = this.entryOf(source);
    if (entry?.fenced) {
      this.drop(entry, 'the assignment was fenced');
      return false;
    }
    if (entry !== undefined) entry.releasing = true;
    const result = await this.enqueue((r) => {
      r.finals.set(key, source);
    });
    const error = result.errorFor(key);
    if (entry !== undefined) {
      if (error !== null) {
        for (const w of entry.waiters) w.reject(error);
        entry.waiters = [];
      }
      this.drop(entry, 'the partition was released; its final commit does not cover this ack');
    }
    if (error !== null) throw error;
    return result.sent.has(key);
  }

  /**
   * Last offset committed successfully for `source` since it was registered, null before the
   * first: what its stats show. Still answered once the partition is released or lost (the stage
   * reads it for acks after that).
   */
  committedOffset(source: CommittableSource): number | null {
    const entry = this.registered.get(source);
    return entry?.committedHere === true && entry.committed !== undefined ? entry.committed : null;
  }

  /** Last offset this member committed for a partition, or undefined. */
  lastCommitted(topic: string, partition: number): number | undefined {
    return this.entries.get(tpKey(topic, partition))?.committed;
  }

  /** Stops timers and retries; later acks are not committed. Commits queued or in flight finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    await (this.queued ?? this.inFlight)?.result;
  }

  // ---- rounds ---------------------------------------------------------------------------------

  private entryOf(source: CommittableSource): Entry | undefined {
    const entry = this.entries.get(tpKey(source.topic, source.partition));
    return entry !== undefined && entry.source === source ? entry : undefined;
  }

  private requestAuto(): void {
    if (this.stopped) return;
    void this.enqueue((r) => {
      r.auto = true;
    });
  }

  /** Adds a request to the round starting now (when idle) or to the one queued behind the commit in flight. */
  private enqueue(add: (round: CommitRound<CommittableSource>) => void): Promise<RoundResult> {
    if (this.inFlight === null) {
      const round = new CommitRound<CommittableSource>();
      add(round);
      this.start(round);
      return round.result;
    }
    this.queued ??= new CommitRound<CommittableSource>();
    add(this.queued);
    return this.queued.result;
  }

  private start(round: CommitRound<CommittableSource>): void {
    this.inFlight = round;
    void this.run(round).then((result) => {
      round.finish(result);
      this.inFlight = null;
      const next = this.queued;
      this.queued = null;
      // An automatic round queued next is the retry already.
      if (this.options.strategy === 'async' && !this.stopped && next?.auto !== true) this.maybeRetry(result);
      if (next !== null) this.start(next);
    });
  }

  /** Sends one round: what it carries is read now, when it starts, not when it was asked for. */
  private async run(round: CommitRound<CommittableSource>): Promise<RoundResult> {
    if (round.auto) {
      this.pendingAcks = 0;
      this.clearTimers();
    }
    const carried = this.collect(round);
    if (carried.size === 0) return RoundResult.EMPTY;
    const offsets: OffsetToCommit[] = [];
    const sent = new Map<string, number>();
    for (const [key, c] of carried) {
      offsets.push({ topic: c.source.topic, partition: c.source.partition, offset: c.offset, leaderEpoch: UNKNOWN_EPOCH });
      sent.set(key, c.offset);
    }
    for (const c of carried.values()) if (c.entry !== undefined) c.entry.sending = c.offset;
    let error: Error | null = null;
    try {
      await this.options.commit(offsets);
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    const result = new RoundResult(sent, error);
    for (const [key, c] of carried) {
      if (c.entry !== undefined) c.entry.sending = undefined;
      const failure = result.errorFor(key);
      if (failure === null) this.committedNow(c);
      else if (c.entry !== undefined) this.failedNow(c.entry, c.offset, failure);
    }
    if (error === null) this.failures = 0;
    this.logRound(offsets, result);
    this.options.onCommit?.({ offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })), error });
    return result;
  }

  /** Logs the start and the end of a failing streak; what happens within it is debug. */
  private logRound(offsets: readonly OffsetToCommit[], result: RoundResult): void {
    const logger = this.options.logger;
    if (logger === undefined) return;
    const error = result.error;
    if (error === null) {
      if (this.failingStreak === null) return;
      logger.info('offset commits succeed again', {
        partitions: partitionsField(offsets),
        failedCommits: this.failingStreak.rounds,
        failingForMs: Date.now() - this.failingStreak.since,
      });
      this.failingStreak = null;
      return;
    }
    const failed = offsets.filter((o) => result.errorFor(tpKey(o.topic, o.partition)) !== null);
    const fields = {
      partitions: partitionsField(failed),
      code: error instanceof KafkaError ? error.errorName : error instanceof KafkaStageError ? error.code : error.name,
      err: error,
    };
    if (this.failingStreak !== null) {
      this.failingStreak.rounds++;
      logger.debug('offset commit failed again', fields);
      return;
    }
    this.failingStreak = { since: Date.now(), rounds: 1 };
    if (isRetriable(error)) logger.warn('offset commit failed', fields);
    else logger.error('offset commit failed', fields);
  }

  /** The offsets a round carries: explicit ones first, then finals, then what moved. */
  private collect(round: CommitRound<CommittableSource>): Map<string, Carried> {
    const carried = new Map<string, Carried>();
    for (const [key, m] of round.manual) carried.set(key, { source: m.source, entry: this.entryOf(m.source), offset: m.offset, manual: true });
    const moved = (key: string, source: CommittableSource, entry: Entry | undefined): void => {
      if (carried.has(key) || entry?.fenced) return;
      const offset = source.committableOffset;
      if (entry?.committed === undefined || offset > entry.committed) carried.set(key, { source, entry, offset, manual: false });
    };
    for (const [key, source] of round.finals) moved(key, source, this.entryOf(source));
    if (round.auto) {
      for (const entry of this.entries.values()) {
        if (!entry.releasing) moved(entry.key, entry.source, entry);
      }
    }
    return carried;
  }

  private committedNow(c: Carried): void {
    // The record of a partition no longer registered still learns it: its stage shows it in stats.
    const entry = c.entry ?? this.registered.get(c.source);
    if (entry === undefined) return;
    // A manual commit may move backwards; automatic ones only ever move forward.
    if (c.manual || entry.committed === undefined || c.offset > entry.committed) entry.committed = c.offset;
    entry.committedHere = true;
    const committed = entry.committed;
    if (c.entry === undefined || entry.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of entry.waiters) {
      if (w.offset < committed) w.resolve();
      else still.push(w);
    }
    entry.waiters = still;
  }

  private failedNow(entry: Entry, offset: number, error: Error): void {
    if (isFencingError(error)) {
      // The assignment is gone (fenced: illegal generation, unknown member or fenced instance): nothing of it is committed again, and no waiting
      // ack ever will be.
      entry.fenced = error;
      for (const w of entry.waiters) w.reject(error);
      entry.waiters = [];
      return;
    }
    // The acks this commit would have covered were waiting on it; later ones keep waiting.
    const still: Waiter[] = [];
    for (const w of entry.waiters) {
      if (w.offset < offset) w.reject(error);
      else still.push(w);
    }
    entry.waiters = still;
  }

  /** `async`: a failed commit is tried again after a backoff, unless fencing made it pointless. */
  private maybeRetry(result: RoundResult): void {
    if (result.error === null || isFencingError(result.error) || this.retryTimer !== null) return;
    this.failures++;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.requestAuto();
      },
      backoffDelay(this.failures, this.backoff),
    );
  }

  /**
   * Forgets a partition; its waiting `sync` acks reject with CommitLostError, except those the
   * commit in flight covers: sent before the partition went, it may still be durable, and they
   * settle with it.
   */
  private drop(entry: Entry, why: string): void {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    const sending = entry.sending;
    const riding: Waiter[] = [];
    for (const w of entry.waiters) {
      if (sending !== undefined && w.offset < sending) riding.push(w);
      else w.reject(this.lost(entry, w.offset, why));
    }
    entry.waiters = riding;
  }

  private lost(entry: Entry, offset: number, why: string): CommitLostError {
    return new CommitLostError(entry.source.topic, entry.source.partition, offset, entry.committed ?? null, why);
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
