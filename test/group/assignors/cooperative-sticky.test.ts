/**
 * The cooperative-sticky assignor: worked examples of each rule, and properties over random groups
 * (safety every generation, convergence, balance, minimal movement, determinism).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assignCooperativeSticky,
  CooperativeStickyAssignor,
  decodeCooperativeStickyUserData,
  encodeCooperativeStickyUserData,
  type AssignorMember,
  type GroupAssignment,
} from '../../../src/group/assignors/index.js';
import { groupArbitrary, member, ownersOf, readable, shuffled, subscribedPartitions } from './helpers.js';

const counts = (entries: [string, number][]) => new Map(entries);
const tps = (topic: string, ...partitions: number[]) => partitions.map((partition) => ({ topic, partition }));

/** The members after they applied `assignment` in `generation`: each owns exactly what it got. */
function applied(members: readonly AssignorMember[], assignment: GroupAssignment, generation: number): AssignorMember[] {
  return members.map((m) => ({ ...m, ownedPartitions: assignment.get(m.memberId) ?? [], generation }));
}

/**
 * Rebalances until every subscribed partition is assigned (each round the members apply what they
 * got, as cooperative members do), checking the per-generation safety rules on the way.
 */
function converge(
  start: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  maxRounds: number,
): { members: AssignorMember[]; assignment: GroupAssignment; rounds: number } {
  let members = [...start];
  const wanted = subscribedPartitions(members, partitionsPerTopic);
  for (let round = 1; round <= maxRounds; round++) {
    const assignment = assignCooperativeSticky(members, partitionsPerTopic);
    const owners = ownersOf(members, assignment); // throws on a double or unsubscribed assignment
    checkTwoPhase(members, assignment);
    members = applied(members, assignment, 100 + round);
    if (owners.size === wanted.length) return { members, assignment, rounds: round };
  }
  throw new Error(`not converged after ${maxRounds} rounds`);
}

/** A partition given to a member that does not claim it is claimed by no other member. */
function checkTwoPhase(members: readonly AssignorMember[], assignment: GroupAssignment): void {
  const claimants = new Map<string, Set<string>>();
  for (const m of members) {
    for (const tp of m.ownedPartitions) {
      const key = `${tp.topic}-${tp.partition}`;
      if (!claimants.has(key)) claimants.set(key, new Set());
      claimants.get(key)?.add(m.memberId);
    }
  }
  for (const [id, list] of assignment) {
    for (const tp of list) {
      const others = [...(claimants.get(`${tp.topic}-${tp.partition}`) ?? [])].filter((c) => c !== id);
      const mine = claimants.get(`${tp.topic}-${tp.partition}`)?.has(id) ?? false;
      if (!mine && others.length > 0) throw new Error(`${tp.topic}-${tp.partition} given to ${id} while ${others.join(',')} still hold it`);
    }
  }
}

/** Owner of each partition as `t-p` → member id. */
function ownerMap(assignment: GroupAssignment): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, list] of assignment) for (const tp of list) out.set(`${tp.topic}-${tp.partition}`, id);
  return out;
}

/** Fewest partitions that must change owner to balance `prevCounts` (new members at 0) over `total`. */
function minimalMoves(prevCounts: number[], total: number): number {
  const n = prevCounts.length;
  const min = Math.floor(total / n);
  const withExtra = total % n;
  return [...prevCounts].sort((a, b) => b - a).reduce((sum, c, i) => sum + Math.max(0, c - (min + (i < withExtra ? 1 : 0))), 0);
}

