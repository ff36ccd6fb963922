/**
 * An async iterator over a partition stage: each `next()` takes what the demand rule allows and
 * resolves at once when something is buffered; only when it must wait does it create a promise to
 * wait on. Shared by the record and batch iterators, which differ only in what one `next()` takes.
 */
import type { DemandPolicy } from './demand.js';
import { refill } from './demand.js';
import type { DeliverySource, Subscription } from './source.js';

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true as const });

/**
 * Pulls values of type `T` from a stage. A `next()` call means the subscriber is done with what the
 * previous call gave it, so that is when demand is topped up (GenStage asks again after the
 * consumer handled its events, not before).
 *
 * The iterator ends when the stage ends (revoke, loss): what was not delivered is not the
 * subscriber's. A standing fetch error rejects one `next()`, once nothing more may be taken, and
 * ends the iterator. `return()` (a `break` out of `for await`) ends it too and frees the stage for
 * a new subscriber; records it already delivered stay to be acked.
 */
export class PullIterator<T> implements AsyncIterableIterator<T, undefined>, Subscription {
  private started = false;
  private finished = false;
  /** Calls waiting for records, oldest first (almost always zero or one). */
  private waiters: Waiter<T>[] = [];

  /** `takeNext` takes one value against demand, `undefined` when none may be taken now. */
  constructor(
    private readonly source: DeliverySource,
    private readonly policy: DemandPolicy,
    private readonly takeNext: () => T | undefined,
  ) {}

  /** The next value; waits only when nothing is buffered. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.finished) return Promise.resolve(DONE);
    // Earlier calls still waiting are served first, in order.
    if (this.waiters.length > 0) return this.waitForRecords();
    this.topUp();
    const value = this.takeNext();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.source.ended()) {
      this.finish();
      return Promise.resolve(DONE);
    }
    const failure = this.source.failure();
    if (failure !== null) {
      this.finish();
      return Promise.reject(failure);
    }
    return this.waitForRecords();
  }

  /** Ends the iteration from the subscriber's side. */
  return(): Promise<IteratorResult<T, undefined>> {
    if (!this.finished) {
      this.finish();
      this.settleWaiters(null);
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** @internal Records arrived or the stage ended: serve the waiting calls. */
  notify(): void {
    if (this.finished) return;
    while (this.waiters.length > 0) {
      this.topUp();
      const value = this.takeNext();
      if (value === undefined) break;
      (this.waiters.shift() as Waiter<T>).resolve({ value, done: false });
    }
    if (this.waiters.length === 0) return;
    if (this.source.ended()) {
      this.finish();
      this.settleWaiters(null);
      return;
    }
    const failure = this.source.failure();
    if (failure !== null) {
      this.finish();
      this.settleWaiters(failure);
    }
  }

  /** GenStage: the first call asks `maxDemand`; later calls ask again once demand fell to `minDemand`. */
  private topUp(): void {
    if (!this.started) {
      this.started = true;
      this.source.demand(this.policy.maxDemand);
      return;
    }
    const more = refill(this.policy, this.source.outstandingDemand());
    if (more > 0) this.source.demand(more);
  }

  private waitForRecords(): Promise<IteratorResult<T, undefined>> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  private finish(): void {
    this.finished = true;
    this.source.detach(this);
  }

  /** Ends every waiting call: the first rejects with `failure` when there is one, the rest are done. */
  private settleWaiters(failure: Error | null): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w, i) => (failure !== null && i === 0 ? w.reject(failure) : w.resolve(DONE)));
  }
}
