/**
 * The onFailure policy against the real broker: a handler that fails a record twice then succeeds
 * (retry, order kept, attempts 1-2-3, commit at the log end), retries exhausted with a dead-letter
 * topic (the record there with its headers, the commit past it), retries exhausted with `stop`
 * (the partition stops, the other goes on, the commit stays below the failed record, stats say
 * why, release() starts it again), and the merged stream's consumer.nack behaving the same.
 * Commits are read back with the Java consumer-groups tool, dead-letter records with the Java
 * console consumer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { DEAD_LETTER_HEADERS } from '../../src/consumer/dead-letter.js';
import { PartitionStoppedError } from '../../src/consumer/failure-errors.js';
import { Producer } from '../../src/producer/producer.js';
import { InvalidOptionError } from '../../src/errors.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { useAdmin } from '../helpers/test-admin.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { javaDescribeGroupOffsets } from '../helpers/java-group-tool.js';
import { javaConsume } from '../helpers/java-tools.js';

const brokers = testBrokers();
const fast = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' as const, commit: { strategy: 'async' as const, intervalMs: 200 } };
const quickRetry = { initialMs: 50, maxMs: 200 };
const admin = useAdmin(brokers);

/** A topic with `partitions` partitions holding `perPartition` records each, value `v<i>`, key `k<i>`. */
async function filledTopic(prefix: string, partitions: number, perPartition: number): Promise<string> {
  const topic = uniqueTopic(prefix);
  await admin().createTopics([{ topic, partitions }]);
  const producer = new Producer({ brokers, lingerMs: 2 });
  const sends: Promise<unknown>[] = [];
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < perPartition; i++) sends.push(producer.send(topic, { partition: p, key: `k${i}`, value: `v${i}`, headers: [{ key: 'trace', value: `t${i}` }] }));
  }
  await Promise.all(sends);
  await producer.close();
  return topic;
}

