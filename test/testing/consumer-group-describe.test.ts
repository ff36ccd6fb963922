/** ConsumerGroupDescribe (key 69) against the fake's consumer (KIP-848) groups, over the wire and through the project's Admin. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { ConsumerGroupDescribe, ConsumerGroupMemberType } from '../../src/protocol/apis/consumer-group-describe.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeKafkaCluster } from '../../src/testing/fake-cluster.js';
import { adminCommit, WireMember } from './consumer-wire.js';
import { roundTrip } from './wire.js';

test('ConsumerGroupDescribe: epochs, assignor, and per member its subscription, current assignment (without partitions pending revocation) and target; unknown groups GROUP_ID_NOT_FOUND', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: 4 }] });
  try {
    const a = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'], instanceId: 'box-a', rackId: 'r1' });
    const b = new WireMember(cluster, 'g', 'b', { subscribedTopicRegex: 'ord.*' });
    await a.start();
    await b.start();
    await a.beat(); // a is told to revoke two partitions and has not reported them gone
    const answer = await roundTrip(cluster.bootstrap[0] as string, ConsumerGroupDescribe, 1, { groupIds: ['g', 'none'], includeAuthorizedOperations: false });
    const [group, none] = answer?.groups ?? [];
    assert.ok(group && none);
    assert.equal(group.errorCode, ErrorCode.NONE);
    assert.equal(group.groupState, 'Reconciling');
    assert.equal(group.groupEpoch, 2);
    assert.equal(group.assignmentEpoch, 2);
    assert.equal(group.assignorName, 'uniform');
    const byId = new Map(group.members.map((m) => [m.memberId, m]));
    const ma = byId.get('a');
    const mb = byId.get('b');
    assert.ok(ma && mb);
    assert.equal(ma.memberEpoch, 1);
    assert.equal(ma.instanceId, 'box-a');
    assert.equal(ma.rackId, 'r1');
    assert.deepEqual(ma.subscribedTopicNames, ['orders']);
    assert.equal(ma.memberType, ConsumerGroupMemberType.CONSUMER);
    assert.equal(ma.clientHost, '/127.0.0.1');
    const count = (x: { topicPartitions: { topicName: string; partitions: number[] }[] }): number => x.topicPartitions.reduce((n, t) => n + t.partitions.length, 0);
    assert.equal(count(ma.assignment), 2, 'the revoked two are not in the current assignment');
    assert.equal(count(ma.targetAssignment), 2);
    assert.equal(ma.assignment.topicPartitions[0]?.topicName, 'orders');
    assert.equal(mb.subscribedTopicRegex, 'ord.*');
    assert.equal(count(mb.assignment), 0, 'b waits for the partitions a still holds');
    assert.equal(count(mb.targetAssignment), 2);
    assert.equal(none.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  } finally {
    await cluster.stop();
  }
});

test("the project's Admin describes a fake consumer group as type consumer and a classic one as classic", async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: 2 }] });
  const admin = new Admin({ brokers: cluster.bootstrap });
  try {
    await admin.connect();
    const a = new WireMember(cluster, 'modern', 'a', { subscribedTopicNames: ['orders'], serverAssignor: 'range' });
    await a.start();
    const modern = await admin.describeGroup('modern');
    assert.equal(modern.type, 'consumer');
    assert.equal(modern.state, 'Stable');
    assert.equal(modern.protocol, 'range');
    assert.deepEqual(
      modern.members.map((m) => [m.memberId, m.assignment.length]),
      [['a', 2]],
    );
    // An empty classic group (offsets committed from outside): ConsumerGroupDescribe says not found, DescribeGroups describes it.
    assert.equal(await adminCommit(cluster, 'old', 'orders', 0, 1), ErrorCode.NONE);
    const old = await admin.describeGroup('old');
    assert.equal(old.type, 'classic');
    assert.equal(old.state, 'Empty');
  } finally {
    await admin.close();
    await cluster.stop();
  }
});
