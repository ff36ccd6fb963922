/**
 * The one wait-until of the test suite: runs a check until it passes or a deadline passes. A wait,
 * not an assertion: the condition is what the test needs to see next, the poll interval only bounds
 * how late it is seen, and on timeout the failure names what was awaited and what was seen last.
 */
import { inspect } from 'node:util';

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** What is awaited, as the failure message should say it ("the budget to fill"). */
  what: string;
  /** Give up after this long, ms. */
  timeoutMs: number;
  /** Pause between two checks, ms (default 5): bounds the reaction time, not the outcome. */
  intervalMs?: number;
  /** The state worth showing when the wait fails (counts so far, the last sample). */
  progress?: () => string;
  /**
   * Why waiting longer is pointless (the process that should act has exited), or undefined: looked
   * at before each check; a reason fails the wait at once instead of at the deadline.
   */
  hopeless?: () => string | undefined;
  /**
   * True: an error thrown by the check means "not yet" (an assertion that should come to hold) and
   * is retried. Default false: a thrown error fails the wait at once, as it would outside the wait,
   * so an assertion made on the way is not relaxed into a retry.
   */
  retryOnThrow?: boolean;
}

/** What a check returns when it does not hold yet; anything else (or nothing) means it holds. */
type NotYet = false;

/**
 * Runs `check` until it returns something other than `false` (a predicate that turns true, or with
 * `retryOnThrow` an assertion that stops throwing), and resolves with that value. After
 * `timeoutMs` it rejects naming `what`, the last value or error seen, and `progress()`; the last
 * error is also the rejection's `cause`. It rejects at once when `hopeless()` gives a reason, and
 * (without `retryOnThrow`) with the check's own error when it throws.
 */
export async function eventually<T>(check: () => T | NotYet | Promise<T | NotYet>, options: EventuallyOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 5;
  for (;;) {
    const hopeless = options.hopeless?.();
    if (hopeless !== undefined) throw new Error(`gave up waiting for ${options.what}: ${hopeless}`);
    let last: { threw: true; error: unknown } | { threw: false };
    try {
      const value = await check();
      if (value !== false) return value as T;
      last = { threw: false };
    } catch (error) {
      if (options.retryOnThrow !== true) throw error;
      last = { threw: true, error };
    }
    if (Date.now() >= deadline) {
      const seen = last.threw ? `the check threw ${describe(last.error)}` : 'the check still returned false';
      const progress = options.progress ? `; ${options.progress()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}: ${seen}${progress}`, last.threw ? { cause: last.error } : undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** An error's message (an assertion's says what differed), or any other value shown briefly. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : inspect(error, { depth: 2, breakLength: Infinity });
}
