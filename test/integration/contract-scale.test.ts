/**
 * The commit contract at the scale users run (issue 8): the merged stream `group.stream()` with its
 * default demand over 50 000 records per partition, every batch acked. Past 1024 acked offsets the
 * offset tracker compacts its bookkeeping; the merged stream holds two or three batches per
 * partition unacked whenever one is acked, so the tracker's queue never empties and batch acks span
 * its compaction. After stop() the group's committed offset of every partition must be its log end,
 * every record must have been delivered exactly once, and stop() must not wait for a drain.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { Admin } from '../../src/admin/index.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { CONSUMER_DEFAULTS } from '../../src/consumer/options.js';
import { Producer, type ProducerRecord } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const brokers = testBrokers();
const PARTITIONS = 3;
const PER_PARTITION = 50_000;
let admin: Admin;
const topics: string[] = [];

before(async () => {
  admin = new Admin({ brokers });
  await admin.connect();
});
after(async () => {
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

/** A topic of `partitions` partitions with `perPartition` small records each, value `<partition>:<i>`. */
async function filledTopic(partitions: number, perPartition: number): Promise<string> {
  const topic = uniqueTopic('contract-scale');
  topics.push(topic);
  await admin.createTopics([{ topic, partitions }]);
  const producer = new Producer({ brokers, lingerMs: 5 });
  await producer.connect();
  try {
    const chunk = 5_000;
    for (let from = 0; from < perPartition; from += chunk) {
      const sends: Promise<unknown>[] = [];
      for (let p = 0; p < partitions; p++) {
        const records: ProducerRecord[] = [];
        for (let i = from; i < Math.min(perPartition, from + chunk); i++) records.push({ partition: p, value: `${p}:${i}` });
        sends.push(producer.sendBatch(topic, records));
      }
      await Promise.all(sends);
    }
  } finally {
    await producer.close();
  }
  return topic;
}

test('merged stream, default demand, 50 000 records per partition acked batch by batch: stop() commits exactly the log end, every record once', { timeout: 120_000 }, async (t) => {
  const topic = await filledTopic(PARTITIONS, PER_PARTITION);
  const groupId = uniqueTopic('contract-scale-g');
  // drainTimeoutMs is kept at its default: a stop that has to wait for it is a symptom of acks lost in the tracker.
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' });
  const errors: Error[] = [];
  group.on('error', (err) => errors.push(err));
  const counts = Array.from({ length: PARTITIONS }, () => new Uint8Array(PER_PARTITION));
  let total = 0;
  let outOfRange = 0;
  let badValue = 0;
  await group.start();
  let stopMs = 0;
  try {
    for await (const batch of group.stream()) {
      const seen = counts[batch.partition];
      for (const r of batch.records) {
        if (!seen || r.offset >= PER_PARTITION) outOfRange++;
        else {
          seen[r.offset] = (seen[r.offset] ?? 0) + 1;
          if (r.value?.toString('utf8') !== `${batch.partition}:${r.offset}`) badValue++;
        }
      }
      total += batch.records.length;
      // A handler that does I/O yields to the event loop before it acks: meanwhile the stages hand
      // the merged stream their next batches, so two or three batches per partition are unacked
      // whenever one is acked (a handler that acks synchronously leaves the tracker empty each time).
      await setImmediate();
      await group.ack(batch);
      if (total >= PARTITIONS * PER_PARTITION) break;
    }
  } finally {
    const t0 = performance.now();
    await group.stop();
    stopMs = performance.now() - t0;
  }
  t.diagnostic(`delivered ${total}, stop() took ${stopMs.toFixed(0)} ms`);
  assert.deepEqual(errors.map(String), [], 'no error events');
  assert.equal(outOfRange, 0, 'no delivery outside the produced offsets');
  assert.equal(badValue, 0, 'every record carries its produced value');
  for (let p = 0; p < PARTITIONS; p++) {
    const seen = counts[p] as Uint8Array;
    const missing = seen.indexOf(0);
    const twice = seen.findIndex((c) => c > 1);
    assert.equal(missing, -1, `partition ${p}: offset ${missing} never delivered`);
    assert.equal(twice, -1, `partition ${p}: offset ${twice} delivered ${seen[twice]} times`);
  }
  assert.equal(total, PARTITIONS * PER_PARTITION, 'exactly one delivery per record');

  const ends = await admin.listOffsets(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
  const committed = new Map((await admin.fetchGroupOffsets(groupId, [topic])).map((c) => [c.partition, c.offset]));
  const rows = ends.map((e) => `partition ${e.partition}: committed ${committed.get(e.partition) ?? 'none'} of ${e.offset}`).sort();
  assert.deepEqual(
    rows,
    ends.map((e) => `partition ${e.partition}: committed ${e.offset} of ${e.offset}`).sort(),
    'the committed offset of every partition is its log end',
  );
  // Everything was acked before stop(): nothing is in flight, so stop() has no drain to wait for.
  assert.ok(stopMs < CONSUMER_DEFAULTS.drainTimeoutMs, `stop() took ${stopMs.toFixed(0)} ms with nothing in flight: it waited for the drain timeout`);
});
