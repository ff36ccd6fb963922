/** Classic and consumer (KIP-848) groups side by side in the fake: ListGroups types, conversion of empty groups, refusals of live ones, DeleteGroups. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeleteGroups } from '../../src/protocol/apis/delete-groups.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { ListGroups } from '../../src/protocol/apis/list-groups.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeKafkaCluster } from '../../src/testing/fake-cluster.js';
import { adminCommit, heartbeat, WireMember } from './consumer-wire.js';
import { roundTrip } from './wire.js';

async function withCluster(fn: (cluster: FakeKafkaCluster, address: string) => Promise<void>): Promise<void> {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: 2 }] });
  try {
    await fn(cluster, cluster.bootstrap[0] as string);
  } finally {
    await cluster.stop();
  }
}

/** A static classic member joins `groupId` (JoinGroup v5, no MEMBER_ID_REQUIRED round): the error code. */
async function classicJoin(address: string, groupId: string): Promise<number> {
  const answer = await roundTrip(address, JoinGroup, 5, {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId: 'classic-1',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('x') }],
  });
  return answer?.errorCode ?? -1;
}

const joinBody = (groupId: string, memberId: string) => ({ groupId, memberId, memberEpoch: 0, rebalanceTimeoutMs: 10_000, subscribedTopicNames: ['orders'], topicPartitions: [] });

test('ListGroups v5 reports a consumer group with type consumer and its state; a types filter tells the kinds apart', async () => {
  await withCluster(async (cluster, address) => {
    await new WireMember(cluster, 'modern', 'a', { subscribedTopicNames: ['orders'] }).start();
    assert.equal(await classicJoin(address, 'old'), ErrorCode.NONE);
    const all = await roundTrip(address, ListGroups, 5, { statesFilter: [], typesFilter: [] });
    assert.deepEqual(
      all?.groups.map((g) => [g.groupId, g.groupType, g.protocolType, g.groupState]).sort(),
      [
        ['modern', 'consumer', 'consumer', 'Stable'],
        ['old', 'classic', 'consumer', 'CompletingRebalance'],
      ],
    );
    const consumers = await roundTrip(address, ListGroups, 5, { statesFilter: [], typesFilter: ['Consumer'] });
    assert.deepEqual(
      consumers?.groups.map((g) => g.groupId),
      ['modern'],
    );
  });
});

test('a live group of one kind refuses the other protocol: a heartbeat join to a classic group, a JoinGroup to a consumer group', async () => {
  await withCluster(async (cluster, address) => {
    assert.equal(await classicJoin(address, 'old'), ErrorCode.NONE);
    assert.equal((await heartbeat(cluster, joinBody('old', 'm'))).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(cluster.group('old')?.members.length, 1, 'the classic group is untouched');
    await new WireMember(cluster, 'modern', 'a', { subscribedTopicNames: ['orders'] }).start();
    assert.equal(await classicJoin(address, 'modern'), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(cluster.consumerGroup('modern')?.members.length, 1);
  });
});

test('an empty classic group holding offsets becomes a consumer group at the first heartbeat, keeping them; empty again, it turns classic for a JoinGroup', async () => {
  await withCluster(async (cluster, address) => {
    assert.equal(await adminCommit(cluster, 'g', 'orders', 1, 33), ErrorCode.NONE);
    assert.equal(cluster.group('g')?.state, 'Empty', 'a non-member commit made an empty classic group');
    const member = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    await member.start();
    assert.equal(cluster.group('g'), undefined);
    assert.equal(cluster.consumerGroup('g')?.state, 'Stable');
    assert.equal(cluster.committed('g', 'orders', 1), 33);
    await member.leave();
    assert.equal(await classicJoin(address, 'g'), ErrorCode.NONE);
    assert.equal(cluster.consumerGroup('g'), undefined);
    assert.equal(cluster.committed('g', 'orders', 1), 33);
  });
});

test('DeleteGroups refuses a consumer group with members and deletes an empty one', async () => {
  await withCluster(async (cluster, address) => {
    const member = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    await member.start();
    const busy = await roundTrip(address, DeleteGroups, 2, { groupsNames: ['g'] });
    assert.equal(busy?.results[0]?.errorCode, ErrorCode.NON_EMPTY_GROUP);
    await member.leave();
    assert.equal(cluster.consumerGroup('g')?.state, 'Empty');
    const deleted = await roundTrip(address, DeleteGroups, 2, { groupsNames: ['g'] });
    assert.equal(deleted?.results[0]?.errorCode, ErrorCode.NONE);
    assert.equal(cluster.consumerGroup('g'), undefined);
  });
});
