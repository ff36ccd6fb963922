/** Test support for the assignor suites: compact member builders, readable results, generators. */
import fc from 'fast-check';
import type { AssignorMember, GroupAssignment, TopicPartition } from '../../../src/group/assignors/index.js';

/** A dynamic member subscribed to `topics`, owning nothing. */
export function member(memberId: string, topics: string[], extra: Partial<AssignorMember> = {}): AssignorMember {
  return { memberId, groupInstanceId: null, topics, ownedPartitions: [], generation: -1, ...extra };
}

/** `t-3` style names of a member's partitions, in the order given. */
export function names(list: readonly TopicPartition[] | undefined): string[] {
  return (list ?? []).map((tp) => `${tp.topic}-${tp.partition}`);
}

/** The whole assignment as `{ member: ['t-0', ...] }`, members sorted. */
export function readable(assignment: GroupAssignment): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const id of [...assignment.keys()].sort()) out[id] = names(assignment.get(id));
  return out;
}

/** Every partition of every topic some member subscribes to (and that has a count). */
export function subscribedPartitions(members: readonly AssignorMember[], counts: ReadonlyMap<string, number>): string[] {
  const topics = new Set(members.flatMap((m) => m.topics));
  const out: string[] = [];
  for (const [topic, n] of counts) if (topics.has(topic)) for (let p = 0; p < n; p++) out.push(`${topic}-${p}`);
  return out.sort();
}

/** Checks the assignment gives each partition to at most one member, subscribed to its topic. */
export function ownersOf(members: readonly AssignorMember[], assignment: GroupAssignment): Map<string, string> {
  const owners = new Map<string, string>();
  for (const m of members) {
    for (const tp of assignment.get(m.memberId) ?? []) {
      const key = `${tp.topic}-${tp.partition}`;
      if (owners.has(key)) throw new Error(`${key} given to ${owners.get(key)} and ${m.memberId}`);
      if (!m.topics.includes(tp.topic)) throw new Error(`${key} given to ${m.memberId}, not subscribed`);
      owners.set(key, m.memberId);
    }
  }
  return owners;
}

/** A random group: 1-4 topics with 0-9 partitions, 1-7 members, identical or random subscriptions. */
export const groupArbitrary = (identical: boolean) =>
  fc
    .record({
      counts: fc.array(fc.nat(9), { minLength: 1, maxLength: 4 }),
      memberCount: fc.integer({ min: 1, max: 7 }),
      subsSeed: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 7, maxLength: 7 }),
      staticMask: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
    })
    .map(({ counts, memberCount, subsSeed, staticMask }) => {
      const topics = counts.map((_, i) => `t${i}`);
      const partitionsPerTopic = new Map(topics.map((t, i) => [t, counts[i] as number]));
      const members = Array.from({ length: memberCount }, (_, i) => {
        const chosen = identical ? topics : topics.filter((_, k) => (subsSeed[i] as boolean[])[k]);
        return member(`m${(i * 7) % 10}${i}`, chosen.length ? chosen : [topics[0] as string], {
          groupInstanceId: staticMask[i] ? `i${9 - i}` : null,
        });
      });
      return { members, partitionsPerTopic };
    });

/** Deterministic shuffle for order-independence checks. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
