/**
 * A consumer group mixing kafka-stage members (GroupMembership) with a Java console consumer that
 * shares their assignor: once the group is stable, DescribeGroups (assignments decoded with our
 * consumer protocol) shows every partition owned by exactly one member, the Java member among the
 * owners, and our members holding what the coordinator says they hold. Range with kafka-stage
 * leading; cooperative-sticky with Java leading. One JVM per case.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { Cluster } from '../../src/cluster/cluster.js';
import type { MembershipListener } from '../../src/group/membership-contracts.js';
import type { TopicPartition } from '../../src/consumer/contracts.js';
import type { AssignorName } from '../../src/group/assignors/index.js';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription, flattenTopicPartitions } from '../../src/protocol/consumer-protocol.js';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { GroupMembership } from '../../src/group/membership.js';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { QUICK_JVM_OPTS } from '../helpers/java-tools.js';
import { eventually } from '../helpers/eventually.js';

const PARTITIONS = 6;
const JAVA_TOOL = fileURLToPath(new URL('../../scripts/kafka/java-tool.sh', import.meta.url));
const JAVA_ASSIGNOR: Record<'range' | 'cooperative-sticky', string> = {
  range: 'org.apache.kafka.clients.consumer.RangeAssignor',
  'cooperative-sticky': 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor',
};

let admin: Admin;
let cluster: Cluster;
const topic = uniqueTopic('mixed-java');

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.connect();
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  cluster = new Cluster({ brokers: testBrokers(), clientId: 'mixed-java-test' });
});

after(async () => {
  await cluster.close();
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

/** A Java console consumer in `groupId`; stopped with SIGTERM, on which it leaves the group. */
function startJavaConsumer(groupId: string, assignor: 'range' | 'cooperative-sticky') {
  const args = [
    'org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', testBrokers().join(','),
    '--topic', topic, '--group', groupId, '--timeout-ms', '180000',
    '--consumer-property', `partition.assignment.strategy=${JAVA_ASSIGNOR[assignor]}`,
    '--consumer-property', 'client.id=java-peer',
    '--consumer-property', 'heartbeat.interval.ms=500',
    '--consumer-property', 'session.timeout.ms=10000',
  ];
  const child = spawn('bash', [JAVA_TOOL, ...args], { env: { ...process.env, KAFKA_TOOL_JVM_OPTS: QUICK_JVM_OPTS }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    get gone() {
      return gone;
    },
    stderr: () => stderr,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A listener that only keeps what it owns. */
class Holder implements MembershipListener {
  readonly owned = new Set<number>();
  async onAssigned(partitions: readonly TopicPartition[]): Promise<void> {
    for (const p of partitions) this.owned.add(p.partition);
  }
  async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    for (const p of partitions) this.owned.delete(p.partition);
  }
  async onLost(partitions: readonly TopicPartition[]): Promise<void> {
    for (const p of partitions) this.owned.delete(p.partition);
  }
}

function member(groupId: string, assignor: AssignorName, name: string): { membership: GroupMembership; holder: Holder; errors: Error[] } {
  const holder = new Holder();
  const membership = new GroupMembership(
    cluster,
    { groupId, topics: [topic], groupInstanceId: null, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, heartbeatIntervalMs: 500, assignors: [assignor] },
    holder,
  );
  const errors: Error[] = [];
  membership.on('error', (e) => errors.push(new Error(`${name}: ${e.message}`)));
  return { membership, holder, errors };
}

interface DescribedMember {
  memberId: string;
  clientId: string;
  topics: string[];
  partitions: number[];
}

/**
 * Polls DescribeGroups until the group is Stable with `count` members whose assignments cover
 * every partition; returns the members with decoded subscriptions and assignments.
 */
async function stableSplit(coordinator: GroupCoordinator, count: number, protocol: string, java: { gone: boolean; stderr(): string }): Promise<DescribedMember[]> {
  let last = '';
  return eventually(
    async () => {
      const { response } = await coordinator.request(DescribeGroups, () => ({ groups: [coordinator.groupId], includeAuthorizedOperations: false }));
      const group = response.groups[0];
      assert.ok(group);
      // GROUP_ID_NOT_FOUND (69): nobody has joined yet.
      if (group.errorCode !== 69) assert.equal(group.errorCode, 0);
      last = group.errorCode === 69 ? 'no group yet' : `${group.groupState}, ${group.members.length} members`;
      if (group.errorCode === 0 && group.groupState === 'Stable' && group.members.length === count) {
        assert.equal(group.protocolType, CONSUMER_PROTOCOL_TYPE);
        assert.equal(group.protocolData, protocol);
        const members = group.members.map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          topics: decodeSubscription(m.memberMetadata).topics,
          partitions: flattenTopicPartitions(decodeAssignment(m.memberAssignment).assignedPartitions).map((tp) => {
            assert.equal(tp.topic, topic);
            return tp.partition;
          }),
        }));
        if (members.reduce((n, m) => n + m.partitions.length, 0) >= PARTITIONS) return members;
      }
      return false;
    },
    {
      what: `the group to settle with ${count} members covering ${PARTITIONS} partitions`,
      timeoutMs: 120_000,
      intervalMs: 250,
      progress: () => `last: ${last}`,
      hopeless: () => (java.gone ? `the Java consumer exited:\n${java.stderr().slice(-2000)}` : undefined),
    },
  );
}

