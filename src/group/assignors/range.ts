/**
 * The range assignor, with the Java client's results (`RangeAssignor` without rack data): for
 * each topic on its own, the members subscribed to it, in {@link compareMembers} order, take
 * consecutive ranges of partitions; the first `partitions % members` take one extra.
 *
 * Example: t0 and t1 with 3 partitions each, members c0 and c1:
 * c0 gets t0-0, t0-1, t1-0, t1-1 and c1 gets t0-2, t1-2.
 */
import { assignableTopics, checkDistinctMemberIds, emptyAssignment, sortAssignment, sortMembers } from './member-order.js';
import type { Assignor, AssignorMember, GroupAssignment, TopicPartition } from './types.js';

/** Range assignment; see the module comment. */
export function assignRange(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
  checkDistinctMemberIds(members);
  const assignment = emptyAssignment(members);
  const ordered = sortMembers(members);
  for (const topic of assignableTopics(members, partitionsPerTopic)) {
    const count = partitionsPerTopic.get(topic) ?? 0;
    const subscribers = ordered.filter((m) => m.topics.includes(topic));
    const perMember = Math.floor(count / subscribers.length);
    const withExtra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((member, i) => {
      const take = perMember + (i < withExtra ? 1 : 0);
      const list = assignment.get(member.memberId) as TopicPartition[];
      for (let p = next; p < next + take; p++) list.push({ topic, partition: p });
      next += take;
    });
  }
  return sortAssignment(assignment);
}

/** The `range` assignor (eager protocol), the Java client's default before 3.0. */
export const RangeAssignor: Assignor = {
  name: 'range',
  cooperative: false,
  assign: assignRange,
};
