/**
 * What the fetch scheduler does about one partition's error code in a Fetch answer, decided
 * without the scheduler (pure: a code and the partition's run of CORRUPT_MESSAGE answers in, a
 * verdict out). The scheduler's answer handling applies the verdict; the reasons for each rule are
 * in fetch-error-policy.ts.
 */
import { ErrorCode, isInvalidMetadata } from '../protocol/error-codes.js';
import { CORRUPT_ROUNDS, REPORTED_CODES } from './fetch-error-policy.js';

/**
 * What to do with the partition:
 * - `out-of-range`: park it and hand the log bounds to the offset-reset policy;
 * - `reroute`: look its leader up again (metadata refreshed), then retry after a backoff;
 * - `back-off`: retry after a backoff, from the same leader;
 * - `park`: give the error to its stage and fetch no more until the stage moves the position.
 */
export type FetchErrorAction = 'out-of-range' | 'reroute' | 'back-off' | 'park';

/** The verdict on one partition's error code. */
export interface FetchErrorVerdict {
  action: FetchErrorAction;
  /** Report the error through `onError` too (rate-limited by the caller): an operator must see it. */
  report: boolean;
  /** The partition's consecutive CORRUPT_MESSAGE answers after this one (reset by any other outcome). */
  corruptRounds: number;
}

/**
 * Classifies a partition's non-zero error `code`. `retriable` says whether the code's error is
 * retriable; `corruptRounds` counts the CORRUPT_MESSAGE answers in a row before this one.
 */
export function classifyFetchError(code: number, retriable: boolean, corruptRounds: number): FetchErrorVerdict {
  if (code === ErrorCode.OFFSET_OUT_OF_RANGE) return { action: 'out-of-range', report: false, corruptRounds };
  const report = REPORTED_CODES.has(code);
  if (code === ErrorCode.CORRUPT_MESSAGE) {
    const rounds = corruptRounds + 1;
    // The broker keeps reading a corrupt log: the subscriber must decide (seek past it, or stop).
    if (rounds >= CORRUPT_ROUNDS) return { action: 'park', report, corruptRounds: 0 };
    return { action: isInvalidMetadata(code) ? 'reroute' : retriable ? 'back-off' : 'park', report, corruptRounds: rounds };
  }
  if (isInvalidMetadata(code)) return { action: 'reroute', report, corruptRounds: 0 };
  return { action: retriable ? 'back-off' : 'park', report, corruptRounds: 0 };
}
