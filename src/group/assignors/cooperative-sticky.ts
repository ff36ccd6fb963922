/**
 * The cooperative-sticky assignor: a balanced assignment that keeps every member's partitions
 * where balance allows, following the cooperative (incremental) rebalance protocol. It holds the
 * properties of the Java client's `CooperativeStickyAssignor` with simpler code of our own:
 *
 * 1. Ownership: a partition stays with the member that claims it in the newest generation; when
 *    several members claim it in that same generation, none keeps it. A claim of a topic the
 *    member no longer subscribes to keeps nothing.
 * 2. Fill: partitions nobody keeps go, one at a time, to the least-loaded subscriber (topics with
 *    the fewest subscribers first, so scarce topics find room).
 * 3. Balance: while a partition can move to a subscriber holding at least two fewer partitions,
 *    one moves (newly given partitions before kept ones). With identical subscriptions this ends
 *    with every member within one partition of the others, having moved the fewest kept
 *    partitions that balance needs.
 * 4. Cooperative two-phase move: a partition given to a member other than its owner while
 *    another member still claims it is left out of this generation. The old owner sees it
 *    missing from its assignment, revokes it and rejoins; the next rebalance finds it unclaimed
 *    and gives it out. So no partition is ever in two members' hands.
 *
 * Ties break on the member order of the range assignor (static members first), so the result is
 * deterministic and independent of the order of the input.
 */
import { compareStrings } from '../../protocol/consumer-protocol.js';
import { assignableTopics, checkDistinctMemberIds, emptyAssignment, sortAssignment, sortMembers } from './member-order.js';
import type { Assignor, AssignorMember, GroupAssignment, TopicPartition } from './types.js';

const NOBODY = -1;
/** The generation of a member that has never been assigned anything (Java `DEFAULT_GENERATION`). */
export const NO_GENERATION = -1;

/** The subscribed partitions numbered 0..total-1, so that per-partition state fits in arrays. */
interface PartitionSpace {
  readonly topics: readonly string[];
  readonly total: number;
  /** First index of each topic's partitions. */
  readonly base: ReadonlyMap<string, number>;
  readonly topicOf: readonly string[];
  readonly partitionOf: readonly number[];
}

function partitionSpace(topics: readonly string[], partitionsPerTopic: ReadonlyMap<string, number>): PartitionSpace {
  const base = new Map<string, number>();
  const topicOf: string[] = [];
  const partitionOf: number[] = [];
  for (const topic of topics) {
    base.set(topic, topicOf.length);
    const count = partitionsPerTopic.get(topic) ?? 0;
    for (let p = 0; p < count; p++) {
      topicOf.push(topic);
      partitionOf.push(p);
    }
  }
  return { topics, total: topicOf.length, base, topicOf, partitionOf };
}

function indexOf(space: PartitionSpace, tp: TopicPartition, partitionsPerTopic: ReadonlyMap<string, number>): number | undefined {
  const first = space.base.get(tp.topic);
  if (first === undefined) return undefined;
  const count = partitionsPerTopic.get(tp.topic) ?? 0;
  if (!Number.isInteger(tp.partition) || tp.partition < 0 || tp.partition >= count) return undefined;
  return first + tp.partition;
}

/** Who claims each partition: every claimant (for the two-phase move) and the valid owner. */
interface Claims {
  /** Distinct members claiming the partition, whatever their generation or subscription. */
  readonly claimantCount: Int32Array;
  /** One claimant (the only one when `claimantCount` is 1). */
  readonly someClaimant: Int32Array;
  /** The member keeping the partition, or {@link NOBODY}. */
  readonly owner: Int32Array;
}

function resolveClaims(
  members: readonly AssignorMember[],
  subscribed: readonly ReadonlySet<string>[],
  space: PartitionSpace,
  partitionsPerTopic: ReadonlyMap<string, number>,
): Claims {
  const claimantCount = new Int32Array(space.total);
  const someClaimant = new Int32Array(space.total).fill(NOBODY);
  const owner = new Int32Array(space.total).fill(NOBODY);
  const newest = new Float64Array(space.total).fill(-Infinity);
  const contested = new Uint8Array(space.total);
  members.forEach((member, m) => {
    const seen = new Set<number>();
    for (const tp of member.ownedPartitions) {
      const i = indexOf(space, tp, partitionsPerTopic);
      if (i === undefined || seen.has(i)) continue;
      seen.add(i);
      claimantCount[i] = (claimantCount[i] as number) + 1;
      someClaimant[i] = m;
      if (!(subscribed[m] as ReadonlySet<string>).has(tp.topic)) continue;
      const generation = member.generation;
      if (generation > (newest[i] as number)) {
        newest[i] = generation;
        owner[i] = m;
        contested[i] = 0;
      } else if (generation === newest[i]) {
        contested[i] = 1;
      }
    }
  });
  for (let i = 0; i < space.total; i++) if (contested[i]) owner[i] = NOBODY;
  return { claimantCount, someClaimant, owner };
}

/** The subscriber of `topic` holding the fewest partitions (first in member order on ties). */
function leastLoaded(subscribers: readonly number[], counts: readonly number[]): number {
  let best = NOBODY;
  for (const m of subscribers) if (best === NOBODY || (counts[m] as number) < (counts[best] as number)) best = m;
  return best;
}

