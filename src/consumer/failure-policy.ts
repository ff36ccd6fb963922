/**
 * The `onFailure` option: what a consumer does when a subscriber fails (throws, rejects, or calls
 * `nack`). One frozen defaults object and one resolve() that throws InvalidOptionError naming the
 * option, as for every other option; the per-partition function form is checked each time it
 * answers.
 *
 * Worked numbers with the defaults (initialMs 200, maxMs 30 000, maxAttempts 10): a record that
 * always fails is delivered 10 times, waiting about 0.1-0.2 s, 0.2-0.4 s, 0.4-0.8 s … (each wait
 * half fixed, half random) up to 15-30 s between the last ones, some 40-80 s in all; then the
 * partition stops (or, with a dead-letter topic, the record goes there and the partition goes on).
 */
import { backoffDelay } from '../cluster/retry.js';
import { checkInteger, checkOneOf, checkOptionsObject, checkTopicName } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';
import type { KafkaRecord } from '../protocol/records/types.js';
import type { TopicPartition } from './contracts.js';

/** How failed records are delivered again. */
export interface RetryPolicy {
  /** Backoff before the first re-delivery, ms (each wait is half fixed, half random). Default 200. */
  initialMs?: number;
  /** Longest backoff, ms: the wait doubles from `initialMs` up to this. Default 30 000. */
  maxMs?: number;
  /**
   * Deliveries of a failing record before the policy's `exhausted` action: 1 means no retry.
   * Default 10. `Infinity` retries for ever (the partition then waits on the record).
   */
  maxAttempts?: number;
}

/** Where records go once their retries are exhausted (`exhausted: 'deadLetter'`). */
export interface DeadLetterOptions {
  /** The dead-letter topic, or a function naming it per record. The topic must exist (or be auto-created by the broker). */
  topic: string | ((record: KafkaRecord, tp: TopicPartition) => string);
}

/** What to do when a subscriber fails on records of a partition. */
export interface FailurePolicy {
  /** Re-delivery after a failure: the partition rewinds to its first unacked record after a backoff. */
  retry?: RetryPolicy;
  /**
   * After `retry.maxAttempts` failed deliveries: `'stop'` stops the partition (an `error` event,
   * `PartitionStoppedError`; `stats()` says why; `release()` starts it again), `'deadLetter'`
   * produces the failed records to `deadLetter.topic`, acks them once the broker has them, and goes
   * on. Default `'deadLetter'` when `deadLetter` is given, else `'stop'`.
   */
  exhausted?: 'stop' | 'deadLetter';
  /** The dead-letter topic (needed by `exhausted: 'deadLetter'`). */
  deadLetter?: DeadLetterOptions;
}

/** The `onFailure` option: one policy, or a function giving each partition its own. */
export type FailurePolicyOption = FailurePolicy | ((tp: TopicPartition) => FailurePolicy);

/** A policy after defaults and validation. */
export interface ResolvedFailurePolicy {
  retry: Required<RetryPolicy>;
  exhausted: 'stop' | 'deadLetter';
  deadLetter: DeadLetterOptions | null;
}

/** Defaults of {@link FailurePolicy}. */
export const FAILURE_POLICY_DEFAULTS = Object.freeze({
  retry: Object.freeze({ initialMs: 200, maxMs: 30_000, maxAttempts: 10 }),
  exhausted: 'stop' as 'stop' | 'deadLetter',
});

/** The resolved `onFailure` option: the policy of a partition. */
export interface FailurePolicySource {
  /**
   * The policy of `tp`. Throws InvalidOptionError (option `onFailure`) when a policy function
   * throws or answers something that is no valid policy.
   */
  policyFor(tp: TopicPartition): ResolvedFailurePolicy;
}

const POLICY_KEYS = ['retry', 'exhausted', 'deadLetter'] as const;
const RETRY_KEYS = ['initialMs', 'maxMs', 'maxAttempts'] as const;
const DEAD_LETTER_KEYS = ['topic'] as const;

/** Resolves the `onFailure` option (absent: the defaults for every partition). */
export function resolveFailurePolicyOption(option: FailurePolicyOption | undefined): FailurePolicySource {
  if (option === undefined) {
    const policy = resolveFailurePolicy('onFailure', {});
    return { policyFor: () => policy };
  }
  if (typeof option === 'function') {
    return {
      policyFor: (tp) => {
        let answer: unknown;
        try {
          answer = option({ topic: tp.topic, partition: tp.partition });
        } catch (err) {
          throw new InvalidOptionError('onFailure', `the policy function threw for ${tp.topic}/${tp.partition}: ${err instanceof Error ? err.message : String(err)}`);
        }
        return resolveFailurePolicy(`onFailure(${tp.topic}/${tp.partition})`, answer);
      },
    };
  }
  const policy = resolveFailurePolicy('onFailure', option);
  return { policyFor: () => policy };
}

/** Validates one policy; `name` is how errors name it. */
export function resolveFailurePolicy(name: string, value: unknown): ResolvedFailurePolicy {
  if (value === undefined) throw new InvalidOptionError(name, 'expected an object, got undefined');
  const policy = checkOptionsObject(name, value as FailurePolicy, POLICY_KEYS);
  const d = FAILURE_POLICY_DEFAULTS;
  const retryIn = checkOptionsObject(`${name}.retry`, policy.retry, RETRY_KEYS);
  const initialMs = checkInteger(`${name}.retry.initialMs`, retryIn.initialMs ?? d.retry.initialMs, 0, 3_600_000);
  const maxMs = checkInteger(`${name}.retry.maxMs`, retryIn.maxMs ?? Math.max(d.retry.maxMs, initialMs), 0, 3_600_000);
  if (maxMs < initialMs) throw new InvalidOptionError(`${name}.retry.maxMs`, `must be ≥ retry.initialMs (${initialMs})`);
  const attemptsIn = retryIn.maxAttempts ?? d.retry.maxAttempts;
  const maxAttempts = attemptsIn === Number.POSITIVE_INFINITY ? attemptsIn : checkInteger(`${name}.retry.maxAttempts`, attemptsIn, 1, 1_000_000);
  let deadLetter: DeadLetterOptions | null = null;
  if (policy.deadLetter !== undefined) {
    const dl = checkOptionsObject(`${name}.deadLetter`, policy.deadLetter, DEAD_LETTER_KEYS);
    const topic = dl.topic;
    if (typeof topic === 'string') checkTopicName(`${name}.deadLetter.topic`, topic);
    else if (typeof topic !== 'function') {
      throw new InvalidOptionError(`${name}.deadLetter.topic`, 'expected a topic name or a function (record, {topic, partition}) => topic name');
    }
    deadLetter = { topic };
  }
  const exhausted = checkOneOf(`${name}.exhausted`, policy.exhausted ?? (deadLetter ? 'deadLetter' : d.exhausted), ['stop', 'deadLetter']);
  if (exhausted === 'deadLetter' && deadLetter === null) {
    throw new InvalidOptionError(`${name}.deadLetter`, "exhausted: 'deadLetter' needs deadLetter.topic");
  }
  return { retry: { initialMs, maxMs, maxAttempts }, exhausted, deadLetter };
}

/** Backoff before re-delivery after the `failures`-th failure in a row (1-based): exponential, half jitter, capped. */
export function retryDelay(failures: number, retry: Pick<Required<RetryPolicy>, 'initialMs' | 'maxMs'>, random: () => number = Math.random): number {
  if (retry.maxMs === 0) return 0;
  return Math.round(backoffDelay(failures, { initialBackoffMs: Math.max(1, retry.initialMs), maxBackoffMs: retry.maxMs }, random));
}
