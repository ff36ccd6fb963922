/**
 * The classic group protocol against the real broker, one request at a time over plain
 * connections: FindCoordinator → JoinGroup (MEMBER_ID_REQUIRED, then joined) → SyncGroup with a
 * range assignment in the consumer protocol → Heartbeat → OffsetCommit → OffsetFetch →
 * DescribeGroups / ListGroups → LeaveGroup. Run at the highest versions both sides speak, at the
 * lowest, and at the last non-flexible ones, with dynamic and static members. Then a group led by
 * the Java consumer: its subscription and assignment bytes decode with our consumer protocol, and
 * its RangeAssignor hands out what ours computes.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { assignorMemberFromJoin, assignRange } from '../../src/group/assignors/index.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  groupByTopic,
} from '../../src/group/consumer-protocol.js';
import { Connection } from '../../src/network/connection.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup, UNKNOWN_MEMBER_ID } from '../../src/protocol/apis/join-group.js';
import { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import { ListGroups } from '../../src/protocol/apis/list-groups.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { KAFKA_ERROR_CODES } from '../../src/protocol/error-codes.js';
import type { AnyApi } from '../../src/protocol/schema.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { QUICK_JVM_OPTS, runJavaTool } from '../helpers/java-tools.js';

const PARTITIONS = 3;
const CLIENT_ID = 'kafka-stage-group-test';

function code(name: string): number {
  const value = KAFKA_ERROR_CODES.get(name);
  assert.ok(value !== undefined, name);
  return value;
}

/** How to choose each API's version from the range both sides speak. */
type VersionChoice = 'highest' | 'lowest' | 'last non-flexible';

let admin: Admin;
let bootstrap: Connection;
let brokerVersions: Map<number, { minVersion: number; maxVersion: number }>;
const topic = uniqueTopic('group-protocol');
let topicId = '';

function versionOf(api: AnyApi, choice: VersionChoice): number {
  const broker = brokerVersions.get(api.apiKey);
  assert.ok(broker, `broker speaks ${api.name}`);
  const lo = Math.max(api.minVersion, broker.minVersion);
  const hi = Math.min(api.maxVersion, broker.maxVersion);
  assert.ok(lo <= hi, `${api.name}: no common version (ours ${api.minVersion}-${api.maxVersion}, broker ${broker.minVersion}-${broker.maxVersion})`);
  if (choice === 'highest') return hi;
  if (choice === 'lowest') return lo;
  return Math.max(lo, Math.min(hi, api.flexibleFrom - 1));
}

function connect(host: string, port: number): Promise<Connection> {
  const conn = new Connection({ host, port, clientId: CLIENT_ID });
  return conn.connect().then(() => conn);
}

/**
 * Repeats `call` while the broker answers with one of `retriable` (a coordinator still loading
 * or being created on a fresh broker), backing off as a client must; gives up after 30 s.
 */
async function retrying<T>(call: () => Promise<T>, errorOf: (response: T) => number, retriable: string[]): Promise<T> {
  const codes = retriable.map(code);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await call();
    if (!codes.includes(errorOf(response)) || Date.now() > deadline) return response;
    await delay(200);
  }
}

before(async () => {
  const [address] = testBrokers();
  const [host, port] = (address as string).split(':');
  admin = new Admin({ brokers: testBrokers() });
  await admin.connect();
  const [created] = await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  topicId = created?.topicId ?? '';
  bootstrap = await connect(host as string, Number(port));
  const versions = await bootstrap.request(ApiVersions, ApiVersions.maxVersion, {});
  assert.equal(versions.errorCode, 0);
  brokerVersions = new Map(versions.apiKeys.map((k) => [k.apiKey, k]));
});

after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
  await bootstrap.close();
});

/** Finds the group's coordinator and opens a connection to it. */
async function coordinatorOf(groupId: string, choice: VersionChoice): Promise<Connection> {
  const v = versionOf(FindCoordinator, choice);
  const body = v >= 4 ? { keyType: 0, coordinatorKeys: [groupId] } : { key: groupId, keyType: 0 };
  const found = await retrying(
    () => bootstrap.request(FindCoordinator, v, body),
    (r) => (v >= 4 ? (r.coordinators[0]?.errorCode ?? -1) : r.errorCode),
    ['COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'],
  );
  const coordinator = v >= 4 ? found.coordinators[0] : found;
  assert.ok(coordinator);
  assert.equal(coordinator.errorCode, 0, `FindCoordinator v${v}`);
  if (v >= 4) assert.equal(found.coordinators[0]?.key, groupId);
  return connect(coordinator.host, coordinator.port);
}

