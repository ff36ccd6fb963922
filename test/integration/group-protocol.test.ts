/**
 * The classic group protocol against the real broker, one request at a time over plain
 * connections: FindCoordinator → JoinGroup (MEMBER_ID_REQUIRED, then joined) → SyncGroup with a
 * range assignment in the consumer protocol → Heartbeat → OffsetCommit → OffsetFetch →
 * DescribeGroups / ListGroups → LeaveGroup. Run at the highest versions both sides speak, at the
 * lowest, and at the last non-flexible ones, with dynamic and static members. Then mixed groups
 * with the Java console consumer: a Java-led range group (Java's bytes decode with our consumer
 * protocol, its RangeAssignor agrees with ours), and cooperative-sticky groups led by either side,
 * where partitions move in two phases and each side then consumes only its own partitions.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { assignCooperativeSticky, assignorMemberFromJoin, assignRange, type GroupAssignment, type TopicPartition } from '../../src/group/assignors/index.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  flattenTopicPartitions,
  groupByTopic,
} from '../../src/protocol/consumer-protocol.js';
import { Connection } from '../../src/network/connection.js';
import { resolveConnectionOptions } from '../../src/network/connection-options.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup, NEW_MEMBER_ID } from '../../src/protocol/apis/join-group.js';
import { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import { ListGroups } from '../../src/protocol/apis/list-groups.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { Producer } from '../../src/producer/producer.js';
import { KAFKA_ERROR_CODES } from '../../src/protocol/error-codes.js';
import type { AnyApi } from '../../src/protocol/schema.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { QUICK_JVM_OPTS } from '../helpers/java-tools.js';
import { eventually } from '../helpers/eventually.js';

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
/** A topic of its own for the Java interop cases, which produce to it. */
const interopTopic = uniqueTopic('group-interop');
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
  const conn = new Connection(resolveConnectionOptions({ host, port, clientId: CLIENT_ID }));
  return conn.connect().then(() => conn);
}

/**
 * Repeats `call` while the broker answers with one of `retriable` (a coordinator still loading
 * or being created on a fresh broker), backing off as a client must; gives up after 30 s.
 */
async function retrying<T>(call: () => Promise<T>, errorOf: (response: T) => number, retriable: string[]): Promise<T> {
  const codes = retriable.map(code);
  return eventually(
    async () => {
      const response = await call();
      return !codes.includes(errorOf(response)) && response;
    },
    { what: `an answer other than ${retriable.join(', ')}`, timeoutMs: 30_000, intervalMs: 200 },
  );
}

before(async () => {
  const [address] = testBrokers();
  const [host, port] = (address as string).split(':');
  admin = new Admin({ brokers: testBrokers() });
  await admin.connect();
  const [created] = await admin.createTopics([
    { topic, partitions: PARTITIONS },
    { topic: interopTopic, partitions: PARTITIONS },
  ]);
  topicId = created?.topicId ?? '';
  bootstrap = await connect(host as string, Number(port));
  const versions = await bootstrap.request(ApiVersions, ApiVersions.maxVersion, {});
  assert.equal(versions.errorCode, 0);
  brokerVersions = new Map(versions.apiKeys.map((k) => [k.apiKey, k]));
});

