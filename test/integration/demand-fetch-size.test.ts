/**
 * The default demand and the Fetches it drives, against the real broker (issue 14, item 3). Fetch
 * sizes follow demand: a partition asks for the demand its buffer does not cover, at most half its
 * buffer (1000 records) per Fetch, so that when an answer lands the other half can be asked for in
 * the Fetch that leaves in the same turn. With GenStage's 1000 as the default demand (half the
 * 2000-record buffer) an answer covered all of it, and the next asks were for what the subscriber
 * had taken since: smaller Fetches, or (draining 15M × 100 B in the benchmark) Fetches alternating
 * between halves of the partitions, 3.1 of 6 per Fetch, 4338 Fetches where 2276 do now. Here: 6
 * partitions of 20,000 records drained with the README's loop took 52 Fetches with demand 1000, 32
 * with 2000.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { FETCH_CHANNEL, type FetchSentEvent } from '../../src/consumer/fetch-scheduler.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const brokers = testBrokers();
const PARTITIONS = 6;
const PER_PARTITION = 20_000;
const topic = uniqueTopic('demand-fetch');
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers });
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  const producer = new Producer({ brokers, lingerMs: 5 });
  try {
    const value = Buffer.alloc(100, 'v');
    for (let p = 0; p < PARTITIONS; p++) {
      await producer.sendBatch(
        topic,
        Array.from({ length: PER_PARTITION }, () => ({ partition: p, value })),
      );
    }
  } finally {
    await producer.close();
  }
});

after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

test('with the default demand, a drain asks about half a buffer per partition per Fetch, every partition in each', { timeout: 120_000 }, async () => {
  const sent: FetchSentEvent[] = [];
  const onFetch = (event: unknown): void => {
    sent.push(event as FetchSentEvent);
  };
  subscribe(FETCH_CHANNEL, onFetch);
  let handled = 0;
  let finish: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const consumer = new StandaloneConsumer(
    { brokers, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: 0 })) },
    async (stage) => {
      for await (const batch of stage.batches()) {
        handled += batch.records.length;
        await stage.ack(batch);
        if (handled === PARTITIONS * PER_PARTITION) finish();
      }
    },
  );
  try {
    await consumer.start();
    await drained;
  } finally {
    unsubscribe(FETCH_CHANNEL, onFetch);
    await consumer.stop();
  }
  // Past the first asks (sized before any record was seen) and before any partition nears its end
  // (a partition whose records are all fetched asks for nothing more).
  const steady = sent.slice(PARTITIONS).filter((f) => f.partitions.every((p) => p.fetchOffset < PER_PARTITION / 2));
  assert.ok(steady.length >= 3, `${steady.length} Fetches in the steady part of the drain`);
  const parts = steady.map((f) => f.partitions.length).sort((a, b) => a - b);
  const median = parts[Math.floor(parts.length / 2)] as number;
  assert.equal(median, PARTITIONS, `partitions per Fetch: ${parts.join(',')}`);
  // 20 asks of half a buffer per partition, the first asks (512 B doubling until records are seen)
  // and the end: 32 Fetches. With asks of what the subscriber took since (demand 1000): 52. The
  // bound sits between, with room for a subscriber slowed by a busy machine.
  assert.ok(sent.length <= 45, `${sent.length} Fetches for ${PARTITIONS * PER_PARTITION} records`);
});
