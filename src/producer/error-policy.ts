/**
 * What the producer does with a batch the broker answered with an error code, or whose request
 * failed. Pure: the sender supplies the facts, this decides. Follows the Java client:
 *
 * - retriable codes (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS, ...) and
 *   network failures: send the same batch again, same sequence, after a backoff;
 * - DUPLICATE_SEQUENCE_NUMBER: the broker has the batch already, a success;
 * - OUT_OF_ORDER_SEQUENCE_NUMBER: retriable while an older batch of the partition is unresolved
 *   (it will fill the gap) or the batch predates an epoch bump; otherwise the partition lost
 *   records the broker had acknowledged: fail the batch and bump the epoch;
 * - UNKNOWN_PRODUCER_ID: the broker forgot the producer (its records were deleted by retention):
 *   bump the epoch and send the batch again under it;
 * - INVALID_PRODUCER_EPOCH: retriable for a batch stamped before our own bump, else fatal;
 * - anything else fails the batch; for an idempotent producer a failed batch that carried a
 *   sequence leaves a gap, so the epoch is bumped before the next send.
 */
import { KafkaError } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import { ErrorCode } from '../protocol/error-codes.js';

/** The facts the decision depends on. */
export interface BatchFailureFacts {
  /** The error: a KafkaError from the response or the request's own failure. */
  error: unknown;
  /** The producer is idempotent. */
  idempotent: boolean;
  /** The batch carries the current producer id and epoch. */
  stampedWithCurrentEpoch: boolean;
  /** An epoch bump is pending (in-flight batches of the old epoch are answered with errors). */
  bumpPending: boolean;
  /** An older batch of the same partition is in flight or waiting for a retry. */
  olderUnresolved: boolean;
}

/** What to do with the batch. */
export type BatchFailureAction =
  /** The broker has the records (a duplicate): settle as a success. */
  | 'success'
  /** Send the batch again after a backoff. */
  | 'retry'
  /** Bump the producer epoch, then send the batch again (restamped). */
  | 'bump-and-retry'
  /** Fail the batch's records with the error. */
  | 'fail'
  /** Fail the batch's records and bump the epoch before anything else is sent. */
  | 'fail-and-bump';

/** Decides what to do with a batch that failed with `facts.error`. */
export function decideOnFailure(facts: BatchFailureFacts): BatchFailureAction {
  const { error, idempotent } = facts;
  if (error instanceof KafkaError) {
    const stale = !facts.stampedWithCurrentEpoch || facts.bumpPending;
    switch (error.errorCode) {
      case ErrorCode.DUPLICATE_SEQUENCE_NUMBER:
        return idempotent ? 'success' : 'fail';
      case ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER:
        if (!idempotent) return 'fail';
        return stale || facts.olderUnresolved ? 'retry' : 'fail-and-bump';
      case ErrorCode.UNKNOWN_PRODUCER_ID:
        if (!idempotent) return 'fail';
        return stale ? 'retry' : 'bump-and-retry';
      case ErrorCode.INVALID_PRODUCER_EPOCH:
        if (!idempotent) return 'fail';
        return stale ? 'retry' : 'fail-and-bump';
      default:
        break;
    }
  }
  if (error instanceof KafkaStageError && error.retriable) return 'retry';
  return idempotent ? 'fail-and-bump' : 'fail';
}
