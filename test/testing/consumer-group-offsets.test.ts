/** OffsetCommit and OffsetFetch against the fake's consumer (KIP-848) groups: member epochs checked as Kafka 4.4 does. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeKafkaCluster } from '../../src/testing/fake-cluster.js';
import { WireMember } from './consumer-wire.js';
import { roundTrip } from './wire.js';

/** Commits `offset` for orders/`partition` as `memberId` at `epoch` (v9 unless told); the partition's error code. */
async function commit(cluster: FakeKafkaCluster, memberId: string, epoch: number, partition: number, offset: number, version = 9): Promise<number> {
  const answer = await roundTrip(cluster.bootstrap[0] as string, OffsetCommit, version, {
    groupId: 'g',
    generationIdOrMemberEpoch: epoch,
    memberId,
    groupInstanceId: null,
    topics: [{ name: 'orders', topicId: cluster.topicId('orders'), partitions: [{ partitionIndex: partition, committedOffset: BigInt(offset), committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  const code = answer?.topics[0]?.partitions[0]?.errorCode;
  assert.notEqual(code, undefined, 'the commit was answered');
  return code as number;
}

/** Fetches orders/0..5 for group g as `memberId` at `epoch` (v9): the group's error and the offsets. */
async function fetchOffsets(cluster: FakeKafkaCluster, memberId: string | null, epoch: number): Promise<{ errorCode: number; offsets: number[] }> {
  const answer = await roundTrip(cluster.bootstrap[0] as string, OffsetFetch, 9, {
    groups: [{ groupId: 'g', memberId, memberEpoch: epoch, topics: [{ name: 'orders', topicId: cluster.topicId('orders'), partitionIndexes: [0, 1, 2, 3, 4, 5] }] }],
    requireStable: false,
  });
  const group = answer?.groups[0];
  assert.ok(group, 'the fetch was answered');
  return { errorCode: group.errorCode, offsets: (group.topics[0]?.partitions ?? []).map((p) => Number(p.committedOffset)) };
}

async function withCluster(fn: (cluster: FakeKafkaCluster) => Promise<void>): Promise<void> {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: 6 }] });
  try {
    await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

test('OffsetCommit: the member epoch passes; a newer one is STALE_MEMBER_EPOCH; an unknown member, a non-member commit while members exist and a pre-v9 commit are refused', async () => {
  await withCluster(async (cluster) => {
    const a = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    await a.start();
    assert.equal(await commit(cluster, 'a', 1, 0, 10), ErrorCode.NONE);
    assert.equal(cluster.committed('g', 'orders', 0), 10);
    assert.equal(await commit(cluster, 'a', 2, 0, 11), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(await commit(cluster, 'ghost', 1, 0, 11), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(await commit(cluster, '', -1, 0, 11), ErrorCode.UNKNOWN_MEMBER_ID, 'a non-member commit only when the group has no members');
    assert.equal(await commit(cluster, 'a', 1, 0, 11, 8), ErrorCode.UNSUPPORTED_VERSION);
    assert.equal(cluster.committed('g', 'orders', 0), 10, 'no refused commit landed');
    await a.leave();
    assert.equal(await commit(cluster, '', -1, 0, 12), ErrorCode.NONE, 'an admin commit once the group is empty');
    assert.equal(cluster.committed('g', 'orders', 0), 12);
  });
});

test('OffsetCommit at an older epoch passes for partitions held since then (a revoking member commits its drained prefix) and not for partitions assigned later', async () => {
  await withCluster(async (cluster) => {
    const a = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    const b = new WireMember(cluster, 'g', 'b', { subscribedTopicNames: ['orders'] });
    await a.start();
    await b.start();
    await a.beat(); // told to revoke, still at epoch 1
    assert.equal(a.epoch, 1);
    const revoked = [0, 1, 2, 3, 4, 5].filter((p) => !a.owned.has(`${cluster.topicId('orders')}:${p}`));
    assert.equal(revoked.length, 3);
    assert.equal(await commit(cluster, 'a', 1, revoked[0] as number, 5), ErrorCode.NONE, 'a partition being revoked commits at the current epoch');
    await a.beat(); // reports them gone: epoch 2
    await b.beat();
    assert.equal(a.epoch, 2);
    const kept = [...a.owned].map((k) => Number(k.split(':')[1]));
    assert.equal(await commit(cluster, 'a', 1, kept[0] as number, 7), ErrorCode.NONE, 'held since epoch 1');
    assert.equal(await commit(cluster, 'a', 1, revoked[1] as number, 7), ErrorCode.STALE_MEMBER_EPOCH, 'no longer held');
    await b.leave(); // a gets b's partitions at epoch 3
    await a.beat();
    assert.equal(a.epoch, 3);
    assert.equal(a.owned.size, 6);
    assert.equal(await commit(cluster, 'a', 2, revoked[2] as number, 9), ErrorCode.STALE_MEMBER_EPOCH, 'assigned at epoch 3, committed at 2');
    assert.equal(await commit(cluster, 'a', 2, kept[0] as number, 9), ErrorCode.NONE);
    assert.equal(await commit(cluster, 'a', 3, revoked[2] as number, 9), ErrorCode.NONE);
  });
});

test('OffsetFetch: the member at its epoch and an admin (null id, epoch -1) read the offsets; a wrong epoch is STALE_MEMBER_EPOCH, an unknown member UNKNOWN_MEMBER_ID', async () => {
  await withCluster(async (cluster) => {
    const a = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    await a.start();
    assert.equal(await commit(cluster, 'a', 1, 2, 42), ErrorCode.NONE);
    const own = await fetchOffsets(cluster, 'a', 1);
    assert.equal(own.errorCode, ErrorCode.NONE);
    assert.deepEqual(own.offsets, [-1, -1, 42, -1, -1, -1]);
    assert.deepEqual(await fetchOffsets(cluster, null, -1), own);
    assert.equal((await fetchOffsets(cluster, 'a', 2)).errorCode, ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal((await fetchOffsets(cluster, 'ghost', 1)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
