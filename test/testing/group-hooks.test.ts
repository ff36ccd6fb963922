/**
 * The fake cluster's hooks for group tests, seen from the wire: the request log, playing an older
 * broker (maxVersion), moving a group's coordinator, expiring a member's session, session clocks
 * stopped while no broker is up and started over when one is, reading a topic's id, and injected errors on one partition of an OffsetFetch; plus a commit to a partition the topic
 * does not have, refused as Kafka refuses it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { RequestOut } from '../../src/protocol/schema.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';
import { eventually } from '../helpers/eventually.js';
import { roundTrip } from './wire.js';

/** Joins `address` as static member `instance` of `groupId` and syncs: its id and generation. */
async function join(address: string, groupId: string, instance: string, sessionTimeoutMs = 30_000): Promise<{ memberId: string; generation: number; errorCode: number }> {
  const joined = await roundTrip(address, JoinGroup, 5, {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: 30_000,
    memberId: '',
    groupInstanceId: instance,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
  });
  assert.ok(joined);
  if (joined.errorCode !== ErrorCode.NONE) return { memberId: '', generation: -1, errorCode: joined.errorCode };
  const synced = await roundTrip(address, SyncGroup, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: instance, assignments: [] });
  return { memberId: joined.memberId, generation: joined.generationId, errorCode: synced?.errorCode ?? -1 };
}

test('requests: every request of an API, oldest first, with its broker, version and decoded body', async () => {
  const cluster = await FakeKafkaCluster.start({ brokers: 2 });
  try {
    const [first, second] = cluster.bootstrap as [string, string];
    await roundTrip(first, FindCoordinator, 3, { key: 'a', keyType: 0 });
    await roundTrip(second, FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['b', 'c'] });
    const seen = cluster.requests<RequestOut<typeof FindCoordinator>>('FindCoordinator');
    assert.deepEqual(seen.map((r) => [r.api, r.broker, r.version]), [['FindCoordinator', 1, 3], ['FindCoordinator', 2, 4]]);
    assert.equal(seen[0]?.body.key, 'a');
    assert.deepEqual(seen[1]?.body.coordinatorKeys, ['b', 'c']);
    assert.deepEqual(cluster.requests(Heartbeat), [], 'an API not asked yet has an empty log');
    assert.throws(() => cluster.requests('SaslHandshake'), /does not speak SaslHandshake/);
  } finally {
    await cluster.stop();
  }
});

test('maxVersion: ApiVersions advertises the lowered range, a request above it closes the connection, one within it is answered', async () => {
  const cluster = await FakeKafkaCluster.start();
  try {
    const address = cluster.bootstrap[0] as string;
    cluster.maxVersion(OffsetCommit, 7);
    const versions = await roundTrip(address, ApiVersions, 3, {});
    const range = versions?.apiKeys.find((k) => k.apiKey === OffsetCommit.apiKey);
    assert.deepEqual([range?.minVersion, range?.maxVersion], [OffsetCommit.minVersion, 7]);
    const commit = { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [] };
    assert.equal(await roundTrip(address, OffsetCommit, 8, commit), null, 'v8 refused by closing');
    assert.deepEqual((await roundTrip(address, OffsetCommit, 7, commit))?.topics, []);
    assert.deepEqual(cluster.requests(OffsetCommit).map((r) => r.version), [7], 'a refused version is not logged as received');
  } finally {
    await cluster.stop();
  }
});