describe('cooperative-sticky assignor: rules', () => {
  it('is named "cooperative-sticky" and cooperative', () => {
    assert.equal(CooperativeStickyAssignor.name, 'cooperative-sticky');
    assert.equal(CooperativeStickyAssignor.cooperative, true);
  });

  it('a fresh group is balanced in one generation', () => {
    const result = assignCooperativeSticky([member('a', ['t']), member('b', ['t']), member('c', ['t'])], counts([['t', 7]]));
    assert.deepEqual(readable(result), { a: ['t-0', 't-3', 't-6'], b: ['t-1', 't-4'], c: ['t-2', 't-5'] });
  });

  it('a joining member gets partitions only after their owner gave them up', () => {
    const a = member('a', ['t'], { ownedPartitions: tps('t', 0, 1, 2, 3, 4, 5), generation: 1 });
    const b = member('b', ['t']);
    const first = assignCooperativeSticky([a, b], counts([['t', 6]]));
    assert.deepEqual(readable(first), { a: ['t-0', 't-1', 't-2'], b: [] }, 'a still holds t-3..5: revoke first');
    const second = assignCooperativeSticky(applied([a, b], first, 2), counts([['t', 6]]));
    assert.deepEqual(readable(second), { a: ['t-0', 't-1', 't-2'], b: ['t-3', 't-4', 't-5'] });
  });

  it("a leaving member's partitions go to the others at once, nothing else moves", () => {
    const a = member('a', ['t'], { ownedPartitions: tps('t', 0, 3), generation: 4 });
    const b = member('b', ['t'], { ownedPartitions: tps('t', 1, 4), generation: 4 });
    // c owned t-2 and t-5 and left.
    const result = assignCooperativeSticky([a, b], counts([['t', 6]]));
    assert.deepEqual(readable(result), { a: ['t-0', 't-2', 't-3'], b: ['t-1', 't-4', 't-5'] });
  });

  it('keeps owned partitions when the assignment is already balanced', () => {
    const a = member('a', ['t', 'u'], { ownedPartitions: [...tps('t', 2), ...tps('u', 0)], generation: 3 });
    const b = member('b', ['t', 'u'], { ownedPartitions: [...tps('t', 0, 1)], generation: 3 });
    const result = assignCooperativeSticky([a, b], counts([['t', 3], ['u', 1]]));
    assert.deepEqual(readable(result), { a: ['t-2', 'u-0'], b: ['t-0', 't-1'] });
  });

  it('a partition claimed by two members in the same generation goes to nobody until both let go', () => {
    const a = member('a', ['t'], { ownedPartitions: tps('t', 0, 1), generation: 3 });
    const b = member('b', ['t'], { ownedPartitions: tps('t', 0, 2), generation: 3 });
    const first = assignCooperativeSticky([a, b], counts([['t', 4]]));
    // t-0 would go to a (fewest partitions after a keeps t-1, b keeps t-2), but b still holds it.
    assert.deepEqual(readable(first), { a: ['t-1'], b: ['t-2', 't-3'] });
    const second = assignCooperativeSticky(applied([a, b], first, 4), counts([['t', 4]]));
    assert.deepEqual(readable(second), { a: ['t-0', 't-1'], b: ['t-2', 't-3'] });
  });

  it('the claim of the newer generation wins; the older claimant loses the partition', () => {
    const a = member('a', ['t'], { ownedPartitions: tps('t', 0), generation: 3 });
    const b = member('b', ['t'], { ownedPartitions: tps('t', 0, 1), generation: 2 });
    const result = assignCooperativeSticky([a, b], counts([['t', 2]]));
    assert.deepEqual(readable(result), { a: ['t-0'], b: ['t-1'] });
  });

  it('a partition of a topic its holder unsubscribed from is revoked before it moves', () => {
    const a = member('a', ['u'], { ownedPartitions: tps('t', 0), generation: 5 });
    const b = member('b', ['t']);
    const first = assignCooperativeSticky([a, b], counts([['t', 1], ['u', 1]]));
    assert.deepEqual(readable(first), { a: ['u-0'], b: [] });
    const second = assignCooperativeSticky(applied([a, b], first, 6), counts([['t', 1], ['u', 1]]));
    assert.deepEqual(readable(second), { a: ['u-0'], b: ['t-0'] });
  });

  it('ignores claims of partitions or topics that no longer exist', () => {
    const a = member('a', ['t'], { ownedPartitions: [...tps('t', 7), ...tps('gone', 0), ...tps('t', 0)], generation: 2 });
    const result = assignCooperativeSticky([a, member('b', ['t'])], counts([['t', 2]]));
    assert.deepEqual(readable(result), { a: ['t-0'], b: ['t-1'] });
  });

  it('balances across topics with different subscribers, scarce topics first', () => {
    const result = assignCooperativeSticky([member('a', ['x', 'y']), member('b', ['y'])], counts([['x', 2], ['y', 2]]));
    assert.deepEqual(readable(result), { a: ['x-0', 'x-1'], b: ['y-0', 'y-1'] });
  });

  it('carries the generation in userData for leaders that read v0/v1 subscriptions', () => {
    assert.deepEqual(encodeCooperativeStickyUserData(7), Buffer.from([0, 0, 0, 7]));
    assert.equal(decodeCooperativeStickyUserData(Buffer.from([0, 0, 1, 0])), 256);
    assert.equal(decodeCooperativeStickyUserData(null), -1);
    assert.equal(decodeCooperativeStickyUserData(Buffer.from([1])), -1);
  });
});

