/**
 * Exponential backoff with full jitter: the delay before retry `attempt` is drawn uniformly from
 * [0, min(maxMs, initialMs × 2^attempt)). Full jitter spreads the reconnects of many clients to a
 * broker that has just come back, instead of having them all arrive in the same millisecond. Pure.
 */

/** Options of {@link nextDelay}. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. Default 100 (Java `reconnect.backoff.ms` is 50, `retry.backoff.ms` 100). */
  initialMs?: number;
  /** Cap of every delay, in ms. Default 10 000 (Java `reconnect.backoff.max.ms` is 1000; we wait longer for a broker that stays down). */
  maxMs?: number;
  /** Source of uniform numbers in [0, 1); injectable so tests are deterministic. Default `Math.random`. */
  random?: () => number;
}

/** Default first-delay ceiling in ms. */
export const DEFAULT_BACKOFF_INITIAL_MS = 100;
/** Default cap in ms. */
export const DEFAULT_BACKOFF_MAX_MS = 10_000;

/**
 * Delay in whole ms before retry number `attempt` (0 for the first retry). Attempts below 0 count
 * as 0; large attempts stay at `maxMs` (no overflow to Infinity or NaN).
 */
export function nextDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = Math.max(0, options.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS);
  const max = Math.max(initial, options.maxMs ?? DEFAULT_BACKOFF_MAX_MS);
  const random = options.random ?? Math.random;
  // 2^exponent overflows to Infinity past 1023; capping it keeps the arithmetic finite.
  const exponent = Math.min(1023, Math.max(0, Math.floor(Number.isNaN(attempt) ? 0 : attempt)));
  const ceiling = Math.min(max, initial * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.min(Math.floor(draw * ceiling), Math.max(0, Math.ceil(ceiling) - 1));
}
