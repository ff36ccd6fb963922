/**
 * GroupMembership against FakeKafkaCluster's classic group coordinator, a one-member group:
 * coordinator moves and loading, fencing on heartbeat, heartbeats independent of slow listener
 * work, the coordinator unreachable for longer than the session timeout (assignment kept), commits
 * (owned partitions only, generation and member id carried, fencing typed), stop with and without
 * LeaveGroup, stop during a JoinGroup held at the broker, a topic growing. Requests are read back
 * from the cluster's request log; faults are its hooks.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { Cluster } from '../../src/cluster/cluster.js';
import type { GroupMembershipOptions, MembershipListener } from '../../src/group/membership-contracts.js';
import type { TopicPartition } from '../../src/protocol/topic-partition.js';
import { KafkaStageError } from '../../src/errors.js';
import { isFencingError, OffsetCommitError, PartitionNotOwnedError } from '../../src/group/errors.js';
import { GroupMembership } from '../../src/group/membership.js';
import type { JoinGroup } from '../../src/protocol/apis/join-group.js';
import type { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import type { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import type { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import type { RequestOut } from '../../src/protocol/schema.js';
import { FakeKafkaCluster, type FakeRequest } from '../../src/testing/index.js';
import { eventually } from '../helpers/eventually.js';

const TOPIC = 't';
const GROUP = 'g';
const fastRetry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 30, deadlineMs: 10_000 };

/** What the coordinator was asked, read from the cluster's request log. */
class GroupRequests {
  constructor(private readonly fake: FakeKafkaCluster) {}

  private bodies<Body>(api: string): Body[] {
    return this.fake.requests<Body>(api).map((r) => r.body);
  }

  get joins(): RequestOut<typeof JoinGroup>[] {
    return this.bodies('JoinGroup');
  }

  get leaves(): RequestOut<typeof LeaveGroup>[] {
    return this.bodies('LeaveGroup');
  }

  get commits(): RequestOut<typeof OffsetCommit>[] {
    return this.bodies('OffsetCommit');
  }

  /** Heartbeats with the broker each came to. */
  get heartbeats(): { generationId: number; memberId: string; broker: number }[] {
    return this.fake.requests<RequestOut<typeof Heartbeat>>('Heartbeat').map((r: FakeRequest<RequestOut<typeof Heartbeat>>) => ({
      generationId: r.body.generationId,
      memberId: r.body.memberId,
      broker: r.broker,
    }));
  }
}

/** A listener that records every call and can be made slow. */
class RecordingListener implements MembershipListener {
  readonly calls: { kind: 'assigned' | 'revoked' | 'lost'; partitions: number[]; generationId?: number }[] = [];
  /** Awaited inside onAssigned / onRevoked when set. */
  assignedGate: (() => Promise<void>) | null = null;
  revokedGate: (() => Promise<void>) | null = null;

  async onAssigned(partitions: readonly TopicPartition[], generationId: number): Promise<void> {
    this.calls.push({ kind: 'assigned', partitions: partitions.map((p) => p.partition), generationId });
    await this.assignedGate?.();
  }

  async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.calls.push({ kind: 'revoked', partitions: partitions.map((p) => p.partition) });
    await this.revokedGate?.();
  }

  async onLost(partitions: readonly TopicPartition[]): Promise<void> {
    this.calls.push({ kind: 'lost', partitions: partitions.map((p) => p.partition) });
  }

  kinds(): string[] {
    return this.calls.map((c) => c.kind);
  }
}

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

async function setUp(options: Partial<GroupMembershipOptions> = {}, brokerCount = 1, clusterOptions: { metadataMaxAgeMs?: number; retry?: typeof fastRetry } = {}) {
  // Session timeouts below Kafka's 6 s minimum keep these tests short.
  const fake = await FakeKafkaCluster.start({ brokers: brokerCount, topics: [{ topic: TOPIC, partitions: 3 }], minSessionTimeoutMs: 100 });
  open.push(fake);
  // With several brokers the group starts on broker 1, so a test knows where its coordinator is.
  fake.moveCoordinator(GROUP, 1);
  const group = new GroupRequests(fake);
  const cluster = new Cluster({ brokers: [fake.bootstrap[0] as string], retry: fastRetry, requestTimeoutMs: 5_000, ...clusterOptions });
  open.push({ stop: () => cluster.close() });
  const listener = new RecordingListener();
  const membership = new GroupMembership(
    cluster,
    {
      groupId: GROUP,
      topics: [TOPIC],
      groupInstanceId: null,
      sessionTimeoutMs: 1_500,
      rebalanceTimeoutMs: 3_000,
      heartbeatIntervalMs: 40,
      assignors: ['range'],
      ...options,
    },
    listener,
  );
  const errors: Error[] = [];
  membership.on('error', (e) => errors.push(e));
  open.push({ stop: () => membership.stop() });
  return { fake, group, cluster, listener, membership, errors };
}

