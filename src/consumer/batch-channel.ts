/**
 * A bounded hand-over of batches from many partition stages to one merged iterator. `put` waits
 * until the iterator has room, so each stage's own demand (its batches() iterator only asks again
 * when the previous batch was taken) is what limits the merged stream: nothing piles up here.
 */
import type { ConsumerBatch } from './types.js';

/** How many batches wait in the channel before producers block. */
const CAPACITY = 1;

export class BatchChannel {
  private readonly queue: ConsumerBatch[] = [];
  private readonly putters: (() => void)[] = [];
  private taker: ((r: IteratorResult<ConsumerBatch, undefined>) => void) | null = null;
  private closed = false;

  /** Hands a batch over; resolves false when the channel closed or `signal` aborted first. */
  async put(batch: ConsumerBatch, signal: AbortSignal): Promise<boolean> {
    while (!this.closed && !signal.aborted && this.queue.length >= CAPACITY && this.taker === null) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.putters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    if (this.closed || signal.aborted) return false;
    if (this.taker) {
      const take = this.taker;
      this.taker = null;
      take({ value: batch, done: false });
    } else {
      this.queue.push(batch);
    }
    return true;
  }

  /** Ends the iterator once the queued batches are taken; wakes every waiting producer. */
  close(): void {
    this.closed = true;
    for (const wake of this.putters.splice(0)) wake();
    if (this.taker && this.queue.length === 0) {
      const take = this.taker;
      this.taker = null;
      take({ value: undefined, done: true });
    }
  }

  /** The merged iterator (one consumer). */
  iterator(): AsyncIterableIterator<ConsumerBatch> {
    const next = (): Promise<IteratorResult<ConsumerBatch, undefined>> => {
      const batch = this.queue.shift();
      if (batch) {
        this.putters.shift()?.();
        return Promise.resolve({ value: batch, done: false });
      }
      if (this.closed) return Promise.resolve({ value: undefined, done: true });
      const waiting = new Promise<IteratorResult<ConsumerBatch, undefined>>((resolve) => {
        this.taker = resolve;
      });
      // A producer blocked on a full queue may go now that someone waits.
      this.putters.shift()?.();
      return waiting;
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
