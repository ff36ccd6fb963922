/**
 * Who owns what, replayed from run logs as a follower reads them: `assign` adds partitions to a
 * member, `revoke` and `lost` remove them, `stopped` and `killed` clear the member. Eager, cooperative
 * and KIP-848 members alike (their `assign` events name what was added). Tests wait on it ("every
 * partition owned, the new member holding its share") instead of sleeping.
 */
import type { RunLine } from './recorder.js';

/** `topic:partition`. */
export type PartitionKey = string;

/** The key of a topic-partition. */
export function partitionKey(topic: string, partition: number): PartitionKey {
  return `${topic}:${partition}`;
}

/** Ownership by member, updated line by line. */
export class Ownership {
  private readonly byMember = new Map<string, Set<PartitionKey>>();
  /** Every membership line read (assign, revoke, lost, stopped, killed), in order. */
  readonly changes: RunLine[] = [];

  /** Applies one log line (pass it to `follower.onLine`). */
  add(line: RunLine): void {
    if (line.t === 'assign') {
      const set = this.set(line.member);
      for (const p of line.partitions) set.add(partitionKey(p.topic, p.partition));
    } else if (line.t === 'revoke' || line.t === 'lost') {
      const set = this.set(line.member);
      for (const p of line.partitions) set.delete(partitionKey(p.topic, p.partition));
    } else if (line.t === 'stopped' || line.t === 'killed') {
      this.byMember.delete(line.member);
    } else {
      return;
    }
    this.changes.push(line);
  }

  /** What `member` owns now, sorted. */
  owned(member: string): PartitionKey[] {
    return [...(this.byMember.get(member) ?? [])].sort();
  }

  /** Partitions owned by anyone, with how many owners each (more than one is a double ownership). */
  owners(): Map<PartitionKey, string[]> {
    const owners = new Map<PartitionKey, string[]>();
    for (const [member, set] of this.byMember) for (const k of set) owners.set(k, [...(owners.get(k) ?? []), member]);
    return owners;
  }

  /** True when exactly `count` partitions are owned, each by one member, and every listed member owns `perMember` (when given). */
  settled(count: number, members: readonly string[], perMember?: number): boolean {
    const owners = this.owners();
    if (owners.size !== count || [...owners.values()].some((o) => o.length !== 1)) return false;
    return members.every((m) => {
      const n = this.owned(m).length;
      return perMember === undefined ? n > 0 : n === perMember;
    });
  }

  /** A one-line picture for progress messages. */
  describe(): string {
    return [...this.byMember].map(([m, set]) => `${m}:${set.size}`).join(' ');
  }

  private set(member: string): Set<PartitionKey> {
    let set = this.byMember.get(member);
    if (!set) {
      set = new Set();
      this.byMember.set(member, set);
    }
    return set;
  }
}
