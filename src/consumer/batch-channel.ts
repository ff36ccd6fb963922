/**
 * The hand-over of batches from many partition stages to one merged iterator. Each `put` waits
 * until the iterator has taken its batch, so a stage's own demand (its batches() iterator only asks
 * again when the previous batch was taken) is what limits the merged stream: at most one batch per
 * partition waits here, handed out in the order they were put.
 *
 * A batch waiting here when its stage's `signal` aborts (the partition was revoked, lost, released
 * or the consumer stops) is dropped, never handed out: its records were not the subscriber's yet,
 * and handing them out after the partition left would let them be processed twice (here and at
 * the new owner). `put` resolves false for it, so the caller knows those records were never seen.
 */
import type { ConsumerBatch } from './types.js';

interface Waiting {
  batch: ConsumerBatch;
  settle(handedOut: boolean): void;
}

export class BatchChannel {
  private readonly queue: Waiting[] = [];
  private taker: ((r: IteratorResult<ConsumerBatch, undefined>) => void) | null = null;
  private closed = false;

  /**
   * Hands a batch over; resolves true once the iterator took it, false when the channel closed or
   * `signal` aborted first (the batch was dropped, never handed out).
   */
  put(batch: ConsumerBatch, signal: AbortSignal): Promise<boolean> {
    if (this.closed || signal.aborted) return Promise.resolve(false);
    if (this.taker) {
      const take = this.taker;
      this.taker = null;
      take({ value: batch, done: false });
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const entry: Waiting = {
        batch,
        settle: (handedOut) => {
          signal.removeEventListener('abort', onAbort);
          resolve(handedOut);
        },
      };
      const onAbort = (): void => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        entry.settle(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  /** Ends the iterator: batches still waiting are dropped (their stages are stopping too). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.queue.splice(0)) entry.settle(false);
    if (this.taker) {
      const take = this.taker;
      this.taker = null;
      take({ value: undefined, done: true });
    }
  }

  /** The merged iterator (one consumer). */
  iterator(): AsyncIterableIterator<ConsumerBatch> {
    const next = (): Promise<IteratorResult<ConsumerBatch, undefined>> => {
      const entry = this.queue.shift();
      if (entry) {
        entry.settle(true);
        return Promise.resolve({ value: entry.batch, done: false });
      }
      if (this.closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise<IteratorResult<ConsumerBatch, undefined>>((resolve) => {
        this.taker = resolve;
      });
    };
    const it: AsyncIterableIterator<ConsumerBatch> = {
      next,
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }
}
