/**
 * The project's own `ConsumerGroup` with `groupProtocol: 'consumer'` against the fake cluster's
 * KIP-848 coordinator: what a user testing their subscriber without a broker gets. Two members
 * split a topic incrementally, every record is delivered once, nothing is held by two members at
 * once, and the commits end at the log end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';
import { eventually } from '../helpers/eventually.js';

const PARTITIONS = 4;
const PER_PARTITION = 50;

test('two consumer-protocol members over the fake: an incremental split, each record once, commits at the log end', async () => {
  // A short heartbeat interval: reconciliation takes a few heartbeats, and the test waits on them.
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: PARTITIONS }], consumerHeartbeatIntervalMs: 50 });
  const seen = new Map<number, number[]>();
  const holders = new Map<number, Set<string>>();
  let overlap: string | null = null;
  const member = (name: string): ConsumerGroup =>
    new ConsumerGroup({ brokers: cluster.bootstrap, groupId: 'billing', topics: ['orders'], groupProtocol: 'consumer', autoOffsetReset: 'earliest' }, async (stage) => {
      const held = holders.get(stage.partition) ?? new Set<string>();
      holders.set(stage.partition, held);
      held.add(name);
      if (held.size > 1) overlap ??= `partition ${stage.partition} held by ${[...held].join(' and ')}`;
      try {
        for await (const batch of stage.batches({ maxDemand: 10 })) {
          seen.set(stage.partition, [...(seen.get(stage.partition) ?? []), ...batch.records.map((r) => r.offset)]);
          await stage.ack(batch);
        }
      } finally {
        held.delete(name);
      }
    });
  const a = member('a');
  const b = member('b');
  try {
    for (let p = 0; p < PARTITIONS; p++) await cluster.append('orders', p, Array.from({ length: PER_PARTITION / 2 }, (_, i) => ({ value: `${p}-${i}` })));
    await a.start();
    assert.equal(cluster.consumerGroup('billing')?.members[0]?.memberId, a.memberId, 'the client-made member id');
    await eventually(() => [...seen.values()].reduce((n, l) => n + l.length, 0) === (PARTITIONS * PER_PARTITION) / 2, { what: 'the first half read by a', timeoutMs: 10_000 });
    await b.start();
    await eventually(
      () => {
        const view = cluster.consumerGroup('billing');
        return view?.state === 'Stable' && view.members.every((m) => m.assigned.length === PARTITIONS / 2);
      },
      { what: 'a 2/2 split, reconciled', timeoutMs: 10_000, progress: () => JSON.stringify(cluster.consumerGroup('billing')) },
    );
    for (let p = 0; p < PARTITIONS; p++) await cluster.append('orders', p, Array.from({ length: PER_PARTITION / 2 }, (_, i) => ({ value: `${p}-late-${i}` })));
    await eventually(() => [...seen.values()].reduce((n, l) => n + l.length, 0) >= PARTITIONS * PER_PARTITION, { what: 'every record', timeoutMs: 10_000 });
    await b.stop();
    await a.stop();
  } finally {
    await cluster.stop();
  }
  assert.equal(overlap, null);
  for (let p = 0; p < PARTITIONS; p++) {
    assert.deepEqual(seen.get(p), Array.from({ length: PER_PARTITION }, (_, i) => i), `partition ${p}: each offset once, in order`);
    assert.equal(cluster.committed('billing', 'orders', p), PER_PARTITION, `partition ${p} committed at the log end`);
  }
});

test('a consumer-protocol member subscribed by topicRegex over the fake reads a matching topic created after it started', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'ev-a', partitions: 1 }, { topic: 'other', partitions: 1 }], consumerHeartbeatIntervalMs: 50 });
  const seen: string[] = [];
  const group = new ConsumerGroup({ brokers: cluster.bootstrap, groupId: 'rx', topicRegex: 'ev-.*', groupProtocol: 'consumer', autoOffsetReset: 'earliest' }, async (stage) => {
    for await (const record of stage) {
      seen.push(`${stage.topic}:${String(record.value)}`);
      await stage.ack(record);
    }
  });
  try {
    await cluster.append('ev-a', 0, [{ value: '1' }]);
    await cluster.append('other', 0, [{ value: 'x' }]);
    await group.start();
    await eventually(() => seen.length === 1, { what: 'the record of ev-a', timeoutMs: 10_000 });
    cluster.createTopic({ topic: 'ev-b', partitions: 2 });
    await cluster.append('ev-b', 1, [{ value: '2' }]);
    await eventually(() => seen.length === 2, { what: 'the record of ev-b', timeoutMs: 10_000, progress: () => seen.join(',') });
    await group.stop();
  } finally {
    await cluster.stop();
  }
  assert.deepEqual(seen, ['ev-a:1', 'ev-b:2']);
  assert.equal(cluster.committed('rx', 'ev-b', 1), 1);
});

test('a static consumer-protocol member restarted over the fake gets its partitions back without a new group epoch', async () => {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: 4 }], consumerHeartbeatIntervalMs: 50 });
  const held = new Map<string, Set<number>>();
  const member = (name: string, instance: string): ConsumerGroup =>
    new ConsumerGroup({ brokers: cluster.bootstrap, groupId: 'st', topics: ['orders'], groupProtocol: 'consumer', groupInstanceId: instance }, async (stage) => {
      const mine = held.get(name) ?? new Set<number>();
      held.set(name, mine);
      mine.add(stage.partition);
      try {
        for await (const record of stage) await stage.ack(record);
      } finally {
        mine.delete(stage.partition);
      }
    });
  const settled = (): boolean => {
    const view = cluster.consumerGroup('st');
    return view?.state === 'Stable' && view.members.length === 2 && view.members.every((m) => m.assigned.length === 2);
  };
  try {
    const a = member('a', 'box-a');
    const b = member('b', 'box-b');
    await a.start();
    await b.start();
    await eventually(settled, { what: 'a 2/2 split', timeoutMs: 10_000, progress: () => JSON.stringify(cluster.consumerGroup('st')) });
    await eventually(() => held.get('b')?.size === 2, { what: 'b running its two partitions', timeoutMs: 10_000 });
    const before = [...(held.get('b') ?? [])].sort();
    const epoch = cluster.consumerGroup('st')?.groupEpoch;
    await b.stop();
    const again = member('b2', 'box-b');
    await again.start();
    await eventually(() => held.get('b2')?.size === 2, { what: 'the restarted instance running two partitions', timeoutMs: 10_000 });
    assert.deepEqual([...(held.get('b2') ?? [])].sort(), before);
    assert.equal(cluster.consumerGroup('st')?.groupEpoch, epoch, 'no new group epoch');
    await again.stop();
    await a.stop();
  } finally {
    await cluster.stop();
  }
});