describe('cooperative-sticky assignor: properties', () => {
  /** Random prior ownership, possibly conflicting, with random generations. */
  const messyGroup = (identical: boolean) =>
    fc
      .tuple(groupArbitrary(identical), fc.array(fc.tuple(fc.nat(6), fc.nat(3), fc.nat(9)), { maxLength: 30 }), fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 7, maxLength: 7 }))
      .map(([{ members, partitionsPerTopic }, claims, generations]) => {
        const withClaims = members.map((m, i) => ({
          ...m,
          generation: generations[i] as number,
          ownedPartitions: claims.filter(([who]) => who % members.length === i).map(([, t, p]) => ({ topic: `t${t}`, partition: p })),
        }));
        return { members: withClaims, partitionsPerTopic };
      });

  it('identical subscriptions: safe every generation, complete in at most two, balanced within one', () => {
    fc.assert(
      fc.property(messyGroup(true), ({ members, partitionsPerTopic }) => {
        const { assignment, rounds } = converge(members, partitionsPerTopic, 2);
        assert.ok(rounds <= 2);
        const sizes = [...assignment.values()].map((l) => l.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join(',')}`);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('any subscriptions: safe every generation, complete within three, no partition could move to a member two lighter', () => {
    fc.assert(
      fc.property(messyGroup(false), ({ members, partitionsPerTopic }) => {
        const { members: settled, assignment } = converge(members, partitionsPerTopic, 3);
        const load = new Map([...assignment].map(([id, l]) => [id, l.length]));
        for (const m of settled) {
          for (const tp of assignment.get(m.memberId) ?? []) {
            for (const other of settled) {
              if (!other.topics.includes(tp.topic)) continue;
              assert.ok((load.get(other.memberId) as number) >= (load.get(m.memberId) as number) - 1, `${tp.topic}-${tp.partition} could move from ${m.memberId} to ${other.memberId}`);
            }
          }
        }
      }),
      { numRuns: 400, seed: 12 },
    );
  });

  it('a stable assignment is kept as it is', () => {
    fc.assert(
      fc.property(groupArbitrary(false), ({ members, partitionsPerTopic }) => {
        const { members: settled, assignment } = converge(members, partitionsPerTopic, 3);
        assert.deepEqual(readable(assignCooperativeSticky(settled, partitionsPerTopic)), readable(assignment));
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('members joining or leaving move only the fewest partitions balance needs (identical subscriptions)', () => {
    fc.assert(
      fc.property(groupArbitrary(true), fc.integer({ min: 1, max: 3 }), fc.nat(6), ({ members, partitionsPerTopic }, joining, leaving) => {
        const { members: settled, assignment } = converge(members, partitionsPerTopic, 2);
        const before = ownerMap(assignment);
        const total = before.size;
        // Some members leave, others join (new ids, owning nothing).
        const stay = settled.filter((_, i) => settled.length === 1 || i !== leaving % settled.length);
        const topics = [...partitionsPerTopic.keys()];
        const next = [...stay, ...Array.from({ length: joining }, (_, i) => member(`new${i}`, topics))];
        const { assignment: after } = converge(next, partitionsPerTopic, 2);
        const afterOwners = ownerMap(after);
        const stayIds = new Set(stay.map((m) => m.memberId));
        let moved = 0;
        for (const [key, owner] of before) if (stayIds.has(owner) && afterOwners.get(key) !== owner) moved++;
        const prevCounts = next.map((m) => [...before.values()].filter((o) => o === m.memberId).length);
        assert.equal(moved, minimalMoves(prevCounts, total));
      }),
      { numRuns: 400, seed: 14 },
    );
  });

  it('is deterministic and independent of the order of members and claims', () => {
    fc.assert(
      fc.property(messyGroup(false), fc.nat(), ({ members, partitionsPerTopic }, seed) => {
        const result = readable(assignCooperativeSticky(members, partitionsPerTopic));
        const reordered = shuffled(members, seed).map((m) => ({ ...m, ownedPartitions: shuffled(m.ownedPartitions, seed + 1) }));
        assert.deepEqual(readable(assignCooperativeSticky(reordered, partitionsPerTopic)), result);
        assert.deepEqual(readable(assignCooperativeSticky(members, partitionsPerTopic)), result);
      }),
      { numRuns: 300, seed: 15 },
    );
  });
});
