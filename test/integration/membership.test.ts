/**
 * GroupMembership against the real broker: three members in one process on a 12-partition topic,
 * joining and leaving one by one, with the eager range assignor and with cooperative-sticky; a
 * static member that restarts within its session timeout; commits fenced by a stale generation;
 * committed offsets read back.
 *
 * Every member's listener writes to one shared ownership map, so an overlap (a partition assigned
 * while another member still holds it) is caught the moment it happens, not only at the end.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { Cluster } from '../../src/cluster/cluster.js';
import type { MembershipListener } from '../../src/group/membership-contracts.js';
import type { TopicPartition } from '../../src/consumer/contracts.js';
import type { AssignorName } from '../../src/group/assignors/index.js';
import { isFencingError, OffsetCommitError } from '../../src/group/errors.js';
import { GroupMembership } from '../../src/group/membership.js';
import { commitOffsetsTo, GroupOffsets, STANDALONE_COMMIT } from '../../src/group/offsets.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';

const PARTITIONS = 12;
const ALL = Array.from({ length: PARTITIONS }, (_, i) => i);
/** The broker's `group.min.session.timeout.ms` default: as short as it allows. */
const SESSION_TIMEOUT_MS = 6_000;
const HEARTBEAT_INTERVAL_MS = 500;

let admin: Admin;
const topic = uniqueTopic('membership');
const clusters: Cluster[] = [];

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.connect();
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
});

