/**
 * A second start() (issue #12 item 4): while the consumer runs it is a caller's mistake,
 * `ERR_ALREADY_STARTED`, and the running consumer is untouched; once stop() was called the consumer
 * is closed, `ERR_CLOSED`. Before, both were `ERR_CLOSED`, which told a caller a running consumer
 * was closed.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { KafkaStageError } from '../../src/errors.js';
import type { FakeKafkaCluster } from '../../src/testing/index.js';
import { clientOptions, logCluster, LOG_TOPIC } from './log-cluster.js';

const T = { timeout: 20_000 };
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

async function broker(): Promise<FakeKafkaCluster> {
  const fake = await logCluster({ partitions: 1, records: 20, batchSize: 10 });
  open.push(fake);
  return fake;
}

/** The code start() rejected with, or 'resolved'. */
async function codeOf(start: Promise<void>): Promise<string> {
  return start.then(
    () => 'resolved',
    (err: unknown) => (err instanceof KafkaStageError ? err.code : `not a KafkaStageError: ${String(err)}`),
  );
}

describe('a second start()', () => {
  it('StandaloneConsumer: ERR_ALREADY_STARTED while it starts or runs, ERR_CLOSED after stop()', T, async () => {
    const fake = await broker();
    const consumer = new StandaloneConsumer({ ...clientOptions(fake), partitions: [{ topic: LOG_TOPIC, partition: 0, offset: 0 }] }, () => undefined);
    open.push(consumer);
    const first = consumer.start();
    assert.equal(await codeOf(consumer.start()), 'ERR_ALREADY_STARTED', 'while the first start() is under way');
    assert.equal(await codeOf(first), 'resolved', 'the first start() is not disturbed');
    assert.equal(await codeOf(consumer.start()), 'ERR_ALREADY_STARTED', 'while it runs');
    await consumer.stop();
    assert.equal(await codeOf(consumer.start()), 'ERR_CLOSED', 'after stop()');
  });

  it('ConsumerGroup: ERR_ALREADY_STARTED while it starts or runs, ERR_CLOSED after stop()', T, async () => {
    const fake = await broker();
    const group = new ConsumerGroup(
      { ...clientOptions(fake), groupId: 'g', topics: [LOG_TOPIC], heartbeatIntervalMs: 20, sessionTimeoutMs: 6_000, autoOffsetReset: 'earliest' },
      () => undefined,
    );
    open.push(group);
    const first = group.start();
    assert.equal(await codeOf(group.start()), 'ERR_ALREADY_STARTED', 'while the first start() is under way');
    assert.equal(await codeOf(first), 'resolved', 'the first start() is not disturbed');
    assert.equal(await codeOf(group.start()), 'ERR_ALREADY_STARTED', 'while it runs');
    await group.stop();
    assert.equal(await codeOf(group.start()), 'ERR_CLOSED', 'after stop()');
  });
});