/** A promise and its resolver: the test waits on what the handler reports, bounded by the test timeout. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function committed(groupId: string): Promise<Map<number, number | null>> {
  const rows = await javaDescribeGroupOffsets(brokers, groupId);
  return new Map(rows.map((r) => [r.partition, r.currentOffset]));
}

test('retry: a record failing twice is delivered again in order, attempts 1, 2, 3; every record processed once in order; commit at the log end', { timeout: 120_000 }, async () => {
  const topic = await filledTopic('fp-retry', 1, 50);
  const groupId = uniqueTopic('fp-retry-g');
  const logger = captureLogger();
  const processed: number[] = [];
  const attemptsOf7: number[] = [];
  const done = signal();
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], ...fast, logger, onFailure: { retry: { ...quickRetry, maxAttempts: 5 } } }, async (stage) => {
    for await (const record of stage.records({ maxDemand: 20 })) {
      if (record.offset === 7) {
        attemptsOf7.push(record.attempt);
        if (record.attempt < 3) throw new Error(`fail 7 on attempt ${record.attempt}`);
      }
      processed.push(record.offset);
      await stage.ack(record);
      if (record.offset === 49) done.resolve();
    }
  });
  const errors: Error[] = [];
  group.on('error', (e) => errors.push(e));
  await group.start();
  await done.promise;
  await group.stop();
  assert.deepEqual(attemptsOf7, [1, 2, 3]);
  assert.deepEqual(processed, Array.from({ length: 50 }, (_, i) => i), 'each record processed once, in order');
  assert.deepEqual(errors, [], 'a retried failure is no error event');
  const retries = logger.at('warn').filter((e) => e.message.includes('delivering its records again'));
  assert.equal(retries.length, 2, 'each retry logged once');
  assert.equal(retries[0]?.fields?.offset, 7);
  assert.deepEqual(retries.map((e) => e.fields?.attempt), [1, 2]);
  assert.equal((await committed(groupId)).get(0), 50);
});

test('deadLetter: after maxAttempts the record goes to the dead-letter topic with its headers, then the commit passes it', { timeout: 120_000 }, async () => {
  const topic = await filledTopic('fp-dlt', 1, 10);
  const dlt = `${topic}-dlt`;
  await admin().createTopics([{ topic: dlt, partitions: 1 }]);
  const groupId = uniqueTopic('fp-dlt-g');
  const processed: number[] = [];
  const attemptsOf3: number[] = [];
  const done = signal();
  const group = new ConsumerGroup(
    { brokers, groupId, topics: [topic], ...fast, logger: captureLogger(), onFailure: { retry: { ...quickRetry, maxAttempts: 2 }, deadLetter: { topic: dlt } } },
    async (stage) => {
      for await (const record of stage.records({ maxDemand: 5 })) {
        if (record.offset === 3) {
          attemptsOf3.push(record.attempt);
          throw new Error('poison record 3');
        }
        processed.push(record.offset);
        await stage.ack(record);
        if (record.offset === 9) done.resolve();
      }
    },
  );
  await group.start();
  await done.promise;
  await group.stop();
  assert.deepEqual(attemptsOf3, [1, 2]);
  assert.deepEqual(processed, [0, 1, 2, 4, 5, 6, 7, 8, 9]);
  assert.equal((await committed(groupId)).get(0), 10, 'the commit passes the dead-lettered record');
  const [record, ...more] = await javaConsume({ brokers, topic: dlt, maxMessages: 2, timeoutMs: 8000, from: 'earliest' });
  assert.equal(more.length, 0, 'one record dead-lettered');
  assert.ok(record);
  assert.equal(record.key, 'k3');
  assert.equal(record.value, 'v3');
  const h = DEAD_LETTER_HEADERS;
  assert.equal(record.headers.trace, 't3', 'original headers kept');
  assert.equal(record.headers[h.topic], topic);
  assert.equal(record.headers[h.partition], '0');
  assert.equal(record.headers[h.offset], '3');
  assert.match(record.headers[h.timestamp] ?? '', /^\d{13}$/);
  assert.equal(record.headers[h.attempts], '2');
  assert.equal(record.headers[h.error], 'poison record 3');
});

test('deadLetter refused for good (the topic function names an illegal topic): the partition stops with the refusal as the cause, the record unacked', { timeout: 120_000 }, async () => {
  const topic = await filledTopic('fp-dlt-bad', 1, 10);
  const groupId = uniqueTopic('fp-dlt-bad-g');
  const stopped = signal();
  const group = new ConsumerGroup(
    { brokers, groupId, topics: [topic], ...fast, logger: captureLogger(), onFailure: { retry: { ...quickRetry, maxAttempts: 1 }, deadLetter: { topic: () => 'no such/name' } } },
    async (stage) => {
      for await (const record of stage.records({ maxDemand: 5 })) {
        if (record.offset === 3) throw new Error('poison record 3');
        await stage.ack(record);
      }
    },
  );
  const errors: Error[] = [];
  group.on('error', (e) => {
    errors.push(e);
    if (e instanceof PartitionStoppedError) stopped.resolve();
  });
  await group.start();
  await stopped.promise;
  const error = errors.find((e) => e instanceof PartitionStoppedError) as PartitionStoppedError;
  assert.equal(error.offset, 3);
  assert.ok(error.cause instanceof InvalidOptionError, `the refusal is the cause, got ${String(error.cause)}`);
  assert.equal(group.stats().find((s) => s.partition === 0)?.failure?.state, 'stopped');
  await group.stop();
  assert.equal((await committed(groupId)).get(0), 3, 'committed up to, never past, the record that was not dead-lettered');
});

test('stop: the partition stops (error event, stats say why), the other partition goes on, the commit stays below the failed record; release() starts it again', { timeout: 150_000 }, async () => {
  const topic = await filledTopic('fp-stop', 2, 10);
  const groupId = uniqueTopic('fp-stop-g');
  const processed = new Map<number, number[]>([
    [0, []],
    [1, []],
  ]);
  let failing = true;
  const partition1Done = signal();
  const stopped = signal();
  const partition0Done = signal();
  const group = new ConsumerGroup(
    { brokers, groupId, topics: [topic], ...fast, logger: captureLogger(), onFailure: { retry: { ...quickRetry, maxAttempts: 2 }, exhausted: 'stop' } },
    async (stage) => {
      for await (const record of stage.records({ maxDemand: 5 })) {
        if (stage.partition === 0 && record.offset === 4 && failing) throw new Error('cannot handle 4');
        processed.get(stage.partition)?.push(record.offset);
        await stage.ack(record);
        if (record.offset === 9) (stage.partition === 1 ? partition1Done : partition0Done).resolve();
      }
    },
  );
  const errors: Error[] = [];
  group.on('error', (e) => {
    errors.push(e);
    if (e instanceof PartitionStoppedError) stopped.resolve();
  });
  await group.start();
  await Promise.all([stopped.promise, partition1Done.promise]);
  const error = errors.find((e) => e instanceof PartitionStoppedError) as PartitionStoppedError;
  assert.equal(error.code, 'ERR_PARTITION_STOPPED');
  assert.deepEqual([error.context.topic, error.context.partition, error.offset, error.attempts], [topic, 0, 4, 2]);
  assert.equal((error.cause as Error).message, 'cannot handle 4');
  assert.deepEqual(processed.get(1), Array.from({ length: 10 }, (_, i) => i), 'the other partition went on');
  assert.deepEqual(processed.get(0), [0, 1, 2, 3]);
  const stats0 = group.stats().find((s) => s.partition === 0);
  assert.equal(stats0?.failure?.state, 'stopped');
  assert.equal(stats0?.failure?.offset, 4);
  assert.equal(stats0?.failure?.attempts, 2);
  assert.equal(stats0?.ackedOffset, 4);
  assert.ok(group.assignment().some((tp) => tp.partition === 0), 'a stopped partition stays owned');
  await group.commit();
  const before = await committed(groupId);
  assert.equal(before.get(0), 4, 'committed up to, never past, the failed record');
  // Released, it starts again from the failed record, on its third delivery.
  failing = false;
  assert.equal(await group.release(topic, 0), true);
  await partition0Done.promise;
  assert.deepEqual(processed.get(0), Array.from({ length: 10 }, (_, i) => i));
  assert.equal(group.stats().find((s) => s.partition === 0)?.failure, null);
  await group.stop();
  const after = await committed(groupId);
  assert.deepEqual([after.get(0), after.get(1)], [10, 10]);
});

test('merged stream: consumer.nack(batch, err) retries the batch from its first unacked record, attempts 1, 2, 3; commit at the log end', { timeout: 120_000 }, async () => {
  const topic = await filledTopic('fp-merged', 1, 50);
  const groupId = uniqueTopic('fp-merged-g');
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], ...fast, logger: captureLogger(), onFailure: { retry: { ...quickRetry, maxAttempts: 5 } } });
  await group.start();
  const processed: number[] = [];
  const attemptsOf7: number[] = [];
  for await (const batch of group.stream({ maxDemand: 20 })) {
    let failed = false;
    for (const record of batch.records) {
      if (record.offset === 7) {
        attemptsOf7.push(record.attempt);
        if (record.attempt < 3) {
          assert.equal(group.nack(batch, new Error('fail 7')), true);
          failed = true;
          break;
        }
      }
      processed.push(record.offset);
      await group.ack(batch.topic, batch.partition, record);
    }
    if (!failed && processed.at(-1) === 49) break;
  }
  await group.stop();
  assert.deepEqual(attemptsOf7, [1, 2, 3]);
  assert.deepEqual(processed, Array.from({ length: 50 }, (_, i) => i));
  assert.equal((await committed(groupId)).get(0), 50);
});

test('stop() during a retry backoff ends the wait at once: nothing more is delivered, the acked prefix is committed', { timeout: 90_000 }, async () => {
  const topic = await filledTopic('fp-wait', 1, 10);
  const groupId = uniqueTopic('fp-wait-g');
  const delivered: number[] = [];
  const logger = captureLogger();
  // A backoff far longer than the test's timeout: stop() only returns in time if it ends the wait.
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], ...fast, logger, onFailure: { retry: { initialMs: 600_000, maxMs: 600_000 } } }, async (stage) => {
    for await (const record of stage.records({ maxDemand: 5 })) {
      delivered.push(record.offset);
      if (record.offset === 5) throw new Error('fail 5');
      await stage.ack(record);
    }
  });
  await group.start();
  await logger.next((e) => e.message.includes('delivering its records again'), 'the retry of offset 5', 60_000);
  const parked = group.stats().find((s) => s.partition === 0);
  assert.equal(parked?.failure?.state, 'retrying');
  assert.equal(parked?.failure?.offset, 5);
  await group.stop();
  assert.deepEqual(delivered, [0, 1, 2, 3, 4, 5], 'nothing delivered after the failure');
  assert.equal((await committed(groupId)).get(0), 5);
});
