/**
 * Issue #14: the README's subscriber pattern, `for await (const b of stage.batches()) { …; await
 * stage.ack(b) }`, must fetch exactly as the same loop with `stage.ack(b)` not awaited. Under the
 * `async` strategy the awaited ack is an already-resolved promise: it only costs the subscriber one
 * more microtask turn per batch. When the scheduler planned a broker's next Fetch from a microtask
 * queued as the previous answer was handed over, that plan raced the subscribers' microtask chains:
 * the loop with the extra turn had consumed fewer batches at that moment, so its partitions wanted
 * less, and the same records took a third more Fetches (and round trips). The Fetches sent — which
 * partitions, from which offsets, for how many bytes — must not depend on how many microtask turns
 * a subscriber takes per batch.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, it } from 'node:test';
import { FETCH_CHANNEL, type FetchSentEvent } from '../../src/consumer/fetch-scheduler.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import type { FakeKafkaCluster } from '../../src/testing/index.js';
import { clientOptions, logCluster, LOG_TOPIC } from './log-cluster.js';

const PARTITIONS = 6;
const RECORDS = 3_000;
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

/**
 * Drains every partition of `fake` with the batches() loop, acking each batch awaited or not, and
 * returns the Fetches sent for records of the log, each as `partition@fetchOffset:maxBytes` in
 * request order (parts past the log's end left out: what is fetched after the last record depends
 * on when the test stops, not on the loop).
 */
async function fetchesOfDrain(fake: FakeKafkaCluster, awaitAck: boolean): Promise<string[][]> {
  const fetches: string[][] = [];
  const onFetch = (message: unknown): void => {
    const parts = (message as FetchSentEvent).partitions.filter((p) => p.fetchOffset < RECORDS).map((p) => `${p.partition}@${p.fetchOffset}:${p.maxBytes}`);
    if (parts.length > 0) fetches.push(parts);
  };
  let seen = 0;
  let drained!: () => void;
  const done = new Promise<void>((resolve) => (drained = resolve));
  subscribe(FETCH_CHANNEL, onFetch);
  const consumer = new StandaloneConsumer(
    { ...clientOptions(fake), partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: LOG_TOPIC, partition, offset: 0 })) },
    async (stage) => {
      for await (const batch of stage.batches()) {
        seen += batch.records.length;
        if (awaitAck) await stage.ack(batch);
        else void stage.ack(batch);
        if (seen === PARTITIONS * RECORDS) drained();
      }
    },
  );
  try {
    await consumer.start();
    await done;
  } finally {
    unsubscribe(FETCH_CHANNEL, onFetch);
    await consumer.stop();
  }
  return fetches;
}

describe('awaiting ack() in the batches() loop (issue #14)', () => {
  it('sends the same Fetches, in the same order and sizes, as the loop that does not await the ack', { timeout: 30_000 }, async () => {
    const fake = await logCluster({ partitions: PARTITIONS, records: RECORDS, batchSize: 500 });
    open.push(fake);
    const awaited = await fetchesOfDrain(fake, true);
    const bare = await fetchesOfDrain(fake, false);
    // Each loop needed several rounds, every one of them covering all six partitions at first.
    assert.ok(bare.length > 3, `the drain took ${bare.length} Fetches: too few to compare`);
    assert.equal(awaited.length, bare.length, `awaiting the ack took ${awaited.length} Fetches where not awaiting it took ${bare.length}`);
    assert.deepEqual(awaited, bare);
  });
});
