/** The fake cluster's consumer (KIP-848) groups over the wire: join, incremental reconciliation, leave, fencing, regex, assignors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeKafkaCluster } from '../../src/testing/fake-cluster.js';
import { assertNoOverlap, heartbeat, WireMember } from './consumer-wire.js';

async function withCluster(fn: (cluster: FakeKafkaCluster) => Promise<void>, options: Parameters<typeof FakeKafkaCluster.start>[0] = {}): Promise<void> {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: 6 }], ...options });
  try {
    await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

const partitionsOf = (answer: { assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null }): number[] =>
  (answer.assignment?.topicPartitions ?? []).flatMap((t) => t.partitions).sort((a, b) => a - b);

test('a member joins with its own id and epoch 0: epoch 1, every partition by topic id, the interval the fake is set to; then no assignment while unchanged', async () => {
  await withCluster(
    async (cluster) => {
      const first = await heartbeat(cluster, { groupId: 'g', memberId: 'm-1', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'], topicPartitions: [] });
      assert.equal(first.errorCode, ErrorCode.NONE);
      assert.equal(first.memberId, 'm-1');
      assert.equal(first.memberEpoch, 1);
      assert.equal(first.heartbeatIntervalMs, 1234);
      assert.deepEqual(first.assignment?.topicPartitions, [{ topicId: cluster.topicId('orders'), partitions: [0, 1, 2, 3, 4, 5] }]);
      const again = await heartbeat(cluster, { groupId: 'g', memberId: 'm-1', memberEpoch: 1 });
      assert.equal(again.errorCode, ErrorCode.NONE);
      assert.equal(again.memberEpoch, 1);
      assert.equal(again.assignment, null);
      const view = cluster.consumerGroup('g');
      assert.equal(view?.state, 'Stable');
      assert.equal(view?.groupEpoch, 1);
      assert.equal(cluster.group('g'), undefined, 'not a classic group');
    },
    { consumerHeartbeatIntervalMs: 1234 },
  );
});

test('v0 with an empty member id gets a broker-made id; v1 must bring its own (INVALID_REQUEST)', async () => {
  await withCluster(async (cluster) => {
    const join = { groupId: 'g', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'], topicPartitions: [] };
    const v0 = await heartbeat(cluster, join, 0);
    assert.equal(v0.errorCode, ErrorCode.NONE);
    assert.match(v0.memberId ?? '', /^[A-Za-z0-9_-]{22}$/, 'a Kafka Uuid');
    assert.equal(cluster.consumerGroup('g')?.members[0]?.memberId, v0.memberId);
    const v1 = await heartbeat(cluster, join, 1);
    assert.equal(v1.errorCode, ErrorCode.INVALID_REQUEST);
    const noSubscription = await heartbeat(cluster, { ...join, memberId: 'x', subscribedTopicNames: null });
    assert.equal(noSubscription.errorCode, ErrorCode.INVALID_REQUEST);
  });
});

test('a second member: the first is told to revoke (keeping its epoch) before the second gets anything; no partition is ever owned twice', async () => {
  await withCluster(async (cluster) => {
    const a = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    const b = new WireMember(cluster, 'g', 'b', { subscribedTopicNames: ['orders'] });
    await a.start();
    assert.equal(a.owned.size, 6);
    const joined = await b.start();
    assertNoOverlap([a, b]);
    assert.equal(joined.memberEpoch, 2, 'the newcomer is at the new group epoch');
    assert.deepEqual(partitionsOf(joined), [], 'nothing is free yet: a still owns all');
    const revoke = await a.beat();
    assert.equal(revoke.memberEpoch, 1, 'a keeps its epoch while it revokes');
    assert.equal(a.owned.size, 3, 'a is told its assignment minus the revoked partitions');
    assertNoOverlap([a, b]);
    assert.equal(cluster.consumerGroup('g')?.members.find((m) => m.memberId === 'a')?.state, 'UNREVOKED_PARTITIONS');
    // b asks before a has reported the revocation: the partitions are not free yet.
    const early = await b.beat();
    assert.equal(early.assignment, null);
    assert.equal(b.owned.size, 0);
    const done = await a.beat();
    assert.equal(done.memberEpoch, 2, 'a moves to the target epoch once it reports the partitions gone');
    const given = await b.beat();
    assert.equal(given.memberEpoch, 2);
    assert.equal(b.owned.size, 3);
    assertNoOverlap([a, b]);
    assert.equal(a.owned.size + b.owned.size, 6);
    assert.equal(cluster.consumerGroup('g')?.state, 'Stable');
  });
});

test('three members joining and leaving in turn: at every answer no partition is owned twice and all are owned once it settles', async () => {
  await withCluster(async (cluster) => {
    const members = ['a', 'b', 'c'].map((id) => new WireMember(cluster, 'g', id, { subscribedTopicNames: ['orders'] }));
    const live: WireMember[] = [];
    const settle = async (): Promise<void> => {
      for (let round = 0; round < 6; round++) {
        for (const m of live) {
          await m.beat();
          assertNoOverlap(live);
        }
      }
    };
    for (const m of members) {
      await m.start();
      live.push(m);
      assertNoOverlap(live);
      await settle();
      assert.equal(live.reduce((n, x) => n + x.owned.size, 0), 6, `all 6 owned with ${live.length} members`);
      assert.ok(live.every((x) => x.owned.size === 6 / live.length), 'spread evenly');
    }
    const leaving = live.shift() as WireMember;
    await leaving.leave();
    await settle();
    assert.deepEqual(
      live.map((x) => x.owned.size),
      [3, 3],
    );
  });
});

test('leave with -1 frees the partitions at once for the others, at a new group epoch', async () => {
  await withCluster(async (cluster) => {
    const a = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    const b = new WireMember(cluster, 'g', 'b', { subscribedTopicNames: ['orders'] });
    await a.start();
    await b.start();
    await a.beat();
    await a.beat();
    await b.beat();
    const before = cluster.consumerGroup('g')?.groupEpoch ?? 0;
    const left = await a.leave(-1);
    assert.equal(left.memberEpoch, -1);
    assert.equal(cluster.consumerGroup('g')?.groupEpoch, before + 1);
    await b.beat();
    assert.equal(b.owned.size, 6);
    const late = await heartbeat(cluster, { groupId: 'g', memberId: 'a', memberEpoch: 2 });
    assert.equal(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

test('a static member leaving with -2 keeps its partitions; its instance id rejoins with a new member id and gets them back without a new group epoch', async () => {
  await withCluster(async (cluster) => {
    const s = new WireMember(cluster, 'g', 's-1', { subscribedTopicNames: ['orders'], instanceId: 'box-1' });
    const d = new WireMember(cluster, 'g', 'd', { subscribedTopicNames: ['orders'] });
    await s.start();
    await d.start();
    for (let i = 0; i < 3; i++) {
      await s.beat();
      await d.beat();
    }
    const held = [...s.owned].sort();
    assert.equal(held.length, 3);
    const impostor = await heartbeat(cluster, { groupId: 'g', memberId: 's-x', memberEpoch: 0, instanceId: 'box-1', rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'], topicPartitions: [] });
    assert.equal(impostor.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID, 'the instance id is held by a live member');
    const epoch = cluster.consumerGroup('g')?.groupEpoch;
    const away = await s.leave(-2);
    assert.equal(away.memberEpoch, -2);
    await d.beat();
    assert.equal(d.owned.size, 3, 'the away member\'s partitions are not handed out');
    assert.equal(cluster.consumerGroup('g')?.groupEpoch, epoch);
    const back = new WireMember(cluster, 'g', 's-2', { subscribedTopicNames: ['orders'], instanceId: 'box-1' });
    const rejoined = await back.start();
    assert.equal(rejoined.memberEpoch, epoch);
    assert.deepEqual([...back.owned].sort(), held);
    assert.equal(cluster.consumerGroup('g')?.groupEpoch, epoch, 'no new group epoch');
    assert.deepEqual(
      cluster.consumerGroup('g')?.members.map((m) => m.memberId).sort(),
      ['d', 's-2'],
    );
  });
});

test('fencing: an epoch ahead, an epoch behind that is not the previous one, an unknown member, an unknown group', async () => {
  await withCluster(async (cluster) => {
    const a = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    await a.start();
    const ahead = await heartbeat(cluster, { groupId: 'g', memberId: 'a', memberEpoch: 5 });
    assert.equal(ahead.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    const b = new WireMember(cluster, 'g', 'b', { subscribedTopicNames: ['orders'] });
    await b.start();
    await a.beat();
    await a.beat(); // a reaches epoch 2; its previous epoch is 1
    assert.equal(a.epoch, 2);
    const c = new WireMember(cluster, 'g', 'c', { subscribedTopicNames: ['orders'] });
    await c.start();
    await a.beat();
    await a.beat();
    assert.equal(a.epoch, 3);
    const behind = await heartbeat(cluster, { groupId: 'g', memberId: 'a', memberEpoch: 1, topicPartitions: [] });
    assert.equal(behind.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    const previous = await heartbeat(cluster, { groupId: 'g', memberId: 'a', memberEpoch: 2, topicPartitions: [] });
    assert.equal(previous.errorCode, ErrorCode.NONE, 'the previous epoch owning a subset is accepted (a lost answer)');
    const unknown = await heartbeat(cluster, { groupId: 'g', memberId: 'nobody', memberEpoch: 3 });
    assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const noGroup = await heartbeat(cluster, { groupId: 'none', memberId: 'a', memberEpoch: 1 });
    assert.equal(noGroup.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

test('a regex subscription matches whole topic names and picks up a topic created later at the next heartbeat', async () => {
  await withCluster(
    async (cluster) => {
      const a = new WireMember(cluster, 'g', 'a', { subscribedTopicRegex: 'orders-.*' });
      await a.start();
      assert.deepEqual([...a.owned], [`${cluster.topicId('orders-eu')}:0`], 'orders-eu only: not orders, not xorders-us');
      const epoch = a.epoch;
      cluster.createTopic({ topic: 'orders-us', partitions: 2 });
      await a.beat();
      assert.equal(a.epoch, epoch + 1);
      assert.deepEqual([...a.owned].sort(), [`${cluster.topicId('orders-eu')}:0`, `${cluster.topicId('orders-us')}:0`, `${cluster.topicId('orders-us')}:1`].sort());
      const bad = await heartbeat(cluster, { groupId: 'g2', memberId: 'z', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicRegex: '(', topicPartitions: [] });
      assert.equal(bad.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
    },
    {
      topics: [
        { topic: 'orders', partitions: 1 },
        { topic: 'orders-eu', partitions: 1 },
        { topic: 'xorders-us', partitions: 1 },
      ],
    },
  );
});

test('serverAssignor: range co-partitions two topics by member order, uniform spreads, an unknown name is UNSUPPORTED_ASSIGNOR', async () => {
  await withCluster(
    async (cluster) => {
      const range = ['m-a', 'm-b'].map((id) => new WireMember(cluster, 'r', id, { subscribedTopicNames: ['x', 'y'], serverAssignor: 'range' }));
      for (const m of range) await m.start();
      for (let i = 0; i < 3; i++) for (const m of range) await m.beat();
      const view = cluster.consumerGroup('r');
      assert.equal(view?.assignor, 'range');
      const held = (id: string): string[] => (view?.members.find((m) => m.memberId === id)?.assigned ?? []).map((p) => `${p.topic}-${p.partition}`);
      assert.deepEqual(held('m-a'), ['x-0', 'x-1', 'y-0', 'y-1']);
      assert.deepEqual(held('m-b'), ['x-2', 'y-2']);
      const uniform = ['u-a', 'u-b'].map((id) => new WireMember(cluster, 'u', id, { subscribedTopicNames: ['x', 'y'] }));
      for (const m of uniform) await m.start();
      for (let i = 0; i < 3; i++) for (const m of uniform) await m.beat();
      assert.equal(cluster.consumerGroup('u')?.assignor, 'uniform');
      assert.deepEqual(
        uniform.map((m) => m.owned.size),
        [3, 3],
      );
      const unknown = await heartbeat(cluster, { groupId: 'q', memberId: 'q', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['x'], serverAssignor: 'sticky', topicPartitions: [] });
      assert.equal(unknown.errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
    },
    {
      topics: [
        { topic: 'x', partitions: 3 },
        { topic: 'y', partitions: 3 },
      ],
    },
  );
});

test('NOT_COORDINATOR from a broker that does not coordinate the group, after moveCoordinator', async () => {
  await withCluster(
    async (cluster) => {
      cluster.moveCoordinator('g', 2);
      const join = { groupId: 'g', memberId: 'a', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['orders'], topicPartitions: [] };
      assert.equal((await heartbeat(cluster, join, 1, 0)).errorCode, ErrorCode.NOT_COORDINATOR);
      assert.equal((await heartbeat(cluster, join, 1, 1)).errorCode, ErrorCode.NONE);
    },
    { brokers: 2 },
  );
});

test('test hooks on a consumer group: fail injects an error, expireMember removes a member (its partitions move), forceRebalance raises the epoch alone, requests logs the heartbeats', async () => {
  await withCluster(async (cluster) => {
    const a = new WireMember(cluster, 'g', 'a', { subscribedTopicNames: ['orders'] });
    const b = new WireMember(cluster, 'g', 'b', { subscribedTopicNames: ['orders'] });
    await a.start();
    await b.start();
    for (let i = 0; i < 3; i++) {
      await a.beat();
      await b.beat();
    }
    cluster.fail('ConsumerGroupHeartbeat', 'COORDINATOR_LOAD_IN_PROGRESS');
    const failed = await heartbeat(cluster, { groupId: 'g', memberId: 'a', memberEpoch: a.epoch });
    assert.equal(failed.errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const epoch = cluster.consumerGroup('g')?.groupEpoch ?? 0;
    cluster.forceRebalance('g');
    await a.beat();
    await b.beat();
    assert.equal(a.epoch, epoch + 1);
    assert.equal(b.epoch, epoch + 1);
    assert.equal(a.owned.size + b.owned.size, 6);
    assert.equal(cluster.expireMember('g', 'a'), true);
    assert.equal(cluster.expireMember('g', 'a'), false);
    await b.beat();
    assert.equal(b.owned.size, 6);
    assert.equal((await heartbeat(cluster, { groupId: 'g', memberId: 'a', memberEpoch: a.epoch })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const logged = cluster.requests<{ memberId: string; memberEpoch: number }>('ConsumerGroupHeartbeat');
    assert.ok(logged.some((r) => r.body.memberId === 'b' && r.body.memberEpoch === 0));
  });
});