function checkSplit(members: DescribedMember[], ours: { membership: GroupMembership; holder: Holder }[]): void {
  const all = members.flatMap((m) => m.partitions).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: PARTITIONS }, (_, i) => i), 'every partition exactly once');
  const java = members.filter((m) => m.clientId === 'java-peer');
  assert.equal(java.length, 1, 'the Java member is in the group');
  assert.ok((java[0] as DescribedMember).partitions.length > 0, 'the Java member owns some partitions');
  for (const m of members) assert.deepEqual(m.topics, [topic]);
  for (const { membership, holder } of ours) {
    const described = members.find((m) => m.memberId === membership.memberId);
    assert.ok(described, `our member ${membership.memberId} is in the group`);
    const mine = membership.assignment.map((p) => p.partition).sort((a, b) => a - b);
    assert.deepEqual(mine, [...described.partitions].sort((a, b) => a - b), 'our member holds what the coordinator says');
    assert.deepEqual([...holder.owned].sort((a, b) => a - b), mine, 'and its listener was told so');
  }
}

/** Waits until our members are stable in the generation DescribeGroups saw (their SyncGroup may lag it briefly). */
async function ourMembersStable(ours: { membership: GroupMembership }[]): Promise<void> {
  await eventually(() => ours.every((m) => m.membership.phase === 'stable') && new Set(ours.map((m) => m.membership.generationId)).size === 1, {
    what: 'our members to be stable in one generation',
    timeoutMs: 30_000,
    intervalMs: 50,
    progress: () => `phases: ${ours.map((m) => m.membership.phase).join(', ')}`,
  });
}

describe('a group of kafka-stage members and a Java consumer', () => {
  it('range, kafka-stage leading: the partitions split with no overlap and none unowned', async () => {
    const groupId = uniqueTopic('mixed-range');
    const ours = [member(groupId, 'range', 'a'), member(groupId, 'range', 'b')];
    const coordinator = new GroupCoordinator(cluster, groupId);
    let java: ReturnType<typeof startJavaConsumer> | null = null;
    try {
      // Ours first, so that one of them leads and assigns the Java member its share.
      for (const m of ours) await m.membership.start();
      java = startJavaConsumer(groupId, 'range');
      const members = await stableSplit(coordinator, 3, 'range', java);
      await ourMembersStable(ours);
      const again = await stableSplit(coordinator, 3, 'range', java);
      checkSplit(again, ours);
      assert.ok(members.length === 3);
      assert.ok(ours.some((m) => m.membership.isLeader), 'one of ours leads');
      assert.deepEqual(ours.flatMap((m) => m.errors), []);
    } finally {
      await java?.stop();
      for (const m of ours) await m.membership.stop();
      await coordinator.close();
    }
  });

  it('cooperative-sticky, Java leading: the partitions split with no overlap and none unowned', async () => {
    const groupId = uniqueTopic('mixed-coop');
    const ours = [member(groupId, 'cooperative-sticky', 'a'), member(groupId, 'cooperative-sticky', 'b')];
    const coordinator = new GroupCoordinator(cluster, groupId);
    const java = startJavaConsumer(groupId, 'cooperative-sticky');
    try {
      // Java joins alone first and takes everything; ours then join and partitions move over in two phases.
      const alone = await stableSplit(coordinator, 1, 'cooperative-sticky', java);
      assert.equal(alone[0]?.partitions.length, PARTITIONS);
      for (const m of ours) await m.membership.start();
      await stableSplit(coordinator, 3, 'cooperative-sticky', java);
      await ourMembersStable(ours);
      const members = await stableSplit(coordinator, 3, 'cooperative-sticky', java);
      checkSplit(members, ours);
      assert.ok(ours.every((m) => !m.membership.isLeader), 'the Java member leads');
      assert.deepEqual(members.map((m) => m.partitions.length).sort(), [2, 2, 2], 'balanced');
      assert.deepEqual(ours.flatMap((m) => m.errors), []);
    } finally {
      await java.stop();
      for (const m of ours) await m.membership.stop();
      await coordinator.close();
    }
  });
});
