/**
 * An idempotent producer's first batch to a partition goes alone. Seen on a real broker right after
 * creating a topic: the partition answered NOT_LEADER_OR_FOLLOWER to the request carrying sequence 0
 * and appended the next request's batch (sequence 49), since a broker holding no state for a
 * producer takes any first sequence. The retry of sequence 0 then got OUT_OF_ORDER_SEQUENCE_NUMBER
 * and its records failed (had it been taken, they would have been written after later records).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { logOf, useFakeCluster } from './use-fake-cluster.js';

const world = useFakeCluster();

test('a refused first batch is not overtaken: every record written once, in send order', async () => {
  const kafka = await world.start({ t: 1 });
  // The first Produce is refused (partition not ready) and answered late, so the client could send
  // more batches behind it meanwhile.
  const first = { when: (r: { index: number }) => r.index === 0 };
  kafka.fail('Produce', 'NOT_LEADER_OR_FOLLOWER', { topic: 't', partition: 0, ...first });
  kafka.delay('Produce', 100, first);
  const producer = world.producer({ lingerMs: 0, batchSize: 64, retry: { initialBackoffMs: 10, maxBackoffMs: 20 } });
  await producer.connect();
  const values = Array.from({ length: 12 }, (_, i) => `r${i}`);
  const settled = await Promise.allSettled(values.map((value) => producer.send('t', { value, partition: 0 })));
  assert.deepEqual(settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason)), []);
  assert.deepEqual((await logOf(kafka, 't', 0)).map((r) => r.value), values);
  const produced = kafka.requests('Produce');
  assert.ok(produced.length >= 3, `the records went in several requests (${produced.length})`);
  const answered = produced.map((r) => r.batches.map((b) => b.errorCode));
  assert.ok(!answered.flat().includes(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER), `no OUT_OF_ORDER_SEQUENCE_NUMBER answered: ${JSON.stringify(answered)}`);
});
