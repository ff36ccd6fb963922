/**
 * The subscriber calls (and merged-stream pipes) a consumer has running, each with its stage, so
 * that stop() can wait for them up to a deadline and name the ones it gave up on. A subscriber
 * that ignores its signal cannot be cancelled (JavaScript has no way to), only left behind.
 */
import type { PartitionStage } from './partition-stage.js';

export class SubscriberTasks {
  private readonly running = new Map<Promise<void>, PartitionStage>();

  /** Tracks `task` (which must never reject) until it settles. */
  track(task: Promise<void>, stage: PartitionStage): void {
    this.running.set(task, stage);
    void task.finally(() => this.running.delete(task));
  }

  /** Number of tasks still running. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Waits for every task to settle, or until `deadline` (a `Date.now()` value). Resolves with the
   * stages whose task was still running then (none when all settled in time).
   */
  async settle(deadline: number): Promise<PartitionStage[]> {
    if (this.running.size === 0) return [];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    });
    try {
      await Promise.race([Promise.allSettled([...this.running.keys()]), timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return [...this.running.values()];
  }
}
