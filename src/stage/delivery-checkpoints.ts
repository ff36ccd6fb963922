/**
 * How long the oldest unacked record has been held, without reading the clock per record. Pure
 * state, no I/O.
 *
 * Each time the age is asked for (the consumer does so on a timer), a checkpoint notes the delivery
 * position and the time: every offset below that position had been delivered by then. The record
 * holding up the commits (the first unacked one) was therefore delivered no later than the first
 * checkpoint past it, and its age is at least `now` minus that checkpoint's time. The figure errs
 * low by at most the interval between reads, so a handler is reported stuck late rather than
 * wrongly.
 *
 * Worked numbers, reads every 1000 ms: offsets 0-9 delivered at t=100, read at t=1000 (checkpoint
 * 10 @ 1000). 0-8 acked, 9 is not. At t=62_000 the age of offset 9 is 62_000 − 1000 = 61 s (truly
 * 61.9 s).
 */
import { MovingHeadQueue } from '../util/moving-head-queue.js';

/** Everything below `position` had been delivered by `at`. */
interface Checkpoint {
  readonly position: number;
  readonly at: number;
}

export class DeliveryCheckpoints {
  /** Oldest first. */
  private readonly marks = new MovingHeadQueue<Checkpoint>();
  /** Position of the newest checkpoint, -1 when none is held. */
  private lastPosition = -1;

  /**
   * Notes that everything below `deliveredPosition` was delivered by `now`, forgets checkpoints
   * wholly below `firstUnacked`, and returns the age of the record at `firstUnacked` (0 when
   * `inFlight` is 0, or when it was delivered since the previous read).
   */
  age(deliveredPosition: number, firstUnacked: number, inFlight: number, now: number): number {
    if (deliveredPosition !== this.lastPosition) {
      this.marks.push({ position: deliveredPosition, at: now });
      this.lastPosition = deliveredPosition;
    }
    // A checkpoint at position p covers offsets below p: it is of no use once p ≤ firstUnacked.
    for (let first = this.marks.peek(); first !== undefined && first.position <= firstUnacked; first = this.marks.peek()) this.marks.shift();
    if (this.marks.length === 0) this.lastPosition = -1;
    const oldest = this.marks.peek();
    if (inFlight === 0 || oldest === undefined) return 0;
    return Math.max(0, now - oldest.at);
  }

  /** Forgets every checkpoint (the position was reset). */
  clear(): void {
    this.marks.clear();
    this.lastPosition = -1;
  }
}