test('moveCoordinator: FindCoordinator names the new broker, the old one answers NOT_COORDINATOR, the group and its members move along', async () => {
  const cluster = await FakeKafkaCluster.start({ brokers: 2 });
  try {
    const [first, second] = cluster.bootstrap as [string, string];
    cluster.moveCoordinator('g', 1);
    const member = await join(first, 'g', 'i');
    assert.equal(member.errorCode, ErrorCode.NONE);
    cluster.moveCoordinator('g', 2);
    const found = await roundTrip(first, FindCoordinator, 3, { key: 'g', keyType: 0 });
    assert.equal(found?.nodeId, 2);
    const beat = { groupId: 'g', generationId: member.generation, memberId: member.memberId, groupInstanceId: 'i' };
    assert.equal((await roundTrip(first, Heartbeat, 3, beat))?.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal((await roundTrip(second, Heartbeat, 3, beat))?.errorCode, ErrorCode.NONE, 'the member is known at the new coordinator');
    assert.deepEqual(cluster.group('g')?.members, [member.memberId]);
    assert.throws(() => cluster.moveCoordinator('g', 3), /no broker 3/);
  } finally {
    await cluster.stop();
  }
});

test('expireMember: the member is gone at once, its next heartbeat is UNKNOWN_MEMBER_ID; false for a member not there', async () => {
  const cluster = await FakeKafkaCluster.start();
  try {
    const address = cluster.bootstrap[0] as string;
    const member = await join(address, 'g', 'i');
    assert.equal(cluster.group('g')?.state, 'Stable');
    assert.equal(cluster.expireMember('g', member.memberId), true);
    assert.deepEqual(cluster.group('g')?.members, []);
    assert.equal(cluster.group('g')?.state, 'Empty');
    const beat = await roundTrip(address, Heartbeat, 3, { groupId: 'g', generationId: member.generation, memberId: member.memberId, groupInstanceId: 'i' });
    assert.equal(beat?.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(cluster.expireMember('g', member.memberId), false);
    assert.equal(cluster.expireMember('no-such-group', 'm'), false);
  } finally {
    await cluster.stop();
  }
});

test('dropBroker of the only broker stops the group\'s session clocks; restoreBroker starts them over', async () => {
  const cluster = await FakeKafkaCluster.start({ minSessionTimeoutMs: 100 });
  try {
    const member = await join(cluster.bootstrap[0] as string, 'g', 'i', 300);
    assert.equal(member.errorCode, ErrorCode.NONE);
    await cluster.dropBroker(1);
    await new Promise((resolve) => setTimeout(resolve, 600)); // two session timeouts with no coordinator
    await cluster.restoreBroker(1);
    assert.deepEqual(cluster.group('g')?.members, [member.memberId], 'not expired while no broker could coordinate');
    const beat = await roundTrip(cluster.bootstrap[0] as string, Heartbeat, 3, { groupId: 'g', generationId: member.generation, memberId: member.memberId, groupInstanceId: 'i' });
    assert.equal(beat?.errorCode, ErrorCode.NONE);
    // Back with a coordinator, a silent member expires as usual.
    await eventually(() => cluster.group('g')?.members.length === 0, { what: 'the silent member expired', timeoutMs: 5_000 });
  } finally {
    await cluster.stop();
  }
});

test('topicId, a commit to a partition the topic lacks, and fail on one partition of an OffsetFetch', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't', partitions: 2 }] });
  try {
    const address = cluster.bootstrap[0] as string;
    assert.match(cluster.topicId('t'), /^[A-Za-z0-9_-]{22}$/);
    assert.throws(() => cluster.topicId('nope'), /no topic nope/);
    const partitions = [0, 2].map((partitionIndex) => ({ partitionIndex, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: '' }));
    const committed = await roundTrip(address, OffsetCommit, 7, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: 't', topicId: '', partitions }] });
    assert.deepEqual(committed?.topics[0]?.partitions.map((p) => p.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);

    cluster.fail(OffsetFetch, 'UNSTABLE_OFFSET_COMMIT', { topic: 't', partition: 1 });
    const ask = { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }], requireStable: true };
    const fetched = await roundTrip(address, OffsetFetch, 7, ask);
    assert.equal(fetched?.errorCode, ErrorCode.NONE, 'a partition\'s error is not the group\'s');
    assert.deepEqual(fetched?.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode]), [[0, 5n, ErrorCode.NONE], [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
    cluster.fail(OffsetFetch, 'GROUP_AUTHORIZATION_FAILED');
    assert.equal((await roundTrip(address, OffsetFetch, 7, ask))?.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED, 'an error for no topic is the group\'s');
  } finally {
    await cluster.stop();
  }
});
