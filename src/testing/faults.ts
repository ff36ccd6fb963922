/**
 * The fault plan of a fake cluster: errors to answer instead of doing the work, delays before
 * answering, and holds (answers wait until the test releases them), per API. Pure state; the
 * request handlers ask it, per request, what to inject.
 */

/** Where an injected error applies. */
export interface FaultTarget {
  /** Only requests naming this topic (and only its entries in them). */
  topic?: string;
  /** Only this partition of `topic`. */
  partition?: number;
}

/** Options of {@link FakeKafkaCluster.fail}. */
export interface FailOptions extends FaultTarget {
  /** How many requests get the error (default 1); `Infinity` until {@link FakeKafkaCluster.clearFaults}. */
  times?: number;
}

/** An error a request is answered with: the code, and which of its entries it applies to. */
export interface InjectedError {
  readonly code: number;
  /** True when the error applies to this topic-partition (or, with no arguments, to the request's top level). */
  appliesTo(topic?: string, partition?: number): boolean;
}

interface FailRule extends InjectedError {
  apiKey: number;
  left: number;
  readonly target: FaultTarget;
}

interface DelayRule {
  ms: number;
  left: number;
}

/** A topic-partition a request touches. */
export interface TouchedPartition {
  topic: string;
  partition?: number;
}

function matches(target: FaultTarget, topic: string | undefined, partition: number | undefined): boolean {
  if (target.topic === undefined) return true;
  if (topic !== target.topic) return false;
  return target.partition === undefined || partition === undefined || partition === target.partition;
}

/** Errors and delays to inject, consumed request by request. */
export class FaultPlan {
  private readonly failures: FailRule[] = [];
  private readonly delays = new Map<number, DelayRule>();
  /** Per API key: the promise held requests wait for, and what resolves it. */
  private readonly holds = new Map<number, { released: Promise<void>; release: () => void }>();

  /** Answers the next `times` requests of `apiKey` (touching `target`) with `code`. */
  fail(apiKey: number, code: number, options: FailOptions = {}): void {
    const target: FaultTarget = { topic: options.topic, partition: options.partition };
    this.failures.push({
      apiKey,
      code,
      left: options.times ?? 1,
      target,
      appliesTo: (topic, partition) => matches(target, topic, partition),
    });
  }

  /** Delays the next `times` requests of `apiKey` by `ms` (0 removes the delay). */
  delay(apiKey: number, ms: number, times: number): void {
    if (ms <= 0) this.delays.delete(apiKey);
    else this.delays.set(apiKey, { ms, left: times });
  }

  /**
   * Holds requests of `apiKey`: each waits before it is answered until the returned function is
   * called (which also lifts the hold). Holding an API already held shares the one release.
   */
  hold(apiKey: number): () => void {
    let entry = this.holds.get(apiKey);
    if (!entry) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      entry = { released, release };
      this.holds.set(apiKey, entry);
    }
    const held = entry;
    return () => {
      if (this.holds.get(apiKey) === held) this.holds.delete(apiKey);
      held.release();
    };
  }

  /** What a request of `apiKey` waits for before it is answered: the hold's release, or undefined when not held. */
  claimHold(apiKey: number): Promise<void> | undefined {
    return this.holds.get(apiKey)?.released;
  }

  /** Removes every injected error and delay, and releases every hold. */
  clear(): void {
    this.failures.length = 0;
    this.delays.clear();
    for (const entry of this.holds.values()) entry.release();
    this.holds.clear();
  }

  /**
   * The error one request of `apiKey` is answered with, if any, consuming one use of it. `touched`
   * lists the topic-partitions the request names; a rule for a topic only takes a request that names it.
   */
  claimError(apiKey: number, touched: readonly TouchedPartition[]): InjectedError | undefined {
    const i = this.failures.findIndex(
      (rule) => rule.apiKey === apiKey && (rule.target.topic === undefined || touched.some((t) => matches(rule.target, t.topic, t.partition))),
    );
    if (i < 0) return undefined;
    const rule = this.failures[i] as FailRule;
    if (--rule.left <= 0) this.failures.splice(i, 1);
    return rule;
  }

  /** Milliseconds to wait before answering one request of `apiKey`, consuming one use. */
  claimDelay(apiKey: number): number {
    const rule = this.delays.get(apiKey);
    if (!rule) return 0;
    if (--rule.left <= 0) this.delays.delete(apiKey);
    return rule.ms;
  }
}
