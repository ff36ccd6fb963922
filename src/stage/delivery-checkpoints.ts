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
export class DeliveryCheckpoints {
  /** Pairs (delivery position, time), oldest first, from `head` on. */
  private marks: number[] = [];
  private head = 0;

  /**
   * Notes that everything below `deliveredPosition` was delivered by `now`, forgets checkpoints
   * wholly below `firstUnacked`, and returns the age of the record at `firstUnacked` (0 when
   * `inFlight` is 0, or when it was delivered since the previous read).
   */
  age(deliveredPosition: number, firstUnacked: number, inFlight: number, now: number): number {
    const lastPosition = this.marks.length > this.head ? (this.marks[this.marks.length - 2] as number) : -1;
    if (deliveredPosition !== lastPosition) this.marks.push(deliveredPosition, now);
    // A checkpoint at position p covers offsets below p: it is of no use once p ≤ firstUnacked.
    while (this.head < this.marks.length && (this.marks[this.head] as number) <= firstUnacked) this.head += 2;
    if (this.head === this.marks.length) {
      this.marks = [];
      this.head = 0;
    } else if (this.head > 256 && this.head * 2 > this.marks.length) {
      this.marks = this.marks.slice(this.head);
      this.head = 0;
    }
    if (inFlight === 0 || this.head === this.marks.length) return 0;
    return Math.max(0, now - (this.marks[this.head + 1] as number));
  }

  /** Forgets every checkpoint (the position was reset). */
  clear(): void {
    this.marks = [];
    this.head = 0;
  }
}