const ALL = [0, 1, 2];

describe('GroupMembership on the fake cluster\'s coordinator', () => {
  it('joins (MEMBER_ID_REQUIRED, then joined), leads, assigns every partition, and resolves start', async () => {
    const { fake, group, listener, membership } = await setUp();
    const joined: unknown[] = [];
    membership.on('joined', (e) => joined.push(e));
    await membership.start();
    assert.deepEqual(listener.calls, [{ kind: 'assigned', partitions: ALL, generationId: 1 }]);
    const memberId = fake.group(GROUP)?.members[0] as string;
    assert.ok(memberId, 'the coordinator has the member');
    assert.equal(group.joins.length, 2);
    assert.equal(group.joins[0]?.memberId, '');
    assert.equal(group.joins[1]?.memberId, memberId, 'the second JoinGroup carries the id MEMBER_ID_REQUIRED gave');
    assert.equal(group.joins[1]?.protocolType, 'consumer');
    assert.equal(group.joins[1]?.rebalanceTimeoutMs, 3_000);
    assert.deepEqual(joined, [{ generationId: 1, memberId, leaderId: memberId, leader: true, protocol: 'range' }]);
    assert.equal(membership.generationId, 1);
    assert.equal(membership.memberId, memberId);
    assert.equal(membership.phase, 'stable');
  });

  it('COORDINATOR_LOAD_IN_PROGRESS on FindCoordinator and JoinGroup is retried without losing anything', async () => {
    const { fake, group, listener, membership } = await setUp();
    fake.fail('FindCoordinator', 'COORDINATOR_LOAD_IN_PROGRESS');
    fake.fail('FindCoordinator', 'COORDINATOR_NOT_AVAILABLE');
    fake.fail('JoinGroup', 'COORDINATOR_LOAD_IN_PROGRESS', { times: 2 });
    await membership.start();
    assert.deepEqual(listener.kinds(), ['assigned']);
    assert.equal(group.joins.length, 4, 'two loading answers, MEMBER_ID_REQUIRED, joined');
    assert.equal(membership.coordinator.lookups, 3, 'a loading coordinator is not looked up again');
  });

  it('the coordinator moves (NOT_COORDINATOR): found again on the other broker, assignment kept', async () => {
    const { fake, group, listener, membership } = await setUp({}, 2);
    await membership.start();
    await eventually(() => group.heartbeats.some((h) => h.broker === 1), { what: 'heartbeats on broker 1', timeoutMs: 5_000 });
    fake.moveCoordinator(GROUP, 2);
    await eventually(() => group.heartbeats.filter((h) => h.broker === 2).length >= 3, { what: 'heartbeats on broker 2', timeoutMs: 5_000 });
    assert.deepEqual(listener.kinds(), ['assigned'], 'nothing revoked or lost');
    assert.equal(membership.generationId, 1);
    assert.deepEqual(membership.assignment.map((p) => p.partition), ALL);
    assert.ok(membership.coordinator.lookups >= 2, 'looked up again after NOT_COORDINATOR');
    // Commits go to the new coordinator too.
    await membership.commitOffsets([{ topic: TOPIC, partition: 0, offset: 5, leaderEpoch: -1 }]);
    assert.equal(fake.committed(GROUP, TOPIC, 0), 5);
  });

  it('a JoinGroup answered UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION joins again (with an empty member id after UNKNOWN_MEMBER_ID) instead of waiting for ever', async () => {
    // The chaos suite's sigstop-zombie: the members rejoined a frozen-then-resumed coordinator under
    // new member ids, that broker lost the group to another one, which knew only the old ids and
    // answered their JoinGroups UNKNOWN_MEMBER_ID; the members then sat in 'joining' with no join sent.
    for (const code of ['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'] as const) {
      const { fake, group, listener, membership } = await setUp();
      await membership.start();
      const memberId = membership.memberId;
      fake.fail('JoinGroup', code);
      const before = group.joins.length;
      membership.requestRejoin(`test: ${code} on the JoinGroup`);
      await eventually(() => membership.phase === 'stable' && group.joins.length >= before + 2, {
        what: `joined again after ${code}`,
        timeoutMs: 5_000,
        progress: () => `phase ${membership.phase}, joins ${group.joins.length - before}`,
      });
      const again = group.joins[before + 1];
      assert.equal(again?.memberId, code === 'UNKNOWN_MEMBER_ID' ? '' : memberId, `${code}: the member id of the next JoinGroup`);
      assert.deepEqual(membership.assignment.map((p) => p.partition), ALL, `${code}: the partitions back`);
      assert.ok(listener.kinds().includes('assigned'), code);
      await membership.stop();
      await fake.stop();
    }
  });

  it('ILLEGAL_GENERATION on heartbeat: every partition lost (not revoked), then a new generation', async () => {
    const { fake, group, listener, membership } = await setUp();
    await membership.start();
    const memberId = membership.memberId;
    fake.fail('Heartbeat', 'ILLEGAL_GENERATION');
    await eventually(() => listener.calls.length >= 3, { what: 'the second assignment', timeoutMs: 5_000 });
    assert.deepEqual(listener.calls, [
      { kind: 'assigned', partitions: ALL, generationId: 1 },
      { kind: 'lost', partitions: ALL },
      { kind: 'assigned', partitions: ALL, generationId: 2 },
    ]);
    assert.equal(group.joins.at(-1)?.memberId, memberId, 'ILLEGAL_GENERATION keeps the member id');
    const subscription = group.joins.at(-1)?.protocols[0]?.metadata as Buffer;
    assert.ok(subscription.length > 0);
  });

  it('UNKNOWN_MEMBER_ID on heartbeat (the member expired at the coordinator): lost, and rejoined as a new member', async () => {
    const { fake, group, listener, membership } = await setUp();
    await membership.start();
    const joinsBefore = group.joins.length;
    assert.ok(fake.expireMember(GROUP, membership.memberId));
    await eventually(() => listener.calls.length >= 3, { what: 'the second assignment', timeoutMs: 5_000 });
    assert.deepEqual(listener.kinds(), ['assigned', 'lost', 'assigned']);
    assert.equal(group.joins[joinsBefore]?.memberId, '', 'rejoins without a member id');
  });

  it('FENCED_INSTANCE_ID on heartbeat: lost, an error, and no rejoin', async () => {
    const { fake, group, listener, membership, errors } = await setUp({ groupInstanceId: 'instance-a' });
    await membership.start();
    const joinsBefore = group.joins.length;
    fake.fail('Heartbeat', 'FENCED_INSTANCE_ID');
    await eventually(() => membership.phase === 'failed', { what: 'the failure', timeoutMs: 5_000 });
    assert.deepEqual(listener.kinds(), ['assigned', 'lost']);
    assert.ok(errors.some((e) => e.message.includes('FENCED_INSTANCE_ID')), 'error emitted');
    await delay(200);
    assert.equal(group.joins.length, joinsBefore, 'no rejoin loop');
  });

  it('heartbeats keep flowing while onAssigned and onRevoked are slow; the rejoin waits for the revoke', async () => {
    const { fake, group, listener, membership } = await setUp();
    const heartbeatsAtLeast = (n: number) => eventually(() => group.heartbeats.length >= n, { what: `${n} heartbeats`, timeoutMs: 5_000 });
    listener.assignedGate = async () => {
      // The member is inside onAssigned: heartbeats must go on without it.
      const seen = group.heartbeats.length;
      await heartbeatsAtLeast(seen + 5);
    };
    await membership.start();
    assert.ok(group.heartbeats.every((h) => h.generationId === 1));
    listener.assignedGate = null;

    let joinsDuringRevoke = -1;
    listener.revokedGate = async () => {
      const joins = group.joins.length;
      await heartbeatsAtLeast(group.heartbeats.length + 5);
      joinsDuringRevoke = group.joins.length - joins;
    };
    fake.fail('Heartbeat', 'REBALANCE_IN_PROGRESS');
    await eventually(() => listener.calls.length >= 3, { what: 'the new generation', timeoutMs: 5_000 });
    assert.deepEqual(listener.calls.slice(1), [
      { kind: 'revoked', partitions: ALL },
      { kind: 'assigned', partitions: ALL, generationId: 2 },
    ]);
    assert.equal(joinsDuringRevoke, 0, 'eager: no JoinGroup until the revoke returned');
  });

  // Chaos defect D1: a coordinator failover (KRaft fences the dead broker after 9 s, then the new
  // coordinator loads the group and restarts its members' session clocks) longer than the session
  // timeout made every member drop its partitions, although the group still held them. As the Java
  // client, only the coordinator's answer (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) loses them.
  it('coordinator unreachable for longer than the session timeout: the assignment is kept, and heartbeats resume in the same generation', async () => {
    const { fake, group, listener, membership } = await setUp({ sessionTimeoutMs: 600, heartbeatIntervalMs: 50 });
    await membership.start();
    const lookups = membership.coordinator.lookups;
    await fake.dropBroker(1);
    // The outage itself: three session timeouts without an answer.
    await delay(1_800);
    assert.deepEqual(listener.kinds(), ['assigned'], 'nothing lost while the coordinator could not answer');
    assert.deepEqual(membership.assignment.map((tp) => tp.partition), ALL);
    assert.ok(membership.coordinator.lookups > lookups, 'the coordinator was looked up again');
    await fake.restoreBroker(1);
    const before = group.heartbeats.length;
    await eventually(() => group.heartbeats.length >= before + 3, { what: 'heartbeats answered again', timeoutMs: 10_000 });
    assert.ok(group.heartbeats.slice(before).every((h) => h.generationId === 1), 'same generation');
    assert.deepEqual(listener.kinds(), ['assigned']);
    assert.equal(group.joins.filter((j) => j.memberId !== '').length, 1, 'no rejoin');
    assert.deepEqual(membership.assignment.map((tp) => tp.partition), ALL);
  });

  it('coordinator back after the outage but the member expired there (UNKNOWN_MEMBER_ID): the assignment is lost, then regained', async () => {
    const { fake, listener, membership } = await setUp({ sessionTimeoutMs: 600, heartbeatIntervalMs: 50 });
    await membership.start();
    await fake.dropBroker(1);
    await delay(1_200);
    fake.fail('Heartbeat', 'UNKNOWN_MEMBER_ID');
    await fake.restoreBroker(1);
    await eventually(() => listener.calls.length >= 3, { what: 'reassigned', timeoutMs: 10_000 });
    assert.deepEqual(listener.calls[1], { kind: 'lost', partitions: ALL });
    assert.deepEqual(listener.calls[2], { kind: 'assigned', partitions: ALL, generationId: 2 });
  });

  it('commits carry generation and member id; partitions not owned are refused; fencing is typed', async () => {
    const { fake, group, membership } = await setUp();
    await membership.start();
    await membership.commitOffsets([
      { topic: TOPIC, partition: 1, offset: 10, leaderEpoch: 3 },
      { topic: TOPIC, partition: 2, offset: 20, leaderEpoch: -1, metadata: 'm' },
    ]);
    const [commit] = group.commits;
    assert.equal(commit?.generationIdOrMemberEpoch, 1);
    assert.equal(commit?.memberId, membership.memberId);
    assert.equal(commit?.topics[0]?.topicId, fake.topicId(TOPIC), 'v10 names the topic by id');
    assert.deepEqual(commit?.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.committedMetadata]), [
      [1, 10n, 3, ''],
      [2, 20n, -1, 'm'],
    ]);
    assert.deepEqual(await membership.fetchCommittedOffsets([{ topic: TOPIC, partition: 1 }, { topic: TOPIC, partition: 2 }, { topic: TOPIC, partition: 0 }]), new Map([
      ['t:1', 10],
      ['t:2', 20],
      ['t:0', null],
    ]));

    await assert.rejects(membership.commitOffsets([{ topic: TOPIC, partition: 7, offset: 1, leaderEpoch: -1 }]), (err: unknown) => {
      assert.ok(err instanceof PartitionNotOwnedError);
      assert.deepEqual(err.partitions, [{ topic: TOPIC, partition: 7 }]);
      return true;
    });
    assert.equal(group.commits.length, 1, 'nothing sent for a partition not owned');

    fake.fail('OffsetCommit', 'UNKNOWN_MEMBER_ID');
    await assert.rejects(membership.commitOffsets([{ topic: TOPIC, partition: 0, offset: 1, leaderEpoch: -1 }]), (err: unknown) => {
      assert.ok(err instanceof OffsetCommitError);
      assert.ok(isFencingError(err));
      assert.equal(err.errorName, 'UNKNOWN_MEMBER_ID');
      assert.deepEqual(err.failures.map((f) => f.partition), [0]);
      return true;
    });
    assert.equal(group.commits.length, 2, 'fencing is not retried');
  });

  it('stop: revokes everything, then LeaveGroup; idempotent', async () => {
    const { group, listener, membership } = await setUp();
    await membership.start();
    const memberId = membership.memberId;
    let leavesAtRevoke = -1;
    listener.revokedGate = async () => {
      leavesAtRevoke = group.leaves.length;
    };
    const first = membership.stop();
    assert.equal(membership.stop(), first);
    await first;
    assert.deepEqual(listener.kinds(), ['assigned', 'revoked']);
    assert.equal(leavesAtRevoke, 0, 'revoke before leave');
    assert.equal(group.leaves.length, 1);
    assert.deepEqual(group.leaves[0]?.members, [{ memberId, groupInstanceId: null, reason: 'the consumer is stopping' }]);
    assert.equal(membership.phase, 'stopped');
    const beats = group.heartbeats.length;
    await delay(150);
    assert.equal(group.heartbeats.length, beats, 'no heartbeat after stop');
  });

  it('a static member stops without LeaveGroup unless asked; its instance id is sent', async () => {
    const { group, membership } = await setUp({ groupInstanceId: 'instance-b' });
    await membership.start();
    assert.equal(group.joins.length, 1, 'a static member needs no MEMBER_ID_REQUIRED round');
    assert.equal(group.joins[0]?.groupInstanceId, 'instance-b');
    await membership.stop();
    assert.equal(group.leaves.length, 0);

    const second = await setUp({ groupInstanceId: 'instance-c' });
    await second.membership.start();
    await second.membership.stop({ leaveGroup: true });
    assert.deepEqual(second.group.leaves[0]?.members.map((m) => m.groupInstanceId), ['instance-c']);
  });

  it('stop during a JoinGroup held at the broker returns at once and still leaves', async () => {
    const { fake, group, listener, membership } = await setUp();
    await membership.start();
    fake.delay('JoinGroup', 60_000, { times: 1 }); // the broker holds the next JoinGroup
    fake.fail('Heartbeat', 'REBALANCE_IN_PROGRESS');
    await eventually(() => group.joins.length === 3, { what: 'the held join', timeoutMs: 5_000 });
    const started = Date.now();
    await membership.stop();
    assert.ok(Date.now() - started < 2_000, `stopped in ${Date.now() - started} ms`);
    assert.deepEqual(listener.kinds(), ['assigned', 'revoked']);
    assert.equal(group.leaves.length, 1, 'LeaveGroup went out on a new connection');
  });

  it('a commit fenced by the coordinator loses the assignment at once, without waiting for a heartbeat', async () => {
    const { fake, group, listener, membership } = await setUp({ heartbeatIntervalMs: 15_000, sessionTimeoutMs: 30_000 });
    await membership.start();
    const beats = group.heartbeats.length;
    // The group moved on without this member noticing: the coordinator expired it (generation 2, empty).
    assert.ok(fake.expireMember(GROUP, membership.memberId));
    await assert.rejects(membership.commitOffsets([{ topic: TOPIC, partition: 0, offset: 3, leaderEpoch: -1 }]), isFencingError);
    await eventually(() => listener.kinds().includes('lost'), { what: 'onLost', timeoutMs: 2_000 });
    await eventually(() => listener.calls.length >= 3, { what: 'rejoined', timeoutMs: 2_000 });
    assert.equal(group.heartbeats.length, beats, 'no heartbeat was needed');
    assert.deepEqual(listener.calls.slice(1), [
      { kind: 'lost', partitions: ALL },
      { kind: 'assigned', partitions: ALL, generationId: 3 },
    ]);
  });

  it('a commit answered ILLEGAL_GENERATION for a generation a cooperative rebalance left is retried in the new one, and the partitions stay', async () => {
    // The retry of a commit waits 1 s: time for the rejoin below to go first on the connection.
    const slowRetry = { ...fastRetry, initialBackoffMs: 1_000, maxBackoffMs: 1_000 };
    const { fake, group, listener, membership, errors } = await setUp({ assignors: ['cooperative-sticky'], heartbeatIntervalMs: 15_000, sessionTimeoutMs: 30_000 }, 1, { retry: slowRetry });
    await membership.start();
    const generation = membership.generationId;
    // The first attempt meets a coordinator still loading (retriable); meanwhile a rebalance starts
    // and this member rejoins, keeping every partition (cooperative, one member). The retry still
    // carries the generation being left, and is judged after the group moved on: ILLEGAL_GENERATION.
    fake.fail('OffsetCommit', 'COORDINATOR_LOAD_IN_PROGRESS');
    const committing = membership.commitOffsets([{ topic: TOPIC, partition: 1, offset: 42, leaderEpoch: -1 }]);
    await eventually(() => group.commits.length === 1, { what: 'the first attempt', timeoutMs: 2_000 });
    membership.requestRejoin('test');
    await committing;
    assert.equal(fake.committed(GROUP, TOPIC, 1), 42, 'the commit landed in the new generation');
    assert.deepEqual(
      group.commits.map((c) => c.generationIdOrMemberEpoch),
      [generation, generation, generation + 1],
    );
    assert.ok(!listener.kinds().includes('lost'), `no partition lost: ${listener.kinds().join(', ')}`);
    assert.deepEqual([...membership.assignment.map((p) => p.partition)].sort(), ALL);
    assert.deepEqual(errors, []);
  });

  it('the leader rejoins when a subscribed topic gains partitions', async () => {
    const { fake, group, listener, membership } = await setUp({}, 1, { metadataMaxAgeMs: 100 });
    await membership.start();
    assert.ok(membership.isLeader);
    const admin = new Admin({ brokers: fake.bootstrap });
    open.push({ stop: () => admin.close() });
    await admin.createPartitions([{ topic: TOPIC, count: 5 }]);
    await eventually(() => listener.calls.length >= 3, { what: 'the new partitions assigned', timeoutMs: 5_000 });
    assert.deepEqual(listener.calls.slice(1), [
      { kind: 'revoked', partitions: ALL },
      { kind: 'assigned', partitions: [0, 1, 2, 3, 4], generationId: 2 },
    ]);
    assert.equal(group.joins.at(-1)?.reason, 'partition count of a subscribed topic changed');
  });

  it('stop returns promptly while the coordinator cannot be found', async () => {
    // A lookup that would go on retrying for 10 s.
    const { fake, listener, membership } = await setUp({ sessionTimeoutMs: 600, heartbeatIntervalMs: 50 }, 1, { retry: { ...fastRetry, retries: 100_000 } });
    await membership.start();
    // The coordinator is lost: it disowns the group and no broker can name another.
    fake.fail('Heartbeat', 'NOT_COORDINATOR', { times: Infinity });
    fake.fail('FindCoordinator', 'COORDINATOR_NOT_AVAILABLE', { times: Infinity });
    // Once the coordinator is lost, the member rejoins (say its subscription changed), and its
    // JoinGroup waits for the coordinator lookup.
    const lookups = membership.coordinator.lookups;
    await eventually(() => membership.coordinator.lookups > lookups + 1, { what: 'the coordinator looked up again', timeoutMs: 5_000 });
    membership.requestRejoin('test');
    await eventually(() => membership.phase === 'joining' && membership.coordinator.lookups > lookups + 4, { what: 'the rejoin looking for the coordinator', timeoutMs: 5_000 });
    assert.deepEqual(listener.kinds(), ['assigned', 'revoked']);
    assert.equal(membership.phase, 'joining');
    const started = Date.now();
    await membership.stop();
    assert.ok(Date.now() - started < 2_000, `stopped in ${Date.now() - started} ms`);
  });

  it('a listener that throws is reported as ERR_LISTENER naming the listener, with what it threw as the cause; the member stays', async () => {
    const { listener, membership, errors } = await setUp();
    const thrown = new Error('stage set-up failed');
    listener.assignedGate = () => Promise.reject(thrown);
    await membership.start();
    await eventually(() => errors.length > 0, { what: 'the failure reported', timeoutMs: 5_000 });
    const [reported] = errors;
    assert.ok(reported instanceof KafkaStageError, String(reported));
    assert.equal(reported.code, 'ERR_LISTENER', 'a listener failure is no protocol violation of the broker');
    assert.equal(reported.cause, thrown);
    assert.match(reported.message, /onAssigned/);
    assert.equal(reported.retriable, false);
    assert.equal(membership.phase, 'stable');
  });
});
