/** Shared helpers of the assignors: the Java client's member order and result shaping. */
import { ProtocolError } from '../../protocol/errors.js';
import { compareStrings } from '../../protocol/consumer-protocol.js';
import type { AssignorMember, GroupAssignment, TopicPartition } from './types.js';

/**
 * The order in which the Java client's range and round-robin assignors visit members: static
 * members first, by group instance id, then dynamic members by member id. Static members thereby
 * keep their partitions across restarts, which give them new member ids.
 */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compareStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** Members sorted by {@link compareMembers}; the input is not changed. */
export function sortMembers(members: readonly AssignorMember[]): AssignorMember[] {
  return [...members].sort(compareMembers);
}

/** Orders partitions by topic, then partition. */
export function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}

/** An assignment with an empty list for every member. */
export function emptyAssignment(members: readonly AssignorMember[]): GroupAssignment {
  const out: GroupAssignment = new Map();
  for (const m of members) out.set(m.memberId, []);
  return out;
}

/** Sorts every member's list by topic, then partition (in place) and returns the assignment. */
export function sortAssignment(assignment: GroupAssignment): GroupAssignment {
  for (const list of assignment.values()) list.sort(comparePartitions);
  return assignment;
}

/**
 * The most partitions an assignor takes for one topic. Assigning allocates an entry per partition,
 * so a count is checked before it is trusted; this is far above any real topic (Kafka's own
 * guidance is thousands of partitions per broker) and bounds what a broken count can cost.
 */
export const MAX_PARTITIONS_PER_TOPIC = 1_000_000;

/**
 * Every topic some member subscribes to and `partitionsPerTopic` knows, sorted. Their counts are
 * checked here, before any assignor allocates by them.
 *
 * @throws ProtocolError (`ERR_PROTOCOL`, context `topic`) when a count is not an integer in
 *   0..{@link MAX_PARTITIONS_PER_TOPIC}
 */
export function assignableTopics(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): string[] {
  const topics = new Set<string>();
  for (const m of members) for (const t of m.topics) if (partitionsPerTopic.has(t)) topics.add(t);
  for (const topic of topics) {
    const count = partitionsPerTopic.get(topic) as number;
    if (!Number.isInteger(count) || count < 0 || count > MAX_PARTITIONS_PER_TOPIC) {
      throw new ProtocolError(`topic ${topic}: ${count} is not a partition count to assign (0..${MAX_PARTITIONS_PER_TOPIC})`, { topic });
    }
  }
  return [...topics].sort(compareStrings);
}

/** Throws when two members share an id (only a broken coordinator sends that): the result map could not tell them apart. */
export function checkDistinctMemberIds(members: readonly AssignorMember[]): void {
  const seen = new Set<string>();
  for (const m of members) {
    if (seen.has(m.memberId)) throw new ProtocolError(`group members include ${m.memberId} twice`);
    seen.add(m.memberId);
  }
}
