/**
 * Which offsets of one partition assignment may be committed. Pure state, no I/O.
 *
 * Records are delivered in offset order; acks arrive in any order. The committable offset is the
 * first delivered offset not yet acked (the contiguous acked prefix), or — when everything delivered
 * is acked — the delivery position, which may lie past skipped control records. It never moves
 * backwards and never passes an unacked record.
 *
 * Worked example: delivered 10, 11, 12, 15 (13-14 were never delivered: compacted away or control
 * records). Acks of 11 and 15 leave it at 10; the ack of 10 moves it to 12; the ack of 12 moves it
 * to 16, because 15, the next delivered offset, is already acked.
 */

import { MovingHeadQueue } from '../util/moving-head-queue.js';

/** Outcome of an ack. */
export type AckResult = 'acked' | 'duplicate' | 'unknown';

export class OffsetTracker {
  /** Delivered, not yet committable offsets in delivery order. */
  private readonly pending = new MovingHeadQueue<number>();
  /** Offsets acked out of order, waiting for the gap before them to close. */
  private ackedAhead = new Set<number>();
  /** Next offset to deliver: one past the last delivered or skipped offset. */
  private position: number;
  /** First offset not acked: everything before it may be committed. */
  private committable: number;

  /** `start` is the offset consumption starts from (the committed or reset offset). */
  constructor(start: number) {
    this.position = start;
    this.committable = start;
  }

  /** Records that `offset` was handed to the subscriber. Offsets must increase. */
  delivered(offset: number): void {
    if (offset < this.position) {
      throw new RangeError(`offset ${offset} delivered after position ${this.position}: deliveries must move forward`);
    }
    // Nothing unacked before it: offsets between the committable one and this were never delivered
    // (compacted away, control records, aborted transactions), so the first unacked offset is this one.
    if (this.pending.length === 0) this.committable = offset;
    this.pending.push(offset);
    this.position = offset + 1;
  }

  /**
   * Moves the position past offsets that are consumed without delivery (control records, aborted
   * transactions): committing past them is safe once everything before them is acked.
   */
  skipTo(nextOffset: number): void {
    if (nextOffset <= this.position) return;
    this.position = nextOffset;
    this.advance();
  }

  /** Acks one delivered offset. */
  ack(offset: number): AckResult {
    if (offset < this.committable) return 'duplicate';
    if (offset >= this.position) return 'unknown';
    const first = this.pending.peek();
    if (first === undefined) return 'unknown';
    if (offset === first) {
      this.pending.shift();
      this.advance();
      return 'acked';
    }
    if (this.ackedAhead.has(offset)) return 'duplicate';
    if (!this.isPending(offset)) return 'unknown';
    this.ackedAhead.add(offset);
    return 'acked';
  }

  /**
   * Acks every delivered offset in [from, to] (a batch). Returns how many were newly acked.
   *
   * One pass over the pending queue from a binary-searched start. An in-order batch is taken off
   * the front directly, without touching the acked-ahead set; the walk after it counts positions
   * from the front, which stay valid however the queue stores its items.
   */
  ackRange(from: number, to: number): number {
    if (to < from) return 0;
    let count = 0;
    let i = this.lowerBound(from);
    if (i === 0 && this.ackedAhead.size === 0) {
      // The common case, a batch acked in order: its offsets are the queue's front, none acked
      // ahead, so they go in one step instead of one shift and one set look-up per record.
      count = this.upperBound(to);
      if (count === 0) return 0;
      this.pending.drop(count);
      this.committable = this.pending.peek() ?? this.position;
      return count;
    }
    if (i === 0) {
      // The batch starts at the first unacked offset: pop it and whatever follows inside the range.
      for (let first = this.pending.peek(); first !== undefined && first <= to; first = this.pending.peek()) {
        if (!this.ackedAhead.delete(first)) count++;
        this.pending.shift();
      }
    }
    for (; i < this.pending.length; i++) {
      const o = this.pending.at(i) as number;
      if (o > to) break;
      if (!this.ackedAhead.has(o)) {
        this.ackedAhead.add(o);
        count++;
      }
    }
    if (count > 0) this.advance();
    return count;
  }

  /** Delivered, unacked offsets in [from, to], ascending. */
  unackedIn(from: number, to: number): number[] {
    const out: number[] = [];
    for (let i = this.lowerBound(from); i < this.pending.length; i++) {
      const o = this.pending.at(i) as number;
      if (o > to) break;
      if (!this.ackedAhead.has(o)) out.push(o);
    }
    return out;
  }

  /** The offset a commit may carry now. */
  get committableOffset(): number {
    return this.committable;
  }

  /** One past the last delivered or skipped offset. */
  get deliveredPosition(): number {
    return this.position;
  }

  /** Delivered offsets not yet acked. */
  get inFlight(): number {
    return this.pending.length - this.ackedAhead.size;
  }

  private isPending(offset: number): boolean {
    return this.pending.at(this.lowerBound(offset)) === offset;
  }

  /** Position from the front of the first pending offset ≥ `offset` (pending offsets are sorted). */
  private lowerBound(offset: number): number {
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.pending.at(mid) as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position from the front of the first pending offset > `offset`: how many pending offsets are ≤ it. */
  private upperBound(offset: number): number {
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.pending.at(mid) as number) <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Pops acked-ahead offsets now at the head and recomputes the committable offset. */
  private advance(): void {
    for (let next = this.pending.peek(); next !== undefined && this.ackedAhead.delete(next); next = this.pending.peek()) {
      this.pending.shift();
    }
    this.committable = this.pending.peek() ?? this.position;
  }
}
