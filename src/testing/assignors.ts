/**
 * The server-side assignors of the fake's consumer (KIP-848) groups, as Kafka names them: `uniform`
 * (partitions spread evenly, each staying with its current owner where balance allows) and `range`
 * (each topic's partitions cut into contiguous ranges over its subscribers in a fixed member order).
 * Pure functions over topic ids and partition keys; the group decides when to call them.
 */

/** A topic as an assignor sees it. */
export interface AssignableTopic {
  readonly id: string;
  readonly partitions: number;
}

/** A member as an assignor sees it: its ids and the ids of the topics it subscribes to. */
export interface AssignableMember {
  readonly id: string;
  readonly instanceId: string | null;
  readonly topicIds: ReadonlySet<string>;
}

/** Partition keys (`topicId:partition`) by member id. */
export type TargetAssignment = Map<string, Set<string>>;

/** An assignor: members, topics and the current target in, the next target out. */
export type ServerAssignor = (members: readonly AssignableMember[], topics: readonly AssignableTopic[], current: TargetAssignment) => TargetAssignment;

/** The names Kafka's brokers accept in `group.consumer.assignors` by default; the first is the default. */
export const SERVER_ASSIGNORS: readonly string[] = ['uniform', 'range'];

/** The key of one partition in an assignment. */
export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

/** The topic id and partition of a key made by {@link partitionKey} (topic ids never hold ':'). */
export function splitPartitionKey(key: string): { topicId: string; partition: number } {
  const at = key.lastIndexOf(':');
  return { topicId: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

function emptyTarget(members: readonly AssignableMember[]): TargetAssignment {
  return new Map(members.map((m) => [m.id, new Set<string>()]));
}

/**
 * Uniform: every partition of a subscribed topic goes to one of its subscribers; a partition stays
 * with its current owner while that owner is subscribed, then the unowned ones go to the eligible
 * member holding fewest, then partitions move from the fullest member to an eligible one holding at
 * least two fewer until none can (each move lowers the spread, so this ends).
 */
export const uniformAssignor: ServerAssignor = (members, topics, current) => {
  const target = emptyTarget(members);
  const count = (id: string): number => target.get(id)?.size ?? 0;
  const ownerOf = new Map<string, string>();
  for (const [memberId, keys] of current) for (const key of keys) ownerOf.set(key, memberId);
  const eligible = new Map<string, AssignableMember[]>();
  const unowned: string[] = [];
  for (const topic of topics) {
    const subscribers = members.filter((m) => m.topicIds.has(topic.id));
    if (subscribers.length === 0) continue;
    for (let p = 0; p < topic.partitions; p++) {
      const key = partitionKey(topic.id, p);
      eligible.set(key, subscribers);
      const owner = ownerOf.get(key);
      if (owner !== undefined && subscribers.some((m) => m.id === owner)) target.get(owner)?.add(key);
      else unowned.push(key);
    }
  }
  for (const key of unowned) {
    const to = fewest(eligible.get(key) ?? [], count);
    if (to) target.get(to.id)?.add(key);
  }
  for (;;) {
    const move = findMove(target, eligible, count);
    if (!move) return target;
    target.get(move.from)?.delete(move.key);
    target.get(move.to)?.add(move.key);
  }
};

function fewest(candidates: readonly AssignableMember[], count: (id: string) => number): AssignableMember | undefined {
  let best: AssignableMember | undefined;
  for (const m of candidates) if (!best || count(m.id) < count(best.id) || (count(m.id) === count(best.id) && m.id < best.id)) best = m;
  return best;
}

/** A partition to move from a member to an eligible one holding at least two fewer, fullest first. */
function findMove(
  target: TargetAssignment,
  eligible: ReadonlyMap<string, readonly AssignableMember[]>,
  count: (id: string) => number,
): { key: string; from: string; to: string } | undefined {
  const byLoad = [...target.keys()].sort((a, b) => count(b) - count(a) || (a < b ? -1 : 1));
  for (const from of byLoad) {
    for (const key of [...(target.get(from) ?? [])].sort()) {
      const to = fewest(eligible.get(key) ?? [], count);
      if (to && count(to.id) + 1 < count(from)) return { key, from, to: to.id };
    }
  }
  return undefined;
}

/**
 * Range: for each topic, its subscribers in order of instance id (else member id) each take a
 * contiguous range; the first `partitions % subscribers` take one more. Equal subscriptions over
 * equally sized topics so get the same partition numbers of every topic (co-partitioning).
 */
export const rangeAssignor: ServerAssignor = (members, topics) => {
  const target = emptyTarget(members);
  const order = (m: AssignableMember): string => m.instanceId ?? m.id;
  for (const topic of topics) {
    const subscribers = members.filter((m) => m.topicIds.has(topic.id)).sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    if (subscribers.length === 0) continue;
    const base = Math.floor(topic.partitions / subscribers.length);
    const extra = topic.partitions % subscribers.length;
    let next = 0;
    subscribers.forEach((member, i) => {
      const size = base + (i < extra ? 1 : 0);
      for (let p = next; p < next + size; p++) target.get(member.id)?.add(partitionKey(topic.id, p));
      next += size;
    });
  }
  return target;
};

/** The assignor named `name`, or undefined for a name the fake's brokers do not know. */
export function serverAssignor(name: string): ServerAssignor | undefined {
  if (name === 'uniform') return uniformAssignor;
  if (name === 'range') return rangeAssignor;
  return undefined;
}
