/**
 * GroupMembership against a scripted coordinator, for the one case the shared fake cluster
 * (membership-fake-cluster.test.ts has every other membership test) cannot play: a coordinator
 * failover longer than the session timeout. Kafka fences a dead broker only after its session
 * (9 s by default); until the new coordinator has loaded the group, heartbeats cannot be answered
 * and FindCoordinator answers COORDINATOR_NOT_AVAILABLE, and the new coordinator starts every
 * member's session clock over when it loads the group. FakeKafkaCluster keeps a group's session
 * clocks running while its coordinator is unreachable (its coordinator moves at once), so the
 * member would be expired there; this script freezes the group instead, as the failover does.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import type { GroupMembershipOptions, MembershipListener } from '../../src/group/membership-contracts.js';
import type { TopicPartition } from '../../src/protocol/topic-partition.js';
import { GroupMembership } from '../../src/group/membership.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import type { RequestOut } from '../../src/protocol/schema.js';
import { FakeBroker, type FakeReply } from '../helpers/fake-broker.js';
import { eventually } from '../helpers/eventually.js';

const TOPIC = 't';
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const GROUP = 'g';
const ALL = [0, 1, 2];
const fastRetry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 30, deadlineMs: 10_000 };

type JoinRequest = RequestOut<typeof JoinGroup>;

/** A one-member classic group on one fake broker, its own coordinator; an outage is scripted by hand. */
class FakeGroup {
  generation = 0;
  memberId = '';
  /** Error codes FindCoordinator answers before answering properly. */
  findCodes: number[] = [];
  /** Codes for the next heartbeats. */
  heartbeatCodes: number[] = [];
  /** When set, heartbeats get this reply (e.g. 'close'). */
  heartbeatOverride: FakeReply | null = null;
  readonly joins: JoinRequest[] = [];
  readonly heartbeats: { generationId: number; memberId: string }[] = [];

  constructor(readonly broker: FakeBroker) {
    broker.handle(Metadata, () => ({ body: this.metadata() }));
    broker.handle(FindCoordinator, (req) => {
      const key = req.version >= 4 ? (req.decode().coordinatorKeys[0] ?? '') : req.decode().key;
      const errorCode = this.findCodes.shift() ?? 0;
      const entry = { nodeId: errorCode ? -1 : 1, host: broker.host, port: errorCode ? -1 : broker.port, errorCode, errorMessage: null };
      return { body: { throttleTimeMs: 0, ...entry, coordinators: [{ key, ...entry }] } };
    });
    broker.handle(JoinGroup, (req) => {
      const body = req.decode();
      this.joins.push(body);
      if (body.memberId === '' && body.groupInstanceId === null) return { body: joinReply(79, 'member-1', -1) };
      this.memberId = body.memberId || `static-${body.groupInstanceId}`;
      this.generation++;
      const [protocol] = body.protocols;
      return {
        body: {
          ...joinReply(0, this.memberId, this.generation),
          protocolName: protocol?.name ?? null,
          leader: this.memberId,
          members: [{ memberId: this.memberId, groupInstanceId: body.groupInstanceId, metadata: protocol?.metadata ?? Buffer.alloc(0) }],
        },
      };
    });
    broker.handle(SyncGroup, (req) => {
      const body = req.decode();
      const errorCode = body.generationId !== this.generation ? 22 : 0;
      const assignment = body.assignments.find((a) => a.memberId === body.memberId)?.assignment ?? Buffer.alloc(0);
      return { body: { throttleTimeMs: 0, errorCode, protocolType: 'consumer', protocolName: body.protocolName, assignment: errorCode ? Buffer.alloc(0) : assignment } };
    });
    broker.handle(Heartbeat, (req) => {
      if (this.heartbeatOverride) return this.heartbeatOverride;
      const body = req.decode();
      this.heartbeats.push({ generationId: body.generationId, memberId: body.memberId });
      let errorCode = this.heartbeatCodes.shift() ?? 0;
      if (errorCode === 0 && body.generationId !== this.generation) errorCode = 22;
      return { body: { throttleTimeMs: 0, errorCode } };
    });
    broker.handle(LeaveGroup, () => ({ body: { throttleTimeMs: 0, errorCode: 0, members: [] } }));
  }

