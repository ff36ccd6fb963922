/**
 * A rate limit for reports (log lines, error events): once per key and interval, so a broker failing
 * every 10 ms does not flood them. Shared by the cluster client (throttling) and the fetch scheduler.
 */
export class ReportLimiter {
  private readonly last = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** True when `key` was not reported within the interval before `now` (and notes it as reported). */
  allow(key: string, now: number): boolean {
    const at = this.last.get(key);
    if (at !== undefined && now - at < this.intervalMs) return false;
    this.last.set(key, now);
    return true;
  }

  /** Forgets a key (its trouble is over): the next occurrence is reported at once. */
  clear(key: string): void {
    this.last.delete(key);
  }
}
