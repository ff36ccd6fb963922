/**
 * Turns acks into commits (design.md §3), one commit in flight at a time so committed offsets of a
 * partition only move forward.
 *
 * - `async`: commit the acked prefix of every partition with new acks when `threshold` acks pile up
 *   or `intervalMs` passes, in the background;
 * - `sync`: an ack resolves once a commit covering it is durable (acks arriving while a commit is in
 *   flight share the next one);
 * - `none`: only explicit {@link CommitManager.commitNow} / {@link CommitManager.commitOffset} calls commit.
 *
 * A partition leaves the manager (unregister) before it is revoked or lost, so an ack arriving later
 * can never be committed.
 */
import type { CommitStrategy } from './options.js';
import type { OffsetToCommit } from './contracts.js';
import { tpKey } from './contracts.js';

/** What the manager needs from a partition stage. */
export interface CommittableSource {
  readonly topic: string;
  readonly partition: number;
  /** First offset not acked: everything before it is processed. */
  readonly committableOffset: number;
  /** Told what became durable (for stats). */
  markCommitted(offset: number): void;
}

/** Outcome of one commit, for the `commit` event. */
export interface CommitOutcome {
  offsets: { topic: string; partition: number; offset: number }[];
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
}

/**
 * Commits carry no leader epoch: the stage knows the partition's current epoch, not the epoch of
 * the record before the committed offset, and a wrong epoch would mislead offset validation
 * (KIP-320) after a leader change. -1 is what Kafka stores for "unknown".
 */
const UNKNOWN_EPOCH = -1;

export class CommitManager {
  private readonly sources = new Map<string, CommittableSource>();
  /** Last offset committed per partition (this member's view). */
  private readonly committed = new Map<string, number>();
  private pendingAcks = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  /** The commit that will start after the one in flight; acks under `sync` wait on it. */
  private next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  private stopped = false;

  constructor(private readonly options: CommitManagerOptions) {}

  /** Starts tracking a partition; `committedOffset` is where it started if that was a commit. */
  register(source: CommittableSource, committedOffset: number | null): void {
    const key = tpKey(source.topic, source.partition);
    this.sources.set(key, source);
    if (committedOffset !== null) this.committed.set(key, committedOffset);
    else this.committed.delete(key);
  }

  /** Stops tracking a partition: later acks of it are never committed. */
  unregister(source: { topic: string; partition: number }): void {
    const key = tpKey(source.topic, source.partition);
    this.sources.delete(key);
    this.committed.delete(key);
  }

  /** Called by a stage after acks moved (or may have moved) its committable offset. */
  acked(_source: CommittableSource, newlyAcked: number): Promise<void> {
    if (this.stopped || newlyAcked <= 0) return Promise.resolve();
    switch (this.options.strategy) {
      case 'none':
        return Promise.resolve();
      case 'sync':
        return this.requestCommit();
      case 'async':
        this.pendingAcks += newlyAcked;
        if (this.pendingAcks >= this.options.threshold) {
          void this.requestCommit().catch(() => undefined);
        } else if (this.timer === null) {
          this.timer = setTimeout(() => {
            this.timer = null;
            void this.requestCommit().catch(() => undefined);
          }, this.options.intervalMs);
        }
        return Promise.resolve();
    }
  }

  /** Commits the acked prefix of every tracked partition that moved since its last commit. */
  commitNow(): Promise<void> {
    return this.requestCommit();
  }

  /**
   * Commits `offset` for one partition now, whatever the acks say (strategy `none`'s manual commit,
   * the Elixir `trigger_commit`). An offset below the last commit is honoured: the user asked for it.
   */
  async commitOffset(source: CommittableSource, offset: number): Promise<void> {
    await this.waitIdle();
    await this.send([{ topic: source.topic, partition: source.partition, offset, leaderEpoch: UNKNOWN_EPOCH }], true);
  }

  /**
   * Commits one partition's acked prefix as its final commit before it is released (revoke), then
   * unregisters it. Resolves true when something was committed.
   */
  async commitFinal(source: CommittableSource): Promise<boolean> {
    await this.waitIdle();
    const key = tpKey(source.topic, source.partition);
    const offset = source.committableOffset;
    const last = this.committed.get(key);
    // Out of the automatic commits first: nothing acked after this point is committed.
    this.sources.delete(key);
    try {
      if (last !== undefined && offset <= last) return false;
      await this.send([{ topic: source.topic, partition: source.partition, offset, leaderEpoch: UNKNOWN_EPOCH }], false);
      source.markCommitted(offset);
      return true;
    } finally {
      this.committed.delete(key);
    }
  }

  /** Last offset this member committed for a partition, or undefined. */
  lastCommitted(topic: string, partition: number): number | undefined {
    return this.committed.get(tpKey(topic, partition));
  }

  /** Stops timers; later acks are not committed. In-flight commits finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.waitIdle();
  }

  private async waitIdle(): Promise<void> {
    while (this.inFlight || this.next) {
      await (this.next?.promise ?? this.inFlight)?.catch(() => undefined);
    }
  }

  /** Starts a commit now, or after the one in flight (coalescing every request made meanwhile). */
  private requestCommit(): Promise<void> {
    if (this.inFlight === null) {
      this.inFlight = this.runCommit().finally(() => {
        this.inFlight = null;
        const queued = this.next;
        this.next = null;
        if (queued) this.requestCommit().then(queued.resolve, queued.reject);
      });
      return this.inFlight;
    }
    if (this.next === null) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Callers that do not await must not trigger unhandled rejections; awaiting callers still see the error.
      promise.catch(() => undefined);
      this.next = { promise, resolve, reject };
    }
    return this.next.promise;
  }

  private async runCommit(): Promise<void> {
    this.pendingAcks = 0;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const offsets: OffsetToCommit[] = [];
    for (const [key, s] of this.sources) {
      const last = this.committed.get(key);
      const offset = s.committableOffset;
      if (last === undefined || offset > last) {
        offsets.push({ topic: s.topic, partition: s.partition, offset, leaderEpoch: UNKNOWN_EPOCH });
      }
    }
    if (offsets.length === 0) return;
    await this.send(offsets, false);
  }

  private async send(offsets: OffsetToCommit[], manual: boolean): Promise<void> {
    const outcome: CommitOutcome = { offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })), error: null };
    try {
      await this.options.commit(offsets);
      for (const o of offsets) {
        const key = tpKey(o.topic, o.partition);
        const source = this.sources.get(key);
        // A manual commit may move backwards; automatic ones only ever move forward.
        const last = this.committed.get(key);
        if (manual || last === undefined || o.offset > last) this.committed.set(key, o.offset);
        source?.markCommitted(o.offset);
      }
    } catch (err) {
      outcome.error = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      this.options.onCommit?.(outcome);
    }
  }
}