after(async () => {
  await admin.deleteTopics([topic, interopTopic]).catch(() => undefined);
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
    let joined = await join(NEW_MEMBER_ID);
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
  let state: string | undefined;
  await eventually(
    async () => {
      const described = await conn.request(DescribeGroups, versionOf(DescribeGroups, 'highest'), { groups: [groupId] });
      const group = described.groups[0];
      state = group?.groupState;
      return group !== undefined && ready(group);
    },
    { what: `group ${groupId} to be ready`, timeoutMs: 60_000, intervalMs: 200, progress: () => `state ${JSON.stringify(state)}` },
  );
}

const JAVA_TOOL = fileURLToPath(new URL('../../scripts/kafka/java-tool.sh', import.meta.url));
const JAVA_ASSIGNORS = {
  range: 'org.apache.kafka.clients.consumer.RangeAssignor',
  'cooperative-sticky': 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor',
} as const;

/** A Java console consumer in a group, printing `partition<TAB>value` lines, stopped with SIGTERM (it leaves the group). */
interface JavaPeer {
  /** Resolves once the consumer printed a line containing `text`; rejects if it exits first or after 60 s. */
  printed(text: string): Promise<void>;
  /** Everything printed so far. */
  output(): string;
  stop(): Promise<void>;
}

function startJavaConsumer(groupId: string, topicName: string, assignor: keyof typeof JAVA_ASSIGNORS): JavaPeer {
  const args = [
    'org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', testBrokers().join(','),
    '--topic', topicName, '--group', groupId, '--from-beginning', '--timeout-ms', '120000',
    '--consumer-property', `partition.assignment.strategy=${JAVA_ASSIGNORS[assignor]}`,
    '--consumer-property', 'client.id=java-peer',
    // Notices rebalances quickly, so the test does not wait out the default 3 s interval.
    '--consumer-property', 'heartbeat.interval.ms=300',
    '--property', 'print.partition=true',
  ];
  const child = spawn('bash', [JAVA_TOOL, ...args], { env: { ...process.env, KAFKA_TOOL_JVM_OPTS: QUICK_JVM_OPTS }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    async printed(text) {
      await eventually(() => out.includes(text), {
        what: `the Java consumer to print ${text}`,
        timeoutMs: 60_000,
        intervalMs: 100,
        progress: () => `printed:\n${out}`,
        hopeless: () => (gone ? `it exited:\n${err.slice(-2000)}` : undefined),
      });
    },
    output: () => out,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One member of ours, driven request by request at the highest versions, as a cooperative client would. */
class ManualMember {
  memberId = NEW_MEMBER_ID;
  generationId = -1;
  owned: TopicPartition[] = [];

  constructor(
    private readonly conn: Connection,
    private readonly groupId: string,
    private readonly topicName: string,
    private readonly assignor: keyof typeof JAVA_ASSIGNORS,
  ) {}

  /** Joins (twice when the coordinator first asks for a member id), subscribing with what it owns. */
  async join() {
    const request = () =>
      this.conn.request(JoinGroup, versionOf(JoinGroup, 'highest'), {
        groupId: this.groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 30_000,
        memberId: this.memberId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: [
          {
            name: this.assignor,
            metadata: encodeSubscription({ topics: [this.topicName], ownedPartitions: groupByTopic(this.owned), generationId: this.generationId }),
          },
        ],
      });
    let joined = await request();
    if (joined.errorCode === code('MEMBER_ID_REQUIRED')) {
      this.memberId = joined.memberId;
      joined = await request();
    }
    assert.equal(joined.errorCode, 0, 'JoinGroup');
    this.memberId = joined.memberId;
    this.generationId = joined.generationId;
    return joined;
  }

  /**
   * Syncs (sending `assignment` when leading) and keeps what it gets; null when the group began
   * another rebalance before the sync (REBALANCE_IN_PROGRESS): the member then rejoins.
   */
  async sync(assignment: GroupAssignment | null): Promise<TopicPartition[] | null> {
    const synced = await this.conn.request(SyncGroup, versionOf(SyncGroup, 'highest'), {
      groupId: this.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: this.assignor,
      assignments: [...(assignment ?? [])].map(([memberId, partitions]) => ({
        memberId,
        assignment: encodeAssignment({ assignedPartitions: groupByTopic(partitions) }),
      })),
    });
    if (synced.errorCode === code('REBALANCE_IN_PROGRESS')) return null;
    assert.equal(synced.errorCode, 0, 'SyncGroup');
    this.owned = flattenTopicPartitions(decodeAssignment(synced.assignment).assignedPartitions);
    return this.owned;
  }

  /** Heartbeats until the coordinator says a rebalance began (another member joined or rejoined). */
  async awaitRebalance(): Promise<void> {
    await eventually(
      async () => {
        const beat = await this.conn.request(Heartbeat, versionOf(Heartbeat, 'highest'), {
          groupId: this.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
        });
        if (beat.errorCode === code('REBALANCE_IN_PROGRESS')) return true;
        assert.equal(beat.errorCode, 0, 'Heartbeat');
        return false;
      },
      { what: 'a rebalance to begin', timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  async leave(): Promise<void> {
    const left = await this.conn.request(LeaveGroup, versionOf(LeaveGroup, 'highest'), { groupId: this.groupId, members: [{ memberId: this.memberId }] });
    assert.equal(left.errorCode, 0, 'LeaveGroup');
  }
}

/** The group as DescribeGroups shows it: each member's decoded subscription and assignment. */
async function describeMembers(conn: Connection, groupId: string) {
  const described = await conn.request(DescribeGroups, versionOf(DescribeGroups, 'highest'), { groups: [groupId] });
  const group = described.groups[0];
  assert.ok(group);
  return {
    state: group.groupState,
    protocol: group.protocolData,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.memberMetadata,
      subscription: decodeSubscription(m.memberMetadata),
      assigned: flattenTopicPartitions(decodeAssignment(m.memberAssignment).assignedPartitions).map((tp) => tp.partition).sort(),
    })),
  };
}

/** Writes one record per partition of the interop topic, valued `<tag>-p<partition>`. */
async function produceOnePerPartition(tag: string): Promise<void> {
  const producer = new Producer({ brokers: testBrokers() });
  try {
    await producer.connect();
    await Promise.all([0, 1, 2].map((partition) => producer.send(interopTopic, { partition, value: `${tag}-p${partition}` })));
  } finally {
    await producer.close();
  }
}

describe('mixed groups with the Java consumer', () => {
  it("range, Java leading: Java's subscription and assignment decode, and its RangeAssignor agrees with ours", async () => {
    const groupId = uniqueTopic('group-java-range');
    const java = startJavaConsumer(groupId, topic, 'range');
    const conn = await coordinatorOf(groupId, 'highest');
    try {
      await describeUntil(conn, groupId, (g) => g.groupState === 'Stable' && g.members.length === 1);
      const me = new ManualMember(conn, groupId, topic, 'range');
      // Completes once the Java member has rejoined the rebalance our join started.
      const joined = await me.join();
      assert.equal(joined.protocolName, 'range');
      assert.notEqual(joined.leader, joined.memberId, 'the Java member leads');
      assert.deepEqual(joined.members, [], 'followers get no member list');
      const mine = await me.sync(null);
      assert.ok(mine, 'no further rebalance expected');

      const group = await describeMembers(conn, groupId);
      assert.equal(group.state, 'Stable');
      assert.equal(group.members.length, 2);
      const javaMember = group.members.find((m) => m.memberId !== me.memberId);
      assert.ok(javaMember);
      assert.equal(javaMember.clientId, 'java-peer');
      assert.deepEqual(javaMember.subscription.topics, [topic]);
      assert.equal(javaMember.subscription.version, 3, 'the Java 4.x client writes subscription v3');
      assert.ok(javaMember.subscription.generationId >= 1, 'with the generation it last joined');
      assert.deepEqual(javaMember.subscription.ownedPartitions, [], 'an eager member revokes everything before rejoining');

      // Our range assignor over the same members gives what the Java leader gave.
      const expected = assignRange(
        group.members.map((m) => assignorMemberFromJoin(m, 'range')),
        new Map([[topic, PARTITIONS]]),
      );
      assert.deepEqual(mine, expected.get(me.memberId));
      assert.deepEqual(javaMember.assigned, expected.get(javaMember.memberId)?.map((tp) => tp.partition));
      assert.deepEqual([...mine.map((tp) => tp.partition), ...javaMember.assigned].sort(), [0, 1, 2], 'every partition once');
      await me.leave();
    } finally {
      await java.stop();
      await conn.close();
    }
  });

  it('cooperative-sticky, Java leading: a partition reaches us only after Java revoked it; the split matches ours', async () => {
    const groupId = uniqueTopic('group-java-coop');
    const java = startJavaConsumer(groupId, interopTopic, 'cooperative-sticky');
    const conn = await coordinatorOf(groupId, 'highest');
    try {
      await describeUntil(conn, groupId, (g) => g.groupState === 'Stable' && g.members.length === 1);
      const me = new ManualMember(conn, groupId, interopTopic, 'cooperative-sticky');
      const received: TopicPartition[][] = [];
      // Java owns all three: the first generation with us gives us nothing (Java must revoke
      // first), Java then revokes one and rejoins, and the next generation hands it to us.
      for (let round = 0; round < 5 && me.owned.length === 0; round++) {
        const joined = await me.join();
        assert.notEqual(joined.leader, me.memberId, 'the Java member leads');
        const got = await me.sync(null);
        if (got) received.push(got);
        if (me.owned.length === 0) await me.awaitRebalance();
      }
      assert.deepEqual(me.owned.map((tp) => tp.partition), [2], 'Java keeps its lowest partitions and gives up the highest');
      assert.ok(me.generationId >= 3, `a two-phase move takes two rebalances (generation ${me.generationId})`);
      assert.ok(received.slice(0, -1).every((r) => r.length === 0), 'nothing before the move completed');

      const group = await describeMembers(conn, groupId);
      const javaMember = group.members.find((m) => m.memberId !== me.memberId);
      assert.ok(javaMember);
      assert.equal(group.protocol, 'cooperative-sticky');
      assert.deepEqual(javaMember.assigned, [0, 1]);
      assert.deepEqual(javaMember.subscription.ownedPartitions, [{ topic: interopTopic, partitions: [0, 1] }], 'Java rejoined owning what it kept');
      // Our assignor over the same subscriptions keeps exactly this split.
      const ours = assignCooperativeSticky(
        group.members.map((m) => assignorMemberFromJoin(m, 'cooperative-sticky')),
        new Map([[interopTopic, PARTITIONS]]),
      );
      assert.deepEqual(ours.get(javaMember.memberId)?.map((tp) => tp.partition), [0, 1]);
      assert.deepEqual(ours.get(me.memberId)?.map((tp) => tp.partition), [2]);

      // Java consumes its partitions, not ours.
      await produceOnePerPartition('java-leads');
      await java.printed('java-leads-p0');
      await java.printed('java-leads-p1');
      await java.stop();
      assert.ok(!java.output().includes('java-leads-p2'), 'Java never read our partition');
      await me.leave();
    } finally {
      await java.stop();
      await conn.close();
    }
  });

  it('cooperative-sticky, kafka-stage leading: our assignor moves a partition to Java in two phases, Java consumes it', async () => {
    const groupId = uniqueTopic('group-ours-coop');
    const conn = await coordinatorOf(groupId, 'highest');
    const me = new ManualMember(conn, groupId, interopTopic, 'cooperative-sticky');
    const counts = new Map([[interopTopic, PARTITIONS]]);
    const lead = async () => {
      const joined = await me.join();
      assert.equal(joined.leader, me.memberId, 'we lead');
      assert.equal(joined.protocolName, 'cooperative-sticky');
      const members = joined.members.map((m) => assignorMemberFromJoin(m, 'cooperative-sticky'));
      return { members, assignment: assignCooperativeSticky(members, counts) };
    };
    // Alone first: we take all three partitions.
    const alone = await lead();
    assert.deepEqual(await me.sync(alone.assignment), [0, 1, 2].map((partition) => ({ topic: interopTopic, partition })));

    const java = startJavaConsumer(groupId, interopTopic, 'cooperative-sticky');
    try {
      await me.awaitRebalance();
      const first = await lead();
      assert.equal(first.members.length, 2, 'Java joined');
      const javaId = first.members.find((m) => m.memberId !== me.memberId)?.memberId as string;
      // We still hold partition 2: it is withheld from Java in this generation.
      assert.deepEqual(first.assignment.get(javaId), []);
      assert.deepEqual(first.assignment.get(me.memberId)?.map((tp) => tp.partition), [0, 1]);
      const kept = await me.sync(first.assignment);
      // We revoked partition 2, so we rejoin at once (a sync that met the next rebalance also rejoins).
      if (kept) assert.deepEqual(kept.map((tp) => tp.partition), [0, 1]);
      const second = await lead();
      const javaMember = second.members.find((m) => m.memberId === javaId);
      assert.ok(javaMember, 'Java rejoined');
      assert.deepEqual(javaMember.ownedPartitions, [], 'Java never held partition 2 in the meantime');
      assert.deepEqual(second.assignment.get(javaId)?.map((tp) => tp.partition), [2]);
      assert.deepEqual(await me.sync(second.assignment), [0, 1].map((partition) => ({ topic: interopTopic, partition })));

      // Java takes partition 2 and reads it, and only it.
      await produceOnePerPartition('we-lead');
      await java.printed('we-lead-p2');
      await java.stop();
      assert.ok(!/we-lead-p[01]/.test(java.output()), 'Java never read our partitions');
      await me.leave();
    } finally {
      await java.stop();
      await conn.close();
    }
  });
});
