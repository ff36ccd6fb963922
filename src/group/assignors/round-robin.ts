/**
 * The round-robin assignor, with the Java client's results (`RoundRobinAssignor`): all
 * partitions of all subscribed topics, sorted by topic then partition, are dealt to the members in
 * {@link compareMembers} order, cycling, and skipping a member not subscribed to the partition's
 * topic. Balanced within one partition when every member has the same subscription.
 *
 * Example: t0 and t1 with 3 partitions each, members c0 and c1:
 * c0 gets t0-0, t0-2, t1-1 and c1 gets t0-1, t1-0, t1-2.
 */
import { assignableTopics, checkDistinctMemberIds, emptyAssignment, sortAssignment, sortMembers } from './member-order.js';
import type { Assignor, AssignorMember, GroupAssignment, TopicPartition } from './types.js';

/** Round-robin assignment; see the module comment. */
export function assignRoundRobin(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
  checkDistinctMemberIds(members);
  const assignment = emptyAssignment(members);
  const ordered = sortMembers(members);
  const lists: TopicPartition[][] = ordered.map((m) => assignment.get(m.memberId) as TopicPartition[]);
  const subscribed = ordered.map((m) => new Set(m.topics));
  let cursor = 0;
  for (const topic of assignableTopics(members, partitionsPerTopic)) {
    const count = partitionsPerTopic.get(topic) ?? 0;
    for (let partition = 0; partition < count; partition++) {
      // Some member subscribes to `topic` (assignableTopics says so), so this loop ends.
      while (!(subscribed[cursor] as Set<string>).has(topic)) cursor = (cursor + 1) % ordered.length;
      (lists[cursor] as TopicPartition[]).push({ topic, partition });
      cursor = (cursor + 1) % ordered.length;
    }
  }
  return sortAssignment(assignment);
}

/** The `roundrobin` assignor (eager protocol). */
export const RoundRobinAssignor: Assignor = {
  name: 'roundrobin',
  cooperative: false,
  assign: assignRoundRobin,
};