/** The whole life of a one-member group at the versions `choice` picks. */
async function groupLifecycle(choice: VersionChoice, groupInstanceId: string | null): Promise<void> {
  const groupId = uniqueTopic('group');
  const conn = await coordinatorOf(groupId, choice);
  try {
    const v = {
      join: versionOf(JoinGroup, choice),
      sync: versionOf(SyncGroup, choice),
      heartbeat: versionOf(Heartbeat, choice),
      commit: versionOf(OffsetCommit, choice),
      fetch: versionOf(OffsetFetch, choice),
      describe: versionOf(DescribeGroups, choice),
      list: versionOf(ListGroups, choice),
      leave: versionOf(LeaveGroup, choice),
    };
    if (groupInstanceId !== null) assert.ok(v.join >= 5 && v.sync >= 3 && v.heartbeat >= 3 && v.commit >= 7 && v.leave >= 3, 'static membership versions');
    const subscription = encodeSubscription({ topics: [topic] });

    // JoinGroup: a dynamic member's first join at v4+ only gets a member id to rejoin with.
    const join = (memberId: string) =>
      retrying(
        () =>
          conn.request(JoinGroup, v.join, {
            groupId,
            sessionTimeoutMs: 10_000,
            rebalanceTimeoutMs: 10_000,
            memberId,
            groupInstanceId,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocols: [{ name: 'range', metadata: subscription }],
            reason: 'group-protocol integration test',
          }),
        (r) => r.errorCode,
        ['COORDINATOR_LOAD_IN_PROGRESS'],
      );
    let joined = await join(UNKNOWN_MEMBER_ID);
    if (v.join >= 4 && groupInstanceId === null) {
      assert.equal(joined.errorCode, code('MEMBER_ID_REQUIRED'), `JoinGroup v${v.join} first join`);
      assert.ok(joined.memberId.length > 0, 'the coordinator hands out a member id');
      joined = await join(joined.memberId);
    }
    assert.equal(joined.errorCode, 0, `JoinGroup v${v.join}`);
    const { memberId, generationId } = joined;
    assert.ok(generationId >= 1);
    assert.equal(joined.leader, memberId, 'the only member leads');
    assert.equal(joined.protocolName, 'range');
    if (v.join >= 7) assert.equal(joined.protocolType, CONSUMER_PROTOCOL_TYPE);
    assert.equal(joined.members.length, 1);
    const [self] = joined.members;
    assert.equal(self?.memberId, memberId);
    if (v.join >= 5) assert.equal(self?.groupInstanceId, groupInstanceId);
    assert.deepEqual(decodeSubscription(self?.metadata as Buffer).topics, [topic]);

    // SyncGroup: the leader runs the range assignor and sends the result in the consumer protocol.
    const assignment = assignRange(
      joined.members.map((m) => assignorMemberFromJoin(m, 'range')),
      new Map([[topic, PARTITIONS]]),
    );
    const synced = await conn.request(SyncGroup, v.sync, {
      groupId,
      generationId,
      memberId,
      groupInstanceId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: 'range',
      assignments: [...assignment].map(([id, partitions]) => ({ memberId: id, assignment: encodeAssignment({ assignedPartitions: groupByTopic(partitions) }) })),
    });
    assert.equal(synced.errorCode, 0, `SyncGroup v${v.sync}`);
    if (v.sync >= 5) {
      assert.equal(synced.protocolType, CONSUMER_PROTOCOL_TYPE);
      assert.equal(synced.protocolName, 'range');
    }
    const received = decodeAssignment(synced.assignment);
    assert.deepEqual(received.assignedPartitions, [{ topic, partitions: [0, 1, 2] }]);

    // Heartbeat: fine in this generation, ILLEGAL_GENERATION in another (the broker reads our fields).
    const beat = (generation: number) => conn.request(Heartbeat, v.heartbeat, { groupId, generationId: generation, memberId, groupInstanceId });
    assert.equal((await beat(generationId)).errorCode, 0, `Heartbeat v${v.heartbeat}`);
    assert.equal((await beat(generationId + 5)).errorCode, code('ILLEGAL_GENERATION'));

    // OffsetCommit fenced by generation and member id.
    const commit = (generation: number) =>
      conn.request(OffsetCommit, v.commit, {
        groupId,
        generationIdOrMemberEpoch: generation,
        memberId,
        groupInstanceId,
        topics: [
          {
            name: topic,
            topicId,
            partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, committedOffset: BigInt(10 + p), committedLeaderEpoch: -1, committedMetadata: `meta-${p}` })),
          },
        ],
      });
    const stale = await commit(generationId + 5);
    assert.deepEqual(
      stale.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)),
      [code('ILLEGAL_GENERATION'), code('ILLEGAL_GENERATION'), code('ILLEGAL_GENERATION')],
    );
    const committed = await commit(generationId);
    assert.equal(committed.topics.length, 1);
    assert.deepEqual(
      committed.topics[0]?.partitions.map((p) => [p.partitionIndex, p.errorCode]).sort(),
      [
        [0, 0],
        [1, 0],
        [2, 0],
      ],
      `OffsetCommit v${v.commit}`,
    );

    // OffsetFetch gives the committed offsets and metadata back (one group, or a batch at v8+).
    const expectedOffsets = [0, 1, 2].map((p) => ({ partitionIndex: p, committedOffset: BigInt(10 + p), metadata: `meta-${p}`, errorCode: 0 }));
    const only = (partitions: { partitionIndex: number; committedOffset: bigint; metadata: string | null; errorCode: number }[]) =>
      partitions.map(({ partitionIndex, committedOffset, metadata, errorCode }) => ({ partitionIndex, committedOffset, metadata, errorCode })).sort((a, b) => a.partitionIndex - b.partitionIndex);
    if (v.fetch >= 8) {
      const fetched = await conn.request(OffsetFetch, v.fetch, {
        groups: [{ groupId, topics: [{ name: topic, topicId, partitionIndexes: [0, 1, 2] }] }],
        requireStable: true,
      });
      assert.equal(fetched.groups.length, 1);
      const [group] = fetched.groups;
      assert.equal(group?.groupId, groupId);
      assert.equal(group?.errorCode, 0, `OffsetFetch v${v.fetch}`);
      const [t] = group?.topics ?? [];
      if (v.fetch >= 10) assert.equal(t?.topicId, topicId);
      else assert.equal(t?.name, topic);
      assert.deepEqual(only(t?.partitions ?? []), expectedOffsets);
    } else {
      const fetched = await conn.request(OffsetFetch, v.fetch, { groupId, topics: [{ name: topic, partitionIndexes: [0, 1, 2] }], requireStable: true });
      assert.equal(fetched.errorCode, 0, `OffsetFetch v${v.fetch}`);
      assert.equal(fetched.topics[0]?.name, topic);
      assert.deepEqual(only(fetched.topics[0]?.partitions ?? []), expectedOffsets);
    }

    // DescribeGroups sees the stable group with our metadata and assignment.
    const described = await conn.request(DescribeGroups, v.describe, { groups: [groupId], includeAuthorizedOperations: false });
    const [group] = described.groups;
    assert.equal(group?.errorCode, 0, `DescribeGroups v${v.describe}`);
    assert.equal(group?.groupId, groupId);
    assert.equal(group?.groupState, 'Stable');
    assert.equal(group?.protocolType, CONSUMER_PROTOCOL_TYPE);
    assert.equal(group?.protocolData, 'range');
    assert.equal(group?.members.length, 1);
    const [member] = group?.members ?? [];
    assert.equal(member?.memberId, memberId);
    assert.equal(member?.clientId, CLIENT_ID);
    if (v.describe >= 4) assert.equal(member?.groupInstanceId, groupInstanceId);
    assert.deepEqual(decodeAssignment(member?.memberAssignment as Buffer).assignedPartitions, received.assignedPartitions);
    assert.deepEqual(decodeSubscription(member?.memberMetadata as Buffer).topics, [topic]);

    // ListGroups finds it (filtered by state and type where the version allows).
    const listed = await conn.request(ListGroups, v.list, { statesFilter: ['Stable'], typesFilter: ['classic'] });
    assert.equal(listed.errorCode, 0, `ListGroups v${v.list}`);
    const entry = listed.groups.find((g) => g.groupId === groupId);
    assert.ok(entry, 'group listed');
    assert.equal(entry.protocolType, CONSUMER_PROTOCOL_TYPE);
    if (v.list >= 4) assert.equal(entry.groupState, 'Stable');
    if (v.list >= 5) assert.equal(entry.groupType, 'classic');

    // LeaveGroup empties the group at once.
    if (v.leave >= 3) {
      const left = await conn.request(LeaveGroup, v.leave, { groupId, members: [{ memberId, groupInstanceId, reason: 'test done' }] });
      assert.equal(left.errorCode, 0, `LeaveGroup v${v.leave}`);
      assert.deepEqual(left.members, [{ memberId, groupInstanceId, errorCode: 0 }]);
    } else {
      const left = await conn.request(LeaveGroup, v.leave, { groupId, memberId });
      assert.equal(left.errorCode, 0, `LeaveGroup v${v.leave}`);
    }
    const after = await conn.request(DescribeGroups, v.describe, { groups: [groupId] });
    assert.equal(after.groups[0]?.groupState, 'Empty');
    assert.deepEqual(after.groups[0]?.members, []);
  } finally {
    await conn.close();
  }
}

