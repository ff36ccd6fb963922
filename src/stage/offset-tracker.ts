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

/** Outcome of an ack. */
export type AckResult = 'acked' | 'duplicate' | 'unknown';

export class OffsetTracker {
  /** Delivered, not yet committable offsets in delivery order (a queue with a moving head). */
  private pending: number[] = [];
  private head = 0;
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
    if (this.head === this.pending.length) this.committable = offset;
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
    const first = this.pending[this.head];
    if (first === undefined) return 'unknown';
    if (offset === first) {
      this.head++;
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
   * One pass over the pending queue from a binary-searched start, and the queue is compacted once
   * at the end: compacting mid-walk would shift the indexes under the walk (offsets were skipped
   * that way once the head passed 1024). An in-order batch moves the head directly, without
   * touching the acked-ahead set.
   */
  ackRange(from: number, to: number): number {
    if (to < from) return 0;
    let count = 0;
    let i = this.lowerBound(from);
    if (i === this.head) {
      // The batch starts at the first unacked offset: pop it and whatever follows inside the range.
      while (this.head < this.pending.length && (this.pending[this.head] as number) <= to) {
        if (!this.ackedAhead.delete(this.pending[this.head] as number)) count++;
        this.head++;
      }
      i = this.head;
    }
    for (; i < this.pending.length; i++) {
      const o = this.pending[i] as number;
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
      const o = this.pending[i] as number;
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
    return this.pending.length - this.head - this.ackedAhead.size;
  }

  private isPending(offset: number): boolean {
    return this.pending[this.lowerBound(offset)] === offset;
  }

  /** Index of the first pending offset ≥ `offset`, from the head (pending offsets are sorted). */
  private lowerBound(offset: number): number {
    let lo = this.head;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.pending[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Pops acked-ahead offsets now at the head and recomputes the committable offset. */
  private advance(): void {
    while (this.head < this.pending.length) {
      const next = this.pending[this.head] as number;
      if (!this.ackedAhead.delete(next)) break;
      this.head++;
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
      this.committable = this.position;
    } else {
      this.committable = this.pending[this.head] as number;
      if (this.head > 1024 && this.head * 2 > this.pending.length) {
        this.pending = this.pending.slice(this.head);
        this.head = 0;
      }
    }
  }
}
