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
