/**
 * One timer for the earliest of many deadlines. A driver with many things that each fall due
 * (requests timing out, batches lingering, backoffs ending) keeps one of these instead of a timer
 * per thing: it arms for a deadline only when that deadline is earlier than the one already armed,
 * and when the timer fires the driver looks at what is due and arms again for the next.
 *
 * Imports nothing: any layer may use it.
 */

/** Largest delay `setTimeout` honours; a longer one would fire at once. */
export const MAX_TIMER_DELAY_MS = 0x7fffffff;

/** Options of a {@link DeadlineTimer}. */
export interface DeadlineTimerOptions {
  /** The clock deadlines are read against, in ms. Default `Date.now`. */
  now?: () => number;
  /**
   * False: an armed timer does not keep the process alive (`unref`), for timers that only guard
   * work which itself keeps the process alive (a socket). Default true.
   */
  keepAlive?: boolean;
}

/**
 * Calls `onDue` once the earliest deadline armed has passed. Never fires early: a timer that the
 * runtime fires before the deadline by the clock (timers and clocks round differently), or a
 * deadline beyond {@link MAX_TIMER_DELAY_MS}, re-arms for the rest instead of calling `onDue`.
 */
export class DeadlineTimer {
  private readonly now: () => number;
  private readonly keepAlive: boolean;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private at = Infinity;

  constructor(
    private readonly onDue: () => void,
    options: DeadlineTimerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keepAlive = options.keepAlive ?? true;
  }

  /** The deadline armed, `Infinity` when none. */
  get armedAt(): number {
    return this.at;
  }

  /**
   * Arms for `at` unless a deadline no later than it is armed already. A deadline that is not a
   * finite number (`Infinity`: nothing is due) arms nothing.
   */
  armAt(at: number): void {
    if (!Number.isFinite(at) || at >= this.at) return;
    this.clear();
    this.at = at;
    this.start();
  }

  /** Disarms: `onDue` is not called until the next {@link armAt}. */
  disarm(): void {
    this.clear();
    this.at = Infinity;
  }

  private start(): void {
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(1, Math.ceil(this.at - this.now())));
    this.timer = setTimeout(this.fire, delay);
    if (!this.keepAlive) this.timer.unref();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (this.now() < this.at) {
      this.start();
      return;
    }
    this.at = Infinity;
    this.onDue();
  };
}
