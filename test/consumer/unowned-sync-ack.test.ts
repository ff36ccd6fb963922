/**
 * Under `sync` an ack resolves only once a durable commit covers it (design.md §3.2). An ack through
 * the consumer (`consumer.ack(topic, partition, x)`) of a partition it does not consume — never
 * assigned, or revoked and drained — can never be committed, so it must reject with
 * CommitLostError rather than resolve as if it had been.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { CommitLostError } from '../../src/consumer/commit-errors.js';

const options = (strategy: 'sync' | 'async') => ({
  brokers: ['127.0.0.1:1'],
  groupId: 'g',
  commit: { strategy },
  partitions: [{ topic: 'orders', partition: 0, offset: 0 }],
});

test('sync: consumer.ack of a partition this consumer does not consume rejects with ERR_COMMIT_LOST', async () => {
  const consumer = new StandaloneConsumer(options('sync'));
  await assert.rejects(consumer.ack('orders', 7, 41), (err: unknown) => {
    assert.ok(err instanceof CommitLostError);
    assert.equal(err.code, 'ERR_COMMIT_LOST');
    assert.equal(err.offset, 41);
    assert.deepEqual([err.context.topic, err.context.partition], ['orders', 7]);
    return true;
  });
});

test('async: the same ack resolves (nothing waits on a commit under async)', async () => {
  const consumer = new StandaloneConsumer(options('async'));
  await consumer.ack('orders', 7, 41);
});
