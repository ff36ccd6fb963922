/**
 * An idempotent producer's first batch to a partition goes alone. Seen on a real broker right after
 * creating a topic: the partition answered NOT_LEADER_OR_FOLLOWER to the request carrying sequence 0
 * and appended the next request's batch (sequence 49), since a broker holding no state for a
 * producer takes any first sequence. The retry of sequence 0 then got OUT_OF_ORDER_SEQUENCE_NUMBER
 * and its records failed (had it been taken, they would have been written after later records).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useFakeKafka } from './use-fake-kafka.js';

const world = useFakeKafka();

test('a refused first batch is not overtaken: every record written once, in send order', async () => {
  const kafka = await world.start({ t: 1 });
  // The first Produce is refused (partition not ready) and answered late, so the client could send
  // more batches behind it meanwhile.
  kafka.faults = (index) => (index === 0 ? { errors: { 't/0': 6 }, delayMs: 100 } : undefined);
  const producer = world.producer({ lingerMs: 0, batchSize: 64, retry: { initialBackoffMs: 10, maxBackoffMs: 20 } });
  await producer.connect();
  const values = Array.from({ length: 12 }, (_, i) => `r${i}`);
  const settled = await Promise.allSettled(values.map((value) => producer.send('t', { value, partition: 0 })));
  assert.deepEqual(settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason)), []);
  assert.deepEqual(kafka.log('t', 0).map((r) => r.value), values);
  assert.ok(kafka.produceRequests.length >= 3, `the records went in several requests (${kafka.produceRequests.length})`);
  assert.ok(!kafka.produceErrors.flat().includes(45), `no OUT_OF_ORDER_SEQUENCE_NUMBER answered: ${JSON.stringify(kafka.produceErrors)}`);
});