after(async () => {
  await Promise.all(clusters.map((c) => c.close()));
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

function newCluster(clientId: string): Cluster {
  const cluster = new Cluster({ brokers: testBrokers(), clientId });
  clusters.push(cluster);
  return cluster;
}

/** Who owns what across all members of one group, checked on every listener call. */
class Ownership {
  readonly owner = new Map<number, string>();
  readonly violations: string[] = [];
}

/** One member's listener: records its calls and keeps the shared ownership map honest. */
class Recorder implements MembershipListener {
  readonly owned = new Set<number>();
  /** Partitions revoked since the last {@link Recorder.settle}. */
  revokedSinceSettle = new Set<number>();
  ownedAtSettle = new Set<number>();
  readonly calls: { kind: string; partitions: number[]; generationId?: number }[] = [];
  /** What the member owned each time it joined a generation. */
  readonly ownedAtJoin: number[][] = [];

  constructor(
    readonly name: string,
    private readonly ownership: Ownership,
  ) {}

  watch(membership: GroupMembership): void {
    membership.on('joined', () => this.ownedAtJoin.push([...this.owned].sort((a, b) => a - b)));
    membership.on('error', (err) => this.ownership.violations.push(`${this.name}: error ${err.message}`));
  }

  async onAssigned(partitions: readonly TopicPartition[], generationId: number): Promise<void> {
    this.calls.push({ kind: 'assigned', partitions: partitions.map((p) => p.partition), generationId });
    for (const { partition } of partitions) {
      const holder = this.ownership.owner.get(partition);
      if (holder !== undefined) this.ownership.violations.push(`${this.name} assigned ${partition} while ${holder} holds it`);
      this.ownership.owner.set(partition, this.name);
      this.owned.add(partition);
    }
  }

  async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.calls.push({ kind: 'revoked', partitions: partitions.map((p) => p.partition) });
    this.release(partitions, 'revoked');
  }

  async onLost(partitions: readonly TopicPartition[]): Promise<void> {
    this.calls.push({ kind: 'lost', partitions: partitions.map((p) => p.partition) });
    this.release(partitions, 'lost');
  }

  private release(partitions: readonly TopicPartition[], how: string): void {
    for (const { partition } of partitions) {
      if (!this.owned.has(partition)) this.ownership.violations.push(`${this.name} ${how} ${partition}, which it did not own`);
      this.owned.delete(partition);
      if (this.ownership.owner.get(partition) === this.name) this.ownership.owner.delete(partition);
      this.revokedSinceSettle.add(partition);
    }
  }

  /** Marks a settled generation: what was revoked since the last one, and what was owned then. */
  settle(): { before: Set<number>; revoked: Set<number> } {
    const out = { before: this.ownedAtSettle, revoked: this.revokedSinceSettle };
    this.ownedAtSettle = new Set(this.owned);
    this.revokedSinceSettle = new Set();
    return out;
  }
}

interface Member {
  name: string;
  membership: GroupMembership;
  recorder: Recorder;
}

function newMember(name: string, groupId: string, assignors: AssignorName[], ownership: Ownership, groupInstanceId: string | null = null): Member {
  const recorder = new Recorder(name, ownership);
  const membership = new GroupMembership(
    newCluster(`membership-${name}`),
    {
      groupId,
      topics: [topic],
      groupInstanceId,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: 20_000,
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
      assignors,
    },
    recorder,
  );
  recorder.watch(membership);
  return { name, membership, recorder };
}

const sorted = (s: Iterable<number>) => [...s].sort((a, b) => a - b);

/**
 * Waits until every member is stable in one generation and their assignments cover each partition
 * exactly once; returns the time it took.
 */
async function settled(members: Member[], ownership: Ownership, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  await eventually(
    () => {
      const generations = new Set(members.map((m) => m.membership.generationId));
      const assigned = members.flatMap((m) => m.membership.assignment.map((p) => p.partition));
      const stable = members.every((m) => m.membership.phase === 'stable') && generations.size === 1;
      return stable && assigned.length === PARTITIONS && new Set(assigned).size === PARTITIONS;
    },
    {
      what: 'the group to settle',
      timeoutMs,
      intervalMs: 50,
      progress: () => members.map((m) => `${m.name} ${m.membership.phase} g${m.membership.generationId} [${m.membership.assignment.map((p) => p.partition)}]`).join('; '),
    },
  );
  const took = Date.now() - started;
  assert.deepEqual(ownership.violations, []);
  for (const m of members) {
    assert.deepEqual(sorted(m.recorder.owned), sorted(m.membership.assignment.map((p) => p.partition)), `${m.name}: the listener saw what membership holds`);
  }
  assert.deepEqual(sorted(ownership.owner.keys()), ALL, 'every partition has an owner');
  return took;
}

/**
 * Checks what each member revoked since the last settle: eager members revoke all they owned;
 * cooperative ones only what they no longer own — partitions that stay are never revoked.
 */
function checkRevocations(members: Member[], cooperative: boolean): void {
  for (const m of members) {
    const { before: owned, revoked } = m.recorder.settle();
    const now = new Set(m.recorder.owned);
    if (cooperative) {
      for (const p of revoked) assert.ok(!now.has(p), `${m.name} revoked ${p}, which it kept`);
      const lostOnes = sorted([...owned].filter((p) => !now.has(p)));
      assert.deepEqual(sorted(revoked), lostOnes, `${m.name} revoked exactly what moved away`);
    } else if (revoked.size > 0) {
      assert.deepEqual(sorted(revoked), sorted(owned), `${m.name}: eager revokes everything it owned`);
    }
  }
}

async function joinAndLeaveOneByOne(assignors: AssignorName[]): Promise<Member[]> {
  const cooperative = assignors.every((a) => a === 'cooperative-sticky');
  const groupId = uniqueTopic(`membership-${assignors.join('-')}`);
  const ownership = new Ownership();
  const all = ['a', 'b', 'c'].map((name) => newMember(name, groupId, assignors, ownership));
  const active: Member[] = [];
  try {
    for (const m of all) {
      active.push(m);
      await m.membership.start();
      await settled(active, ownership);
      checkRevocations(active, cooperative);
    }
    const counts = active.map((m) => m.membership.assignment.length).sort();
    assert.deepEqual(counts, [4, 4, 4], 'three members split twelve partitions evenly');
    for (const m of [...active]) {
      await m.membership.stop();
      assert.deepEqual(sorted(m.recorder.owned), [], `${m.name} gave everything up on stop`);
      active.splice(active.indexOf(m), 1);
      if (active.length === 0) break;
      const took = await settled(active, ownership);
      // Without LeaveGroup the coordinator would wait out the session timeout first.
      assert.ok(took < SESSION_TIMEOUT_MS, `rebalance after a clean leave took ${took} ms`);
      checkRevocations(active, cooperative);
    }
    for (const m of all) {
      assert.ok(!m.recorder.calls.some((c) => c.kind === 'lost'), `${m.name} lost nothing`);
      if (!cooperative) {
        for (const owned of m.recorder.ownedAtJoin) assert.deepEqual(owned, [], `${m.name}: eager members own nothing when they join`);
      }
    }
    return all;
  } finally {
    await Promise.all(all.map((m) => m.membership.stop()));
  }
}

describe('GroupMembership against the broker', () => {
  it('range (eager): members join and leave one by one; each partition has exactly one owner; all revoked before each rejoin', async () => {
    await joinAndLeaveOneByOne(['range']);
  });

  it('cooperative-sticky: partitions that stay are never revoked; moves take two phases', async () => {
    const [a] = await joinAndLeaveOneByOne(['cooperative-sticky']);
    assert.ok(a);
    // When b joined, a kept six partitions through the rebalance and gave up only six.
    const firstRevoke = a.recorder.calls.find((c) => c.kind === 'revoked');
    assert.equal(firstRevoke?.partitions.length, 6, 'a revoked half, not all');
    assert.ok(a.recorder.ownedAtJoin.some((owned) => owned.length > 0), 'a rejoined still owning its partitions');
  });

  it('a static member back within the session timeout gets its partitions again without a rebalance of the others', async () => {
    const groupId = uniqueTopic('membership-static');
    const ownership = new Ownership();
    const x = newMember('x', groupId, ['range'], ownership, `x-${process.pid}`);
    const y = newMember('y', groupId, ['range'], ownership, `y-${process.pid}`);
    let x2: Member | null = null;
    try {
      await x.membership.start();
      await y.membership.start();
      await settled([x, y], ownership);
      const generation = y.membership.generationId;
      const yCalls = y.recorder.calls.length;
      const xPartitions = sorted(x.membership.assignment.map((p) => p.partition));

      await x.membership.stop(); // static: no LeaveGroup
      x2 = newMember('x2', groupId, ['range'], ownership, `x-${process.pid}`);
      const restartedAt = Date.now();
      await x2.membership.start();
      assert.ok(Date.now() - restartedAt < SESSION_TIMEOUT_MS, 'back within the session timeout');
      assert.deepEqual(sorted(x2.membership.assignment.map((p) => p.partition)), xPartitions, 'the same partitions');
      assert.equal(x2.membership.generationId, generation, 'the same generation: no rebalance');
      // Give y several heartbeats to hear of a rebalance, were there one.
      await delay(HEARTBEAT_INTERVAL_MS * 4);
      assert.equal(y.recorder.calls.length, yCalls, 'y saw no revoke and no assign');
      assert.equal(y.membership.generationId, generation);
      assert.equal(y.membership.phase, 'stable');
      await settled([x2, y], ownership);
    } finally {
      await y.membership.stop({ leaveGroup: true });
      await x2?.membership.stop({ leaveGroup: true });
      await x.membership.stop();
    }
  });

  it('commits: current generation accepted and read back; a stale generation is fenced; standalone commits too', async () => {
    const groupId = uniqueTopic('membership-commit');
    const ownership = new Ownership();
    const a = newMember('a', groupId, ['range'], ownership);
    const b = newMember('b', groupId, ['range'], ownership);
    try {
      await a.membership.start();
      const oldGeneration = a.membership.generationId;
      await a.membership.commitOffsets([{ topic, partition: 0, offset: 42, leaderEpoch: -1, metadata: 'first' }]);
      await b.membership.start();
      await settled([a, b], ownership);
      assert.ok(a.membership.generationId > oldGeneration);

      // A zombie of the old generation (same member id) is fenced.
      const stale = { generationId: oldGeneration, memberId: a.membership.memberId, groupInstanceId: null };
      const mine = a.membership.assignment[0] as TopicPartition;
      await assert.rejects(commitOffsetsTo(a.membership.coordinator, stale, [{ ...mine, offset: 7 }]), (err: unknown) => {
        assert.ok(err instanceof OffsetCommitError, String(err));
        assert.ok(isFencingError(err));
        assert.equal(err.errorName, 'ILLEGAL_GENERATION');
        return true;
      });

      await a.membership.commitOffsets(a.membership.assignment.map((p) => ({ ...p, offset: 100 + p.partition, leaderEpoch: -1 })));
      await b.membership.commitOffsets(b.membership.assignment.map((p) => ({ ...p, offset: 200 + p.partition, leaderEpoch: -1 })));
      const committed = await b.membership.fetchCommittedOffsets(ALL.map((partition) => ({ topic, partition })));
      for (const m of [a, b]) {
        for (const p of m.membership.assignment) {
          assert.equal(committed.get(`${topic}:${p.partition}`), (m === a ? 100 : 200) + p.partition, `partition ${p.partition}`);
        }
      }
    } finally {
      await a.membership.stop();
      await b.membership.stop();
    }

    // A standalone consumer commits with generation -1 and no member id, to a group nobody joined.
    const standaloneGroup = uniqueTopic('membership-standalone');
    const offsets = new GroupOffsets(newCluster('membership-standalone'));
    try {
      await offsets.commitOffsets(standaloneGroup, STANDALONE_COMMIT.generationId, STANDALONE_COMMIT.memberId, null, [{ topic, partition: 3, offset: 9, leaderEpoch: 0, metadata: 'solo' }]);
      const back = await offsets.fetchCommittedOffsets(standaloneGroup, [{ topic, partition: 3 }, { topic, partition: 4 }]);
      assert.deepEqual(back.get(`${topic}:3`), { offset: 9, leaderEpoch: 0, metadata: 'solo' });
      assert.equal(back.get(`${topic}:4`), null);
    } finally {
      await offsets.close();
    }
  });
});
