/** The consumer group against the real broker: delivery, demand, commits, the merged stream, standalone use. */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { FETCH_CHANNEL, type FetchSentEvent } from '../../src/consumer/fetch-scheduler.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { InvalidOptionError, KafkaStageError } from '../../src/errors.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';

const brokers = testBrokers();
const fast = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' as const };
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers });
  await admin.connect();
});
after(async () => {
  await admin.close();
});

/** A topic with `partitions` partitions holding `perPartition` records each (value `p<partition>-<i>`). */
async function filledTopic(partitions: number, perPartition: number, valueBytes = 20): Promise<string> {
  const topic = uniqueTopic('cg');
  await admin.createTopics([{ topic, partitions }]);
  const producer = new Producer({ brokers, lingerMs: 2 });
  await producer.connect();
  const pad = 'x'.repeat(Math.max(0, valueBytes - 10));
  const sends: Promise<unknown>[] = [];
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < perPartition; i++) sends.push(producer.send(topic, { partition: p, value: `p${p}-${i}-${pad}` }));
  }
  await Promise.all(sends);
  await producer.close();
  return topic;
}

test('every record is delivered once, in order per partition, and the final commit is the log end', async () => {
  const topic = await filledTopic(3, 400);
  const groupId = uniqueTopic('g');
  const seen = new Map<number, number[]>();
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], ...fast }, async (stage) => {
    for await (const batch of stage.batches({ maxDemand: 50 })) {
      const list = seen.get(stage.partition) ?? [];
      for (const r of batch.records) list.push(r.offset);
      seen.set(stage.partition, list);
      await stage.ack(batch);
    }
  });
  await group.start();
  await eventually(() => [...seen.values()].reduce((n, l) => n + l.length, 0) === 1200, { what: '1200 records', timeoutMs: 20_000 });
  await group.stop();
  for (let p = 0; p < 3; p++) assert.deepEqual(seen.get(p), Array.from({ length: 400 }, (_, i) => i), `partition ${p}`);
  const offsets = await admin.describeGroupOffsets(groupId);
  for (const row of offsets.partitions) assert.equal(row.committedOffset, 400, `committed ${row.topic}/${row.partition}`);
  await admin.deleteTopics([topic]);
});

test('demand: a subscriber that asks for 10 gets exactly 10, its partition is not fetched while full, another keeps flowing', async () => {
  const topic = await filledTopic(2, 3000, 100);
  const groupId = uniqueTopic('g');
  const fetchedFor = new Map<number, number>();
  const onFetch = (message: unknown): void => {
    for (const p of (message as FetchSentEvent).partitions) {
      if (p.topic === topic) fetchedFor.set(p.partition, (fetchedFor.get(p.partition) ?? 0) + 1);
    }
  };
  subscribe(FETCH_CHANNEL, onFetch);
  const got: KafkaRecord[] = [];
  let flowing = 0;
  const maxRecords = 200;
  const group = new ConsumerGroup(
    { brokers, groupId, topics: [topic], ...fast, assignors: ['range'], buffer: { maxRecordsPerPartition: maxRecords, maxBytesPerPartition: 1024 * 1024 } },
    (stage) => {
      if (stage.partition === 0) {
        stage.onRecords((records) => got.push(...records));
        stage.ask(10);
        return;
      }
      return (async () => {
        for await (const batch of stage.batches({ maxDemand: 100 })) {
          flowing += batch.records.length;
          await stage.ack(batch);
        }
      })();
    },
  );
  try {
    await group.start();
    await eventually(() => got.length === 10, { what: 'the 10 records asked for', timeoutMs: 20_000 });
    // From here partition 0 has no demand: at most a Fetch already in flight may still name it.
    const fetchesAtStall = fetchedFor.get(0) ?? 0;
    const flowingAtStall = flowing;
    await eventually(() => flowing === 3000, { what: 'the second partition to drain', timeoutMs: 20_000 });
    assert.ok(flowing > flowingAtStall, 'the second partition kept flowing while the first was stalled');
    const stalled = group.stage(topic, 0)?.stats();
    assert.equal(got.length, 10, 'exactly the 10 records asked for');
    assert.deepEqual(got.map((r) => r.offset), Array.from({ length: 10 }, (_, i) => i));
    assert.ok(stalled, 'partition 0 is still owned');
    assert.ok(stalled.bufferedRecords <= maxRecords, `buffer within its bound (${stalled.bufferedRecords})`);
    assert.ok((fetchedFor.get(0) ?? 0) <= fetchesAtStall + 1, `no Fetch for the stalled partition (${fetchedFor.get(0)} vs ${fetchesAtStall} at the stall)`);
    assert.ok((fetchedFor.get(1) ?? 0) > 3, 'the flowing partition was fetched many times');
  } finally {
    unsubscribe(FETCH_CHANNEL, onFetch);
    await group.stop();
    await admin.deleteTopics([topic]);
  }
});

