/** Shared helpers of the assignors: the Java client's member order and result shaping. */
import { ProtocolError } from '../../protocol/errors.js';
import { compareStrings } from '../consumer-protocol.js';
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

/** Every topic some member subscribes to and `partitionsPerTopic` knows, sorted. */
export function assignableTopics(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): string[] {
  const topics = new Set<string>();
  for (const m of members) for (const t of m.topics) if (partitionsPerTopic.has(t)) topics.add(t);
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
