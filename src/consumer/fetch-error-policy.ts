/**
 * What the fetch scheduler does about a partition's error code, and the bounds that keep a broker
 * from holding a partition (or the consumer) in a silent loop.
 *
 * - Codes the error table marks `invalidMetadata` (stale leader or topic): re-route after a metadata
 *   refresh and retry with backoff; the position stays. Other retriable codes retry at the same leader.
 * - KAFKA_STORAGE_ERROR (56): as a stale leader (the broker's log dir failed; leadership moves),
 *   retried with backoff for as long as it lasts, and reported through `onError` (at most once per
 *   {@link REPORT_INTERVAL_MS} per partition): a disk failing must not go unseen, and giving the
 *   partition up would not help, since only the cluster can heal it.
 * - CORRUPT_MESSAGE (2): reported the same way and retried with backoff; after
 *   {@link CORRUPT_ROUNDS} consecutive answers the partition is parked with the KafkaError as its
 *   error (Java fails the poll at once): a broker that keeps reading a corrupt log will not recover
 *   by itself, and the subscriber must decide (seek past it, or stop).
 * - No progress: {@link NO_PROGRESS_ROUNDS} consecutive answers that do not move the position end in
 *   a NoProgressError on the partition (parked); the rounds in between wait a growing backoff from
 *   the second on (the first is the normal "fetch the cut batch whole" round trip).
 * - Throttling (KIP-219): a broker's throttle time is honoured up to {@link MAX_THROTTLE_MS} (30 s,
 *   the default request timeout); a longer one is reported and cut to that.
 */
import { backoffDelay, type RetryOptions } from '../cluster/retry.js';
import { ErrorCode } from '../protocol/error-codes.js';

/** Codes retried but reported: the broker has a problem an operator must see. */
export const REPORTED_CODES: ReadonlySet<number> = new Set([ErrorCode.CORRUPT_MESSAGE, ErrorCode.KAFKA_STORAGE_ERROR]);

/** Consecutive answers without progress after which a partition gets a NoProgressError. */
export const NO_PROGRESS_ROUNDS = 5;
/** Consecutive CORRUPT_MESSAGE answers after which a partition is parked with that error. */
export const CORRUPT_ROUNDS = 5;
/** A repeated report (same partition and code, or same broker) is sent at most this often, ms. */
export const REPORT_INTERVAL_MS = 60_000;
/** The longest throttle time honoured, ms; a broker asking more is reported and waited this long. */
export const MAX_THROTTLE_MS = 30_000;

/** Wait before the next fetch after `rounds` consecutive rounds without progress: none after the first. */
export function noProgressDelay(rounds: number, retry: Pick<RetryOptions, 'initialBackoffMs' | 'maxBackoffMs'>): number {
  return rounds < 2 ? 0 : backoffDelay(rounds - 1, retry);
}