describe('classic group protocol against the broker', () => {
  it('highest versions, dynamic member', () => groupLifecycle('highest', null));
  it('highest versions, static member', () => groupLifecycle('highest', `instance-${process.pid}-a`));
  it('lowest versions (plain encodings), dynamic member', () => groupLifecycle('lowest', null));
  it('last non-flexible versions, static member', () => groupLifecycle('last non-flexible', `instance-${process.pid}-b`));
});

/** Polls DescribeGroups until `ready` holds for the group (an external member joining), up to 60 s. */
async function describeUntil(
  conn: Connection,
  groupId: string,
  ready: (group: { groupState: string; members: unknown[] }) => boolean,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const described = await conn.request(DescribeGroups, versionOf(DescribeGroups, 'highest'), { groups: [groupId] });
    const group = described.groups[0];
    if (group && ready(group)) return;
    if (Date.now() > deadline) assert.fail(`group ${groupId} not ready: ${JSON.stringify(group?.groupState)}`);
    await delay(200);
  }
}

describe('a group led by the Java consumer', () => {
  it("decodes the Java member's subscription and assignment, and its RangeAssignor agrees with ours", async () => {
    const groupId = uniqueTopic('group-java');
    // The console consumer joins first (so it leads), then exits 15 s after its first poll finds nothing.
    const java = runJavaTool(
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      [
        '--bootstrap-server', testBrokers().join(','), '--topic', topic, '--group', groupId, '--timeout-ms', '15000',
        '--consumer-property', 'partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor',
        '--consumer-property', 'client.id=java-peer',
      ],
      { jvmOpts: QUICK_JVM_OPTS, killAfterMs: 120_000 },
    );
    const conn = await coordinatorOf(groupId, 'highest');
    try {
      await describeUntil(conn, groupId, (g) => g.groupState === 'Stable' && g.members.length === 1);
      const v = { join: versionOf(JoinGroup, 'highest'), sync: versionOf(SyncGroup, 'highest'), leave: versionOf(LeaveGroup, 'highest') };
      const join = (memberId: string) =>
        conn.request(JoinGroup, v.join, {
          groupId,
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 30_000,
          memberId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: [{ name: 'range', metadata: encodeSubscription({ topics: [topic] }) }],
        });
      const first = await join(UNKNOWN_MEMBER_ID);
      assert.equal(first.errorCode, code('MEMBER_ID_REQUIRED'));
      // Completes once the Java member has rejoined the rebalance our join started.
      const joined = await join(first.memberId);
      assert.equal(joined.errorCode, 0);
      assert.equal(joined.protocolName, 'range');
      assert.notEqual(joined.leader, joined.memberId, 'the Java member leads');
      assert.deepEqual(joined.members, [], 'followers get no member list');
      const synced = await conn.request(SyncGroup, v.sync, {
        groupId,
        generationId: joined.generationId,
        memberId: joined.memberId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: 'range',
        assignments: [],
      });
      assert.equal(synced.errorCode, 0);
      const mine = decodeAssignment(synced.assignment);

      const described = await conn.request(DescribeGroups, versionOf(DescribeGroups, 'highest'), { groups: [groupId] });
      const group = described.groups[0];
      assert.equal(group?.groupState, 'Stable');
      assert.equal(group?.members.length, 2);
      const javaMember = group?.members.find((m) => m.memberId !== joined.memberId);
      assert.ok(javaMember);
      assert.equal(javaMember.clientId, 'java-peer');
      const javaSubscription = decodeSubscription(javaMember.memberMetadata);
      assert.deepEqual(javaSubscription.topics, [topic]);
      assert.equal(javaSubscription.version, 3, 'the Java 4.x client writes subscription v3');
      assert.ok(javaSubscription.generationId >= 1, 'with the generation it last joined');
      assert.deepEqual(javaSubscription.ownedPartitions, [], 'an eager member revokes everything before rejoining');
      const javaAssignment = decodeAssignment(javaMember.memberAssignment);

      // Our range assignor over the same members gives what the Java leader gave.
      const expected = assignRange(
        (group?.members ?? []).map((m) => assignorMemberFromJoin({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.memberMetadata }, 'range')),
        new Map([[topic, PARTITIONS]]),
      );
      assert.deepEqual(mine.assignedPartitions, groupByTopic(expected.get(joined.memberId) ?? []));
      assert.deepEqual(javaAssignment.assignedPartitions, groupByTopic(expected.get(javaMember.memberId) ?? []));
      const all = [...mine.assignedPartitions, ...javaAssignment.assignedPartitions].flatMap((t) => t.partitions).sort();
      assert.deepEqual(all, [0, 1, 2], 'every partition once, no overlap');

      const left = await conn.request(LeaveGroup, v.leave, { groupId, members: [{ memberId: joined.memberId }] });
      assert.equal(left.errorCode, 0);
    } finally {
      await conn.close();
      await java;
    }
  });
});
