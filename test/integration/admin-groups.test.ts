/**
 * The admin client's group helpers against the real broker: describeGroup, fetchGroupOffsets,
 * describeGroupOffsets (committed, log end, lag) and listGroups. Commits are made by hand as a
 * non-member (generation -1), and a member joins by hand with JoinGroup/SyncGroup, so these tests
 * depend only on the protocol layer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { findGroupCoordinator } from '../../src/admin/groups.js';
import { CONSUMER_PROTOCOL_TYPE, encodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { JoinGroup, NEW_MEMBER_ID } from '../../src/protocol/apis/join-group.js';
import { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { KAFKA_ERROR_CODES } from '../../src/protocol/error-codes.js';
import { kafkaError } from '../../src/protocol/kafka-error.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const topic = uniqueTopic('admin-groups');
const other = uniqueTopic('admin-groups-other');
/** Records produced to partitions 0, 1, 2 of `topic`; 4 to `other`'s only partition. */
const PER_PARTITION = [30, 20, 10];
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.createTopics([
    { topic, partitions: 3 },
    { topic: other, partitions: 1 },
  ]);
  const producer = new Producer({ brokers: testBrokers() });
  try {
    const sends: Promise<unknown>[] = [];
    PER_PARTITION.forEach((n, partition) => {
      for (let i = 0; i < n; i++) sends.push(producer.send(topic, { value: `p${partition}-${i}`, partition }));
    });
    for (let i = 0; i < 4; i++) sends.push(producer.send(other, { value: `o-${i}` }));
    await Promise.all(sends);
  } finally {
    await producer.close();
  }
});

after(async () => {
  await admin.deleteTopics([topic, other]).catch(() => undefined);
  await admin.close();
});

/** Commits as a non-member (generation -1, no member id), as a standalone consumer may. */
async function commitAsNonMember(groupId: string, offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
  const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint; committedMetadata: string | null }[]>();
  for (const o of offsets) {
    byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedMetadata: `m${o.partition}` }]);
  }
  // A fresh broker answers COORDINATOR_NOT_AVAILABLE while it creates the offsets topic, then
  // COORDINATOR_LOAD_IN_PROGRESS while it loads it: both retriable, so the commit is retried whole.
  await admin.cluster.withRetry('commit as a non-member', async () => {
    const coordinator = await findGroupCoordinator(admin.cluster, groupId);
    // OffsetCommit v10 (Kafka 4.4) names topics by id: send both, the schema writes the one the version has.
    const ids = new Map(await Promise.all([...byTopic.keys()].map(async (name) => [name, (await admin.cluster.topic(name)).topicId] as const)));
    const response = await admin.cluster.request(coordinator, OffsetCommit, () => ({
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [...byTopic].map(([name, partitions]) => ({ name, topicId: ids.get(name) ?? '', partitions })),
    }));
    for (const t of response.topics) {
      for (const p of t.partitions) {
        const err = kafkaError(p.errorCode, { topic: t.name, partition: p.partitionIndex });
        if (err) throw err;
      }
    }
  });
}

test('describeGroupOffsets: committed offset, log end and lag per committed partition; totalLag; an empty group has no members', async () => {
  const groupId = uniqueTopic('admin-groups-g');
  await commitAsNonMember(groupId, [
    { topic, partition: 0, offset: 12 },
    { topic, partition: 2, offset: 10 },
    { topic: other, partition: 0, offset: 1 },
  ]);
  const d = await admin.describeGroupOffsets(groupId);
  assert.equal(d.groupId, groupId);
  assert.equal(d.state, 'Empty');
  assert.deepEqual(d.members, []);
  assert.ok(Number.isInteger(d.coordinator) && d.coordinator >= 0);
  // Sorted by topic, then partition; partition 1 has no commit and no owner, so it is not listed.
  const expected = [
    { topic, partition: 0, committedOffset: 12, logEndOffset: 30, lag: 18, memberId: null },
    { topic, partition: 2, committedOffset: 10, logEndOffset: 10, lag: 0, memberId: null },
    { topic: other, partition: 0, committedOffset: 1, logEndOffset: 4, lag: 3, memberId: null },
  ].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  assert.deepEqual(d.partitions, expected);
  assert.equal(d.totalLag, 21);
});

