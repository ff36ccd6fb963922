/**
 * What a Produce answer means for each batch it carried, and what then becomes of a batch that
 * failed: success, a retry after a backoff, or failure, each with or without a new producer epoch.
 * Pure: the sender hands the answer and the facts, and acts on the result.
 */
import type { Produce } from '../protocol/apis/produce.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { kafkaError } from '../protocol/kafka-error.js';
import { ProtocolError } from '../protocol/errors.js';
import type { ResponseOut } from '../protocol/schema.js';
import { decideOnFailure, type BatchFailureFacts } from './error-policy.js';

/**
 * Produce answers after which the records may be in the log although the batch failed:
 * REQUEST_TIMED_OUT (acks=all: appended by the leader, replicas late), NETWORK_EXCEPTION,
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND.
 */
const APPENDED_MAYBE: ReadonlySet<number> = new Set([ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NETWORK_EXCEPTION, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND]);

/** What identifies a batch in an answer. */
export interface AnsweredBatch {
  readonly topic: string;
  readonly partition: number;
}

/** What the answer says of one batch. */
export type BatchOutcome =
  | { ok: true; baseOffset: number; logAppendTime: number }
  | {
      ok: false;
      error: Error;
      /**
       * The records may be in the log although the batch failed (a retry must not be restamped).
       * Absent when the answer says nothing of it (the partition was not in the answer).
       */
      fateUnknown?: boolean;
    };

/**
 * Reads a Produce answer for the batches the request carried, in their order. From version 13 the
 * answer names topics by id: `topicNameById` maps them back (an id it does not know is skipped,
 * leaving its batches unanswered: a protocol error each, retried).
 */
export function readProduceAnswer(
  batches: readonly AnsweredBatch[],
  response: ResponseOut<typeof Produce>,
  leader: number,
  topicNameById: ReadonlyMap<string, string> | null,
): BatchOutcome[] {
  type PartitionAnswer = (typeof response.responses)[number]['partitionResponses'][number];
  const results = new Map<string, PartitionAnswer>();
  for (const topic of response.responses) {
    const name = topicNameById ? topicNameById.get(topic.topicId) : topic.name;
    if (name === undefined) continue;
    for (const p of topic.partitionResponses) results.set(`${p.index}\u0000${name}`, p);
  }
  return batches.map((batch): BatchOutcome => {
    const result = results.get(`${batch.partition}\u0000${batch.topic}`);
    const context = { topic: batch.topic, partition: batch.partition, broker: leader, api: 'Produce' };
    if (!result) return { ok: false, error: new ProtocolError('the Produce response does not mention the partition', context) };
    const error = kafkaError(result.errorCode, context, { brokerMessage: result.errorMessage });
    if (error) return { ok: false, error, fateUnknown: APPENDED_MAYBE.has(result.errorCode) };
    return { ok: true, baseOffset: Number(result.baseOffset), logAppendTime: Number(result.logAppendTimeMs) };
  });
}

/** The facts that decide a failed batch's fate. */
export interface BatchFateFacts extends BatchFailureFacts {
  /** When the batch was created, ms. */
  createdAt: number;
  /** Now, ms. */
  now: number;
  /** The producer's `deliveryTimeoutMs`. */
  deliveryTimeoutMs: number;
}

/** What becomes of a failed batch. `bumpEpoch`: a new producer epoch before anything else is sent. */
export type BatchFate =
  | { kind: 'success' }
  | { kind: 'fail'; bumpEpoch: boolean; timedOut: boolean }
  | { kind: 'retry'; bumpEpoch: boolean };

/**
 * Decides a failed batch's fate: {@link decideOnFailure}'s answer, except that a batch that would
 * be retried past its delivery timeout fails instead (with `timedOut`). An idempotent batch failed
 * that way leaves a gap in its partition's sequence: the epoch is bumped.
 */
export function decideBatchFate(facts: BatchFateFacts): BatchFate {
  const action = decideOnFailure(facts);
  switch (action) {
    case 'success':
      return { kind: 'success' };
    case 'fail':
    case 'fail-and-bump':
      return { kind: 'fail', bumpEpoch: action === 'fail-and-bump', timedOut: false };
    case 'retry':
    case 'bump-and-retry': {
      const bumpEpoch = action === 'bump-and-retry';
      if (facts.now - facts.createdAt >= facts.deliveryTimeoutMs) return { kind: 'fail', bumpEpoch: bumpEpoch || facts.idempotent, timedOut: true };
      return { kind: 'retry', bumpEpoch };
    }
  }
}
