/**
 * `groupProtocol: 'consumer'` (KIP-848) against the real broker, member by member: joining, the
 * broker's assignment, incremental moves between members with the revoked partitions drained and
 * committed before their next owner starts them, leaving, and the options the protocol refuses.
 * The scenarios under load, with Java members and with faults are in consumer-protocol*.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { InvalidOptionError } from '../../src/errors.js';
import { Producer } from '../../src/producer/producer.js';
import type { TopicPartition } from '../../src/protocol/topic-partition.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';

const brokers = testBrokers();
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers });
  await admin.connect();
});
after(async () => {
  await admin.close();
});

async function filledTopic(partitions: number, perPartition: number): Promise<string> {
  const topic = uniqueTopic('kip848');
  await admin.createTopics([{ topic, partitions }]);
  const producer = new Producer({ brokers, lingerMs: 2 });
  await producer.connect();
  const sends: Promise<unknown>[] = [];
  for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) sends.push(producer.send(topic, { partition: p, value: `p${p}-${i}` }));
  await Promise.all(sends);
  await producer.close();
  return topic;
}

/** A member that records which partitions it holds and every offset it acked. */
function member(groupId: string, topic: string, seen: Map<string, number[]>, extra: { delayMs?: number; name?: string } = {}) {
  const holding = new Set<number>();
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], groupProtocol: 'consumer', autoOffsetReset: 'earliest' }, async (stage) => {
    holding.add(stage.partition);
    try {
      for await (const batch of stage.batches({ maxDemand: 20 })) {
        if (extra.delayMs) await new Promise((r) => setTimeout(r, extra.delayMs));
        const list = seen.get(`${stage.partition}`) ?? [];
        for (const r of batch.records) list.push(r.offset);
        seen.set(`${stage.partition}`, list);
        await stage.ack(batch);
      }
    } finally {
      holding.delete(stage.partition);
    }
  });
  return { group, holding };
}

const total = (seen: Map<string, number[]>): number => [...seen.values()].reduce((n, l) => n + l.length, 0);

test('one member joins with a client-made member id and epoch > 0, reads every record in order and commits the log end', async () => {
  const topic = await filledTopic(4, 250);
  const groupId = uniqueTopic('g848');
  const seen = new Map<string, number[]>();
  const { group } = member(groupId, topic, seen);
  await group.start();
  assert.match(group.memberId, /^[A-Za-z0-9_-]{22}$/, 'a client-made id (KIP-1082)');
  assert.ok(group.generationId > 0, `member epoch ${group.generationId}`);
  await eventually(() => total(seen) === 1000, { what: '1000 records', timeoutMs: 30_000 });
  await group.stop();
  for (let p = 0; p < 4; p++) assert.deepEqual(seen.get(`${p}`), Array.from({ length: 250 }, (_, i) => i), `partition ${p}`);
  const offsets = await admin.describeGroupOffsets(groupId);
  assert.equal(offsets.partitions.length, 4);
  for (const row of offsets.partitions) assert.equal(row.committedOffset, 250, `committed ${row.topic}/${row.partition}`);
  await admin.deleteTopics([topic]);
});

test('a second member takes half the partitions incrementally: each record delivered once, no partition held by two members at once', async () => {
  const topic = await filledTopic(6, 300);
  const groupId = uniqueTopic('g848');
  const seen = new Map<string, number[]>();
  const a = member(groupId, topic, seen, { delayMs: 20 });
  const b = member(groupId, topic, seen, { delayMs: 20 });
  let overlap: string | null = null;
  const watch = setInterval(() => {
    for (const p of a.holding) if (b.holding.has(p)) overlap ??= `partition ${p} held by both`;
  }, 5);
  try {
    await a.group.start();
    await eventually(() => total(seen) > 100, { what: 'a consuming', timeoutMs: 20_000 });
    const epochBefore = a.group.generationId;
    await b.group.start();
    await eventually(() => b.holding.size === 3 && a.holding.size === 3, { what: 'a 3/3 split', timeoutMs: 30_000 });
    assert.ok(a.group.generationId > epochBefore, `the first member's epoch moved on (${epochBefore} → ${a.group.generationId})`);
    await eventually(() => total(seen) >= 1800, { what: 'all records', timeoutMs: 60_000 });
    await b.group.stop();
    await a.group.stop();
  } finally {
    clearInterval(watch);
  }
  assert.equal(overlap, null);
  for (let p = 0; p < 6; p++) {
    const offsets = seen.get(`${p}`) ?? [];
    assert.deepEqual([...offsets].sort((x, y) => x - y), Array.from({ length: 300 }, (_, i) => i), `partition ${p}: each offset once (revoked partitions committed their acked prefix)`);
  }
  const committed = await admin.describeGroupOffsets(groupId);
  for (const row of committed.partitions) assert.equal(row.committedOffset, 300);
  await admin.deleteTopics([topic]);
});

test('options the broker owns under KIP-848 are refused with a typed error naming them', () => {
  const base = { brokers, groupId: 'g', topics: ['t'], groupProtocol: 'consumer' as const };
  for (const [name, extra] of [
    ['sessionTimeoutMs', { sessionTimeoutMs: 10_000 }],
    ['heartbeatIntervalMs', { heartbeatIntervalMs: 1_000 }],
    ['assignors', { assignors: ['range'] as ('range' | 'roundrobin')[] }],
  ] as const) {
    assert.throws(() => new ConsumerGroup({ ...base, ...extra }), (err: unknown) => err instanceof InvalidOptionError && err.option === name, name);
  }
  assert.throws(() => new ConsumerGroup({ brokers, groupId: 'g', topicRegex: 't.*' }), (err: unknown) => err instanceof InvalidOptionError && err.option === 'topicRegex');
  assert.throws(() => new ConsumerGroup({ brokers, groupId: 'g', topics: ['t'], serverAssignor: 'range' }), (err: unknown) => err instanceof InvalidOptionError && err.option === 'serverAssignor');
  assert.throws(() => new ConsumerGroup({ ...base, serverAssignor: 'sticky' as never }), (err: unknown) => err instanceof InvalidOptionError && err.option === 'serverAssignor');
});

export type { TopicPartition };
