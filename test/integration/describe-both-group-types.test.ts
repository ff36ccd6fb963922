/**
 * Both kinds of group side by side on the real broker: a consumer group of the KIP-848 protocol (a
 * Java console consumer with `group.protocol=consumer`, or our own members) and a classic group (our
 * ConsumerGroup), as the admin client and the `kafka-stage group describe|list` binary report them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { GroupNotEmptyError } from '../../src/admin/errors.js';
import type { ConsumerGroupDescription, GroupDescription } from '../../src/admin/group-description.js';
import type { GroupListing, GroupOffsetsDescription } from '../../src/admin/groups.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import type { ConsumerGroupOptions } from '../../src/consumer/options.js';
import { runCli } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';
import { QUICK_JVM_OPTS } from '../helpers/java-tools.js';
import { useFilledTopic } from '../helpers/test-admin.js';

const b = ['-b', testBrokers().join(',')];
const topic = uniqueTopic('both-types');
const PARTITIONS = 3;
const admin = useFilledTopic(
  testBrokers(),
  topic,
  PARTITIONS,
  Array.from({ length: 9 }, (_, i) => ({ value: `v${i}`, partition: i % PARTITIONS })),
);
const allPartitions = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }));

/** A Java console consumer in `groupId` speaking the consumer protocol; SIGTERM makes it leave. */
function startKip848JavaConsumer(groupId: string): { stderr: () => string; gone: () => boolean; stop: () => Promise<void> } {
  const tool = fileURLToPath(new URL('../../scripts/kafka/java-tool.sh', import.meta.url));
  const child = spawn(
    'bash',
    [tool, 'org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', b[1] as string, '--topic', topic, '--group', groupId,
      '--from-beginning', '--timeout-ms', '180000', '--consumer-property', 'group.protocol=consumer', '--consumer-property', 'client.id=kip848-java'],
    { env: { ...process.env, KAFKA_TOOL_JVM_OPTS: QUICK_JVM_OPTS }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let exited = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  void closed.then(() => (exited = true));
  return {
    stderr: () => stderr,
    gone: () => exited,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await closed;
    },
  };
}

/** A member of ours that has been assigned partitions (classic unless `options` say otherwise). */
async function startMember(groupId: string, options: Partial<ConsumerGroupOptions> = { topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }): Promise<ConsumerGroup> {
  let assigned!: () => void;
  const joined = new Promise<void>((resolve) => (assigned = resolve));
  const group = new ConsumerGroup({ brokers: testBrokers(), groupId, autoOffsetReset: 'earliest', ...options }, async (stage) => {
    assigned();
    for await (const batch of stage.batches()) await stage.ack(batch);
  });
  await group.start();
  await joined;
  return group;
}

/** Waits until the group is a consumer group whose one member has reconciled to every partition. */
async function settledConsumerGroup(groupId: string, javaGone: () => string | undefined): Promise<ConsumerGroupDescription> {
  let last: GroupDescription | undefined;
  return eventually(
    async () => {
      const d = (last = await admin().describeGroup(groupId));
      const m = d.type === 'consumer' ? d.members[0] : undefined;
      const settled = d.type === 'consumer' && d.state === 'Stable' && d.members.length === 1 && m?.assignment.length === PARTITIONS;
      return settled ? d : false;
    },
    { what: `consumer group ${groupId} to be Stable with one member owning all ${PARTITIONS} partitions`, timeoutMs: 60_000, intervalMs: 200, progress: () => JSON.stringify(last), hopeless: javaGone },
  );
}

test('a KIP-848 group and a classic group: the admin client and the CLI describe each with its type; group list names both types', async () => {
  const consumerGroupId = uniqueTopic('both-types-kip848');
  const classicGroupId = uniqueTopic('both-types-classic');
  const java = startKip848JavaConsumer(consumerGroupId);
  let classic: ConsumerGroup | null = null;
  try {
    classic = await startMember(classicGroupId);
    const d = await settledConsumerGroup(consumerGroupId, () => (java.gone() ? `the Java consumer exited:\n${java.stderr().slice(-2000)}` : undefined));

    // The admin client: epochs, the broker's default assignor, the member's subscription and assignment.
    assert.equal(d.protocolType, 'consumer');
    assert.equal(d.protocol, 'uniform');
    assert.ok(d.groupEpoch > 0, `group epoch ${d.groupEpoch}`);
    assert.equal(d.assignmentEpoch, d.groupEpoch);
    const [member] = d.members;
    assert.ok(member);
    assert.ok(member.memberEpoch > 0, `member epoch ${member.memberEpoch}`);
    assert.equal(member.memberEpoch, d.assignmentEpoch);
    assert.equal(member.clientId, 'kip848-java');
    assert.equal(member.groupInstanceId, null);
    assert.deepEqual(member.subscribedTopicNames, [topic]);
    assert.equal(member.subscribedTopicRegex, null);
    assert.deepEqual(member.assignment, allPartitions);
    assert.deepEqual(member.targetAssignment, allPartitions);
    assert.equal(member.memberType, 'consumer');

    // The classic group is described as before, with its type.
    const c = await admin().describeGroup(classicGroupId);
    assert.equal(c.type, 'classic');
    assert.equal(c.state, 'Stable');
    assert.equal(c.protocolType, 'consumer');
    assert.deepEqual(
      c.members.flatMap((m) => m.assignment),
      allPartitions,
    );

    // A consumer group with a member is not empty: its offsets are not changed from outside.
    await assert.rejects(admin().alterGroupOffsets(consumerGroupId, [{ topic, partition: 0, offset: 0 }]), (err: unknown) => err instanceof GroupNotEmptyError && /Stable/.test(err.message));

    // The CLI: --json is the admin's description with the lag table; text names type, assignor, epochs.
    const json = await runCli(['group', 'describe', '-G', consumerGroupId, '--json', ...b]);
    assert.equal(json.code, 0, json.stderr);
    const described = JSON.parse(json.stdout) as GroupOffsetsDescription;
    assert.equal(described.type, 'consumer');
    assert.equal(described.type === 'consumer' && described.members[0]?.memberEpoch, member.memberEpoch);
    assert.deepEqual(described.type === 'consumer' && described.members[0]?.targetAssignment, allPartitions);
    assert.deepEqual(
      described.partitions.map((p) => [p.partition, p.memberId]),
      allPartitions.map((p) => [p.partition, member.memberId]),
    );
    const text = await runCli(['group', 'describe', '-G', consumerGroupId, ...b]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines[0] as string, new RegExp(`^group ${consumerGroupId}  type consumer  state Stable  assignor uniform  group epoch ${d.groupEpoch}  assignment epoch ${d.groupEpoch}  coordinator \\d+  members 1  total lag \\d+$`));
    const memberRow = lines.find((l) => l.startsWith(member.memberId));
    assert.deepEqual(memberRow?.split(/\s+/), [member.memberId, '-', 'kip848-java', member.clientHost, String(member.memberEpoch), topic, `${topic}:0,1,2`, `${topic}:0,1,2`]);
    const classicText = await runCli(['group', 'describe', '-G', classicGroupId, ...b]);
    assert.equal(classicText.code, 0, classicText.stderr);
    assert.match(classicText.stdout, new RegExp(`^group ${classicGroupId}  type classic  state Stable  protocol \\S+  coordinator`));

    // group list: both, each with its type.
    const listed = await runCli(['group', 'list', '--json', ...b]);
    assert.equal(listed.code, 0, listed.stderr);
    const types = new Map((JSON.parse(listed.stdout) as GroupListing[]).map((g) => [g.groupId, g.type]));
    assert.equal(types.get(consumerGroupId), 'consumer');
    assert.equal(types.get(classicGroupId), 'classic');
    const table = await runCli(['group', 'list', ...b]);
    assert.equal(table.code, 0, table.stderr);
    const rows = table.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(rows[0], ['GROUP', 'STATE', 'PROTOCOL-TYPE', 'TYPE']);
    assert.deepEqual(rows.find((r) => r[0] === consumerGroupId), [consumerGroupId, 'Stable', 'consumer', 'consumer']);
    assert.deepEqual(rows.find((r) => r[0] === classicGroupId), [classicGroupId, 'Stable', 'consumer', 'classic']);

    // Once its member left, the consumer group is Empty, still of its type, and its offsets may be
    // set from outside; deleted, it is no group at all.
    await java.stop();
    await eventually(async () => (await admin().describeGroup(consumerGroupId)).state === 'Empty', { what: 'the consumer group to be Empty', timeoutMs: 30_000, intervalMs: 200 });
    const empty = await admin().describeGroup(consumerGroupId);
    assert.equal(empty.type, 'consumer');
    assert.deepEqual(empty.members, []);
    await admin().alterGroupOffsets(consumerGroupId, [{ topic, partition: 1, offset: 1 }]);
    assert.deepEqual(
      (await admin().fetchGroupOffsets(consumerGroupId)).map((o) => [o.partition, o.offset]),
      [[0, 3], [1, 1], [2, 3]],
    );
    await admin().deleteGroups([consumerGroupId]);
    const gone = await admin().describeGroup(consumerGroupId);
    assert.deepEqual([gone.type, gone.state], ['classic', 'Dead']);
  } finally {
    await java.stop();
    await classic?.stop();
  }
});

test('our own members under the consumer protocol: each described with its id, epoch, instance id, subscription (names or regex) and the range assignor', async () => {
  const groupId = uniqueTopic('both-types-ours');
  const members: ConsumerGroup[] = [];
  try {
    members.push(await startMember(groupId, { groupProtocol: 'consumer', serverAssignor: 'range', topics: [topic], groupInstanceId: 'ours-static' }));
    // Anchored by the broker (RE2/J full match): the topic's own name, dots escaped.
    const regex = topic.replaceAll('.', '\\.');
    members.push(await startMember(groupId, { groupProtocol: 'consumer', serverAssignor: 'range', topicRegex: regex }));
    let last: GroupDescription | undefined;
    const d = await eventually(
      async () => {
        const g = (last = await admin().describeGroup(groupId));
        if (g.type !== 'consumer' || g.state !== 'Stable' || g.members.length !== 2) return false;
        const settled = g.members.every((m) => m.assignment.length > 0 && JSON.stringify(m.assignment) === JSON.stringify(m.targetAssignment));
        // Our members' own view of their epoch agrees with the coordinator's.
        const epochs = members.every((ours) => g.members.find((m) => m.memberId === ours.memberId)?.memberEpoch === ours.generationId);
        return settled && epochs && g;
      },
      { what: 'both members Stable, reconciled, at the epochs they know', timeoutMs: 60_000, intervalMs: 200, progress: () => JSON.stringify(last) },
    );
    assert.equal(d.protocol, 'range');
    assert.deepEqual(
      d.members.flatMap((m) => m.assignment).sort((a, b) => a.partition - b.partition),
      allPartitions,
    );
    const [byName, byRegex] = members.map((ours) => d.members.find((m) => m.memberId === ours.memberId));
    assert.ok(byName && byRegex, `members ${d.members.map((m) => m.memberId).join(', ')}`);
    assert.equal(byName.groupInstanceId, 'ours-static');
    assert.deepEqual([byName.subscribedTopicNames, byName.subscribedTopicRegex], [[topic], null]);
    assert.equal(byRegex.groupInstanceId, null);
    assert.deepEqual([byRegex.subscribedTopicNames, byRegex.subscribedTopicRegex], [[], regex]);
    for (const m of d.members) assert.equal(m.memberType, 'consumer');

    const text = await runCli(['group', 'describe', '-G', groupId, ...b]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^group ${groupId}  type consumer  state Stable  assignor range  `));
    const row = (id: string) => text.stdout.split('\n').find((l) => l.startsWith(id))?.split(/\s+/);
    assert.deepEqual(row(byName.memberId)?.slice(1, 6), ['ours-static', 'kafka-stage', byName.clientHost, String(byName.memberEpoch), topic]);
    assert.deepEqual(row(byRegex.memberId)?.slice(1, 6), ['-', 'kafka-stage', byRegex.clientHost, String(byRegex.memberEpoch), `/${regex}/`]);
  } finally {
    await Promise.all(members.map((m) => m.stop()));
  }
});