/**
 * Moves partitions from members holding more to subscribers holding at least two fewer until no
 * such move is left. Each move lowers the sum of squared counts, so the loop ends.
 */
function balance(
  space: PartitionSpace,
  subscribersOf: ReadonlyMap<string, readonly number[]>,
  owner: Int32Array,
  assigned: Int32Array,
  counts: number[],
  held: Set<number>[],
): void {
  const members = counts.map((_, m) => m);
  for (;;) {
    const fewest = Math.min(...counts);
    // Most loaded first; member order breaks ties.
    const byLoad = [...members].sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b);
    let move: { partition: number; to: number } | null = null;
    for (const from of byLoad) {
      const load = counts[from] as number;
      if (load - fewest < 2) break;
      const targetOf = new Map<string, number>();
      let bestKey: [number, number, number] | null = null;
      for (const i of held[from] as Set<number>) {
        const topic = space.topicOf[i] as string;
        let to = targetOf.get(topic);
        if (to === undefined) {
          to = leastLoaded(subscribersOf.get(topic) as readonly number[], counts);
          targetOf.set(topic, to);
        }
        if ((counts[to] as number) > load - 2) continue;
        // Prefer giving away what `from` did not keep from its old assignment, then the
        // emptiest receiver, then the highest partition index.
        const key: [number, number, number] = [owner[i] === from ? 1 : 0, counts[to] as number, -i];
        if (bestKey === null || lexLess(key, bestKey)) {
          bestKey = key;
          move = { partition: i, to };
        }
      }
      if (move) break;
    }
    if (!move) return;
    const from = assigned[move.partition] as number;
    (held[from] as Set<number>).delete(move.partition);
    (held[move.to] as Set<number>).add(move.partition);
    assigned[move.partition] = move.to;
    counts[from] = (counts[from] as number) - 1;
    counts[move.to] = (counts[move.to] as number) + 1;
  }
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return (a[k] as number) < (b[k] as number);
  return false;
}

/** Cooperative-sticky assignment; see the module comment. */
export function assignCooperativeSticky(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
  checkDistinctMemberIds(members);
  const ordered = sortMembers(members);
  const result = emptyAssignment(ordered);
  const space = partitionSpace(assignableTopics(ordered, partitionsPerTopic), partitionsPerTopic);
  const subscribed = ordered.map((m) => new Set(m.topics));
  const subscribersOf = new Map<string, number[]>();
  for (const topic of space.topics) subscribersOf.set(topic, ordered.flatMap((_, m) => ((subscribed[m] as Set<string>).has(topic) ? [m] : [])));

  const claims = resolveClaims(ordered, subscribed, space, partitionsPerTopic);
  const assigned = new Int32Array(space.total).fill(NOBODY);
  const counts = ordered.map(() => 0);
  const held = ordered.map(() => new Set<number>());
  const give = (i: number, m: number): void => {
    assigned[i] = m;
    counts[m] = (counts[m] as number) + 1;
    (held[m] as Set<number>).add(i);
  };

  for (let i = 0; i < space.total; i++) if (claims.owner[i] !== NOBODY) give(i, claims.owner[i] as number);

  const scarceFirst = [...space.topics].sort(
    (a, b) => (subscribersOf.get(a) as number[]).length - (subscribersOf.get(b) as number[]).length || compareStrings(a, b),
  );
  for (const topic of scarceFirst) {
    const first = space.base.get(topic) as number;
    const count = partitionsPerTopic.get(topic) ?? 0;
    for (let i = first; i < first + count; i++) {
      if (assigned[i] === NOBODY) give(i, leastLoaded(subscribersOf.get(topic) as number[], counts));
    }
  }

  balance(space, subscribersOf, claims.owner, assigned, counts, held);

  for (let i = 0; i < space.total; i++) {
    const m = assigned[i] as number;
    const claimants = claims.claimantCount[i] as number;
    // Given to someone other than its valid owner while another member still holds it: that
    // member must revoke it first, so it is given out in the next generation.
    const heldByAnother = claimants > 1 || (claimants === 1 && claims.someClaimant[i] !== m);
    if (claims.owner[i] !== m && heldByAnother) continue;
    (result.get((ordered[m] as AssignorMember).memberId) as TopicPartition[]).push({
      topic: space.topicOf[i] as string,
      partition: space.partitionOf[i] as number,
    });
  }
  return sortAssignment(result);
}

/**
 * The userData a cooperative-sticky member sends: its generation as an int32, as the Java client
 * does so that leaders reading subscriptions older than v2 (no `generationId` field) learn it.
 */
export function encodeCooperativeStickyUserData(generation: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(generation);
  return out;
}

/** The generation in a cooperative-sticky member's userData; {@link NO_GENERATION} when absent or unreadable. */
export function decodeCooperativeStickyUserData(userData: Buffer | null): number {
  if (userData === null || userData.length < 4) return NO_GENERATION;
  return userData.readInt32BE(0);
}

/** The `cooperative-sticky` assignor (cooperative protocol), the Java client's default partner of `range` since 3.0. */
export const CooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  cooperative: true,
  assign: assignCooperativeSticky,
};
