/**
 * Ack tracking of one partition across seeks. Pure state, no I/O.
 *
 * A seek starts a fresh {@link OffsetTracker} at the new position, but records delivered before it
 * may still be in the subscriber's hands. Their tracker is kept (an "earlier" tracker) until every
 * one of them is acked, and until then the committable offset is held: it is the lowest committable
 * offset of all the trackers, so a commit never passes a delivered, unacked record — whether the
 * seek went forward (the records skipped over are the user's choice; those already delivered are
 * not) or backward.
 *
 * Acks name offsets, not deliveries. After a backward seek the same offset can be in flight twice
 * (delivered before and after the seek); an ack counts for the oldest delivery of that offset still
 * unacked, the one delivered before the seek first. Since an offset is one record, either delivery
 * being acked means the record was processed; handlers of the older delivery usually finish first.
 * A batch (range) ack goes to the oldest tracker in which it acks anything: a batch never spans a
 * seek, since the seek drops the buffer it was taken from.
 *
 * Worked example: delivered 10..14, 10 and 11 acked, then seek(100). The committable offset stays
 * 12 while 12..14 are unacked, even as 100, 101 … are delivered and acked; once 12..14 are acked it
 * follows the new tracker (102 if 100 and 101 are acked).
 */
import { OffsetTracker, type AckResult } from './offset-tracker.js';

export class AckLedger {
  private current: OffsetTracker;
  /** Trackers of positions left by a seek while records delivered from them were unacked, oldest first. */
  private earlier: OffsetTracker[] = [];

  /** `start` is the offset consumption starts from (the committed or reset offset). */
  constructor(start: number) {
    this.current = new OffsetTracker(start);
  }

  /** Records that `offset` was handed to the subscriber (after the last seek). Offsets must increase. */
  delivered(offset: number): void {
    this.current.delivered(offset);
  }

  /** Moves the position past offsets consumed without delivery (see {@link OffsetTracker.skipTo}). */
  skipTo(nextOffset: number): void {
    this.current.skipTo(nextOffset);
  }

  /** Starts tracking afresh at `offset`, holding the committable offset while earlier deliveries are unacked. */
  seek(offset: number): void {
    if (this.current.inFlight > 0) this.earlier.push(this.current);
    this.current = new OffsetTracker(offset);
  }

  /** Acks one offset: the oldest delivery of it still unacked. */
  ack(offset: number): AckResult {
    let seen: AckResult = 'unknown';
    for (const tracker of this.earlier) {
      const result = tracker.ack(offset);
      if (result === 'acked') {
        this.prune();
        return result;
      }
      if (result === 'duplicate') seen = result;
    }
    const result = this.current.ack(offset);
    return result === 'unknown' ? seen : result;
  }

  /** Acks every delivered offset in [from, to] in the oldest tracker where that acks anything; returns how many. */
  ackRange(from: number, to: number): number {
    for (const tracker of this.earlier) {
      const count = tracker.ackRange(from, to);
      if (count > 0) {
        this.prune();
        return count;
      }
    }
    return this.current.ackRange(from, to);
  }

  /** Delivered, unacked offsets in [from, to] before and after seeks, ascending, each once. */
  unackedIn(from: number, to: number): number[] {
    if (this.earlier.length === 0) return this.current.unackedIn(from, to);
    const all = new Set<number>();
    for (const tracker of [...this.earlier, this.current]) for (const o of tracker.unackedIn(from, to)) all.add(o);
    return [...all].sort((a, b) => a - b);
  }

  /** The offset a commit may carry now: the lowest committable offset of every tracker with records in flight. */
  get committableOffset(): number {
    let offset = this.current.committableOffset;
    for (const tracker of this.earlier) offset = Math.min(offset, tracker.committableOffset);
    return offset;
  }

  /** One past the last offset delivered or skipped since the last seek. */
  get deliveredPosition(): number {
    return this.current.deliveredPosition;
  }

  /** One past the highest offset delivered or skipped before or since a seek still held. */
  get highestPosition(): number {
    let position = this.current.deliveredPosition;
    for (const tracker of this.earlier) position = Math.max(position, tracker.deliveredPosition);
    return position;
  }

  /** Delivered offsets not yet acked, before and after seeks. */
  get inFlight(): number {
    let n = this.current.inFlight;
    for (const tracker of this.earlier) n += tracker.inFlight;
    return n;
  }

  /** True while records delivered before a seek are unacked (the committable offset is held). */
  get holding(): boolean {
    return this.earlier.length > 0;
  }

  private prune(): void {
    if (this.earlier.some((t) => t.inFlight === 0)) this.earlier = this.earlier.filter((t) => t.inFlight > 0);
  }
}