test('fetchGroupOffsets: all committed partitions, or only those of the topics asked, with metadata', async () => {
  const groupId = uniqueTopic('admin-groups-f');
  await commitAsNonMember(groupId, [
    { topic, partition: 1, offset: 5 },
    { topic: other, partition: 0, offset: 2 },
  ]);
  const all = await admin.fetchGroupOffsets(groupId);
  assert.deepEqual(
    all.map(({ topic: t, partition, offset, metadata }) => ({ t, partition, offset, metadata })),
    [
      { t: topic, partition: 1, offset: 5, metadata: 'm1' },
      { t: other, partition: 0, offset: 2, metadata: 'm0' },
    ].sort((a, b) => (a.t < b.t ? -1 : 1)),
  );
  const one = await admin.fetchGroupOffsets(groupId, [other]);
  assert.deepEqual(
    one.map((o) => [o.topic, o.partition, o.offset]),
    [[other, 0, 2]],
  );
  assert.deepEqual(await admin.fetchGroupOffsets(uniqueTopic('admin-groups-none')), []);
});

test('describeGroup of a group nobody used: state Dead, no members; describeGroupOffsets lists nothing', async () => {
  const groupId = uniqueTopic('admin-groups-dead');
  const d = await admin.describeGroup(groupId);
  assert.equal(d.type, 'classic');
  assert.equal(d.state, 'Dead');
  assert.deepEqual(d.members, []);
  const o = await admin.describeGroupOffsets(groupId);
  assert.deepEqual(o.partitions, []);
  assert.equal(o.totalLag, 0);
});

test('a member joined by hand: Stable, its assignment decoded; owned partitions appear with or without a commit; listGroups finds the group', async () => {
  const groupId = uniqueTopic('admin-groups-m');
  await commitAsNonMember(groupId, [{ topic, partition: 0, offset: 29 }]);
  const coordinator = await admin.cluster.withRetry('find the coordinator', () => findGroupCoordinator(admin.cluster, groupId));
  const join = (memberId: string) =>
    admin.cluster.request(coordinator, JoinGroup, () => ({
      groupId,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      memberId,
      groupInstanceId: null,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocols: [{ name: 'range', metadata: encodeSubscription({ topics: [topic] }) }],
      reason: 'admin-groups test',
    }));
  let joined = await join(NEW_MEMBER_ID);
  if (joined.errorCode === KAFKA_ERROR_CODES.get('MEMBER_ID_REQUIRED')) joined = await join(joined.memberId);
  assert.equal(joined.errorCode, 0, 'JoinGroup');
  const { memberId, generationId } = joined;
  const synced = await admin.cluster.request(coordinator, SyncGroup, () => ({
    groupId,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: CONSUMER_PROTOCOL_TYPE,
    protocolName: 'range',
    assignments: [{ memberId, assignment: encodeAssignment({ assignedPartitions: [{ topic, partitions: [0, 1] }] }) }],
  }));
  assert.equal(synced.errorCode, 0, 'SyncGroup');
  try {
    const d = await admin.describeGroupOffsets(groupId);
    assert.equal(d.type, 'classic');
    assert.equal(d.state, 'Stable');
    assert.equal(d.protocolType, 'consumer');
    assert.equal(d.protocol, 'range');
    assert.equal(d.members.length, 1);
    assert.equal(d.members[0]?.memberId, memberId);
    assert.deepEqual(d.members[0]?.assignment, [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    assert.deepEqual(d.partitions, [
      { topic, partition: 0, committedOffset: 29, logEndOffset: 30, lag: 1, memberId },
      { topic, partition: 1, committedOffset: null, logEndOffset: 20, lag: null, memberId },
    ]);
    assert.equal(d.totalLag, 1);

    const listed = (await admin.listGroups()).find((g) => g.groupId === groupId);
    assert.deepEqual(listed, { groupId, protocolType: 'consumer', state: 'Stable', type: 'classic', coordinator });
  } finally {
    await admin.cluster.request(coordinator, LeaveGroup, () => ({ groupId, memberId, members: [{ memberId, groupInstanceId: null, reason: 'test done' }] }));
  }
});

test('invalid group id: a typed error naming the option, before anything is sent', async () => {
  await assert.rejects(() => admin.describeGroupOffsets(''), { code: 'ERR_INVALID_OPTION', message: /groupId/ });
  await assert.rejects(() => admin.fetchGroupOffsets('g', ['bad topic!']), { code: 'ERR_INVALID_OPTION', message: /topics\[0\]/ });
});
