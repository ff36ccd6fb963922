/** Retrying of retriable failures with exponential backoff, bounded by attempts and a deadline. */
import { KafkaStageError } from '../errors.js';

/** How an operation is retried. */
export interface RetryOptions {
  /**
   * Attempts after the first. Default 30 (Java `retries` is per request and unbounded by default;
   * this bounds a whole operation). The default is sized so the count never gives up before a
   * broker failover ends: KRaft fences a dead broker after `broker.session.timeout.ms` (9 s) and
   * elects new leaders after that, while 30 default backoffs add up to 13.8–27.5 s (jitter), just
   * under the 30 s `deadlineMs`. (With 10 they added up to 5–7 s: a commit or a metadata refresh
   * gave up in the middle of every failover.)
   */
  retries: number;
  /** First backoff in ms. Default 100 (Java `retry.backoff.ms`). */
  initialBackoffMs: number;
  /** Backoff cap in ms. Default 1000 (Java `retry.backoff.max.ms`). */
  maxBackoffMs: number;
  /** Give up after this many ms overall. Default 30_000. */
  deadlineMs: number;
}

/** Defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  retries: 30,
  initialBackoffMs: 100,
  maxBackoffMs: 1000,
  deadlineMs: 30_000,
});

/** The last error when retries or the deadline ran out. */
export class RetriesExhaustedError extends KafkaStageError {
  static override readonly brand: string = 'RetriesExhaustedError';

  constructor(what: string, attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ERR_RETRIES_EXHAUSTED', `${what} failed after ${attempts} attempts: ${reason}`, {
      cause,
      context: cause instanceof KafkaStageError ? cause.context : {},
    });
  }
}

/** Delay before attempt `attempt` (1-based): exponential with full jitter, capped. */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, 'initialBackoffMs' | 'maxBackoffMs'>, random = Math.random): number {
  const ceiling = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** Math.min(attempt - 1, 20));
  // Half fixed, half jitter: never zero (no hot loop), never in lock-step with other clients.
  return ceiling / 2 + random() * (ceiling / 2);
}

/** True when an error is worth retrying. */
export function isRetriable(err: unknown): boolean {
  return err instanceof KafkaStageError && err.retriable;
}

/**
 * Runs `operation` until it succeeds, a non-retriable error occurs, or retries/deadline run out.
 * `beforeRetry` runs between attempts (for example to refresh metadata after NOT_LEADER).
 */
export async function withRetry<T>(
  what: string,
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
  hooks: { beforeRetry?: (err: unknown, attempt: number) => Promise<void> | void; signal?: AbortSignal } = {},
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (err) {
      if (!isRetriable(err) || hooks.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, options);
      if (attempt > options.retries || Date.now() - started + delay > options.deadlineMs) {
        throw new RetriesExhaustedError(what, attempt, err);
      }
      await sleep(delay, hooks.signal);
      await hooks.beforeRetry?.(err, attempt);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
