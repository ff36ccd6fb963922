/**
 * The start offsets of newly assigned partitions: their committed offsets from the owner (the
 * group coordinator, or a standalone consumer's), and where there is none the reset policy's.
 * Tried a few times as a whole, each failure reported, before the assignment is given up.
 */
import type { Cluster } from '../cluster/cluster.js';
import { backoffDelay } from '../cluster/retry.js';
import { KafkaStageError } from '../errors.js';
import { AuthorizationError } from '../protocol/kafka-error.js';
import { abortableDelay } from './abortable-delay.js';
import type { TopicPartition } from './contracts.js';
import { NoOffsetError } from './errors.js';
import { resolveStartOffsets } from './offset-reset.js';
import type { ResolvedConsumerCommon } from './options.js';

/**
 * How often the start-offset look-ups of an assignment are tried (each already retries inside,
 * with the cluster's retry policy) before the assignment is given up: a transient coordinator or
 * leader outage outlasting one retry deadline is reported and tried again; one outlasting three is
 * not transient enough to hold the partitions for.
 */
export const ASSIGN_ATTEMPTS = 3;

/** The committed offsets (null where none) and the start offsets, by `topic:partition`. */
export interface StartOffsets {
  committed: Map<string, number | null>;
  starts: Map<string, number>;
}

/** What {@link lookUpStarts} needs from the stage host. */
export interface StartLookup {
  cluster: Cluster;
  options: Pick<ResolvedConsumerCommon, 'autoOffsetReset' | 'fetch'>;
  /** The owner's committed offsets (see StageHostOwner.fetchCommitted). */
  fetchCommitted(partitions: readonly TopicPartition[], signal: AbortSignal): Promise<Map<string, number | null>>;
  /** Aborted when the consumer stops: look-ups give up. */
  signal: AbortSignal;
  /** Reports a failed attempt that will be tried again (an `error` event). */
  reportAttemptFailure(error: KafkaStageError): void;
}

/**
 * Committed offsets and start offsets of `partitions`, tried {@link ASSIGN_ATTEMPTS} times. Rejects
 * at once with {@link NoOffsetError} (no commit and `autoOffsetReset: 'none'`), an authorization
 * error, or once stopping; with the last failure after the last attempt.
 */
export async function lookUpStarts(lookup: StartLookup, partitions: readonly TopicPartition[]): Promise<StartOffsets> {
  const { cluster, options, signal } = lookup;
  for (let attempt = 1; ; attempt++) {
    try {
      const committed = partitions.length > 0 ? await lookup.fetchCommitted(partitions, signal) : new Map<string, number | null>();
      const starts = await resolveStartOffsets(cluster, partitions, committed, options.autoOffsetReset, {
        isolationLevel: options.fetch.isolationLevel,
        signal,
      });
      return { committed, starts };
    } catch (err) {
      // Retrying will not make a commit appear, nor undo a stop.
      // Nor will an ACL appear by asking again: an authorization error reaches the caller at once.
      if (err instanceof NoOffsetError || err instanceof AuthorizationError || signal.aborted || attempt >= ASSIGN_ATTEMPTS) throw err;
      lookup.reportAttemptFailure(assignAttemptFailed(err, partitions, attempt));
      await abortableDelay(backoffDelay(attempt, cluster.options.retry), signal);
      if (signal.aborted) throw err;
    }
  }
}

function assignAttemptFailed(err: unknown, partitions: readonly TopicPartition[], attempt: number): KafkaStageError {
  const first = partitions[0];
  return new KafkaStageError(
    'ERR_RETRIES_EXHAUSTED',
    `start offsets of ${partitions.length} assigned partition(s) could not be looked up (attempt ${attempt} of ${ASSIGN_ATTEMPTS}, trying again): ${err instanceof Error ? err.message : String(err)}`,
    { cause: err, retriable: true, context: { ...(first ? { topic: first.topic, partition: first.partition } : {}), partitions: partitions.map((p) => ({ ...p })), attempt } },
  );
}