  private metadata() {
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: this.broker.host, port: this.broker.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      clusterAuthorizedOperations: 0,
      topics: [
        {
          errorCode: 0,
          name: TOPIC,
          topicId: TOPIC_ID,
          isInternal: false,
          topicAuthorizedOperations: 0,
          partitions: ALL.map((i) => ({ errorCode: 0, partitionIndex: i, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
        },
      ],
    };
  }
}

function joinReply(errorCode: number, memberId: string, generationId: number) {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId,
    protocolType: 'consumer',
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [] as { memberId: string; groupInstanceId: string | null; metadata: Buffer }[],
  };
}

/** A listener that records every call. */
class RecordingListener implements MembershipListener {
  readonly calls: { kind: 'assigned' | 'revoked' | 'lost'; partitions: number[]; generationId?: number }[] = [];

  async onAssigned(partitions: readonly TopicPartition[], generationId: number): Promise<void> {
    this.calls.push({ kind: 'assigned', partitions: partitions.map((p) => p.partition), generationId });
  }

  async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.calls.push({ kind: 'revoked', partitions: partitions.map((p) => p.partition) });
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

async function setUp(options: Partial<GroupMembershipOptions>) {
  const broker = await FakeBroker.start();
  open.push(broker);
  const group = new FakeGroup(broker);
  const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry, requestTimeoutMs: 5_000 });
  open.push({ stop: () => cluster.close() });
  const listener = new RecordingListener();
  const membership = new GroupMembership(
    cluster,
    { groupId: GROUP, topics: [TOPIC], groupInstanceId: null, sessionTimeoutMs: 1_500, rebalanceTimeoutMs: 3_000, heartbeatIntervalMs: 40, assignors: ['range'], ...options },
    listener,
  );
  open.push({ stop: () => membership.stop() });
  return { group, listener, membership };
}


describe('GroupMembership through a coordinator failover', () => {
  // Chaos defect D1: a coordinator failover (KRaft fences the dead broker after 9 s, then the new
  // coordinator loads the group and restarts its members' session clocks) longer than the session
  // timeout made every member drop its partitions, although the group still held them. As the Java
  // client, only the coordinator's answer (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) loses them.
  it('coordinator unreachable for longer than the session timeout: the assignment is kept, and heartbeats resume in the same generation', async () => {
    const { group, listener, membership } = await setUp({ sessionTimeoutMs: 600, heartbeatIntervalMs: 50 });
    await membership.start();
    const lookups = membership.coordinator.lookups;
    group.heartbeatOverride = 'close';
    group.findCodes = Array.from({ length: 1000 }, () => 15);
    // The outage itself: three session timeouts without an answer.
    await delay(1_800);
    assert.deepEqual(listener.kinds(), ['assigned'], 'nothing lost while the coordinator could not answer');
    assert.deepEqual(membership.assignment.map((tp) => tp.partition), ALL);
    assert.ok(membership.coordinator.lookups > lookups, 'the coordinator was looked up again');
    group.heartbeatOverride = null;
    group.findCodes = [];
    const before = group.heartbeats.length;
    await eventually(() => group.heartbeats.length >= before + 3, { what: 'heartbeats answered again', timeoutMs: 10_000 });
    assert.ok(group.heartbeats.slice(before).every((h) => h.generationId === 1), 'same generation');
    assert.deepEqual(listener.kinds(), ['assigned']);
    assert.equal(group.joins.filter((j) => j.memberId !== '').length, 1, 'no rejoin');
    assert.deepEqual(membership.assignment.map((tp) => tp.partition), ALL);
  });

  it('coordinator back after the outage but the member expired there (UNKNOWN_MEMBER_ID): the assignment is lost, then regained', async () => {
    const { group, listener, membership } = await setUp({ sessionTimeoutMs: 600, heartbeatIntervalMs: 50 });
    await membership.start();
    group.heartbeatOverride = 'close';
    group.findCodes = Array.from({ length: 1000 }, () => 15);
    await delay(1_200);
    group.heartbeatCodes = [25];
    group.heartbeatOverride = null;
    group.findCodes = [];
    await eventually(() => listener.calls.length >= 3, { what: 'reassigned', timeoutMs: 10_000 });
    assert.deepEqual(listener.calls[1], { kind: 'lost', partitions: ALL });
    assert.deepEqual(listener.calls[2], { kind: 'assigned', partitions: ALL, generationId: 2 });
  });
});
