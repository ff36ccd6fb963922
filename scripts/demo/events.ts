/**
 * The demo's sample events and the log that checks how they were processed: every event exactly
 * once, each owner of a partition continuing exactly where the data demands (no skipped offset, no
 * jump back within one ownership), and any duplicate explained by a partition moving between
 * members before its last records were committed (at-least-once, as the commit contract allows).
 */

const EVENT_TYPES = ['page_view', 'add_to_cart', 'checkout', 'search', 'login'] as const;
const USERS = 500;

/** One sample event: the user is the key, so a user's events stay in order on one partition. */
export function sampleEvent(seq: number): { key: string; value: string; headers: { key: string; value: string }[] } {
  const user = `user-${(seq * 7919) % USERS}`;
  const type = EVENT_TYPES[seq % EVENT_TYPES.length] as string;
  return {
    key: user,
    value: JSON.stringify({ seq, user, type, amount: type === 'checkout' ? (seq % 200) + 0.99 : undefined }),
    headers: [{ key: 'source', value: 'kafka-stage-demo' }],
  };
}

/** The sequence number in an event's value, or -1 when it is not one of ours. */
export function sequenceOf(value: Buffer | null): number {
  if (value === null) return -1;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as { seq?: unknown };
    return typeof parsed.seq === 'number' && Number.isInteger(parsed.seq) ? parsed.seq : -1;
  } catch {
    return -1;
  }
}

interface PartitionTrack {
  /** Records processed, re-deliveries included. */
  processed: number;
  /** Highest offset processed in any ownership. */
  maxOffset: number;
  /** Last offset processed in the current ownership, -1 before its first record. */
  lastInStint: number;
  /** Ownerships so far (a member's subscriber started for it). */
  stints: number;
  owner: string;
}

/** Records how events were processed, and judges it. */
export class ProcessingLog {
  /** Deliveries processed in all, duplicates included. */
  processed = 0;
  /** Events processed at least once. */
  unique = 0;
  /** Re-deliveries of offsets an earlier owner had processed (the partition moved before they were committed). */
  redelivered = 0;
  /** Offsets processed twice by the same owner, or events seen twice not explained by a move. */
  unexplainedDuplicates = 0;
  /** An owner skipped offsets or went back within its ownership. */
  gaps = 0;
  /** Records that are not demo events of this run. */
  unknown = 0;
  private readonly seen: Uint8Array;
  private readonly tracks: PartitionTrack[];

  constructor(
    readonly count: number,
    partitions: number,
  ) {
    this.seen = new Uint8Array(count);
    this.tracks = Array.from({ length: partitions }, () => ({ processed: 0, maxOffset: -1, lastInStint: -1, stints: 0, owner: '-' }));
  }

  /** A member's subscriber started on `partition` (a new ownership). */
  startOwnership(partition: number, member: string): void {
    const t = this.track(partition);
    t.stints++;
    t.lastInStint = -1;
    t.owner = member;
  }

  /** The partition has no owner now (revoked or lost, or the consumer stopped). */
  endOwnership(partition: number, member: string): void {
    const t = this.track(partition);
    if (t.owner === member) t.owner = '-';
  }

  /** Current owner of a partition, `-` when none. */
  ownerOf(partition: number): string {
    return this.track(partition).owner;
  }

  /** Records processed on a partition (re-deliveries included). */
  processedOn(partition: number): number {
    return this.track(partition).processed;
  }

  /** A subscriber processed the record at `offset` carrying event `seq`. */
  record(partition: number, offset: number, seq: number): void {
    const t = this.track(partition);
    this.processed++;
    t.processed++;
    // Within one ownership offsets follow one another; a new owner starts at or below the highest
    // offset processed so far (the commit), never beyond it.
    const expected = t.lastInStint >= 0 ? t.lastInStint + 1 : null;
    if ((expected !== null && offset !== expected) || (expected === null && offset > t.maxOffset + 1)) this.gaps++;
    const again = offset <= t.maxOffset;
    t.lastInStint = offset;
    t.maxOffset = Math.max(t.maxOffset, offset);
    if (seq < 0 || seq >= this.count) {
      this.unknown++;
      return;
    }
    if (this.seen[seq] === 0) {
      this.seen[seq] = 1;
      this.unique++;
    } else if (again && t.stints > 1) {
      this.redelivered++;
    } else {
      this.unexplainedDuplicates++;
    }
  }

  /** Events never processed. */
  get missing(): number {
    return this.count - this.unique;
  }

  /** Every event processed, no skipped offsets, no duplicates a move does not explain, nothing foreign. */
  get ok(): boolean {
    return this.missing === 0 && this.gaps === 0 && this.unexplainedDuplicates === 0 && this.unknown === 0;
  }

  private track(partition: number): PartitionTrack {
    const t = this.tracks[partition];
    if (!t) throw new RangeError(`partition ${partition} is outside the demo topic`);
    return t;
  }
}
