/**
 * The fault plan of a fake cluster: errors to answer instead of doing the work, delays before
 * answering, answers lost after doing the work, and holds (answers wait until the test releases
 * them), per API. Pure state; the dispatcher and the
 * request handlers ask it, per request, what to inject.
 */
import type { FakeRequest, TouchedPartition } from './request-log.js';

/** Where an injected error applies. */
export interface FaultTarget {
  /** Only requests naming this topic (and only its entries in them). */
  topic?: string;
  /** Only this partition of `topic`. */
  partition?: number;
}

/** Which requests a fault takes, beyond its API: how many, and which ones. */
export interface FaultRuleOptions {
  /** How many requests the fault takes (default 1, `Infinity` until {@link FakeKafkaCluster.clearFaults}). */
  times?: number;
  /**
   * Only requests this accepts (default: every request). It sees the request as
   * {@link FakeKafkaCluster.requests} logs it: `index` picks the n-th request of the API, `batches`
   * the producer fields of a Produce. A request it refuses does not use up `times`.
   */
  when?: (request: FakeRequest) => boolean;
}

/** Options of {@link FakeKafkaCluster.fail}. */
export interface FailOptions extends FaultTarget, FaultRuleOptions {}

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
  readonly when: ((request: FakeRequest) => boolean) | undefined;
}

interface DelayRule {
  readonly apiKey: number;
  readonly ms: number;
  left: number;
  readonly when: ((request: FakeRequest) => boolean) | undefined;
}

function matches(target: FaultTarget, topic: string | undefined, partition: number | undefined): boolean {
  if (target.topic === undefined) return true;
  if (topic !== target.topic) return false;
  return target.partition === undefined || partition === undefined || partition === target.partition;
}

/** Errors and delays to inject, consumed request by request. */
export class FaultPlan {
  private readonly failures: FailRule[] = [];
  /** Newest first: a newer delay of an API takes its requests before older ones. */
  private readonly delays: DelayRule[] = [];
  private readonly losses: LossRule[] = [];
  /** Per API key: the promise held requests wait for, and what resolves it. */
  private readonly holds = new Map<number, { released: Promise<void>; release: () => void }>();

  /** Answers the next `times` requests of `apiKey` (touching `target`, accepted by `when`) with `code`. */
  fail(apiKey: number, code: number, options: FailOptions = {}): void {
    const target: FaultTarget = { topic: options.topic, partition: options.partition };
    this.failures.push({
      apiKey,
      code,
      left: options.times ?? 1,
      target,
      when: options.when,
      appliesTo: (topic, partition) => matches(target, topic, partition),
    });
  }

  /** Delays the next `times` requests of `apiKey` (accepted by `when`) by `ms`; 0 removes every delay of the API. */
  delay(apiKey: number, ms: number, options: FaultRuleOptions = {}): void {
    if (ms <= 0) {
      for (let i = this.delays.length - 1; i >= 0; i--) if ((this.delays[i] as DelayRule).apiKey === apiKey) this.delays.splice(i, 1);
      return;
    }
    this.delays.unshift({ apiKey, ms, left: options.times ?? Infinity, when: options.when });
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

  /** Removes every injected error, delay and lost answer, and releases every hold. */
  clear(): void {
    this.failures.length = 0;
    this.delays.length = 0;
    this.losses.length = 0;
    for (const entry of this.holds.values()) entry.release();
    this.holds.clear();
  }

  /**
   * The error `request` is answered with, if any, consuming one use of it. `touched` lists the
   * topic-partitions the request names; a rule for a topic only takes a request that names it.
   */
  claimError(request: FakeRequest, touched: readonly TouchedPartition[]): InjectedError | undefined {
    const i = this.failures.findIndex(
      (rule) =>
        rule.apiKey === request.apiKey &&
        (rule.target.topic === undefined || touched.some((t) => matches(rule.target, t.topic, t.partition))) &&
        (rule.when === undefined || rule.when(request)),
    );
    if (i < 0) return undefined;
    const rule = this.failures[i] as FailRule;
    if (--rule.left <= 0) this.failures.splice(i, 1);
    return rule;
  }

  /** Milliseconds to wait before answering `request`, consuming one use of the delay that takes it. */
  claimDelay(request: FakeRequest): number {
    return claim(this.delays, request)?.ms ?? 0;
  }

  /** Loses the answers of the next `times` requests of `apiKey` (accepted by `when`), after doing their work. */
  loseAnswer(apiKey: number, options: LoseAnswerOptions = {}): void {
    this.losses.push({ apiKey, how: options.how ?? 'close', left: options.times ?? 1, when: options.when });
  }

  /** How the answer to `request` is lost, if a {@link loseAnswer} rule takes it, consuming one use. */
  claimLoss(request: FakeRequest): LostAnswer | undefined {
    return claim(this.losses, request)?.how;
  }
}

/** How an answer is lost: the connection `close`s unanswered, or the broker `ignore`s the request (no answer ever). */
export type LostAnswer = 'close' | 'ignore';

/** Options of {@link FakeKafkaCluster.loseAnswer}. */
export interface LoseAnswerOptions extends FaultRuleOptions {
  /** `close` (default): close the connection instead of answering; `ignore`: never answer, keep the connection. */
  how?: LostAnswer;
}

interface LossRule {
  readonly apiKey: number;
  readonly how: LostAnswer;
  left: number;
  readonly when: ((request: FakeRequest) => boolean) | undefined;
}

/** The first rule of `rules` that takes `request`, with one use consumed (removed when used up). */
function claim<R extends { readonly apiKey: number; left: number; readonly when: ((request: FakeRequest) => boolean) | undefined }>(
  rules: R[],
  request: FakeRequest,
): R | undefined {
  const i = rules.findIndex((rule) => rule.apiKey === request.apiKey && (rule.when === undefined || rule.when(request)));
  if (i < 0) return undefined;
  const rule = rules[i] as R;
  if (--rule.left <= 0) rules.splice(i, 1);
  return rule;
}
