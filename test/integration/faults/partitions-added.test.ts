/**
 * Partitions added to a consumed topic (issue #9): the group's leader notices the new partition
 * count on its metadata refresh (every metadataMaxAgeMs, as the Java consumer) and rejoins, so the
 * new partitions are assigned and consumed without any member restarting. Runs on the shared
 * 1-node broker: the behaviour under test is the group's, not the brokers'.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../../src/admin/index.js';
import type { AssignorName } from '../../../src/group/assignors/index.js';
import { ConsumerGroup } from '../../../src/consumer/consumer-group.js';
import { Producer } from '../../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../../helpers/env.js';
import { eventually } from '../../helpers/eventually.js';

const brokers = testBrokers();
const METADATA_MAX_AGE_MS = 5_000;
/** Beyond metadataMaxAgeMs: a heartbeat tick to notice, a rebalance of two members, a first fetch. */
const REBALANCE_BOUND_MS = 10_000;
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers });
  await admin.connect();
});
after(async () => {
  await admin.close();
});

async function produce(topic: string, partitions: number[], perPartition: number): Promise<void> {
  const producer = new Producer({ brokers, lingerMs: 2 });
  await producer.connect();
  try {
    const sends: Promise<unknown>[] = [];
    for (const p of partitions) for (let i = 0; i < perPartition; i++) sends.push(producer.send(topic, { partition: p, value: `p${p}-${i}` }));
    await Promise.all(sends);
  } finally {
    await producer.close();
  }
}

for (const assignor of ['cooperative-sticky', 'range'] as AssignorName[]) {
  test(`${assignor}: partitions added to a consumed topic are consumed within metadataMaxAgeMs + ${REBALANCE_BOUND_MS} ms`, async () => {
    const topic = uniqueTopic('grow');
    const groupId = uniqueTopic('grow-g');
    await admin.createTopics([{ topic, partitions: 3 }]);
    await produce(topic, [0, 1, 2], 20);

    /** Offsets delivered per partition, and when each partition's first record arrived. */
    const seen = new Map<number, number[]>();
    const firstAt = new Map<number, number>();
    const owners = new Map<string, Set<number>>();
    const members = ['m1', 'm2'].map(
      (name) =>
        new ConsumerGroup(
          { brokers, groupId, topics: [topic], assignors: [assignor], autoOffsetReset: 'earliest', sessionTimeoutMs: 6000, heartbeatIntervalMs: 300, metadataMaxAgeMs: METADATA_MAX_AGE_MS },
          async (stage) => {
            const mine = owners.get(name) ?? new Set<number>();
            mine.add(stage.partition);
            owners.set(name, mine);
            for await (const batch of stage.batches({ maxDemand: 100 })) {
              const list = seen.get(stage.partition) ?? [];
              for (const r of batch.records) list.push(r.offset);
              seen.set(stage.partition, list);
              if (!firstAt.has(stage.partition)) firstAt.set(stage.partition, Date.now());
              await stage.ack(batch);
            }
            mine.delete(stage.partition);
          },
        ),
    );
    try {
      await Promise.all(members.map((m) => m.start()));
      const count = (ps: number[]) => ps.reduce((n, p) => n + (seen.get(p)?.length ?? 0), 0);
      await eventually(() => count([0, 1, 2]) === 60, { what: 'the first 3 partitions', timeoutMs: 30_000 });

      await admin.createPartitions([{ topic, count: 6 }]);
      await produce(topic, [3, 4, 5], 20);
      const producedAt = Date.now();
      const bound = METADATA_MAX_AGE_MS + REBALANCE_BOUND_MS;
      // Waits past the bound on purpose, so a failure reports how late (or never) they came.
      await eventually(() => count([3, 4, 5]) === 60, { what: 'the 3 added partitions', timeoutMs: bound + 20_000 }).catch(() => undefined);

      for (const p of [3, 4, 5]) {
        assert.deepEqual(seen.get(p), Array.from({ length: 20 }, (_, i) => i), `partition ${p} delivered in full, in order`);
        const latency = (firstAt.get(p) as number) - producedAt;
        assert.ok(latency <= bound, `partition ${p} first consumed ${latency} ms after its records were produced (bound ${bound} ms)`);
      }
      // Every partition has exactly one owner among the members.
      const owned = [...owners.values()].flatMap((s) => [...s]).sort((a, b) => a - b);
      assert.deepEqual(owned, [0, 1, 2, 3, 4, 5]);
      // The rebalance moved or kept the old partitions at their committed offsets: no re-delivery.
      for (const p of [0, 1, 2]) assert.deepEqual(seen.get(p), Array.from({ length: 20 }, (_, i) => i), `partition ${p} delivered once`);
    } finally {
      await Promise.all(members.map((m) => m.stop()));
      await admin.deleteTopics([topic]);
    }
  });
}
