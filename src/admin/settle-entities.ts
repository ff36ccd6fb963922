/**
 * Runs an admin request over many entities (topics, partitions, config resources) and settles each
 * one: entities whose error is transient are sent again (only they), with the cluster's backoff and
 * deadline; the others keep their result or their error. Nothing is dropped: the caller gets every
 * entity's outcome and turns the failures into one {@link AdminOperationError}.
 */
import type { Cluster } from '../cluster/cluster.js';
import { KafkaStageError } from '../errors.js';
import { AdminOperationError, type EntityFailure } from './errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError } from '../protocol/kafka-error.js';

/** The outcome of one entity in one response. */
export type EntityOutcome<K, R> = { key: K; value: R; error?: undefined } | { key: K; error: KafkaStageError };

/**
 * A {@link SettleSpec.shouldRetry} for operations on topics that must exist: a retriable error is
 * worth another attempt, but UNKNOWN_TOPIC_OR_PARTITION (retriable for clients that wait for a
 * topic to appear) is final, since asking again does not create the topic.
 */
export function retryUnlessUnknownTopic(error: KafkaStageError): boolean {
  return error.retriable && !(error instanceof KafkaError && error.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
}

/** How an operation is settled. */
export interface SettleSpec<K, R> {
  /** Operation name used in errors, e.g. `createTopics`. */
  operation: string;
  /** The entities, in the caller's order. */
  keys: readonly K[];
  /** The entity's name in errors. */
  nameOf(key: K): string;
  /** Sends the request(s) for `pending` and reports every one of them. `attempt` starts at 1. */
  send(pending: K[], attempt: number): Promise<EntityOutcome<K, R>[]>;
  /** Whether an entity error is worth another attempt; defaults to the error's `retriable` flag. */
  shouldRetry?(error: KafkaStageError): boolean;
  /** Topics whose metadata a retry refreshes (after NOT_LEADER and the like). */
  topics?: string[];
}

/**
 * Settles every entity and returns the results in the order of `keys`; throws one
 * {@link AdminOperationError} listing every entity that failed (with the ones that succeeded).
 */
export async function settleEntities<K, R>(cluster: Cluster, spec: SettleSpec<K, R>): Promise<Map<K, R>> {
  const results = new Map<K, R>();
  const failures = new Map<K, KafkaStageError>();
  const lastError = new Map<K, KafkaStageError>();
  const shouldRetry = spec.shouldRetry ?? ((e: KafkaStageError) => e.retriable);
  let pending = [...spec.keys];
  try {
    await cluster.withRetry(
      spec.operation,
      async (attempt) => {
        const outcomes = await spec.send(pending, attempt);
        const answered = new Set<K>();
        const again: K[] = [];
        let transient: KafkaStageError | undefined;
        for (const o of outcomes) {
          if (!pending.includes(o.key) || answered.has(o.key)) continue; // an entity we did not ask about, or twice
          answered.add(o.key);
          if (o.error === undefined) {
            results.set(o.key, o.value);
          } else if (shouldRetry(o.error)) {
            again.push(o.key);
            lastError.set(o.key, o.error);
            transient ??= o.error;
          } else {
            failures.set(o.key, o.error);
          }
        }
        for (const key of pending) {
          if (answered.has(key)) continue;
          // A broker that leaves an entity out of its answer has not handled it: ask again.
          const missing = new KafkaStageError('ERR_PROTOCOL', `the broker's ${spec.operation} response did not mention ${spec.nameOf(key)}`, {
            retriable: true,
          });
          again.push(key);
          lastError.set(key, missing);
          transient ??= missing;
        }
        pending = again;
        if (transient) throw transient;
      },
      spec.topics ?? [],
    );
  } catch (err) {
    // The request itself failed, or transient errors outlived the retries: what is still pending fails.
    const error = err instanceof KafkaStageError ? err : new KafkaStageError('ERR_KAFKA', String(err), { cause: err });
    for (const key of pending) {
      const own = lastError.get(key);
      // Prefer the entity's own last error (it names the topic and the broker's code) over the wrapper.
      failures.set(key, own && error.code === 'ERR_RETRIES_EXHAUSTED' ? own : error);
    }
  }
  if (failures.size > 0) {
    const listed: EntityFailure[] = [];
    const succeeded: string[] = [];
    for (const key of spec.keys) {
      const e = failures.get(key);
      if (e) listed.push({ entity: spec.nameOf(key), error: e });
      else if (results.has(key)) succeeded.push(spec.nameOf(key));
    }
    throw new AdminOperationError(spec.operation, listed, succeeded);
  }
  const ordered = new Map<K, R>();
  for (const key of spec.keys) ordered.set(key, results.get(key) as R);
  return ordered;
}