test('out-of-order acks commit only the contiguous prefix', async () => {
  const topic = await filledTopic(1, 10);
  const groupId = uniqueTopic('g');
  let records: KafkaRecord[] = [];
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], ...fast, commit: { strategy: 'sync' } }, (stage) => {
    stage.onRecords((r) => records.push(...r));
    stage.ask(10);
  });
  await group.start();
  await eventually(() => records.length === 10, { what: '10 records', timeoutMs: 20_000 });
  const stage = group.stage(topic, 0);
  assert.ok(stage);
  // Under sync an out-of-order ack resolves only once a durable commit covers it: 3 never is here.
  const ack3 = stage.ack(records[3] as KafkaRecord).then(
    () => null,
    (err: unknown) => err,
  );
  const ack1 = stage.ack(records[1] as KafkaRecord);
  assert.equal(stage.stats().ackedOffset, 0);
  await stage.ack(records[0] as KafkaRecord);
  await ack1;
  assert.equal(stage.stats().ackedOffset, 2, '0 and 1 acked; 2 is not');
  assert.equal(stage.stats().committedOffset, 2, 'sync strategy: committed when the ack resolved');
  records = [];
  await group.stop();
  const lost = await ack3;
  assert.ok(lost instanceof KafkaStageError && lost.code === 'ERR_COMMIT_LOST', `the ack of 3 is never committed: ${String(lost)}`);
  const offsets = await admin.describeGroupOffsets(groupId);
  assert.equal(offsets.partitions[0]?.committedOffset, 2, 'stop commits the acked prefix, not the delivered position');
  await admin.deleteTopics([topic]);
});

test('the merged stream yields every partition; a standalone consumer starts at given offsets', async () => {
  const topic = await filledTopic(3, 50);
  const group = new ConsumerGroup({ brokers, groupId: uniqueTopic('g'), topics: [topic], ...fast });
  await group.start();
  let count = 0;
  const partitions = new Set<number>();
  for await (const batch of group.stream({ maxDemand: 20 })) {
    count += batch.records.length;
    partitions.add(batch.partition);
    await group.ack(batch);
    if (count === 150) break;
  }
  await group.stop();
  assert.equal(count, 150);
  assert.deepEqual([...partitions].sort(), [0, 1, 2]);

  const standalone = new StandaloneConsumer({ brokers, partitions: [{ topic, partition: 1, offset: 45 }] });
  await standalone.start();
  const offsets: number[] = [];
  for await (const batch of standalone.stream({ maxDemand: 10 })) {
    offsets.push(...batch.records.map((r) => r.offset));
    if (offsets.length === 5) break;
  }
  await standalone.stop();
  assert.deepEqual(offsets, [45, 46, 47, 48, 49]);
  await admin.deleteTopics([topic]);
});

test('a stuck handler raises a stuck event; release() restarts the partition from the acked prefix', async () => {
  const topic = await filledTopic(1, 30);
  const groupId = uniqueTopic('g');
  const calls: { first: number[]; aborted: boolean }[] = [];
  let total = 0;
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], ...fast, maxProcessingMs: 200 }, async (stage, { signal }) => {
    const call = { first: [] as number[], aborted: false };
    calls.push(call);
    for await (const batch of stage.batches({ maxDemand: 10 })) {
      call.first.push(...batch.records.map((r) => r.offset));
      if (calls.length === 1) {
        // The first handler acks its first record, then hangs until it is released.
        await stage.ack(batch.records[0] as KafkaRecord);
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        call.aborted = signal.aborted;
        return;
      }
      total += batch.records.length;
      await stage.ack(batch);
    }
  });
  const stuck = new Promise<{ topic: string; partition: number; heldMs: number }>((resolve) => group.once('stuck', resolve));
  await group.start();
  try {
    const event = await stuck;
    assert.equal(event.topic, topic);
    assert.ok(event.heldMs >= 200, `held ${event.heldMs} ms`);
    assert.equal(await group.release(topic, 0), true);
    await eventually(() => total === 29, { what: 'the 29 records after the acked prefix, again', timeoutMs: 20_000 });
    assert.equal(calls.length, 2, 'a fresh subscriber call');
    assert.equal(calls[0]?.aborted, true, "the stuck handler's signal aborted");
    assert.equal(calls[1]?.first[0], 1, 'the new handler starts at the acked prefix');
  } finally {
    await group.stop();
  }
  const offsets = await admin.describeGroupOffsets(groupId);
  assert.equal(offsets.partitions[0]?.committedOffset, 30);
  await admin.deleteTopics([topic]);
});

test('invalid options throw a typed error naming the option, before any I/O', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ brokers, topics: ['t'] }, 'groupId'],
    [{ brokers, groupId: 'g', topics: [] }, 'topics'],
    [{ brokers, groupId: 'g', topics: ['t'], sessionTimeoutMs: 1000, heartbeatIntervalMs: 2000 }, 'heartbeatIntervalMs'],
    [{ brokers, groupId: 'g', topics: ['t'], autoOffsetReset: 'smallest' }, 'autoOffsetReset'],
    [{ brokers, groupId: 'g', topics: ['t'], commit: { strategy: 'eventually' } }, 'commit.strategy'],
    [{ brokers, groupId: 'g', topics: ['t'], buffer: { maxBytes: 10 } }, 'buffer.maxBytes'],
    [{ brokers, groupId: 'g', topics: ['t'], assignors: ['sticky'] }, 'assignors[0]'],
    [{ brokers, groupId: 'g', topics: ['t'], maxPollRecords: 5 }, 'maxPollRecords'],
  ];
  for (const [options, option] of cases) {
    assert.throws(
      () => new ConsumerGroup(options as never),
      (err: unknown) => err instanceof InvalidOptionError && err.option === option,
      `expected InvalidOptionError naming ${option}`,
    );
  }
});
